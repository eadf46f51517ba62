"""What the rules see of a synthesized workspace, and what they report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError


@dataclass(frozen=True)
class Resource:
    type: str
    name: str
    body: dict[str, Any]

    @property
    def address(self) -> str:
        return f"{self.type}.{self.name}"

    @property
    def provider(self) -> str | None:
        """The provider reference (`aws.<alias>`), None for the workspace's default provider."""
        value = self.body.get("provider")
        return str(value) if value else None


@dataclass(frozen=True)
class SynthesizedWorkspace:
    name: str
    document: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> SynthesizedWorkspace:
        try:
            return cls(path.parent.name, json.loads(path.read_text()))
        except (OSError, ValueError) as error:
            raise ResidencyError(f"cannot read {path}: {error}") from error

    def providers(self) -> list[dict[str, Any]]:
        return list(self.document.get("provider", {}).get("aws", []))

    def resources(self, *types: str) -> Iterator[Resource]:
        for kind, instances in self.document.get("resource", {}).items():
            if types and kind not in types:
                continue
            for name, body in instances.items():
                yield Resource(kind, name, body)

    def outputs(self) -> dict[str, Any]:
        return dict(self.document.get("output", {}))


@dataclass(frozen=True)
class Finding:
    rule: str
    workspace: str
    address: str
    message: str
    source: str = ""  # where the data is (region or workspace)
    destination: str = ""  # where the path leads; "unknown" when it cannot be established

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "workspace": self.workspace, "address": self.address, "message": self.message,
                "from": self.source, "to": self.destination}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    why: str
    fix: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    workspaces: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings
