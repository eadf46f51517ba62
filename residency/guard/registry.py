"""The rule registry and what a rule is given: the workspace, and what regions.yaml says of it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from residency import naming
from residency.config import REGIONS, Config
from residency.guard.attributes import Location
from residency.guard.catalog.entries import Workspace
from residency.guard.outside_places import JURISDICTION_PREFIX, PROCESSOR_PREFIX, place_jurisdiction, place_label
from residency.guard.placed import PlacedValue, placed_values
from residency.guard.places import LOOPBACK, UNKNOWN, Placer, split_url
from residency.guard.workspace_model import DataPath, Finding, Rule, SynthesizedWorkspace


@dataclass(frozen=True)
class Context:
    config: Config
    workspace: SynthesizedWorkspace

    @property
    def is_region(self) -> bool:
        return self.workspace.name in self.config.regions

    @property
    def kind(self) -> Workspace:
        if self.is_region:
            return Workspace.REGION
        if self.workspace.name.startswith(naming.BOOTSTRAP_WORKSPACE_PREFIX):
            return Workspace.BOOTSTRAP
        return Workspace.GLOBAL

    @property
    def region(self) -> str:
        """The workspace's own region: its name, or the global region for `global`."""
        return self.workspace.name if self.is_region else self.config.global_.region

    @property
    def jurisdiction(self) -> str:
        return self.jurisdiction_of(self.region) or UNKNOWN

    @cached_property
    def placer(self) -> Placer:
        return Placer(self.config, self.workspace)

    @cached_property
    def placed(self) -> list[PlacedValue]:
        """Every value in an attribute the catalog says names a place, with where it points."""
        return placed_values(self)

    @cached_property
    def judged(self) -> dict[str, set[Location]]:
        """Per resource address, the locations a catalog rule judged (the sweep leaves them to it)."""
        found: dict[str, set[Location]] = {}
        for placed in self.placed:
            found.setdefault(placed.resource.address, set()).add(placed.location)
        return found

    @staticmethod
    def jurisdiction_of(place: str) -> str | None:
        """A region's jurisdiction, or that of a place outside AWS (a processor's, a service site's)."""
        known = REGIONS.get(place)
        return known.jurisdiction if known else place_jurisdiction(place)

    def same_jurisdiction(self, region: str) -> bool:
        if region == LOOPBACK:
            return self.config.profile.uses_emulator  # the emulator on this machine
        return region != UNKNOWN and self.jurisdiction_of(region) == self.jurisdiction

    def outside(self, where: frozenset[str]) -> list[str]:
        """The places of `where` outside the workspace's jurisdiction (UNKNOWN among them), sorted."""
        return sorted(place for place in where if not self.same_jurisdiction(place))

    def describe(self, places: list[str]) -> str:
        """`us-east-1 (US)`, or that a place cannot be established."""
        named = [_named(place, self.jurisdiction_of(place), self.config) for place in places
                 if place not in (UNKNOWN, LOOPBACK)]
        if LOOPBACK in places:
            named.append("this machine's loopback interface (only the local target's emulator may be there)")
        if UNKNOWN in places:
            named.append("a place residency cannot establish")
        return ", ".join(named)

    def finding(self, rule: str, address: str, message: str, source: str = "", destination: str = "") -> Finding:
        return Finding(rule, self.workspace.name, address, message, source, destination or UNKNOWN,
                       self.workspace.origin)

    def findings_to(self, rule: str, address: str, message: str, outside: list[str], value: Any) -> Iterator[Finding]:
        """One finding per place reached: each is excused (or not) by an exception for exactly that destination."""
        named = destination_of(UNKNOWN, value)
        for destination in dict.fromkeys(destination_of(place, value) for place in outside):
            yield replace(self.finding(rule, address, message, self.region, destination),
                          named=named if named != destination else "")

    def path(self, kind: str, address: str, destination: str, source: str | None = None) -> DataPath:
        return DataPath(kind, self.workspace.name, address, source or self.region, destination)


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


def _named(place: str, jurisdiction: str | None, config: Config) -> str:
    if place.startswith(PROCESSOR_PREFIX) and jurisdiction is None:
        name = place.removeprefix(PROCESSOR_PREFIX)
        processor = next((p for p in config.processors if p.name == name), None)
        allowed = ", ".join(processor.regions) if processor else "other regions"
        return f"processor {name}, which regions.yaml declares for {allowed} only"
    if place.startswith(JURISDICTION_PREFIX):
        return f"a service in {jurisdiction}"
    if place_jurisdiction(place) is not None:
        return f"{place_label(place)} ({jurisdiction})"
    return f"{place} ({jurisdiction})"


Check = Callable[[Context], Iterator[Finding | DataPath]]
# Rules without a check run over artifacts other than workspaces (the organization SCP).
RULES: dict[str, tuple[Rule, Check | None]] = {}


def describe(id_: str, title: str, *, why: str, fix: str, severity: str = "error") -> None:
    RULES[id_] = (Rule(id_, title, severity, why, fix), None)


def rule(id_: str, title: str, *, why: str, fix: str, severity: str = "error") -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[id_] = (Rule(id_, title, severity, why, fix), check)
        return check
    return register
