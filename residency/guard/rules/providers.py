"""RES001: a region workspace acts only through its own region's AWS provider, as configured by residency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency.guard.placement.catalog.entries import Kind
from residency.guard.placement.placed_values import entry_of
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.attributes import at_path, dotted

# Provider settings that change nothing about where requests go (or that residency itself writes). A
# profile or shared config file may set an endpoint_url, so those are not among them.
NEUTRAL_SETTINGS = frozenset({
    "region", "alias", "default_tags", "ignore_tags", "access_key", "secret_key", "token",
    "skip_credentials_validation", "skip_metadata_api_check",
    "skip_region_validation", "skip_requesting_account_id", "max_retries", "retry_mode", "s3_use_path_style",
    "allowed_account_ids", "forbidden_account_ids", "insecure", "use_fips_endpoint", "use_dualstack_endpoint",
    "token_bucket_rate_limiter_capacity", "s3_us_east_1_regional_endpoint", "skip_get_ec2_platforms", "//",
})
# Settings that name where requests go, and how to read them.
PLACING_SETTINGS = {
    "endpoints.*": Kind.HOST, "http_proxy": Kind.HOST, "https_proxy": Kind.HOST,
    "ec2_metadata_service_endpoint": Kind.HOST, "sts_region": Kind.REGION,
    "assume_role.sts_region": Kind.REGION, "assume_role_with_web_identity.sts_region": Kind.REGION,
}
# How the official AWS provider may be required (CDKTF writes the short form).
OFFICIAL_AWS_SOURCES = frozenset({"aws", "hashicorp/aws"})
ROLE_SETTINGS = ("assume_role", "assume_role_with_web_identity")
ROLE_KEYS = frozenset({"role_arn", "session_name", "external_id", "duration", "policy", "policy_arns", "tags",
                       "transitive_tag_keys", "source_identity", "sts_region", "web_identity_token",
                       "web_identity_token_file"})


@rule("RES001", "A region workspace acts only through its own region's provider",
      why="Any other provider, alias, endpoint, proxy or per-resource region can create resources, and so "
          "store or process data, outside the region.",
      fix="Keep one `aws` provider per region workspace, for its region, without aliases, endpoint or proxy "
          "overrides; remove `provider` and `region` arguments from its resources and data sources.")
def own_provider_only(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    name = context.workspace.name
    for provider_name in context.workspace.provider_names():
        if provider_name != "aws":
            yield emit(f"provider.{provider_name}", f"a {provider_name!r} provider: residency "
                       "can only check what the AWS provider does", name, provider_name)
    for local_name, requirement in (context.workspace.document.get("terraform", {}).get("required_providers")
                                    or {}).items():
        source = requirement.get("source", local_name) if isinstance(requirement, dict) else local_name
        if str(source).lower().removeprefix("registry.terraform.io/") not in OFFICIAL_AWS_SOURCES:
            yield emit(f"terraform.required_providers.{local_name}", f"provider {local_name!r} "
                       f"comes from {source!r}: only hashicorp/aws is reviewed", name, str(source))
    providers = context.workspace.providers()
    if not providers:
        yield emit("provider.aws", "no AWS provider for the region")
    for provider in providers:
        label = f"provider.aws.{provider.get('alias') or 'default'}"
        region = provider.get("region")
        if provider.get("alias") or region != name:
            yield emit(label, f"provider for region {region!r}", name, str(region))
        yield from _settings(context, emit, label, provider)
    for resource in (*context.workspace.resources(), *context.workspace.data_sources()):
        if resource.provider and resource.provider != "aws":
            yield emit(resource.address, f"acts through {resource.provider}",
                       name, resource.provider)
        entry = entry_of(resource)
        if "region" in resource.body and not (entry and any(place.path == "region" for place in entry.places)):
            where = context.placer.region_value(resource.body["region"])
            if where != frozenset({name}):
                yield emit(resource.address, f"its own `region` argument places it in "
                           f"{context.describe(sorted(where))}, not in {name}", name,
                           ",".join(sorted(where)))


def _settings(context: Context, emit: Emit, label: str, provider: dict[str, Any]) -> Iterator[Finding]:
    for key in provider:
        if key not in NEUTRAL_SETTINGS and key not in {path.split(".")[0] for path in PLACING_SETTINGS} \
                and key not in ROLE_SETTINGS:
            yield emit(label, f"setting {key!r} is not one residency has reviewed")
    for path, kind in PLACING_SETTINGS.items():
        for location, value in at_path(provider, path):
            outside = context.outside(context.placer.place(value, kind))
            if outside:
                yield emit(label, f"{dotted(location)} sends its requests to "
                           f"{context.describe(outside)}", context.region, ",".join(outside))
    for setting in ROLE_SETTINGS:
        for location, block in at_path(provider, setting):
            if not isinstance(block, dict):
                continue
            for key in block:
                if key not in ROLE_KEYS:
                    yield emit(label, f"{dotted(location)}.{key} is not a setting residency "
                               "has reviewed")
            role = block.get("role_arn")
            if not (isinstance(role, str) and role.startswith("arn:") and ":iam::" in role and ":role/" in role):
                yield emit(label, f"{dotted(location)}.role_arn is not a literal IAM role ARN, "
                           "so the identity the provider acts as cannot be checked")
