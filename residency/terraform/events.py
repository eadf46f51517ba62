"""Terraform's machine-readable UI (`-json`): one JSON object per line, folded into a result."""

from __future__ import annotations

import json
from dataclasses import dataclass, field


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
        return text


def _resource_and_action(event: dict) -> tuple[str, str]:
    change = event.get("change", {})
    return str(change.get("resource", {}).get("addr", "?")), str(change.get("action", "?"))
