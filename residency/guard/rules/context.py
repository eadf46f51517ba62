"""What a rule is given: the workspace (or the organization's artifacts), and what regions.yaml says of it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from residency import naming
from residency.config import Config
from residency.config.aws_regions import region_jurisdiction
from residency.guard.placement.catalog.entries import Workspace
from residency.guard.placement.outside_places import (
    JURISDICTION_PREFIX,
    PROCESSOR_PREFIX,
    place_jurisdiction,
    place_label,
)
from residency.guard.placement.placed_values import PlacedValue, placed_values
from residency.guard.placement.places import LOOPBACK, UNKNOWN, Placer
from residency.guard.rules.findings import DataPath
from residency.guard.rules.rule import Emit
from residency.guard.terraform_json.attributes import Location
from residency.guard.terraform_json.workspace import SynthesizedWorkspace


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
        return region_jurisdiction(place) or place_jurisdiction(place)

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

    def emit_as(self, rule: str) -> Emit:
        return Emit(rule, self.workspace.name, self.region, self.workspace.origin)

    def path(self, kind: str, address: str, destination: str, source: str | None = None) -> DataPath:
        return DataPath(kind, self.workspace.name, address, source or self.region, destination)


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


@dataclass(frozen=True)
class Organization:
    """The organization's artifacts in the synthesized output (the SCP), judged once per check."""

    config: Config
    scp_file: Path | None  # the SCP the output holds, if any

    def emit_as(self, rule: str) -> Emit:
        return Emit(rule, "organization", "", "artifact")
