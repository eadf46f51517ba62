"""The data map: every data path the workspaces declare, grouped into edges between regions and jurisdictions.

Drawn by `data_map_svg` (an image) and `data_map_mermaid` (text GitHub shows); written by `data_map_files`.
Standard library only, so `residency check --graph` adds no dependency to the CLI."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from residency.config import REGIONS
from residency.guard.placement.outside_places import place_jurisdiction, place_label
from residency.guard.rules.findings import DataPath
from residency.guard.terraform_json.values import GLOBAL, UNKNOWN

VIOLATION_COLOUR = "#d32f2f"
FINE_COLOUR = "#607d8b"


@dataclass(frozen=True)
class Edge:
    source: str
    destination: str
    kind: str
    count: int
    violation: bool

    @property
    def label(self) -> str:
        text = f"{self.kind} ×{self.count}" if self.count > 1 else self.kind
        return f"✗ {text}" if self.violation else text


@dataclass(frozen=True)
class DataMap:
    title: str
    global_label: str
    clusters: tuple[tuple[str, tuple[str, ...]], ...]  # jurisdiction and its regions, in the given order
    outside: frozenset[str]  # regions a path reaches that the configuration does not declare
    edges: tuple[Edge, ...]
    path_count: int
    violation_count: int

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(code for _, codes in self.clusters for code in codes)

    @property
    def has_unknown(self) -> bool:
        return any(UNKNOWN in (edge.source, edge.destination) for edge in self.edges)


def violates(path: DataPath) -> bool:
    return path.violation or path.destination == UNKNOWN  # fail closed even if the caller forgot


def build_map(regions: Mapping[str, str], paths: Sequence[DataPath], global_region: str, title: str) -> DataMap:
    declared = dict(regions)
    ends = {end for path in paths for end in (path.source, path.destination)} - {GLOBAL, UNKNOWN}
    for code in sorted(ends - set(declared)):
        known = REGIONS.get(code)
        declared[code] = known.jurisdiction if known else (place_jurisdiction(code) or "other")
    clusters: dict[str, list[str]] = {}
    for code, jurisdiction in declared.items():
        clusters.setdefault(jurisdiction, []).append(code)
    order = {code: index for index, code in enumerate((GLOBAL, *declared, UNKNOWN))}
    return DataMap(
        title=title,
        global_label=f"{GLOBAL} ({global_region})",
        clusters=tuple((name, tuple(codes)) for name, codes in clusters.items()),
        outside=frozenset(declared) - set(regions),
        edges=_edges(paths, order),
        path_count=len(paths),
        violation_count=sum(violates(path) for path in paths),
    )


def _edges(paths: Sequence[DataPath], order: Mapping[str, int]) -> tuple[Edge, ...]:
    groups: dict[tuple[str, str, str], list[DataPath]] = {}
    for path in paths:
        if path.source != path.destination:
            groups.setdefault((path.source, path.destination, path.kind), []).append(path)
    edges = [Edge(*key, len(group), any(violates(path) for path in group)) for key, group in groups.items()]
    return tuple(sorted(edges, key=lambda edge: (order[edge.source], order[edge.destination], edge.kind)))


def city(code: str) -> str:
    """A region's city, or what a place outside AWS is (a processor, a service's site)."""
    known = REGIONS.get(code)
    if known:
        return known.city
    return place_label(code) if place_jurisdiction(code) else ""
