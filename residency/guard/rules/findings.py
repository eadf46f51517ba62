"""What a rule reports: a finding (a violation at an address), and a data path (a way data travels, for the map)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    rule: str
    workspace: str
    address: str
    message: str
    source: str = ""  # where the data is (region or workspace)
    destination: str = ""  # where the path leads; "unknown" when it cannot be established
    origin: str = "synthesized"  # or "plan"
    named: str = ""  # the value that names the destination (an ARN, a URL), when it says more than `destination`

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "workspace": self.workspace, "address": self.address, "message": self.message,
                "from": self.source, "to": self.destination, "checked": self.origin,
                **({"named": self.named} if self.named else {})}

    @property
    def reaches(self) -> tuple[str, ...]:
        """What an exception names to excuse this finding: the value that names its destination (an ARN, a URL's
        host) when there is one, else the destination. A region alone would also excuse any other value of the
        resource that reaches the same region, which nobody reviewed."""
        return (self.named,) if self.named else (self.destination,)


@dataclass(frozen=True)
class DataPath:
    """A way data (or users) can travel from one region to another, as the workspaces declare it."""

    kind: str  # replica | replication | backup-copy | key-replica | log-export | directory | routing | failover
    workspace: str
    address: str
    source: str  # region code (or "global")
    destination: str  # region code, or "unknown" when it cannot be established
    violation: bool = False
