"""RES007: nothing personal in names, tags, outputs or function environments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.values import blocks

PERSONAL_KEY = re.compile(r"e-?mail|phone|passport|birth|ssn|national.?id", re.IGNORECASE)
# Bounded parts (RFC 5321's lengths) keep a long value without an address from costing quadratic time.
EMAIL_ADDRESS = re.compile(r"[^@\s\"'${}]{1,64}@[^@\s\"'${}]{1,253}\.[A-Za-z]{2,63}")
# A URL's user information (a Sentry DSN's key, `user:password@`): a credential, not an email address.
URL_USER = re.compile(r"://[^/@\s\"'?#]{1,256}@")
NAME_ATTRIBUTES = ("name", "bucket", "function_name", "description")


@rule("RES007", "Nothing personal in names, tags, outputs or function environments",
      why="Names, tags, outputs and environment variables are copied into state, logs and consoles "
          "outside the data stores' protection.",
      fix="Keep personal data in the region's data stores only; reference it, never embed it.")
def nothing_personal_in_metadata(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    for output, body in context.workspace.outputs().items():
        yield from _personal(emit, f"output.{output}", output, body.get("value"))
    for provider in context.workspace.providers():
        for tags in blocks(provider.get("default_tags")):
            for key, value in _mapping(tags.get("tags")):
                yield from _personal(emit, "provider.aws.default_tags", key, value)
    for resource in context.workspace.resources():
        for key, value in _mapping(resource.body.get("tags")):
            yield from _personal(emit, resource.address, key, value)
        for attribute in NAME_ATTRIBUTES:
            if isinstance(resource.body.get(attribute), str):
                yield from _personal(emit, resource.address, attribute, resource.body[attribute], key_counts=False)
        for environment in blocks(resource.body.get("environment")):
            for key, value in _mapping(environment.get("variables")):
                yield from _personal(emit, resource.address, key, value)


def _mapping(value: Any) -> list[tuple[str, Any]]:
    """A map attribute's entries; an attribute that is not a map holds none (other rules judge its strings)."""
    items = value if isinstance(value, list) else [value]
    return [(str(key), item) for entry in items if isinstance(entry, dict) for key, item in entry.items()]


def _personal(emit: Emit, address: str, key: str, value: Any, *, key_counts: bool = True) -> Iterator[Finding]:
    if key_counts and PERSONAL_KEY.search(key):
        yield emit(address, f"{key!r} names personal data")
    if isinstance(value, str) and EMAIL_ADDRESS.search(URL_USER.sub("://", value)):
        yield emit(address, f"{key!r} holds an email address")
