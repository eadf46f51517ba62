"""RES003: only the residency directory crosses jurisdictions, only pseudonymous, only where allowed."""

from __future__ import annotations

from collections.abc import Iterator

from residency import naming
from residency.guard.model import DataPath, Finding, Resource
from residency.guard.registry import Context, rule
from residency.guard.rules.copies import copies
from residency.guard.values import GLOBAL, UNKNOWN, blocks, sole_resource_reference

# The pseudonymous schema: the key is an HMAC of the email, computed in KMS; nothing else is indexed.
DIRECTORY_KEY = "user_key"
HMAC_USAGE = "GENERATE_VERIFY_MAC"


@rule("RES003", "Only the pseudonymous residency directory is replicated across jurisdictions",
      why="The directory must be readable in every region to route a user home, so it may cross "
          "jurisdictions, but only as (HMAC user key -> home region) and only where regions.yaml allows. "
          "Anything else copied from the global workspace is personal data leaving its jurisdiction.",
      fix="Keep the directory schema to the HMAC user key; list the replica regions in "
          "`directory.replicate_to`; replicate nothing else from the global workspace.")
def directory_only(context: Context) -> Iterator[Finding | DataPath]:
    if context.is_region:
        return
    allowed = {context.region, *context.config.directory_replica_regions}
    directory_table = naming.directory_table_name(context.config.project)
    for copy in copies(context):
        address = copy.resource.address
        if _is_directory(copy.resource, directory_table) or _is_hmac_replica(context, copy.resource):
            yield context.path("directory", address, copy.destination, source=GLOBAL)
            if copy.destination not in allowed:
                yield context.finding("RES003", address, _not_allowed(copy.destination, allowed),
                                      context.region, copy.destination)
            continue
        yield context.path(copy.kind, address, copy.destination)
        if not context.same_jurisdiction(copy.destination):
            yield context.finding("RES003", address,
                                  f"{copy.kind} of something other than the directory leaves {context.jurisdiction}",
                                  context.region, copy.destination)
    for table in context.workspace.resources("aws_dynamodb_table"):
        if _is_directory(table, directory_table):
            for problem in _schema_problems(table):
                yield context.finding("RES003", table.address, problem)
    for key in context.workspace.resources("aws_kms_key"):
        if key.body.get("multi_region") not in (None, False, "false") and key.body.get("key_usage") != HMAC_USAGE:
            yield context.finding("RES003", key.address,
                                  "a multi-Region key that can encrypt data; only the HMAC key may be multi-Region",
                                  context.region, UNKNOWN)


def _is_directory(resource: Resource, name: str) -> bool:
    return resource.type == "aws_dynamodb_table" and resource.body.get("name") == name


def _is_hmac_replica(context: Context, replica: Resource) -> bool:
    if replica.type != "aws_kms_replica_key":
        return False
    primary = replica.body.get("primary_key_arn")
    address = sole_resource_reference(primary)
    keys = context.workspace.resources("aws_kms_key")
    key = (context.workspace.resource(address) if address else
           next((k for k in keys if k.body.get("arn") == primary and primary), None))
    return key is not None and key.body.get("key_usage") == HMAC_USAGE


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


def _not_allowed(destination: str, allowed: set[str]) -> str:
    if destination == UNKNOWN:
        return "a directory copy whose region cannot be established"
    return (f"a directory copy in {destination}, which directory.replicate_to does not allow "
            f"(allowed: {', '.join(sorted(allowed))})")
