"""RES002: no copy of a region's data leaves its jurisdiction.

`copies` lists every cross-region copy a workspace declares; the directory rule (RES003) reads it too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from residency.guard.model import DataPath, Finding, Resource
from residency.guard.registry import Context, rule
from residency.guard.values import UNKNOWN, blocks, known_region


@dataclass(frozen=True)
class Copy:
    kind: str  # a DataPath kind
    resource: Resource
    destination: str  # a region code or UNKNOWN


def copies(context: Context) -> Iterator[Copy]:
    """Every copy of data to another region that the workspace declares, with its destination."""
    workspace = context.workspace
    for table in workspace.resources("aws_dynamodb_table", "aws_dynamodb_global_table"):
        for replica in blocks(table.body.get("replica")):
            yield Copy("replica", table, known_region(replica.get("region_name")))
    for table_replica in workspace.resources("aws_dynamodb_table_replica"):
        # The replica lives here and syncs both ways with the table it names.
        yield Copy("replica", table_replica, context.region_of(table_replica.body.get("global_table_arn")))
    for replication in workspace.resources("aws_s3_bucket_replication_configuration"):
        for replication_rule in blocks(replication.body.get("rule")):
            for destination in blocks(replication_rule.get("destination")):
                yield Copy("replication", replication, context.region_of(destination.get("bucket")))
    for access_point in workspace.resources("aws_s3control_multi_region_access_point"):
        for details in blocks(access_point.body.get("details")):
            for region in blocks(details.get("region")):
                yield Copy("replication", access_point, context.region_of(f"arn:aws:s3:::{region.get('bucket')}"))
    for plan in workspace.resources("aws_backup_plan"):
        for plan_rule in blocks(plan.body.get("rule")):
            for copy in blocks(plan_rule.get("copy_action")):
                yield Copy("backup-copy", plan, context.region_of(copy.get("destination_vault_arn")))
    for subscription in workspace.resources("aws_cloudwatch_log_subscription_filter"):
        exported_to = context.region_of(subscription.body.get("destination_arn"), subscription)
        yield Copy("log-export", subscription, exported_to)
    for replica_key in workspace.resources("aws_kms_replica_key"):
        yield Copy("key-replica", replica_key, context.region_of_resource(replica_key))


@rule("RES002", "No copy of a region's data leaves its jurisdiction",
      why="Replication, replicas, backup copies and log exports move personal data to wherever their "
          "destination is; a multi-Region key can be replicated anywhere and decrypt the data there.",
      fix="Copy only to regions of the same jurisdiction, or remove the copy.")
def no_cross_jurisdiction_copy(context: Context) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    for copy in copies(context):
        if copy.resource.type == "aws_kms_replica_key":
            continue  # judged below with the multi-Region keys
        yield context.path(copy.kind, copy.resource.address, copy.destination)
        if not context.same_jurisdiction(copy.destination):
            yield context.finding("RES002", copy.resource.address,
                                  f"{copy.kind} copies data out: {_elsewhere(context, copy.destination)}",
                                  context.region, copy.destination)
    for key in context.workspace.resources("aws_kms_key", "aws_kms_replica_key"):
        if key.type == "aws_kms_replica_key" or key.body.get("multi_region") not in (None, False, "false"):
            yield context.finding("RES002", key.address,
                                  "a multi-Region key (or replica) lets the key, and the data it protects, be "
                                  "used in other regions", context.region, UNKNOWN)


def _elsewhere(context: Context, destination: str) -> str:
    if destination == UNKNOWN:
        return "its destination region cannot be established"
    return f"{destination} is in {context.jurisdiction_of(destination)}, not {context.jurisdiction}"
