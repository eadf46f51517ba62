"""DynamoDB tables: every item, exported as DynamoDB JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from residency.flows.store_kinds.aws_calls import aws_call
from residency.flows.store_kinds.export_files import safe_name, write_lines
from residency.flows.store_kinds.handler import Exported, StoreCount, StoreHandler
from residency.personal_data import DeclaredStore, StoreKind

_GONE = ("ResourceNotFoundException",)


class TableHandler(StoreHandler):
    kind = StoreKind.TABLE
    service = "dynamodb"
    record = "item"

    def count(self, store: DeclaredStore, client: Any) -> StoreCount:
        return StoreCount(store, sum(page["Count"] for page in scan(client, store.name, Select="COUNT")))

    def refuse_unexportable(self, store: DeclaredStore, client: Any) -> None:
        pass  # a consistent scan reads every item

    def export(self, store: DeclaredStore, client: Any, staging: Path) -> Exported:
        return Exported(write_lines(staging / "dynamodb" / f"{safe_name(store.name)}.jsonl",
                                    (item for page in scan(client, store.name) for item in page["Items"])))

    def empty_for_destroy(self, store: DeclaredStore, client: Any) -> None:
        with aws_call(f"table {store.name}", _GONE):
            if client.describe_table(TableName=store.name)["Table"].get("DeletionProtectionEnabled"):
                client.update_table(TableName=store.name, DeletionProtectionEnabled=False)


def scan(dynamodb: Any, table: str | None, **options: Any) -> Iterator[dict[str, Any]]:
    """The pages of a consistent scan of `table`; none when the table is gone. Any other AWS failure
    is a ResidencyError naming the table."""
    if table:
        with aws_call(f"table {table}", _GONE):
            yield from dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True, **options)
