"""RES004: a region's state, log destinations and encryption keys stay in its jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency.guard.model import DataPath, Finding, Resource
from residency.guard.registry import Context, rule
from residency.guard.values import UNKNOWN, blocks, known_region

# Attributes that name the key a resource encrypts with.
KEY_ATTRIBUTES = ("kms_key_id", "kms_key_arn", "kms_master_key_id")
# Blocks whose destination_arn is where a resource writes its logs.
LOG_BLOCKS = ("access_log_settings", "logging_config", "log_publishing_options")
# Where HCP Terraform keeps state, by host name.
CLOUD_HOSTS = {"app.terraform.io": "US", "app.eu.terraform.io": "EU"}


@rule("RES004", "A region's state, logs and keys live in its jurisdiction",
      why="State, logs and keys describe or protect the region's personal data; kept elsewhere, "
          "they are a copy of it, or a dependency on another jurisdiction.",
      fix="Point state backends, log destinations and KMS keys of a region workspace at that region "
          "(or another region of its jurisdiction).")
def kept_in_jurisdiction(context: Context) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    yield from _state_backend(context)
    for resource in context.workspace.resources():
        for what, value in _placed_values(resource):
            region = context.region_of(value, resource)
            if not context.same_jurisdiction(region):
                where = ("cannot be placed" if region == UNKNOWN
                         else f"is in {region} ({context.jurisdiction_of(region)})")
                yield context.finding("RES004", resource.address, f"its {what} {where}", context.region, region)


def _placed_values(resource: Resource) -> Iterator[tuple[str, Any]]:
    body = resource.body
    for attribute in KEY_ATTRIBUTES:
        for holder in [body, *_nested(body)]:
            if holder.get(attribute):
                yield f"encryption key ({attribute})", holder[attribute]
    for block in LOG_BLOCKS:
        for settings in blocks(body.get(block)):
            if settings.get("destination_arn"):
                yield "log destination", settings["destination_arn"]


def _nested(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key, value in body.items():
        if key != "//" and isinstance(value, dict | list):
            for block in blocks(value):
                yield block
                yield from _nested(block)


def _state_backend(context: Context) -> Iterator[Finding]:
    backend = context.workspace.backend()
    if backend is None or backend[0] == "local":
        return
    kind, settings = backend
    address = f"terraform.backend.{kind}"
    if kind == "s3":
        region = known_region(settings.get("region"))
        if not context.same_jurisdiction(region):
            yield context.finding("RES004", address, f"state is kept in {region}", context.region, region)
        return
    if kind in ("cloud", "remote"):
        host = str(settings.get("hostname") or "app.terraform.io")
        if CLOUD_HOSTS.get(host) != context.jurisdiction:
            where = CLOUD_HOSTS.get(host, "a jurisdiction residency cannot establish")
            yield context.finding("RES004", address, f"state is kept by {host}, in {where}", context.region, host)
        return
    yield context.finding("RES004", address, f"state backend {kind!r} cannot be placed", context.region, UNKNOWN)
