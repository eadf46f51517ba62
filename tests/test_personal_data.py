"""Reading a workspace's declaration of personal-data stores back from its state, failing closed."""

from __future__ import annotations

from typing import Any

import pytest

from residency.personal_data import OUTPUT, DeclaredStore, MalformedDeclaration, StoreKind, stores_in_state


def state(declared: Any, *resources: dict[str, Any]) -> dict[str, Any]:
    outputs = {} if declared is None else {OUTPUT: {"value": declared, "type": "list"}}
    return {"values": {"outputs": outputs, "root_module": {"resources": list(resources)}}}


def resource(address: str, **values: str) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": address.split(".")[0].split("[")[0], "values": values}


BUCKET = resource("aws_s3_bucket.data", bucket="acme-eu-data")
TABLE = resource("aws_dynamodb_table.data", name="acme-eu-data")
DECLARED = [{"address": "aws_s3_bucket.data", "kind": "s3_bucket", "name": "acme-eu-data"},
            {"address": "aws_dynamodb_table.data", "kind": "dynamodb_table", "name": "acme-eu-data"}]


def test_the_declared_stores_are_read_from_the_state_outputs():
    assert stores_in_state(state(DECLARED, BUCKET, TABLE)) == [
        DeclaredStore("aws_dynamodb_table.data", StoreKind.TABLE, "acme-eu-data"),
        DeclaredStore("aws_s3_bucket.data", StoreKind.BUCKET, "acme-eu-data")]


def test_a_store_the_declaration_misses_is_a_store_all_the_same():
    queue = resource("aws_sqs_queue.jobs", url="http://127.0.0.1:1/123456789012/jobs")
    pool = resource("aws_cognito_user_pool.users", id="eu-central-1_abc")
    counted_table = resource("aws_dynamodb_table.orders[0]", name="acme-eu-orders")
    data_source = {**resource("aws_s3_bucket.elsewhere", bucket="x"), "mode": "data"}
    found = stores_in_state(state(DECLARED, BUCKET, TABLE, queue, pool, counted_table, data_source))
    assert [(store.kind, store.name) for store in found] == [
        (StoreKind.USER_POOL, "eu-central-1_abc"), (StoreKind.TABLE, "acme-eu-data"),
        (StoreKind.TABLE, "acme-eu-orders"), (StoreKind.BUCKET, "acme-eu-data"),
        (StoreKind.QUEUE, "http://127.0.0.1:1/123456789012/jobs")]


def test_a_state_written_before_declarations_existed_is_read_by_resource_type():
    assert [store.kind for store in stores_in_state(state(None, BUCKET, TABLE))] == [StoreKind.TABLE,
                                                                                    StoreKind.BUCKET]


def test_a_store_declared_under_another_address_is_not_counted_twice():
    declared = [{"address": "aws_s3_bucket.data", "kind": "s3_bucket", "name": "acme-eu-data"}]
    moved = resource("aws_s3_bucket.data_moved", bucket="acme-eu-data")
    assert len(stores_in_state(state(declared, moved))) == 1


@pytest.mark.parametrize("declared", [
    "aws_s3_bucket.data", [{"address": "aws_s3_bucket.data", "kind": "s3_bucket"}],
    [{"address": "aws_s3_bucket.data", "kind": "vault", "name": "x"}], [["aws_s3_bucket.data"]],
])
def test_a_declaration_residency_did_not_write_is_refused(declared):
    with pytest.raises(MalformedDeclaration):
        stores_in_state(state(declared, BUCKET))
