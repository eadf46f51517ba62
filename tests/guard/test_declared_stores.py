"""RES013: a region's stores are all declared as personal data and protected; the declaration names them truly.

Each attack is one change to a synthesized region workspace that would let `region retire` destroy a store
without counting or exporting it, or let an apply destroy one; each must be caught by RES013 at the address
named. The legitimate changes (a store added with its declaration) are in the adversarial corpora.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from residency.guard.check import check_synthesized
from residency.personal_data import OUTPUT
from tests.guard.adversarial_harness import EU, KEY_ARN, Edit, doc, mutated, undeclared

OUTPUT_ADDRESS = f"output.{OUTPUT}"


def declared(document: dict[str, Any]) -> list[dict[str, str]]:
    value: list[dict[str, str]] = document["output"][OUTPUT]["value"]
    return value


def address_of(document: dict[str, Any], type_: str) -> str:
    (name,) = [name for name in document["resource"][type_] if "data" in name or "identity" in name]
    return f"{type_}.{name}"


def forget(type_: str) -> Edit:
    def edit(document: dict[str, Any]) -> str:
        address = address_of(document, type_)
        document["output"][OUTPUT]["value"] = [store for store in declared(document) if store["address"] != address]
        return address
    return edit


def unprotect(type_: str) -> Edit:
    def edit(document: dict[str, Any]) -> str:
        address = address_of(document, type_)
        document["resource"][type_][address.split(".", 1)[1]].pop("lifecycle")
        return address
    return edit


def declaration(change: Any) -> Edit:
    def edit(document: dict[str, Any]) -> str:
        document["output"][OUTPUT]["value"] = change(declared(document))
        return OUTPUT_ADDRESS
    return edit


def drop_output(document: dict[str, Any]) -> str:
    del document["output"][OUTPUT]
    return address_of(document, "aws_s3_bucket")


ATTACKS: dict[str, Edit] = {
    "a queue nobody declared": undeclared("aws_sqs_queue.jobs", {
        "name": "acme-six-eu-central-1-jobs", "kms_master_key_id": KEY_ARN}),
    "a second table nobody declared": undeclared("aws_dynamodb_table.orders", {
        "name": "acme-six-eu-central-1-orders", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk",
        "attribute": [{"name": "pk", "type": "S"}]}),
    "a second bucket nobody declared": undeclared("aws_s3_bucket.uploads", {
        "bucket": "acme-six-eu-central-1-uploads"}),
    "the data bucket taken out of the declaration": forget("aws_s3_bucket"),
    "the user pool taken out of the declaration": forget("aws_cognito_user_pool"),
    "the data table's prevent_destroy removed": unprotect("aws_dynamodb_table"),
    "the data bucket's prevent_destroy removed": unprotect("aws_s3_bucket"),
    "the declaration names a store that does not exist": declaration(lambda stores: [*stores, {
        "address": "aws_s3_bucket.elsewhere", "kind": "s3_bucket", "name": "elsewhere"}]),
    "the declaration calls the table a bucket": declaration(lambda stores: [
        {**store, "kind": "s3_bucket"} if store["kind"] == "dynamodb_table" else store for store in stores]),
    "the declaration is not a list": declaration(lambda stores: json.dumps(stores)),
    "the declaration names an unknown kind": declaration(lambda stores: [
        {**store, "kind": "vault"} if store["kind"] == "dynamodb_table" else store for store in stores]),
    "the declaration removed altogether": drop_output,
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_each_attack_on_the_declaration_is_caught_where_it_is(name, bases, tmp_path):
    config, out = bases("rich")
    named: list[str] = []

    def edit(document: dict[str, Any]) -> None:
        named.append(ATTACKS[name](document))

    report = check_synthesized(config, mutated(out, tmp_path, EU, doc(edit)))
    caught = {f.address for f in report.findings if f.rule == "RES013" and f.workspace == EU}
    assert named[0] in caught, [f"{f.rule} {f.address}: {f.message}" for f in report.findings]


def test_global_and_the_unchanged_regions_declare_their_stores(bases):
    config, out = bases("rich")
    for workspace in (EU, "global"):
        document = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
        kinds = sorted(store["kind"] for store in declared(document))
        assert kinds == (["cognito_user_pool", "dynamodb_table", "s3_bucket"] if workspace == EU
                         else ["dynamodb_table"])
    assert check_synthesized(config, out).clean
