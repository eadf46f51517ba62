"""What residency synthesized into a workspace, and what of it a later document changed or dropped.

Extensions add to a workspace; they never change residency's own configuration. A workspace's document
as residency made it (before any extension ran) is the reference: every element of it must be in the
final document unchanged. Additions are the extension's (and the rules judge them), except a second
configuration of a provider residency configures under the same alias, and any other `terraform`
setting than a required provider of its own.
"""

from __future__ import annotations

from typing import Any

# Blocks whose elements are `type.name` (the rest are `block.name`).
TYPED_BLOCKS = ("resource", "data")
METADATA = "//"


def changed(reference: dict[str, Any], document: dict[str, Any]) -> list[str]:
    """The addresses of `reference`'s elements that `document` changed or dropped, in reference order."""
    found: list[str] = []
    for block, elements in reference.items():
        if block == METADATA or not isinstance(elements, dict):
            continue
        present = document.get(block)
        present = present if isinstance(present, dict) else {}
        if block == "terraform":
            found += _terraform_settings(elements, present)
        elif block == "provider":
            found += _providers(elements, present)
        elif block in TYPED_BLOCKS:
            for type_, bodies in elements.items():
                of_type = present.get(type_)
                of_type = of_type if isinstance(of_type, dict) else {}
                prefix = f"{type_}." if block == "resource" else f"data.{type_}."
                found += [f"{prefix}{name}" for name, body in bodies.items() if of_type.get(name) != body]
        else:
            found += [f"{block}.{name}" for name, body in elements.items() if present.get(name) != body]
    return found


def _terraform_settings(reference: dict[str, Any], present: dict[str, Any]) -> list[str]:
    found = [f"terraform.{key}" for key in sorted((set(reference) | set(present)) - {"required_providers"})
             if present.get(key) != reference.get(key)]
    required = present.get("required_providers") or {}
    return found + [f"terraform.required_providers.{name}"
                    for name, requirement in (reference.get("required_providers") or {}).items()
                    if required.get(name) != requirement]


def _providers(reference: dict[str, Any], present: dict[str, Any]) -> list[str]:
    """Each of residency's provider configurations is there unchanged, and alone under its alias."""
    found = []
    for name, configurations in reference.items():
        mine = _listed(configurations)
        now = _listed(present.get(name))
        for configuration in mine:
            alias = configuration.get("alias")
            if [other for other in now if other.get("alias") == alias] != [configuration]:
                found.append(f"provider.{name}" + (f".{alias}" if alias else ""))
    return found


def _listed(configurations: Any) -> list[dict[str, Any]]:
    """CDKTF writes a provider's configurations as a list (one as an object, in older documents)."""
    if isinstance(configurations, dict):
        return [configurations]
    return [item for item in configurations or [] if isinstance(item, dict)]
