"""RES002: no copy of a region's data leaves its jurisdiction, and none is pulled in from another.

Which attributes copy data out (replication destinations, replicas, exports, deliveries, event
targets, backup copies...) or in (read replicas, restores, imports, snapshot copies, event sources)
is the catalog's to say; this rule judges where each points.
"""

from __future__ import annotations

from collections.abc import Iterator

from residency.guard.placement.catalog.entries import Flow
from residency.guard.placement.placed_values import PlacedValue, with_flow
from residency.guard.placement.places import LOOPBACK, UNKNOWN
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule

VERBS = {Flow.OUT: "copies data to", Flow.IN: "copies data in from"}


@rule("RES002", "No copy of a region's data leaves its jurisdiction or comes from another",
      why="Replication, replicas, exports, deliveries, event targets, backup copies and log exports move "
          "personal data to wherever their destination is; read replicas, restores, imports and snapshot "
          "copies bring another jurisdiction's data in. A destination that cannot be established may be anywhere.",
      fix="Copy only between regions of the same jurisdiction, name the destination so that residency can "
          "place it (a resource of this workspace, or a literal regional ARN), or remove the copy.")
def no_cross_jurisdiction_copy(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    for placed in with_flow(context, Flow.OUT, Flow.IN):
        yield from data_paths(context, placed)
        outside = context.outside(placed.where)
        if outside:
            copied = f"{placed.attribute} {VERBS[placed.place.flow]} {context.describe(outside)}"
            yield from emit.per_destination(placed.resource.address,
                                            f"{copied}, outside {context.jurisdiction}", outside, placed.value)


def data_paths(context: Context, placed: PlacedValue) -> Iterator[DataPath]:
    for destination in sorted(placed.where - {context.region, LOOPBACK}):
        if placed.place.flow == Flow.IN:
            yield context.path(placed.path_kind, placed.resource.address, context.region,
                               source=destination if destination != UNKNOWN else UNKNOWN)
        else:
            yield context.path(placed.path_kind, placed.resource.address, destination)
