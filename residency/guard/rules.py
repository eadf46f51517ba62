"""The residency rules. Each takes the workspace, what regions.yaml says of it, and reports
findings. Rules fail closed: a copy whose destination cannot be established is a violation."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from residency import naming
from residency.config import REGIONS, Config
from residency.guard.model import Finding, Rule, SynthesizedWorkspace

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Context:
    config: Config
    workspace: SynthesizedWorkspace

    @property
    def is_region(self) -> bool:
        return self.workspace.name in self.config.regions

    @property
    def jurisdiction(self) -> str:
        return self.config.regions[self.workspace.name].jurisdiction

    def jurisdiction_of(self, region: str) -> str | None:
        known = REGIONS.get(region)
        return known.jurisdiction if known else None


Check = Callable[[Context], Iterator[Finding]]
RULES: dict[str, tuple[Rule, Check]] = {}


def rule(id_: str, title: str, *, why: str, fix: str, severity: str = "error") -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        RULES[id_] = (Rule(id_, title, severity, why, fix), check)
        return check
    return register


@rule("RES001", "A region workspace acts only through its own region's provider",
      why="Any other provider can create resources, and so store data, outside the region.",
      fix="Remove provider aliases and per-resource `provider` settings from region workspaces.")
def own_provider_only(context: Context) -> Iterator[Finding]:
    if not context.is_region:
        return
    name = context.workspace.name
    providers = context.workspace.providers()
    for provider in providers:
        if provider.get("alias") or provider.get("region") != name:
            yield Finding("RES001", name, f"provider.aws.{provider.get('alias') or 'default'}",
                          f"provider for region {provider.get('region')!r}", name, str(provider.get("region")))
    if not providers:
        yield Finding("RES001", name, "provider.aws", "no AWS provider for the region")
    for resource in context.workspace.resources():
        if resource.provider:
            yield Finding("RES001", name, resource.address, f"created through {resource.provider}",
                          name, resource.provider)


@rule("RES002", "No copy of a region's data leaves its jurisdiction",
      why="Replication, replicas and backup copies move personal data to wherever their destination is.",
      fix="Replicate only to regions of the same jurisdiction, or remove the copy.")
def no_cross_jurisdiction_copy(context: Context) -> Iterator[Finding]:
    if not context.is_region:
        return
    for address, destination in _copies(context):
        jurisdiction = context.jurisdiction_of(destination) if destination != UNKNOWN else None
        if jurisdiction != context.jurisdiction:
            reason = ("destination region cannot be established" if jurisdiction is None
                      else f"{destination} is in {jurisdiction}, not {context.jurisdiction}")
            yield Finding("RES002", context.workspace.name, address, f"copies data out: {reason}",
                          context.workspace.name, destination)
    for resource in context.workspace.resources("aws_kms_key", "aws_kms_replica_key"):
        if resource.type == "aws_kms_replica_key" or resource.body.get("multi_region"):
            yield Finding("RES002", context.workspace.name, resource.address,
                          "multi-Region KMS keys let the key material, and data it protects, be used elsewhere",
                          context.workspace.name, UNKNOWN)


def _copies(context: Context) -> Iterator[tuple[str, str]]:
    """(resource address, destination region) for every cross-region copy a workspace declares."""
    for table in context.workspace.resources("aws_dynamodb_table"):
        for replica_block in _blocks(table.body.get("replica")):
            yield table.address, _literal_region(replica_block.get("region_name"))
    for table_replica in context.workspace.resources("aws_dynamodb_table_replica"):
        yield table_replica.address, _arn_region(table_replica.body.get("global_table_arn"))
    for replication in context.workspace.resources("aws_s3_bucket_replication_configuration"):
        for replication_rule in _blocks(replication.body.get("rule")):
            for destination in _blocks(replication_rule.get("destination")):
                yield replication.address, _bucket_region(context.config, destination.get("bucket"))
    for plan in context.workspace.resources("aws_backup_plan"):
        for plan_rule in _blocks(plan.body.get("rule")):
            for copy in _blocks(plan_rule.get("copy_action")):
                yield plan.address, _arn_region(copy.get("destination_vault_arn"))


PERSONAL_KEY = re.compile(r"e-?mail|phone|passport|birth|ssn|national.?id", re.IGNORECASE)
EMAIL_ADDRESS = re.compile(r"[^@\s\"'${}]+@[^@\s\"'${}]+\.[A-Za-z]{2,}")


@rule("RES007", "Nothing personal in names, tags, outputs or function environments",
      why="Names, tags, outputs and environment variables are copied into state, logs and consoles "
          "outside the data stores' protection.",
      fix="Keep personal data in the region's data stores only; reference it, never embed it.")
def nothing_personal_in_metadata(context: Context) -> Iterator[Finding]:
    name = context.workspace.name
    for output, body in context.workspace.outputs().items():
        yield from _personal(name, f"output.{output}", output, body.get("value"))
    for provider in context.workspace.providers():
        for tags in _blocks(provider.get("default_tags")):
            for key, value in (tags.get("tags") or {}).items():
                yield from _personal(name, "provider.aws.default_tags", key, value)
    for resource in context.workspace.resources():
        for key, value in (resource.body.get("tags") or {}).items():
            yield from _personal(name, resource.address, key, value)
        for attribute in ("name", "bucket", "function_name"):
            if isinstance(resource.body.get(attribute), str):
                yield from _personal(name, resource.address, attribute, resource.body[attribute], key_counts=False)
        for environment in _blocks(resource.body.get("environment")):
            for key, value in (environment.get("variables") or {}).items():
                yield from _personal(name, resource.address, key, value)


def _personal(workspace: str, address: str, key: str, value: Any, *, key_counts: bool = True) -> Iterator[Finding]:
    if key_counts and PERSONAL_KEY.search(key):
        yield Finding("RES007", workspace, address, f"{key!r} names personal data")
    if isinstance(value, str) and EMAIL_ADDRESS.search(value):
        yield Finding("RES007", workspace, address, f"{key!r} holds an email address")


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _literal_region(value: Any) -> str:
    return value if isinstance(value, str) and value in REGIONS else UNKNOWN


def _arn_region(value: Any) -> str:
    parts = value.split(":") if isinstance(value, str) else []
    return _literal_region(parts[3]) if len(parts) > 3 else UNKNOWN


def _bucket_region(config: Config, bucket_arn: Any) -> str:
    """Only residency's own data buckets have a region we can read off their name."""
    if not isinstance(bucket_arn, str) or not bucket_arn.startswith("arn:aws:s3:::"):
        return UNKNOWN
    bucket = bucket_arn.removeprefix("arn:aws:s3:::")
    for region in config.regions:
        if bucket.startswith(naming.resource_name(config.project, region, "data") + "-"):
            return region
    return UNKNOWN
