"""What no plan may delete, judged on the plan's change set (the shapes `terraform show -json` writes), and
the change set itself: counts as Terraform counts them, sensitive values masked, a digest of what it does."""

from __future__ import annotations

from typing import Any

import pytest

from residency.personal_data import STORE_GUARDS
from residency.terraform.change_set import SENSITIVE, UNKNOWN, ChangeSet, UnreadablePlan
from residency.terraform.protection import refusals

SYNTHESIZED: dict[str, Any] = {
    "resource": {"aws_kms_key": {"hmac": {"lifecycle": {"prevent_destroy": True}}}},
    "output": {"personal_data_stores": {"value": [
        {"address": "aws_s3_bucket.documents", "kind": "s3_bucket", "name": "${aws_s3_bucket.documents.bucket}"}]}},
}


def change(address: str, actions: list[str], before: Any = None, after: Any = None, **extra: Any) -> dict[str, Any]:
    type_ = address.split(".")[0]
    return {"address": address, "mode": "managed", "type": type_, "name": address.split(".")[1],
            "change": {"actions": actions, "before": before, "after": after, **extra}}


def plan(*changes: dict[str, Any], prior_outputs: dict[str, Any] | None = None) -> ChangeSet:
    document: dict[str, Any] = {"resource_changes": list(changes)}
    if prior_outputs is not None:
        document["prior_state"] = {"values": {"outputs": {
            name: {"value": value, "sensitive": False} for name, value in prior_outputs.items()}}}
    return ChangeSet.from_plan(document)


def judged(*changes: dict[str, Any], prior_outputs: dict[str, Any] | None = None) -> list[str]:
    return [r.describe() for r in refusals(plan(*changes, prior_outputs=prior_outputs), SYNTHESIZED)]


@pytest.mark.parametrize(("resource", "why"), [
    (change("aws_kms_key.hmac", ["delete"], {"key_id": "k"}), "marks it prevent_destroy"),
    (change("aws_dynamodb_table.orders", ["delete", "create"], {"deletion_protection_enabled": True}),
     "deletion protection is on"),
    (change("aws_cognito_user_pool.users", ["delete"], {"deletion_protection": "ACTIVE"}), "deletion protection"),
    (change("aws_db_instance.ledger", ["delete"], {"deletion_protection": True}), "deletion protection"),
    (change("aws_s3_bucket.documents", ["delete"], {"bucket": "acme-docs"}), "declared personal-data store"),
    (change("aws_sqs_queue.inbox", ["create", "delete"], {"name": "inbox"}), "data store (aws_sqs_queue)"),
    (change('aws_s3_bucket.exports["eu"]', ["delete"], {"bucket": "x"}), "data store (aws_s3_bucket)"),
    (change("aws_kms_key.other", ["delete"], {"key_id": "k2"}), "KMS key"),
    (change("aws_s3_bucket_public_access_block.docs", ["delete"], {"bucket": "acme-docs"}),
     "guards the store acme-docs and nothing in the plan puts another"),
    (change("aws_s3_bucket_server_side_encryption_configuration.docs", ["delete"], {"bucket": "acme-docs"}),
     "guards the store acme-docs"),
])
def test_a_protected_deletion_is_refused(resource, why):
    [refusal] = judged(resource)
    assert refusal.startswith(resource["address"]) and why in refusal, refusal


def test_a_store_declared_only_by_the_prior_state_is_protected_by_that_declaration():
    declaration = [{"address": "aws_dynamodb_table.notes", "kind": "dynamodb_table", "name": "notes"}]
    [refusal] = judged(change("aws_dynamodb_table.notes", ["delete"], {"name": "notes"}),
                       prior_outputs={"personal_data_stores": declaration})
    assert "declared personal-data store" in refusal


@pytest.mark.parametrize("resource", [
    change("aws_lambda_function.api", ["delete", "create"], {"function_name": "api"}),
    change("aws_iam_role.api", ["delete"], {"name": "api"}),
    change("aws_kms_replica_key.directory", ["delete"], {"key_id": "r"}),  # the primary keeps the key material
    change("aws_s3_bucket_versioning.docs", ["delete", "create"], {"bucket": "acme-docs"},
           {"bucket": "acme-docs"}),  # replaced in place
    change("aws_s3_bucket.documents", ["forget"], {"bucket": "acme-docs"}),  # a `removed` block keeps it
    change("aws_dynamodb_table.orders", ["update"], {"deletion_protection_enabled": True}),
])
def test_what_deletes_nothing_protected_passes(resource):
    assert judged(resource) == []


def test_a_guard_moved_to_a_new_address_on_the_same_store_passes():
    assert judged(change("aws_s3_bucket_versioning.old", ["delete"], {"bucket": "acme-docs"}),
                  change("aws_s3_bucket_versioning.new", ["create"], after={"bucket": "acme-docs"})) == []
    # on another store, or on one not known until apply, it is no stand-in
    assert judged(change("aws_s3_bucket_versioning.old", ["delete"], {"bucket": "acme-docs"}),
                  change("aws_s3_bucket_versioning.new", ["create"], after={"bucket": "other"}))
    assert judged(change("aws_s3_bucket_versioning.old", ["delete"], {"bucket": "acme-docs"}),
                  change("aws_s3_bucket_versioning.new", ["create"], after={},
                         after_unknown={"bucket": True}))


def test_a_guard_replaced_is_put_back_on_its_store_or_refused():
    guard = "aws_s3_bucket_public_access_block.docs"
    assert judged(change(guard, ["delete", "create"], {"bucket": "acme-docs"}, {"bucket": "acme-docs"})) == []
    [onto_another] = judged(change(guard, ["create", "delete"], {"bucket": "acme-docs"}, {"bucket": "other"}))
    assert "guards the store acme-docs and nothing in the plan puts another" in onto_another
    assert judged(change(guard, ["delete", "create"], {"bucket": "acme-docs"}, {}, after_unknown={"bucket": True}))


def test_every_guard_is_a_reviewed_type():
    from residency.guard.placement import catalog

    assert [type_ for type_ in STORE_GUARDS if catalog.entry(type_) is None] == []


def test_counts_are_terraforms_and_no_ops_and_reads_are_left_out():
    changes = plan(change("a_b.create", ["create"]), change("a_b.update", ["update"]),
                   change("a_b.replace", ["delete", "create"]), change("a_b.delete", ["delete"]),
                   change("a_b.same", ["no-op"]), {**change("a_b.read", ["read"]), "mode": "data"})
    assert changes.counts.describe() == "2 to add, 1 to change, 2 to destroy"
    assert [c.address for c in changes.changes] == ["a_b.create", "a_b.update", "a_b.replace", "a_b.delete"]


def test_sensitive_and_unknown_values_are_masked_and_the_digest_follows_what_the_plan_does():
    secret = change("aws_ssm_parameter.token", ["create"], after={"value": "hunter2", "name": "t", "tags": {}},
                    after_sensitive={"value": True}, after_unknown={"arn": True})
    [masked] = plan(secret).changes
    assert masked.after == {"value": SENSITIVE, "name": "t", "tags": {}, "arn": UNKNOWN}
    assert "hunter2" not in repr(plan(secret))
    other_secret = change("aws_ssm_parameter.token", ["create"], after={"value": "other", "name": "t", "tags": {}},
                          after_sensitive={"value": True}, after_unknown={"arn": True})
    assert plan(secret).digest() == plan(other_secret).digest()  # nothing secret leaks through the digest
    renamed = change("aws_ssm_parameter.token", ["create"], after={"value": "x", "name": "u", "tags": {}},
                     after_sensitive={"value": True}, after_unknown={"arn": True})
    assert plan(secret).digest() != plan(renamed).digest()


@pytest.mark.parametrize("document", [{"resource_changes": "x"}, {"resource_changes": [1]},
                                      {"resource_changes": [{"change": {"actions": ["delete"]}}]}])
def test_a_plan_residency_cannot_read_is_refused(document):
    with pytest.raises(UnreadablePlan):
        ChangeSet.from_plan(document)
