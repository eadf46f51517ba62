"""A saved plan (`terraform show -json`) laid over the synthesized workspace it was made from.

Planned values resolve what synthesized JSON leaves as expressions (variables, remote state,
data sources). Where a value is unknown until apply, or where the synthesized value names a
resource of the same workspace (which the rules judge by its own attributes), the synthesized
value stays. An unknown value the configuration does not set is left out, as in the synthesized JSON
(the provider computes it: an ARN, an id, a default such as multi_region = false).
"""

from __future__ import annotations

import copy
from typing import Any

from residency.guard.terraform_json.values import sole_resource_reference
from residency.guard.terraform_json.workspace import SynthesizedWorkspace

_ABSENT = object()
# Where an overlaid document records the account the plan ran in (a key Terraform never reads).
CALLER_ACCOUNTS = "//caller_accounts"


def plan_shape_problem(plan: Any) -> str | None:
    """Why a document is not `terraform show -json` output of a saved plan, or None when it is."""
    if not isinstance(plan, dict) or not isinstance(plan.get("planned_values"), dict):
        return "it has no planned_values object"
    if not isinstance(plan.get("resource_changes", []), list) or not all(
            isinstance(change, dict) for change in plan.get("resource_changes", [])):
        return "its resource_changes is not a list of objects"
    if not isinstance(plan.get("configuration", {}), dict) or not isinstance(plan.get("variables", {}), dict):
        return "its configuration or variables is not an object"
    return None


def overlay_plan(workspace: SynthesizedWorkspace, plan: dict[str, Any]) -> SynthesizedWorkspace:
    document = copy.deepcopy(workspace.document)
    resources = document.setdefault("resource", {})
    changes = {change.get("address"): change for change in plan.get("resource_changes", [])}
    configured = _configured_expressions(plan)
    expanded: set[tuple[str, str]] = set()
    for planned in _planned_resources(plan["planned_values"].get("root_module") or {}):
        if planned.get("mode") != "managed":
            continue
        kind, base = str(planned.get("type")), str(planned.get("name"))
        name = _name(planned)
        change = (changes.get(planned.get("address")) or {}).get("change") or {}
        synthesized = resources.get(kind, {}).get(base if name != base else name)
        body = _merge(planned.get("values") or {}, change.get("after_unknown") or {}, synthesized or {},
                      configured.get(f"{kind}.{base}"))
        for key in ("provider", "depends_on", "lifecycle", "//"):
            if synthesized and key in synthesized:
                body[key] = synthesized[key]
        resources.setdefault(kind, {})[name] = body
        if name != base:
            expanded.add((kind, base))  # count / for_each: the instances replace the block
    for kind, base in expanded:
        resources[kind].pop(base, None)
    _overlay_providers(document, plan)
    accounts = sorted(_caller_accounts(plan))
    if accounts:
        document[CALLER_ACCOUNTS] = accounts
    for output, value in (plan.get("planned_values", {}).get("outputs") or {}).items():
        if "value" in value:
            document.setdefault("output", {})[output] = {"value": value["value"]}
    return SynthesizedWorkspace(workspace.name, document, origin="plan", problems=workspace.problems)


def _caller_accounts(plan: dict[str, Any]) -> set[str]:
    """The account the plan ran in, as `data.aws_caller_identity` read it: with the values known, ARNs
    in the plan carry it literally where the configuration had a reference."""
    found: set[str] = set()
    for section in ("prior_state", "planned_values"):
        values = plan.get(section) or {}
        if section == "prior_state":
            values = values.get("values") or {}
        root = values.get("root_module")
        for resource in _planned_resources(root or {}):
            if resource.get("mode") == "data" and resource.get("type") == "aws_caller_identity":
                account = (resource.get("values") or {}).get("account_id")
                if isinstance(account, str) and account.isdigit():
                    found.add(account)
    return found


def _planned_resources(module: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(module.get("resources", []))
    for child in module.get("child_modules", []):
        found += _planned_resources(child)
    return found


def _name(planned: dict[str, Any]) -> str:
    index = planned.get("index")
    return str(planned.get("name")) + ("" if index is None else f"[{index!r}]".replace("'", '"'))


def _merge(planned: Any, unknown: Any, synthesized: Any, configured: Any = None) -> Any:
    """`configured`: the plan's configuration expressions at this level (None: keep every planned value).
    Values the configuration does not set are the provider's own description of what exists in AWS
    (a bucket's grants, a role's ARN): only what the configuration sets is judged."""
    if unknown is True:
        return synthesized if synthesized is not None else _ABSENT
    if sole_resource_reference(synthesized) is not None:
        return synthesized
    if isinstance(planned, dict):
        if isinstance(configured, dict):
            keep = set(configured) | (set(synthesized) if isinstance(synthesized, dict) else set())
            planned = {key: value for key, value in planned.items() if key in keep}
        merged = {key: _merge(value, _at(unknown, key), _at(synthesized, key), _block_expressions(configured, key))
                  for key, value in planned.items()}
        merged |= {key: _merge(None, True, _at(synthesized, key)) for key in _keys(unknown) if key not in planned}
        return {key: value for key, value in merged.items() if value is not _ABSENT}
    if isinstance(planned, list):
        if isinstance(synthesized, dict):
            synthesized = [synthesized]  # CDKTF writes a single nested block as an object
        if isinstance(synthesized, list) and synthesized and len(planned) > len(synthesized):
            synthesized = synthesized + [synthesized[-1]] * (len(planned) - len(synthesized))  # dynamic blocks
        items = [_merge(item, _at(unknown, i), _at(synthesized, i),
                        configured[min(i, len(configured) - 1)] if isinstance(configured, list) and configured
                        else None)
                 for i, item in enumerate(planned)]
        return [item for item in items if item is not _ABSENT]
    return planned


def _block_expressions(configured: Any, key: str) -> Any:
    """A nested block's expressions (a list of them), or None for an attribute (keep all of its value)."""
    value = configured.get(key) if isinstance(configured, dict) else None
    return value if isinstance(value, list) else None


def _configured_expressions(plan: dict[str, Any]) -> dict[str, Any]:
    """`type.name` -> the expressions the configuration sets for it, from the plan's configuration section."""
    root = (plan.get("configuration") or {}).get("root_module") or {}
    found: dict[str, Any] = {}
    for resource in root.get("resources") or []:
        if isinstance(resource, dict) and resource.get("mode") == "managed" and \
                isinstance(resource.get("expressions"), dict):
            found[str(resource.get("address"))] = resource["expressions"]
    return found


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
        region = _evaluated((config.get("expressions") or {}).get("region") or {}, plan.get("variables") or {})
        alias = config.get("alias")
        for provider in document.get("provider", {}).get("aws", []):
            if provider.get("alias") == alias and region is not None:
                provider["region"] = region


def _evaluated(expression: dict[str, Any], variables: dict[str, Any]) -> Any:
    """A constant, or the value of the one variable an expression is (`${var.region}`)."""
    references = expression.get("references") or []
    if len(references) == 1 and str(references[0]).startswith("var.") and \
            expression.get("constant_value") in (None, "${" + str(references[0]) + "}"):
        return (variables.get(str(references[0]).removeprefix("var.")) or {}).get("value")
    return expression.get("constant_value")
