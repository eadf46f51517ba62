"""RES004: a region's state, log destinations and encryption keys stay in its jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from residency.config.state import backend_for
from residency.guard.placement.catalog.entries import Flow, Kind
from residency.guard.placement.placed_values import with_flow
from residency.guard.placement.places import UNKNOWN, Where
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.attributes import at_path, dotted


@rule("RES004", "A region's state, logs and keys live in its jurisdiction",
      why="State, logs and keys describe or protect the region's personal data; kept elsewhere, "
          "they are a copy of it, or a dependency on another jurisdiction.",
      fix="Point state backends, log destinations and KMS keys of a region workspace at that region "
          "(or another region of its jurisdiction).")
def kept_in_jurisdiction(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    yield from _state_backend(context, emit)
    for placed in with_flow(context, Flow.KEEP):
        outside = context.outside(placed.where)
        if outside:
            yield from emit.per_destination(placed.resource.address,
                                            f"{placed.attribute} keeps its data or its protection in "
                                            f"{context.describe(outside)}, outside {context.jurisdiction}",
                                            outside, placed.value)


def _state_backend(context: Context, emit: Emit) -> Iterator[Finding]:
    found = context.workspace.backend()
    if found is None:
        return
    kind, settings = found
    address = f"terraform.backend.{kind}"
    backend = backend_for(kind)
    if backend is None:
        yield emit(address, f"state backend {kind!r} cannot be placed", context.region, UNKNOWN)
        return
    placement = backend.placement(settings)
    if placement.region_setting is not None:
        yield from _kept_in_region(context, emit, address, settings, placement.region_setting, placement.redirects)
    if placement.host is not None and placement.host_jurisdiction != context.jurisdiction:
        held = placement.host_jurisdiction or "a jurisdiction residency cannot establish"
        yield emit(address, f"state is kept by {placement.host}, in {held}", context.region, placement.host)


def _kept_in_region(context: Context, emit: Emit, address: str, settings: Mapping[str, Any], region_setting: str,
                    redirects: Mapping[str, str]) -> Iterator[Finding]:
    """The region the state is kept in, and every setting that sends it elsewhere (what each names: `redirects`)."""
    found = context.placer.region_value(settings.get(region_setting))
    region = next(iter(found)) if len(found) == 1 else UNKNOWN
    if not context.same_jurisdiction(region):
        yield emit(address, f"state is kept in {region}", context.region, region)
    for key, names in redirects.items():
        for location, value in at_path(settings, key):
            outside = context.outside(_redirected_to(context, value, Kind(names), region))
            if outside:
                yield emit(address, f"{dotted(location)} sends the state to {context.describe(outside)}",
                           context.region, ",".join(outside))


def _redirected_to(context: Context, value: Any, kind: Kind, region: str) -> Where:
    if kind is Kind.NAME_OR_ARN:  # a key id or alias is looked up in the state's region
        if isinstance(value, str) and not value.startswith("arn:"):
            return frozenset({region})
        return context.placer.place(value, Kind.ARN)
    return context.placer.place(value, kind)
