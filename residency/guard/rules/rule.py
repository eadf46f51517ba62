"""A rule: its ID, its reference text (title, why, fix) and its check, which the rule hands a bound `emit`.

A rule's ID is written once, in its declaration: a check reports through `emit(address, message, ...)`, and
the rule stamps its own ID on every finding. Most rules judge one workspace at a time (a `Context`); a rule
over the organization's artifacts (the SCP) judges the whole output once (an `Organization`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Generic, Protocol, TypeVar

from residency.config import REGIONS
from residency.guard.placement.places import UNKNOWN, split_url
from residency.guard.rules.findings import DataPath, Finding


class Scope(Enum):
    WORKSPACE = "workspace"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class Emit:
    """Findings of one rule about one workspace (or the organization's artifacts)."""

    rule: str
    workspace: str
    region: str  # where the workspace's data is: the source of a finding per destination
    origin: str  # synthesized | plan | artifact

    def __call__(self, address: str, message: str, source: str = "", destination: str = "") -> Finding:
        return Finding(self.rule, self.workspace, address, message, source, destination or UNKNOWN, self.origin)

    def per_destination(self, address: str, message: str, outside: list[str], value: Any) -> Iterator[Finding]:
        """One finding per place reached: each is excused (or not) by an exception for exactly that destination."""
        named = destination_of(UNKNOWN, value)
        for destination in dict.fromkeys(destination_of(place, value) for place in outside):
            yield replace(self(address, message, self.region, destination),
                          named=named if named != destination else "")


class Subject(Protocol):
    """What a rule judges: it knows the emit that reports about it under a rule's ID."""

    def emit_as(self, rule: str) -> Emit: ...


SubjectT = TypeVar("SubjectT", bound=Subject)
Judged = Iterable[Finding | DataPath]


@dataclass(frozen=True)
class Rule(Generic[SubjectT]):
    id: str
    title: str
    why: str
    fix: str
    check: Callable[[SubjectT, Emit], Judged]
    scope: Scope = Scope.WORKSPACE
    severity: str = "error"

    def emit_for(self, subject: SubjectT) -> Emit:
        return subject.emit_as(self.id)

    def judge(self, subject: SubjectT) -> list[Finding | DataPath]:
        return list(self.check(subject, self.emit_for(subject)))


def rule(id_: str, title: str, *, why: str, fix: str, scope: Scope = Scope.WORKSPACE,
         severity: str = "error") -> Callable[[Callable[[SubjectT, Emit], Judged]], Rule[SubjectT]]:
    """Declare a rule around its check: `@rule("RES0NN", title, why=..., fix=...)` over `def check(context, emit)`."""
    def declare(check: Callable[[SubjectT, Emit], Judged]) -> Rule[SubjectT]:
        return Rule(id_, title, why, fix, check, scope, severity)
    return declare


def destination_of(place: str, value: Any) -> str:
    """What a finding reaches, as an exception names it: the region, or (for a place outside AWS or one that
    cannot be established) the host, ARN or text that names it."""
    if place in REGIONS:
        return place
    if not isinstance(value, str):
        value = json.dumps(value, sort_keys=True, default=str)
    text = value.strip()
    if "://" in text and not text.startswith("${"):
        host = split_url(text)[1]
        return host or text[:120]
    return text[:120]
