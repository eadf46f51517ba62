"""Declaring a store in a synthesized document the way `declare_personal_data` does in the constructs."""

from __future__ import annotations

from typing import Any

from residency.personal_data import OUTPUT, STORE_TYPES


def declare(document: dict[str, Any], address: str) -> None:
    """Protect the store at `address` and list it in the workspace's declaration of personal data."""
    type_, name = address.split(".", 1)
    kind = STORE_TYPES[type_]
    body = document["resource"][type_][name]
    lifecycle = body.setdefault("lifecycle", {})
    if isinstance(lifecycle, dict):
        lifecycle["prevent_destroy"] = True
    declared = document.setdefault("output", {}).setdefault(OUTPUT, {"value": []})["value"]
    declared.append({"address": address, "kind": kind.value, "name": f"${{{address}.{kind.name_attribute}}}"})
