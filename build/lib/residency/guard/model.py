"""What the rules see of a workspace (synthesized, or as a saved plan will make it), and what they report."""

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
    """A workspace as Terraform JSON: cdk.tf.json, or that with a saved plan's known values laid over it."""

    name: str
    document: dict[str, Any]
    origin: str = "synthesized"  # or "plan"

    @classmethod
    def load(cls, path: Path) -> SynthesizedWorkspace:
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError) as error:
            raise ResidencyError(f"cannot read {path}: {error}") from error
        if not isinstance(document, dict):
            raise ResidencyError(f"{path} is not a Terraform JSON document")
        return cls(path.parent.name, document)

    def providers(self) -> list[dict[str, Any]]:
        return list(self.document.get("provider", {}).get("aws", []))

    def provider_region(self, reference: str | None) -> str | None:
        """The region of `aws` (None) or `aws.<alias>`, as a literal; None when it is not one."""
        alias = reference.split(".", 1)[1] if reference and "." in reference else None
        for provider in self.providers():
            if provider.get("alias") == alias:
                region = provider.get("region")
                return region if isinstance(region, str) else None
        return None

    def resources(self, *types: str) -> Iterator[Resource]:
        yield from self._blocks("resource", types)

    def data_sources(self, *types: str) -> Iterator[Resource]:
        yield from self._blocks("data", types)

    def resource(self, address: str) -> Resource | None:
        kind, _, name = address.partition(".")
        body = self.document.get("resource", {}).get(kind, {}).get(name)
        return Resource(kind, name, body) if isinstance(body, dict) else None

    def outputs(self) -> dict[str, Any]:
        return dict(self.document.get("output", {}))

    def backend(self) -> tuple[str, dict[str, Any]] | None:
        """(kind, settings) of the state backend, or None when the workspace names none."""
        terraform = self.document.get("terraform", {})
        for kind, settings in (terraform.get("backend") or {}).items():
            return kind, settings if isinstance(settings, dict) else {}
        if terraform.get("cloud") is not None:
            return "cloud", dict(terraform["cloud"])
        return None

    def _blocks(self, section: str, types: tuple[str, ...]) -> Iterator[Resource]:
        for kind, instances in self.document.get(section, {}).items():
            if types and kind not in types:
                continue
            for name, body in instances.items():
                if isinstance(body, dict):
                    yield Resource(kind, name, body)


@dataclass(frozen=True)
class Finding:
    rule: str
    workspace: str
    address: str
    message: str
    source: str = ""  # where the data is (region or workspace)
    destination: str = ""  # where the path leads; "unknown" when it cannot be established
    origin: str = "synthesized"  # or "plan"

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "workspace": self.workspace, "address": self.address, "message": self.message,
                "from": self.source, "to": self.destination, "checked": self.origin}


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str
    why: str
    fix: str


@dataclass(frozen=True)
class DataPath:
    """A way data (or users) can travel from one region to another, as the workspaces declare it."""

    kind: str  # replica | replication | backup-copy | key-replica | log-export | directory | routing | failover
    workspace: str
    address: str
    source: str  # region code (or "global")
    destination: str  # region code, or "unknown" when it cannot be established
    violation: bool = False


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    reason: str
    expires: str


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    workspaces: list[str] = field(default_factory=list)
    paths: list[DataPath] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    unused_exceptions: list[str] = field(default_factory=list)
    artifacts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings
