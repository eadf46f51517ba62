"""What a check of the whole output comes to: the findings left after the exceptions, and what was excused."""

from __future__ import annotations

from dataclasses import dataclass, field

from residency.guard.rules.findings import DataPath, Finding


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
    # jurisdiction -> the processors regions.yaml declares there (name, hosts, purpose, regions): the
    # sub-processor list, and the well-known service sites the workspaces send to (from the data paths)
    processors: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not self.findings
