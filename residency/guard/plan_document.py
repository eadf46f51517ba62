"""A saved plan (`terraform show -json`) laid over the synthesized workspace it was made from.

Planned values resolve what synthesized JSON leaves as expressions (variables, remote state,
data sources). Where a value is unknown until apply, or where the synthesized value names a
resource of the same workspace (which the rules judge by its own attributes), the synthesized
value stays. Resources the plan adds beyond the synthesized ones keep "${unknown}" placeholders.
"""

from __future__ import annotations

import copy
from typing import Any

from residency.guard.model import SynthesizedWorkspace
from residency.guard.values import sole_resource_reference

UNKNOWN_VALUE = "${unknown}"


def overlay_plan(workspace: SynthesizedWorkspace, plan: dict[str, Any]) -> SynthesizedWorkspace:
    document = copy.deepcopy(workspace.document)
    resources = document.setdefault("resource", {})
    changes = {change.get("address"): change for change in plan.get("resource_changes", [])}
    for planned in _planned_resources(plan.get("planned_values", {}).get("root_module", {})):
        if planned.get("mode") != "managed":
            continue
        kind, name = planned.get("type"), _name(planned)
        change = (changes.get(planned.get("address")) or {}).get("change") or {}
        unknown = change.get("after_unknown") or {}
        synthesized = resources.get(kind, {}).get(name)
        body = _merge(planned.get("values") or {}, unknown, synthesized or {})
        for key in ("provider", "depends_on", "lifecycle", "//"):
            if synthesized and key in synthesized:
                body[key] = synthesized[key]
        resources.setdefault(kind, {})[name] = body
    _overlay_providers(document, plan)
    for output, value in (plan.get("planned_values", {}).get("outputs") or {}).items():
        if "value" in value:
            document.setdefault("output", {})[output] = {"value": value["value"]}
    return SynthesizedWorkspace(workspace.name, document, origin="plan")


def _planned_resources(module: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _planned_resources(child)
    return found


def _name(planned: dict[str, Any]) -> str:
    index = planned.get("index")
    return str(planned.get("name")) + ("" if index is None else f"[{index!r}]".replace("'", '"'))


def _merge(planned: Any, unknown: Any, synthesized: Any) -> Any:
    if unknown is True:
        return synthesized if synthesized not in (None, {}, []) else UNKNOWN_VALUE
    if sole_resource_reference(synthesized) is not None:
        return synthesized
    if isinstance(planned, dict):
        return {key: _merge(value, _at(unknown, key), _at(synthesized, key)) for key, value in planned.items()} | {
            key: _merge(None, True, _at(synthesized, key)) for key in _keys(unknown) if key not in planned}
    if isinstance(planned, list):
        if isinstance(synthesized, dict) and len(planned) == 1:
            synthesized = [synthesized]  # CDKTF writes a single nested block as an object
        return [_merge(item, _at(unknown, i), _at(synthesized, i)) for i, item in enumerate(planned)]
    return planned


def _at(container: Any, key: Any) -> Any:
    if isinstance(container, dict):
        return container.get(key)
    if isinstance(container, list) and isinstance(key, int) and key < len(container):
        return container[key]
    return None


def _keys(unknown: Any) -> list[str]:
    return [key for key, value in unknown.items() if value is True] if isinstance(unknown, dict) else []


def _overlay_providers(document: dict[str, Any], plan: dict[str, Any]) -> None:
    """Provider regions as the plan evaluated them (a variable in synthesized JSON is a value here)."""
    for config in (plan.get("configuration", {}).get("provider_config") or {}).values():
        if config.get("name") != "aws":
            continue
        region = ((config.get("expressions") or {}).get("region") or {}).get("constant_value")
        alias = config.get("alias")
        for provider in document.get("provider", {}).get("aws", []):
            if provider.get("alias") == alias and region is not None:
                provider["region"] = region
