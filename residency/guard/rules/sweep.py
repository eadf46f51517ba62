"""RES011: every place a region workspace names, anywhere in it, is inside its jurisdiction.

The catalog rules judge the attributes they know. This sweep does not need the catalog: it reads every
string of a region workspace (resources, data sources, providers, locals, outputs, variables, other
blocks) and finds what names a place in it: a region code, an ARN, a regional AWS endpoint host, any
URL, and values looked up elsewhere (a data source that finds something existing, another workspace's
state). Each must place inside the jurisdiction; what cannot be placed is a violation. Values a
catalog rule already judged, and policy documents (RES006 reads them statement by statement), are left
to those rules. The directory settings of the residency triggers may name the directory's regions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from residency import naming
from residency.guard.placement.catalog.entries import Kind
from residency.guard.placement.outside_places import (
    PROCESSOR_PREFIX,
    SITE_PREFIX,
    advice,
    defaulted_site,
    site_token_place,
)
from residency.guard.placement.placed_values import entry_of
from residency.guard.placement.places import LOOPBACK, UNKNOWN, split_url
from residency.guard.placement.service_sites import settings_service
from residency.guard.placement.tokens import places_in_text
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.attributes import Location, at_path, covered, dotted, strings
from residency.guard.terraform_json.documents import strict_json
from residency.guard.terraform_json.workspace import Resource

# Keys of JSON documents whose values name the document's own kind, never a place data goes.
IDENTIFIER_KEYS = frozenset({"$schema", "$id"})
TOP_LEVEL = ("locals", "output", "variable", "import", "check")  # moved and removed hold only addresses
# Where a container image comes from (ECS, Lambda, Batch, App Runner, an ECR pull-through cache's upstream):
# code pulled in, never data sent out.
IMAGE_KEYS = frozenset({"image", "Image", "image_uri", "imageUri", "ImageUri", "image_identifier",
                        "upstream_registry_url"})
# Attributes that hold prose for people: a runbook link in a description names no place data goes.
PROSE_ATTRIBUTES = frozenset({"description", "alarm_description", "tags", "tags_all"})
# Settings whose value is a version or build number (2.14.0.1 looks like an IPv4 address).
VERSION_SETTING = re.compile(r"(^|_)(VERSION|VER|RELEASE|BUILD|BUILD_NUMBER)$", re.IGNORECASE)
# Settings whose value is a bucket's bare name (EXPORT_BUCKET=acme-exports): placed as a bucket.
BUCKET_SETTING = re.compile(r"(^|_)BUCKET(_NAME)?$", re.IGNORECASE)
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# The names an email identity sends as (a domain, an address): names it owns, not places data goes.
SES_IDENTITY_NAMES = {
    "aws_sesv2_email_identity": ("email_identity",), "aws_ses_domain_identity": ("domain",),
    "aws_ses_email_identity": ("email",), "aws_ses_domain_dkim": ("domain",),
    "aws_ses_domain_mail_from": ("domain", "mail_from_domain"),
    "aws_sesv2_email_identity_mail_from_attributes": ("email_identity", "mail_from_domain"),
    "aws_ses_domain_identity_verification": ("domain",),
}
# Meta-arguments that hold Terraform addresses, not values.
META_ARGUMENTS = frozenset({"provider", "depends_on"})
# DNS records that describe a domain (who may send its mail, which CA may issue for it) and route nobody.
DESCRIPTIVE_RECORDS = frozenset({"TXT", "CAA", "SPF"})
# Provider settings RES001 judges (it also refuses every provider but `aws`).
PROVIDER_SETTINGS_JUDGED = frozenset({"region", "alias", "endpoints", "http_proxy", "https_proxy",
                                      "ec2_metadata_service_endpoint", "sts_region", "assume_role",
                                      "assume_role_with_web_identity"})


@rule("RES011", "Every place a region workspace names is inside its jurisdiction",
      why="A region code, ARN, endpoint, URL, host name, IP address or service site anywhere in a region's "
          "configuration (an environment variable, a task definition, a file it reads, a local value) is where some "
          "code will send or fetch data; the catalog cannot know every free-form attribute, so every string is read, "
          "but for prose for people (descriptions, tags), the names a resource defines (a DNS record's, an email "
          "identity's) and container images (code pulled in).",
      fix="Name only places of this region's jurisdiction (resources of this workspace, its regional endpoints, the "
          "site of a service in this jurisdiction); declare outside services as `processors:` in regions.yaml; for "
          "anything else, a reviewed and expiring exception naming its destination.")
def every_place_at_home(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    for resource in chain(context.workspace.resources(), context.workspace.data_sources()):
        if resource.type == "aws_iam_policy_document":
            continue  # a policy: RES006 reads it where a policy attribute uses it
        skip = _judged(context, resource)
        for location, text in _strings_within_json(resource.body):
            if not covered(location, skip):
                yield from _judge(context, emit, resource.address, location, text, resource)
        yield from _defaulted_sites(context, emit, resource)
    for index, provider in enumerate(context.workspace.providers()):
        for location, text in strings(provider, ("provider", "aws", index), keys=True):
            if location[3] not in PROVIDER_SETTINGS_JUDGED:
                yield from _judge(context, emit, "provider.aws", location, text, None)
    for section in TOP_LEVEL:
        value = context.workspace.document.get(section)
        if value is None:
            continue
        for location, text in _strings_within_json(value):
            yield from _judge(context, emit, section, location, text, None)


def _defaulted_sites(context: Context, emit: Emit, resource: Resource) -> Iterator[Finding]:
    """Integrations switched on without saying where they send (a Datadog key without DD_SITE, a FireLens datadog
    output without Host): they send to their default site, judged like any site."""
    for location, settings in _settings_maps(resource.body, ()):
        found = defaulted_site(settings)
        if found is None:
            continue
        site, default = found
        outside = context.outside(context.placer.host(default))
        if outside:
            yield emit(resource.address, f"{dotted(location) or 'its settings'} switch "
                       f"{site.service} on without choosing its site, so it sends to its default "
                       f"{default}: {context.describe(outside)}, outside {context.jurisdiction}"
                       f"{advice(default, context.jurisdiction)}", context.region, default)


def _settings_maps(value: Any, location: Location) -> Iterator[tuple[Location, dict[str, Any]]]:
    """Every map of settings in a body, in JSON documents it holds too; an ECS `environment` list of
    {name, value} pairs is read as the map it stands for."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            value = strict_json(value)
        except ValueError:
            return
        location = (*location, "#")
    if isinstance(value, dict):
        yield location, value
        container = {**_named_values(value.get("environment")), **_named_values(value.get("secrets"))}
        if container:  # an ECS container: its environment and its secrets are one set of settings
            yield location, container
        for key, item in value.items():
            yield from _settings_maps(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _settings_maps(item, (*location, index))


def _named_values(value: Any) -> dict[str, Any]:
    """An ECS `environment` or `secrets` list ({name, value} or {name, valueFrom}) as the map it stands for."""
    if not isinstance(value, list):
        return {}
    return {str(item["name"]): item.get("value", item.get("valueFrom")) for item in value
            if isinstance(item, dict) and "name" in item and ("value" in item or "valueFrom" in item)}


def _strings_within_json(body: Any) -> Iterator[tuple[Location, str]]:
    """Every string and map key, and inside a JSON document held as a string, every string and key of the
    document (one with duplicate keys is read as text: readers disagree on it)."""
    for location, text in strings(body, keys=True):
        if text.lstrip()[:1] in ("{", "["):
            try:
                document = strict_json(text)
            except ValueError:
                document = None
            if isinstance(document, dict | list):
                yield from strings(document, (*location, "#"), keys=True)
                continue
        yield location, text


def _judged(context: Context, resource: Resource) -> set[Location]:
    skip = set(context.judged.get(resource.address, set()))
    entry = entry_of(resource)
    for policy in entry.policies if entry is not None else ():
        skip |= {location for location, _value in at_path(resource.body, policy.path)}
    if resource.type in ("aws_route53_zone", "aws_route53_record"):
        skip.add(("name",))  # the name a zone or record defines (RES005 judges what it leads to)
    if resource.type == "aws_route53_record" and str(resource.body.get("type", "")).upper() in DESCRIPTIVE_RECORDS:
        skip |= {location for location, _value in at_path(resource.body, "records")}  # they send nobody anywhere
    skip |= {(name,) for name in SES_IDENTITY_NAMES.get(resource.type, ())}
    if resource.type == "aws_lambda_function":
        skip |= {location for location, _value in
                 at_path(resource.body, f"environment.variables.{naming.HMAC_REGION_SETTING}")}  # RES010's
    return skip


def _judge(context: Context, emit: Emit, address_: str, location: Location, text: str,
           at: Resource | None) -> Iterator[Finding | DataPath]:
    if "#" in location and location[-1] in IDENTIFIER_KEYS and text != location[-1]:
        return  # a JSON schema's own name ($schema, $id) is an identifier, not a place anything is sent
    if len(location) == 1 and location[0] in META_ARGUMENTS and at is not None:
        return  # `provider = "aws.us"`, `depends_on`: Terraform addresses (RES001 judges providers)
    if location and location[0] in PROSE_ATTRIBUTES:
        return  # prose for people (descriptions, tags): nothing reads it to send data
    if _documentation_link(location):
        return  # an API description's documentation links (OpenAPI info, license, contact, externalDocs)
    if location and location[-1] in IMAGE_KEYS and text != location[-1]:
        return  # a container image is code pulled in (from a central registry or a cache), not data sent out
    if location and location[-1] in naming.DIRECTORY_REGION_SETTINGS and text != location[-1] and at is not None \
            and at.type == "aws_lambda_function":
        yield from _directory_setting(context, emit, address_, location, text)
        return
    service = settings_service(str(location[-1])) if location and isinstance(location[-1], str) else None
    if service is not None and text != location[-1] and "${" not in text:
        yield from _site_setting(context, emit, address_, location, text, service)
        return
    key = location[-1] if location and isinstance(location[-1], str) and text != location[-1] else ""
    if key and VERSION_SETTING.search(key):
        return  # APP_VERSION=2.14.0.1 is a version, not an address
    if key and BUCKET_SETTING.search(key) and BUCKET_NAME.match(text):
        where = context.placer.bucket(text)  # EXPORT_BUCKET=name: a bucket of unknown owner unless it is ours
        outside = context.outside(where)
        if outside:
            yield emit(address_, f"{dotted(location)} names the bucket {text!r}: {context.describe(outside)}, "
                       f"outside {context.jurisdiction} (a bucket name is global: only this workspace's own "
                       f"buckets can be placed)", context.region, text)
        return
    tokens = places_in_text(context, text)
    if not tokens:
        return
    for where in tokens.values():
        for place in sorted(where):
            if place.startswith((PROCESSOR_PREFIX, SITE_PREFIX)) and context.same_jurisdiction(place):
                yield context.path("processor", address_, place)  # on the data map: the sub-processors it uses
    if len(tokens) == 1:  # one place named: judged as the whole value (a reference, a template) names it
        whole = context.placer.place(text, Kind.ANY, at) - ({LOOPBACK} if at is not None else set())
        if whole and not context.outside(whole):
            return
    for token, where in sorted(tokens.items()):
        if at is not None:
            where = where - {LOOPBACK}  # a resource's own loopback: the function's sandbox, the task's sidecar
        outside = context.outside(where)
        if outside:
            destination = _destination(token)
            yield emit(address_, f"{dotted(location)} names {token}: "
                       f"{context.describe(outside)}, outside {context.jurisdiction}"
                       f"{advice(token, context.jurisdiction)}", context.region, destination)


def _documentation_link(location: Location) -> bool:
    """Inside a JSON document: its `info` (title, license, contact) or an `externalDocs` link, for readers."""
    if "#" not in location:
        return False
    inner = location[location.index("#") + 1:]
    return bool(inner) and (inner[0] == "info" or "externalDocs" in inner)


def _destination(token: str) -> str:
    """What an exception names for a token: a URL's or `host:port`'s host, else the token itself."""
    if "://" in token:
        return split_url(token)[1] or token
    host, colon, port = token.rpartition(":")
    return host if colon and port.isdigit() and not token.startswith("arn:") and host.count(":") == 0 else token


def _site_setting(context: Context, emit: Emit, address_: str, location: Location, text: str,
                  service: str) -> Iterator[Finding | DataPath]:
    """A setting a known integration reads as a site name (DD_SITE, a dataset's location): judged by the table."""
    where = site_token_place(service, text)
    for place in sorted(where):
        if place.startswith(SITE_PREFIX) and context.same_jurisdiction(place):
            yield context.path("processor", address_, place)
    outside = context.outside(where)
    if outside:
        yield emit(address_, f"{dotted(location)} = {text!r}: {context.describe(outside)}, "
                   f"outside {context.jurisdiction}{advice(text, context.jurisdiction, service)}",
                   context.region, text.strip())


def _directory_setting(context: Context, emit: Emit, address_: str, location: Location, text: str) -> Iterator[Finding]:
    allowed = {context.region, context.config.global_.region, *context.config.directory_replica_regions}
    where = context.placer.region_value(text)
    if not where or not where <= allowed:
        yield emit(address_, f"{dotted(location)} names {text!r}, which is not one of the "
                   f"directory's regions ({', '.join(sorted(allowed))})", context.region,
                   ",".join(sorted(where)) or UNKNOWN)


