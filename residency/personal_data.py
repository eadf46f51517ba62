"""The personal-data stores a workspace declares: the kinds there are, and how a declaration is recorded.

Every construct that keeps personal data declares its store (`stacks/declared_stores.py`); the
declaration is the workspace's output `personal_data_stores`, so it is in the synthesized JSON (where
the residency rules read it) and in the state (where `region retire` reads it, after regions.yaml no
longer lists the region). Readers fail closed: a resource of a store's type that the declaration
misses is a store all the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

OUTPUT = "personal_data_stores"


class StoreKind(StrEnum):
    """A kind of personal-data store, by the name a declaration records (in the state: never renamed)."""

    BUCKET = "s3_bucket"
    TABLE = "dynamodb_table"
    USER_POOL = "cognito_user_pool"
    QUEUE = "sqs_queue"

    @property
    def facts(self) -> StoreFacts:
        return KINDS[self]

    @property
    def terraform_type(self) -> str:
        return self.facts.terraform_type

    @property
    def name_attribute(self) -> str:
        """The attribute that names the store to AWS."""
        return self.facts.name_attribute

    @property
    def noun(self) -> str:
        return self.facts.noun


@dataclass(frozen=True)
class StoreFacts:
    """What residency knows of a kind of store without asking AWS (how it is counted, exported and emptied is
    `flows/store_kinds/`)."""

    terraform_type: str
    name_attribute: str  # the attribute that names the store to AWS
    noun: str  # how a message names one: "bucket", "user pool"
    # What guards a store of the kind (its encryption, public-access block, versioning, policy...): type -> the
    # attribute that names the store it guards.
    guards: Mapping[str, str] = field(default_factory=dict)


# Every kind's facts: a new kind is its member in StoreKind, its line here and its module in flows/store_kinds/.
KINDS: Mapping[StoreKind, StoreFacts] = {
    StoreKind.BUCKET: StoreFacts("aws_s3_bucket", "bucket", "bucket", guards={
        f"aws_s3_bucket_{what}": "bucket" for what in (
            "server_side_encryption_configuration", "public_access_block", "versioning", "policy", "logging",
            "replication_configuration", "lifecycle_configuration", "notification", "ownership_controls",
            "object_lock_configuration", "acl")}),
    StoreKind.TABLE: StoreFacts("aws_dynamodb_table", "name", "table",
                                guards={"aws_dynamodb_resource_policy": "resource_arn"}),
    StoreKind.USER_POOL: StoreFacts("aws_cognito_user_pool", "id", "user pool"),
    StoreKind.QUEUE: StoreFacts("aws_sqs_queue", "url", "queue", guards={
        "aws_sqs_queue_policy": "queue_url", "aws_sqs_queue_redrive_allow_policy": "queue_url"}),
}
STORE_TYPES = {kind.terraform_type: kind for kind in StoreKind}

# What guards a KMS key, which is no store but guarded as one: type -> the attribute that names the key.
KEY_GUARDS = {"aws_kms_key_policy": "key_id"}
# What guards a store or a key: type -> the attribute that names what it guards. Deleting one leaves the store
# unguarded, unless the same change puts one of the same type on the same store.
STORE_GUARDS = {**{type_: attribute for kind in StoreKind for type_, attribute in kind.facts.guards.items()},
                **KEY_GUARDS}
# A key's deletion makes everything it encrypted unreadable for good.
KEY_TYPES = ("aws_kms_key",)


@dataclass(frozen=True, order=True)
class DeclaredStore:
    address: str  # the resource's Terraform address, e.g. aws_s3_bucket.data_bucket_1A2B3C4D
    kind: StoreKind
    name: str  # how AWS names it (bucket name, table name, pool id, queue URL); a reference when synthesized

    def describe(self) -> str:
        return f"{self.kind.noun} {self.name}"

    def record(self) -> dict[str, str]:
        return {"address": self.address, "kind": self.kind.value, "name": self.name}


def of_kind(stores: Iterable[DeclaredStore], kind: StoreKind) -> list[DeclaredStore]:
    return [store for store in stores if store.kind == kind]


class MalformedDeclaration(ValueError):
    """The recorded declaration is not the list of stores residency writes."""


def parse_declaration(value: Any) -> list[DeclaredStore]:
    if not isinstance(value, list):
        raise MalformedDeclaration(f"{OUTPUT} is not a list")
    stores = []
    for record in value:
        if not isinstance(record, dict) or not all(isinstance(record.get(field), str)
                                                   for field in ("address", "kind", "name")):
            raise MalformedDeclaration(f"{OUTPUT} holds an entry without address, kind and name: {record!r}")
        try:
            kind = StoreKind(record["kind"])
        except ValueError:
            raise MalformedDeclaration(f"{OUTPUT} names an unknown kind of store: {record['kind']!r}") from None
        stores.append(DeclaredStore(record["address"], kind, record["name"]))
    return stores


def state_resources(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The resources a workspace's state (`terraform show -json`) lists in its root module."""
    values = document.get("values")
    module = values.get("root_module", {}) if isinstance(values, dict) else {}
    return [resource for resource in module.get("resources", []) if isinstance(resource, dict)]


def stores_in_state(document: dict[str, Any]) -> list[DeclaredStore]:
    """The stores of a workspace's state: what its output declares, and every resource of a store's type
    the declaration misses (a state written before declarations existed)."""
    values = document.get("values")
    output = (values.get("outputs") or {}).get(OUTPUT) if isinstance(values, dict) else None
    declared = parse_declaration(output.get("value")) if isinstance(output, dict) else []
    return _with_undeclared(declared, state_resources(document))


def _with_undeclared(declared: list[DeclaredStore], resources: Iterable[dict[str, Any]]) -> list[DeclaredStore]:
    known = {(store.kind, store.name) for store in declared}
    found = list(declared)
    for resource in resources:
        kind = STORE_TYPES.get(str(resource.get("type")))
        name = resource.get("values", {}).get(kind.name_attribute) if kind else None
        if kind and resource.get("mode") == "managed" and isinstance(name, str) and (kind, name) not in known:
            known.add((kind, name))
            found.append(DeclaredStore(str(resource["address"]), kind, name))
    return sorted(found)
