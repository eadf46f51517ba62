"""Small readers of Terraform JSON values: nested blocks, lists, and exact references."""

from __future__ import annotations

from typing import Any

from residency.guard.terraform_json.expressions import (
    ExpressionError,
    Traversal,
    address,
    is_template,
    parse_template,
    sole_expression,
)

UNKNOWN = "unknown"
GLOBAL = "global"


def blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as Terraform JSON writes it: one object or a list of them."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and is_template(value)


def sole_traversal(value: Any) -> Traversal | None:
    """The traversal a value is made of entirely (`${data.x.y.json}`), else None."""
    if not isinstance(value, str) or not is_template(value):
        return None
    try:
        node = sole_expression(parse_template(value))
    except ExpressionError:
        return None
    return node if isinstance(node, Traversal) else None


def sole_resource_reference(value: Any) -> str | None:
    """`type.name` when the value is exactly one `${type.name...}` reference to a managed resource."""
    traversal = sole_traversal(value)
    found = address(traversal) if traversal is not None else None
    return f"{found[1]}.{found[2]}" if found is not None and found[0] == "resource" else None
