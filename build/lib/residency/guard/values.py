"""Reading Terraform JSON values: nested blocks, `${...}` references, regions in ARNs and host names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from residency.config import REGIONS

UNKNOWN = "unknown"
GLOBAL = "global"

_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_REFERENCE = re.compile(r"\b(data\.)?(aws_[a-z0-9_]+|terraform_remote_state)\.([A-Za-z0-9_-]+)")
_API_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")


def blocks(value: Any) -> list[dict[str, Any]]:
    """A nested block as Terraform JSON writes it: one object or a list of them."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def strings(value: Any) -> Iterator[str]:
    """Every string in a value, however deeply nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and "${" in value


def references(value: Any) -> list[tuple[bool, str, str]]:
    """(is_data, type, name) of every resource or data source an expression refers to."""
    found: list[tuple[bool, str, str]] = []
    for text in strings(value):
        for expression in _INTERPOLATION.findall(text):
            for data, kind, name in _REFERENCE.findall(expression):
                found.append((bool(data), kind, name))
    return found


def sole_resource_reference(value: Any) -> str | None:
    """`type.name` when the value is exactly one `${type.name.attribute}` of a managed resource."""
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(\.[A-Za-z0-9_.\[\]\"*-]+)?\}", value)
    return f"{match.group(1)}.{match.group(2)}" if match else None


def known_region(value: Any) -> str:
    return value if isinstance(value, str) and value in REGIONS else UNKNOWN


def arn_region(value: Any) -> str:
    """The region field of a literal ARN; unknown for expressions, regionless ARNs and anything else."""
    if not isinstance(value, str) or is_expression(value) or not value.startswith("arn:"):
        return UNKNOWN
    parts = value.split(":")
    return known_region(parts[3]) if len(parts) > 3 else UNKNOWN


def host_region(host: Any, domain: str | None) -> str:
    """`eu-central-1.example.com` and API Gateway's default host name say which region they are."""
    if not isinstance(host, str) or is_expression(host):
        return UNKNOWN
    host = host.removeprefix("https://").rstrip(".").split("/", 1)[0]
    api = _API_HOST.search(host)
    if api:
        return known_region(api.group(1))
    if domain and host.endswith(f".{domain}"):
        return known_region(host.removesuffix(f".{domain}"))
    return UNKNOWN
