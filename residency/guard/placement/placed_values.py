"""Every value a workspace's resources and data sources hold in an attribute the catalog says names a
place, with where it points. RES002, RES004, RES006 and RES010 judge these by their flow; the sweep
(RES011) skips what they judged."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, Protocol

from residency.guard.placement import catalog
from residency.guard.placement.catalog.entries import DataSource, Entry, Flow, Place
from residency.guard.placement.operator_alerts import AlertsView, is_operator_alert
from residency.guard.placement.places import Placer, Where
from residency.guard.terraform_json.attributes import Location, at_path, dotted
from residency.guard.terraform_json.workspace import Resource


@dataclass(frozen=True)
class PlacedValue:
    resource: Resource
    place: Place
    location: Location
    value: Any
    where: Where

    @property
    def attribute(self) -> str:
        return dotted(self.location)

    @property
    def path_kind(self) -> str:
        """The kind of data path this value makes, for the data map."""
        text, type_ = self.place.path, self.resource.type
        if "replica" in text or type_.endswith(("_replica", "_replica_key", "global_table")):
            return "replica"
        if "replication" in text or "replication" in type_:
            return "replication"
        if "copy_action" in text:
            return "backup-copy"
        if type_ == "aws_cloudwatch_log_subscription_filter":
            return "log-export"
        return {Flow.OUT: "copy", Flow.IN: "copy-in", Flow.PROCESS: "processing", Flow.KEEP: "kept",
                Flow.ACCESS: "access"}[self.place.flow]


class PlacementView(AlertsView, Protocol):
    """What placement reads of the workspace being judged, beyond what the alert check reads (the rules' Context
    has it all)."""

    @property
    def region(self) -> str: ...

    @property
    def placer(self) -> Placer: ...

    @property
    def placed(self) -> list[PlacedValue]: ...


def entry_of(resource: Resource) -> Entry | DataSource | None:
    if resource.mode == "data":
        return catalog.data_source(resource.type)
    return catalog.entry(resource.type)


def placed_values(context: PlacementView) -> list[PlacedValue]:
    found: list[PlacedValue] = []
    workspace = context.workspace
    for resource in chain(workspace.resources(), workspace.data_sources()):
        entry = entry_of(resource)
        if entry is None:
            continue
        for place in entry.places:
            if place.default is not None and not _is_set(resource.body, place.path):
                where = context.placer.place(place.default, place.kind, resource)  # what AWS does unless told
                found.append(PlacedValue(resource, place, (place.path,), place.default, where))
            for location, value in at_path(resource.body, place.path):
                if place.when is not None and not _applies(resource.body, location, place, value):
                    continue
                where = context.placer.place(value, place.kind, resource)
                if place.path == "endpoint" and is_operator_alert(context, resource, value):
                    where = frozenset({context.region})  # an operator address regions.yaml lists: not a copy out
                found.append(PlacedValue(resource, place, location, value, where))
    return found


def _is_set(body: dict[str, Any], path: str) -> bool:
    return any(value is not None for _location, value in at_path(body, path))


def _applies(body: dict[str, Any], location: Location, place: Place, value: Any) -> bool:
    """Whether the attribute beside the value (or the value itself, when it is that attribute: a list's item) has
    one of the place's `when` values (or one only known at apply time, or none given and no default)."""
    assert place.when is not None
    when = place.when
    if when[0] in location and isinstance(value, str):
        return "${" in value or value.upper() in (v.upper() for v in when[1])
    parent: Any = body
    holder: dict[str, Any] = body
    for step in location[:-1]:
        if step == "#":
            return True  # inside a JSON document: judge it
        parent = parent[step]
        if isinstance(parent, dict):
            holder = parent
    sibling = holder.get(when[0], place.when_left_out)
    return not isinstance(sibling, str) or "${" in sibling or sibling.upper() in (v.upper() for v in when[1])


def with_flow(context: PlacementView, *flows: Flow) -> Iterator[PlacedValue]:
    for placed in context.placed:
        if placed.place.flow in flows:
            yield placed
