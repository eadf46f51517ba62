"""RES004: a region's state, log destinations and encryption keys stay in its jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator

from residency.config.state import DEFAULT_CLOUD_HOST
from residency.guard.placement.catalog.entries import Flow, Kind
from residency.guard.placement.placed_values import with_flow
from residency.guard.placement.places import UNKNOWN
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.attributes import at_path, dotted

# s3 backend settings that send the state somewhere other than `region` says.
_S3_PLACES = {"endpoint": Kind.HOST, "endpoints.*": Kind.HOST, "dynamodb_endpoint": Kind.HOST,
              "sts_endpoint": Kind.HOST, "iam_endpoint": Kind.HOST, "kms_key_id": Kind.ARN,
              "sts_region": Kind.REGION, "assume_role.sts_region": Kind.REGION}
# Where HCP Terraform keeps state, by host name.
CLOUD_HOSTS = {DEFAULT_CLOUD_HOST: "US", "app.eu.terraform.io": "EU"}


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
    backend = context.workspace.backend()
    if backend is None or backend[0] == "local":
        return
    kind, settings = backend
    address = f"terraform.backend.{kind}"
    if kind == "s3":
        found = context.placer.region_value(settings.get("region"))
        region = next(iter(found)) if len(found) == 1 else UNKNOWN
        if not context.same_jurisdiction(region):
            yield emit(address, f"state is kept in {region}", context.region, region)
        for key, kind_of_value in _S3_PLACES.items():
            for location, value in at_path(settings, key):
                if key == "kms_key_id" and isinstance(value, str) and not value.startswith("arn:"):
                    where = frozenset({region})  # a key id or alias is looked up in the bucket's region
                else:
                    where = context.placer.place(value, kind_of_value)
                outside = context.outside(where)
                if outside:
                    yield emit(address, f"{dotted(location)} sends the state to "
                               f"{context.describe(outside)}", context.region, ",".join(outside))
        return
    if kind in ("cloud", "remote"):
        host = str(settings.get("hostname") or DEFAULT_CLOUD_HOST)
        if CLOUD_HOSTS.get(host) != context.jurisdiction:
            held = CLOUD_HOSTS.get(host, "a jurisdiction residency cannot establish")
            yield emit(address, f"state is kept by {host}, in {held}", context.region, host)
        return
    yield emit(address, f"state backend {kind!r} cannot be placed", context.region, UNKNOWN)
