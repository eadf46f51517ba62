"""RES003: only the residency directory crosses jurisdictions, only pseudonymous, only where allowed."""

from __future__ import annotations

from collections.abc import Iterator

from residency import naming
from residency.guard.placement import catalog
from residency.guard.placement.catalog.entries import Flow
from residency.guard.placement.operator_alerts import is_alarm_topic
from residency.guard.placement.placed_values import PlacedValue, with_flow
from residency.guard.placement.places import UNKNOWN
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.expressions import ExpressionError, Traversal, parse_template
from residency.guard.terraform_json.values import GLOBAL, blocks, sole_resource_reference
from residency.guard.terraform_json.workspace import Resource

# The pseudonymous schema: the key is an HMAC of the email, computed in KMS; nothing else is indexed.
DIRECTORY_KEY = "user_key"
HMAC_USAGE = "GENERATE_VERIFY_MAC"
# What global serves to every country, whose logs would hold every country's requests.
REQUEST_LOGGERS = ("aws_cloudfront_distribution", "aws_wafv2_web_acl_logging_configuration")


@rule("RES003", "Only the pseudonymous residency directory is replicated across jurisdictions",
      why="The directory must be readable in every region to route a user home, so it may cross "
          "jurisdictions, but only as (HMAC user key -> home region) and only where regions.yaml allows. "
          "Anything else copied from the global workspace is personal data leaving its jurisdiction.",
      fix="Keep the directory schema to the HMAC user key; list the replica regions in "
          "`directory.replicate_to`; replicate nothing else from the global workspace.")
def directory_only(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if context.workspace.name != GLOBAL:
        return
    config = context.config
    table_name = naming.directory_table_name(config.project)
    directory_regions = {context.region, *config.directory_replica_regions}
    key_regions = {context.region, *config.regions}  # a key replica holds nothing personal: every region
    for placed in with_flow(context, Flow.OUT, Flow.IN):
        resource = placed.resource
        source = context.placer.resource_region(resource)
        if _is_directory(resource, table_name) and placed.place.path.startswith("replica"):
            yield from _judged_copy(context, emit, placed, "directory", source, directory_regions,
                                    "directory.replicate_to does not allow")
        elif resource.type == "aws_kms_replica_key" and _is_hmac_replica(context, resource):
            yield from _judged_copy(context, emit, placed, "key-replica", context.region, key_regions,
                                    "regions.yaml does not list", destinations={source})
        elif resource.type == "aws_kms_key" and placed.place.path == "multi_region":
            if resource.body.get("key_usage") != HMAC_USAGE:
                yield emit(resource.address, "a multi-Region key that can encrypt data; only "
                           "the HMAC key may be multi-Region", source, UNKNOWN)
        else:
            for destination in sorted(placed.where):
                yield context.path(placed.path_kind, resource.address, destination, source=source)
                if destination == UNKNOWN or context.jurisdiction_of(destination) != context.jurisdiction_of(source):
                    yield emit(resource.address,
                               f"{placed.attribute}: a copy of something other than the directory from "
                               f"{source} ({context.jurisdiction_of(source)}) to "
                               f"{context.describe([destination])}", source, destination)
    for table in context.workspace.resources("aws_dynamodb_table"):
        if _is_directory(table, table_name):
            for problem in _schema_problems(table):
                yield emit(table.address, problem)
    yield from _nothing_else_personal(context, emit, table_name)
    for acl in context.workspace.resources("aws_wafv2_web_acl"):
        if _samples_requests(acl.body):
            yield emit(acl.address, "sampled_requests_enabled keeps samples of every country's "
                       "requests (client addresses, paths, headers) in the global region: set it to false "
                       "(metrics need no samples)", context.region, "sampled-requests")
    for placed in with_flow(context, Flow.KEEP):
        if placed.resource.type in REQUEST_LOGGERS and \
                any(word in placed.place.path for word in ("log", "destination")):
            yield emit(placed.resource.address, f"{placed.attribute} keeps every country's "
                       "requests (addresses, paths, headers) in one place: global keeps no such logs",
                       context.region, ",".join(sorted(placed.where)) or UNKNOWN)


def _nothing_else_personal(context: Context, emit: Emit, table_name: str) -> Iterator[Finding]:
    """global serves every country from one place: it may keep the directory, the front end's files and its
    alarm-only topic, never a store of anything else (which would gather every jurisdiction's data in one region)."""
    for resource in context.workspace.resources():
        entry = catalog.entry(resource.type)
        if entry is None or not entry.personal or _is_directory(resource, table_name) or \
                _is_front_end(context, resource) or is_alarm_topic(context, resource):
            continue  # an alarm-only topic carries metric names and states, never anyone's data
        yield emit(resource.address, f"{resource.type} in global, which serves every "
                   "country from one region: only the directory and the front end's files may be kept "
                   "there", context.placer.resource_region(resource), UNKNOWN)


def _judged_copy(context: Context, emit: Emit, placed: PlacedValue, kind: str, source: str, allowed: set[str],
                 refusal: str, destinations: set[str] | None = None) -> Iterator[Finding | DataPath]:
    for destination in sorted(destinations if destinations is not None else placed.where):
        yield context.path(kind, placed.resource.address, destination, source=GLOBAL)
        if destination not in allowed:
            message = (f"a {kind} whose region cannot be established" if destination == UNKNOWN else
                       f"a {kind} in {destination}, which {refusal} (allowed: {', '.join(sorted(allowed))})")
            yield emit(placed.resource.address, message, source, destination)


def _samples_requests(value: object) -> bool:
    """Whether any visibility config of a web ACL keeps sampled requests (or may: a computed value)."""
    if isinstance(value, dict):
        return any((key == "sampled_requests_enabled" and item not in (False, "false")) or _samples_requests(item)
                   for key, item in value.items())
    if isinstance(value, list):
        return any(_samples_requests(item) for item in value)
    return False


def _is_front_end(context: Context, resource: Resource) -> bool:
    """residency's front-end bucket, by the name residency gives it (this account's id ends it)."""
    name = resource.body.get("bucket")
    expected = naming.frontend_bucket_name(context.config.project, "")
    if resource.type != "aws_s3_bucket" or not isinstance(name, str) or not name.startswith(expected):
        return False
    rest = name.removeprefix(expected)
    try:
        template = parse_template(rest)
    except ExpressionError:
        return False
    return rest in context.placer.own_accounts or (
        len(template.parts) == 1 and isinstance(template.parts[0], Traversal) and
        context.placer.is_own_account(template.parts[0]))


def _is_directory(resource: Resource, name: str) -> bool:
    return resource.type == "aws_dynamodb_table" and resource.body.get("name") == name


def _is_hmac_replica(context: Context, replica: Resource) -> bool:
    primary = replica.body.get("primary_key_arn")
    found = sole_resource_reference(primary)
    key = context.workspace.resource(found) if found else None
    return key is not None and key.type == "aws_kms_key" and key.body.get("key_usage") == HMAC_USAGE


def _schema_problems(table: Resource) -> Iterator[str]:
    body = table.body
    if body.get("hash_key") != DIRECTORY_KEY:
        yield f"the directory's key is {body.get('hash_key')!r}, not the pseudonymous {DIRECTORY_KEY!r}"
    if body.get("range_key"):
        yield f"the directory has a sort key {body['range_key']!r}; it holds one entry per user key"
    names = sorted(str(attribute.get("name")) for attribute in blocks(body.get("attribute")))
    if names != [DIRECTORY_KEY]:
        yield f"the directory indexes {names}; only {DIRECTORY_KEY!r} may be indexed"
    for index in ("global_secondary_index", "local_secondary_index"):
        if blocks(body.get(index)):
            yield f"the directory has a {index.replace('_', ' ')}"
