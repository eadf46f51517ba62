"""What a saved plan will do, read from the plan file itself (`terraform show -json` of it).

The change set is the one source for what an apply is about to do: the counts, the confirmation, the run
summary, the digest a reviewed plan records, and the judgment of what it deletes (protection.py). A
manifest or a streamed log only says which plan files belong together; it can be edited, the plan cannot
be applied as anything but itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from residency.errors import ResidencyError
from residency.terraform.events import Changes

SENSITIVE = "(sensitive value)"
UNKNOWN = "(known after apply)"
# Actions that change nothing in AWS: reading a data source, a resource left as it is.
UNCHANGING = (("no-op",), ("read",))


class UnreadablePlan(ResidencyError):
    """The plan file's JSON is not a Terraform plan residency can read: it is not applied."""


@dataclass(frozen=True)
class ResourceChange:
    address: str
    type: str
    actions: tuple[str, ...]  # ("create",), ("update",), ("delete",), ("delete", "create") for a replacement...
    before: Any  # sensitive values masked
    after: Any  # sensitive values masked, unknown ones as UNKNOWN
    reason: str = ""  # Terraform's action_reason, e.g. replace_because_tainted
    moved_from: str = ""  # the address a `moved` block takes it from

    @property
    def deletes(self) -> bool:
        return "delete" in self.actions

    @property
    def creates(self) -> bool:
        return "create" in self.actions

    @property
    def replaces(self) -> bool:
        return self.deletes and self.creates

    def describe_action(self) -> str:
        if self.replaces:
            return "replaced"
        return {"create": "created", "update": "changed", "delete": "destroyed", "forget": "forgotten",
                "move": f"moved from {self.moved_from}"}.get(
            self.actions[0] if self.actions else "", "/".join(self.actions))


@dataclass(frozen=True)
class ChangeSet:
    changes: tuple[ResourceChange, ...]  # every managed resource the plan acts on (no-ops left out)
    outputs_change: bool
    prior_outputs: Mapping[str, Any]  # the outputs of the state the plan was made against (values as stored)

    @classmethod
    def from_plan(cls, plan: Mapping[str, Any], *, stored_outputs: Mapping[str, Any] | None = None) -> ChangeSet:
        """What `plan` (`terraform show -json` of a plan file) does. Give the prior outputs as the state stored them
        (plan_archive.py): show's prior state has them evaluated with the new configuration already, so a store
        whose declaration the change removes would not be in them."""
        entries = plan.get("resource_changes", [])
        if not isinstance(entries, list):
            raise UnreadablePlan("the plan's resource_changes is not a list")
        changes = []
        for entry in entries:
            change = _resource_change(entry)
            if change is not None:
                changes.append(change)
        output_changes = plan.get("output_changes")
        outputs_change = isinstance(output_changes, dict) and any(
            isinstance(change, dict) and tuple(change.get("actions") or ()) not in UNCHANGING
            for change in output_changes.values())
        return cls(tuple(changes), outputs_change,
                   stored_outputs if stored_outputs is not None else _prior_outputs(plan))

    @property
    def counts(self) -> Changes:
        """As Terraform counts them: a replacement is one to add and one to destroy."""
        return Changes(add=sum(change.creates for change in self.changes),
                       change=sum(change.actions == ("update",) for change in self.changes),
                       destroy=sum(change.deletes for change in self.changes))

    @property
    def any(self) -> bool:
        return bool(self.changes) or self.outputs_change

    def digest(self) -> str:
        """sha256 over what the plan does (addresses, actions, where a move comes from, before- and after-values
        with sensitive values masked; a deletion deletes what its before-value names): what a review records and
        an apply of the reviewed plan recomputes."""
        canonical = [[change.address, list(change.actions), change.moved_from, change.before, change.after]
                     for change in self.changes]
        text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _resource_change(entry: Any) -> ResourceChange | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("change"), dict):
        raise UnreadablePlan(f"the plan holds a resource change residency cannot read: {str(entry)[:200]}")
    if entry.get("mode", "managed") != "managed":
        return None
    change = entry["change"]
    actions = tuple(str(action) for action in change.get("actions") or ())
    moved_from = entry.get("previous_address")
    if actions == ("no-op",) and isinstance(moved_from, str) and moved_from:
        actions = ("move",)  # a `moved` block: the same resource under a new address, nothing else changes
    if not actions or actions in UNCHANGING:
        return None
    address = entry.get("address")
    if not isinstance(address, str) or not address:
        raise UnreadablePlan("the plan holds a resource change without an address")
    before = masked(change.get("before"), change.get("before_sensitive"))
    after = masked(change.get("after"), change.get("after_sensitive"), change.get("after_unknown"))
    return ResourceChange(address, str(entry.get("type", "")), actions, before, after,
                          str(entry.get("action_reason") or ""), moved_from if isinstance(moved_from, str) else "")


def masked(value: Any, sensitive: Any, unknown: Any = None) -> Any:
    """`value` with what `sensitive` marks replaced by SENSITIVE and what `unknown` marks by UNKNOWN (both have
    the value's shape, or are a single `true` for all of it)."""
    if sensitive is True:
        return SENSITIVE
    if unknown is True:
        return UNKNOWN
    if isinstance(value, dict):
        return {key: masked(item, _part(sensitive, key), _part(unknown, key)) for key, item in value.items()} | {
            key: UNKNOWN for key, flag in (unknown.items() if isinstance(unknown, dict) else ())
            if flag is True and key not in value}
    if isinstance(value, list):
        return [masked(item, _part(sensitive, index), _part(unknown, index)) for index, item in enumerate(value)]
    return value


def _part(marks: Any, key: str | int) -> Any:
    if isinstance(marks, dict) and isinstance(key, str):
        return marks.get(key)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return None


def _prior_outputs(plan: Mapping[str, Any]) -> dict[str, Any]:
    prior = plan.get("prior_state")
    values = prior.get("values") if isinstance(prior, dict) else None
    outputs = values.get("outputs") if isinstance(values, dict) else None
    return {name: entry.get("value") for name, entry in (outputs or {}).items() if isinstance(entry, dict)}


@dataclass(frozen=True)
class AttributeChange:
    path: str  # dotted, list items by index: `tags.team`, `rule.0.days`
    before: Any
    after: Any

    def describe(self) -> str:
        return f"{self.path}: {_shown(self.before)} -> {_shown(self.after)}"

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


def attribute_changes(before: Any, after: Any, prefix: str = "") -> list[AttributeChange]:
    """Every leaf that differs between `before` and `after` (masked values compare as they are shown)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [change for key in sorted(set(before) | set(after))
                for change in attribute_changes(before.get(key), after.get(key), f"{prefix}{key}.")]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [change for index, (old, new) in enumerate(zip(before, after, strict=True))
                for change in attribute_changes(old, new, f"{prefix}{index}.")]
    if before == after:
        return []
    return [AttributeChange(prefix.rstrip(".") or "(value)", before, after)]


def _shown(value: Any) -> str:
    if value in (SENSITIVE, UNKNOWN):
        return str(value)
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def drifted_attributes(plan: Mapping[str, Any]) -> dict[str, list[AttributeChange]]:
    """Per drifted resource of a refresh-only plan, the attributes AWS changed outside Terraform (masked)."""
    found: dict[str, list[AttributeChange]] = {}
    for entry in plan.get("resource_drift") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("change"), dict):
            continue
        change = entry["change"]
        before = masked(change.get("before"), change.get("before_sensitive"))
        after = masked(change.get("after"), change.get("after_sensitive"), change.get("after_unknown"))
        found[str(entry.get("address"))] = attribute_changes(before, after)
    return found
