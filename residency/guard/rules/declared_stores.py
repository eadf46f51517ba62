"""RES013: every store of a region's silo is declared as personal data, and protected.

The declaration (`residency/personal_data.py`) is what `region retire` counts, exports and empties
before it destroys a region; a store left out of it would be destroyed with the region unseen, and a
store no plan is kept from destroying could lose its data in an ordinary apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.values import blocks
from residency.personal_data import OUTPUT, STORE_TYPES, MalformedDeclaration, parse_declaration

# Stores that keep personal data at rest which `region retire` cannot count, export and empty (it handles the
# declarable kinds of residency.personal_data): databases, caches, search domains, file systems, streams, vaults.
UNRETIRABLE_STORES = (
    "aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_docdb_cluster", "aws_docdb_cluster_instance",
    "aws_docdbelastic_cluster", "aws_neptune_cluster", "aws_neptune_cluster_instance", "aws_elasticache_cluster",
    "aws_elasticache_replication_group", "aws_elasticache_serverless_cache", "aws_memorydb_cluster",
    "aws_opensearch_domain", "aws_elasticsearch_domain", "aws_opensearchserverless_collection", "aws_efs_file_system",
    "aws_fsx_lustre_file_system", "aws_fsx_windows_file_system", "aws_fsx_ontap_file_system",
    "aws_fsx_openzfs_file_system", "aws_ebs_volume", "aws_kinesis_stream", "aws_msk_cluster",
    "aws_msk_serverless_cluster", "aws_timestreamwrite_database", "aws_timestreamwrite_table", "aws_backup_vault",
    "aws_backup_logically_air_gapped_vault", "aws_keyspaces_table", "aws_dax_cluster", "aws_redshift_cluster",
    "aws_redshiftserverless_namespace", "aws_qldb_ledger", "aws_cloudwatch_event_archive", "aws_db_snapshot",
    "aws_db_cluster_snapshot", "aws_docdb_cluster_snapshot", "aws_rds_cluster_snapshot_copy", "aws_db_snapshot_copy",
    "aws_cloudtrail_event_data_store", "aws_glue_catalog_table", "aws_dynamodb_table_export",
    "aws_sesv2_contact_list", "aws_cognito_identity_pool",
)
# A store of a type that keeps nothing by default, once set to keep data: (type, attribute that switches it on).
# An SNS FIFO topic with an archive policy keeps every message for up to 365 days.
ARCHIVING_SETTINGS = (("aws_sns_topic", "archive_policy"),)


@rule("RES013", "Every store of a region is declared as personal data, and protected",
      why="`residency region retire` counts, exports and empties the stores a region declares before it "
          "destroys the region; an undeclared store would go with it unseen. A store that a plan may destroy "
          "or replace can lose its data in an ordinary apply.",
      fix="Create stores with residency's constructs, or declare yours with `declare_personal_data` (which "
          "also sets `lifecycle.prevent_destroy`); remove a declaration only with the store.")
def every_store_declared_and_protected(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    output = context.workspace.outputs().get(OUTPUT)
    try:
        declared = parse_declaration(output.get("value") if isinstance(output, dict) else [])
    except MalformedDeclaration as error:
        yield emit(f"output.{OUTPUT}", f"{error}: residency cannot tell which stores to export")
        return
    declared_addresses = set()
    for store in declared:
        declared_addresses.add(store.address)
        resource = context.workspace.resource(store.address)
        if resource is None or resource.type != store.kind.terraform_type:
            yield emit(f"output.{OUTPUT}",
                       f"declares {store.address} as a {store.kind.value}, which this workspace does "
                       "not have")
        # A saved plan holds the names resolved; the synthesized workspace, checked too, holds the references.
        elif context.workspace.origin != "plan" and \
                not _names_itself(store.name, store.address, store.kind.name_attribute, resource.body):
            yield emit(f"output.{OUTPUT}", f"declares {store.address} by the name {store.name!r}, which is not "
                       "that resource's own: `region retire` would count and export another store")
        elif not _protected(resource.body):
            yield emit(store.address, "keeps personal data but a plan may destroy it "
                                                            "(no lifecycle.prevent_destroy)")
    for resource in context.workspace.resources(*UNRETIRABLE_STORES):
        yield emit(resource.address, f"a {resource.type} keeps personal data at rest that `region "
                   "retire` cannot count, export or empty: keep the region's data in its declarable stores "
                   "(bucket, table, user pool, queue), or record an exception saying how you export and "
                   "erase it", context.region, resource.type)
    for type_, attribute in ARCHIVING_SETTINGS:
        for resource in context.workspace.resources(type_):
            if resource.body.get(attribute) not in (None, "", "{}"):
                yield emit(resource.address, f"a {type_} with {attribute} keeps personal data at rest that "
                           "`region retire` cannot count, export or empty", context.region, type_)
    for resource in context.workspace.resources(*STORE_TYPES):
        if resource.address not in declared_addresses:
            yield emit(resource.address,
                       f"is a {STORE_TYPES[resource.type].value} that {OUTPUT} does not declare: "
                       "`region retire` would destroy it without counting or exporting it")


def _protected(body: dict[str, Any]) -> bool:
    return any(lifecycle.get("prevent_destroy") is True for lifecycle in blocks(body.get("lifecycle")))


def _names_itself(name: str, address: str, attribute: str, body: dict[str, Any]) -> bool:
    """Whether a declaration's name is its resource's own: a reference to that resource's naming attribute (or
    `id`), or the literal name the resource is given."""
    own = {f"${{{address}.{attribute}}}", f"${{{address}.id}}", f"${{{address}.arn}}"}
    return name in own or (isinstance(body.get(attribute), str) and name == body[attribute])
