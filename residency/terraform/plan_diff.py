"""A plan as a reader reviews it, like `terraform show` or `cdk diff`: each resource it changes, what happens to
it, the attributes that change (before -> after, sensitive values masked) and what residency protects in it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency.terraform.change_set import AttributeChange, ChangeSet, attribute_changes
from residency.terraform.protection import what_it_protects

MAX_RESOURCES = 200  # per workspace; the plan file has the rest
MAX_ATTRIBUTES = 30  # per resource
SYMBOLS = {"created": "+", "destroyed": "-", "changed": "~", "replaced": "-/+", "forgotten": "."}


def plan_diff(change_set: ChangeSet, synthesized: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One entry per changed resource: address, action, what it protects, changed attributes (for an update or a
    replacement; a creation or a deletion is the whole resource)."""
    entries = []
    for change in change_set.changes[:MAX_RESOURCES]:
        changed = attribute_changes(change.before, change.after) if change.actions == ("update",) or \
            change.replaces else []
        entries.append({"address": change.address, "action": change.describe_action(),
                        "protects": what_it_protects(change, synthesized, change_set.prior_outputs),
                        "attributes": [attribute.as_json() for attribute in changed[:MAX_ATTRIBUTES]],
                        "more_attributes": max(0, len(changed) - MAX_ATTRIBUTES)})
    if len(change_set.changes) > MAX_RESOURCES:
        entries.append({"address": f"... and {len(change_set.changes) - MAX_RESOURCES} more", "action": "",
                        "protects": "", "attributes": [], "more_attributes": 0})
    return entries


def diff_lines(entries: list[dict[str, Any]]) -> list[str]:
    """The diff as text: `~ aws_s3_bucket.docs (changed) [personal-data store]`, then `    tags.team: "a" -> "b"`."""
    lines = []
    for entry in entries:
        if not entry["action"]:
            lines.append(entry["address"])
            continue
        mark = f" [{entry['protects']}]" if entry["protects"] else ""
        symbol = SYMBOLS.get(entry["action"], ">" if entry["action"].startswith("moved") else "?")
        lines.append(f"{symbol} {entry['address']} ({entry['action']}){mark}")
        lines += [f"    {AttributeChange(**attribute).describe()}" for attribute in entry["attributes"]]
        if entry["more_attributes"]:
            lines.append(f"    ... and {entry['more_attributes']} more attributes")
    return lines
