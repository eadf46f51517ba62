"""Terraform's machine-readable UI (`-json`): one JSON object per line, folded into a result."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# An AWS error answer carries its HTTP status: a 4xx means AWS refused the request (the name was
# taken, a parameter was wrong), so the resource was not made by it.
REFUSED_BY_AWS = re.compile(r"StatusCode: 4\d\d\b")


# Planned changes that touch only the state (a `moved`, `import` or `removed` block).
STATE_ONLY_ACTIONS = ("move", "import", "forget")


@dataclass
class Changes:
    add: int = 0
    change: int = 0
    destroy: int = 0

    @property
    def any(self) -> bool:
        return bool(self.add or self.change or self.destroy)

    def describe(self) -> str:
        return f"{self.add} to add, {self.change} to change, {self.destroy} to destroy"


@dataclass
class EventLog:
    """What a `terraform ... -json` run said, in the terms residency reports."""

    changes: Changes = field(default_factory=Changes)
    planned: list[tuple[str, str]] = field(default_factory=list)
    drifted: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outputs: dict[str, object] = field(default_factory=dict)
    # A plan that changes only root outputs (e.g. global's record of the regions it serves) still
    # has something to apply.
    outputs_change: bool = False
    # Creations this apply started, finished, and saw AWS refuse (by address).
    creations_started: list[str] = field(default_factory=list)
    creations_finished: set[str] = field(default_factory=set)
    creations_refused: set[str] = field(default_factory=set)

    @property
    def state_changes(self) -> bool:
        """Whether the plan changes only the state: moves an address, imports or forgets a resource. It counts
        nothing to add, change or destroy, and must still be applied."""
        return any(action in STATE_ONLY_ACTIONS for _address, action in self.planned)

    def unfinished_creations(self) -> list[str]:
        """What this apply started creating and never saw made or refused: AWS may have made it."""
        return [address for address in self.creations_started
                if address not in self.creations_finished and address not in self.creations_refused]

    def feed(self, line: str) -> str | None:
        """Record one output line; return the human-readable text for the log."""
        try:
            event = json.loads(line)
        except ValueError:
            return line.rstrip("\n")
        if not isinstance(event, dict):
            return line.rstrip("\n")
        kind = event.get("type")
        if kind == "change_summary":
            summary = event.get("changes", {})
            self.changes = Changes(summary.get("add", 0), summary.get("change", 0), summary.get("remove", 0))
        elif kind == "planned_change":
            self.planned.append(_resource_and_action(event))
        elif kind == "resource_drift":
            self.drifted.append(_resource_and_action(event))
        elif kind == "outputs":
            outputs = event.get("outputs", {})
            self.outputs = {name: value.get("value") for name, value in outputs.items() if not value.get("sensitive")}
            self.outputs_change = any(value.get("action") in ("create", "update", "delete")
                                      for value in outputs.values())
        elif kind in ("apply_start", "apply_complete"):
            self._creation(event.get("hook"), started=kind == "apply_start")
        elif kind == "diagnostic":
            return self._diagnostic(event.get("diagnostic", {}))
        return str(event.get("@message", ""))

    def _diagnostic(self, diagnostic: dict) -> str:
        text = f"{diagnostic.get('severity', 'error').capitalize()}: {diagnostic.get('summary', '')}"
        if diagnostic.get("address"):
            text += f" ({diagnostic['address']})"
        if diagnostic.get("detail"):
            text += "".join(f"\n  {line}" for line in str(diagnostic["detail"]).splitlines())
        if diagnostic.get("severity") == "error":
            self.errors.append(text)
            if diagnostic.get("address") and REFUSED_BY_AWS.search(text):
                self.creations_refused.add(str(diagnostic["address"]))
        return text

    def _creation(self, hook: object, *, started: bool) -> None:
        if not isinstance(hook, dict) or hook.get("action") != "create":
            return
        resource = hook.get("resource")
        address = resource.get("addr") if isinstance(resource, dict) else None
        if not isinstance(address, str):
            return
        if not started:
            self.creations_finished.add(address)
        elif address not in self.creations_started:
            self.creations_started.append(address)


def _resource_and_action(event: dict) -> tuple[str, str]:
    change = event.get("change", {})
    return str(change.get("resource", {}).get("addr", "?")), str(change.get("action", "?"))
