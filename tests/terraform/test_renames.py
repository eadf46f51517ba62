"""Which deletions in a plan are renames (the same resource in AWS created under another address), on the shapes
`terraform show -json` writes; and the moves file a plan may carry."""

from __future__ import annotations

import json
from typing import Any

import pytest

from residency.terraform.change_set import UNKNOWN, ChangeSet
from residency.terraform.renames import holds_only_moves, renames, write_moves


def change(address: str, actions: list[str], before: Any = None, after: Any = None) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": address.split(".")[0], "name": address.split(".")[1],
            "change": {"actions": actions, "before": before, "after": after}}


def moves(*changes: dict[str, Any]) -> list[tuple[str, str]]:
    return [(move.from_address, move.to_address) for move in renames(ChangeSet.from_plan(
        {"resource_changes": list(changes)}))]


@pytest.mark.parametrize(("type_", "identity"), [
    ("aws_s3_bucket", {"bucket": "acme-docs-eu", "hosted_zone_id": "Z3"}),
    ("aws_dynamodb_table", {"name": "notes"}),
    ("aws_sqs_queue", {"name": "inbox"}),
    ("aws_sns_topic", {"name": "events"}),
    ("aws_lambda_function", {"function_name": "docs-fn", "role": "arn:aws:iam::1:role/r"}),
    ("aws_iam_role", {"name": "docs-role"}),
    ("aws_kms_alias", {"name": "alias/docs", "target_key_id": "k-1"}),
    ("aws_cloudwatch_log_group", {"name": "/aws/lambda/docs-fn"}),
    ("aws_s3_bucket_versioning", {"bucket": "acme-docs-eu"}),
])
def test_a_resource_deleted_and_created_under_another_address_with_its_identity_is_moved(type_, identity):
    after = {key: UNKNOWN if key in ("hosted_zone_id",) else value for key, value in identity.items()}
    assert moves(change(f"{type_}.old_id", ["delete"], identity | {"arn": "arn:x"}),
                 change(f"{type_}.new_id", ["create"], after={**after, "arn": UNKNOWN})) == [
        (f"{type_}.old_id", f"{type_}.new_id")]


def test_an_identity_not_known_yet_neither_proves_nor_disproves_but_one_known_must_agree():
    # The function's role is being renamed in the same plan: its ARN is not known until the next round.
    assert moves(change("aws_lambda_function.a", ["delete"], {"function_name": "f", "role": "arn:role/r"}),
                 change("aws_lambda_function.b", ["create"], after={"function_name": "f", "role": UNKNOWN})) == [
        ("aws_lambda_function.a", "aws_lambda_function.b")]
    assert moves(change("aws_lambda_function.a", ["delete"], {"function_name": "f", "role": "arn:role/r"}),
                 change("aws_lambda_function.b", ["create"], after={"function_name": "f", "role": "arn:role/s"})) == []


@pytest.mark.parametrize("created", [
    change("aws_s3_bucket.new", ["create"], after={"bucket": "another-bucket"}),
    change("aws_sqs_queue.new", ["create"], after={"name": "acme-docs-eu"}),  # another type
    change("aws_s3_bucket.new", ["create"], after={"bucket": UNKNOWN}),  # not known: not shown to be the same
    change("aws_s3_bucket.new", ["create"], after={"bucket_prefix": "acme-"}),
])
def test_what_is_not_shown_to_be_the_same_resource_is_not_moved(created):
    assert moves(change("aws_s3_bucket.old", ["delete"], {"bucket": "acme-docs-eu"}), created) == []


def test_a_replacement_or_an_update_is_never_a_rename():
    assert moves(change("aws_s3_bucket.old", ["delete", "create"], {"bucket": "b"}, {"bucket": "b"}),
                 change("aws_s3_bucket.new", ["create"], after={"bucket": "b"})) == []


def test_agreeing_on_a_record_type_alone_is_not_an_identity():
    assert moves(change("aws_route53_record.a", ["delete"], {"type": "A", "name": "x.example.com"}),
                 change("aws_route53_record.b", ["create"], after={"type": "A", "name": UNKNOWN})) == []


def test_an_ambiguous_match_is_left_as_planned():
    # Two new policies named "default" whose roles are not known yet: which one the old one is, is not known.
    assert moves(change("aws_iam_role_policy.a", ["delete"], {"name": "default", "role": "r1"}),
                 change("aws_iam_role_policy.b", ["create"], after={"name": "default", "role": UNKNOWN}),
                 change("aws_iam_role_policy.c", ["create"], after={"name": "default", "role": UNKNOWN})) == []


def test_a_resource_without_a_name_is_moved_only_when_it_is_the_only_one_and_unchanged():
    key = {"description": "documents", "key_usage": "ENCRYPT_DECRYPT", "enable_key_rotation": True}
    old = change("aws_kms_key.old", ["delete"], key | {"key_id": "k-1", "arn": "arn:k"})
    new = change("aws_kms_key.new", ["create"], after=key | {"key_id": UNKNOWN, "arn": UNKNOWN})
    assert moves(old, new) == [("aws_kms_key.old", "aws_kms_key.new")]
    assert moves(old, change("aws_kms_key.new", ["create"], after=key | {"description": "other"})) == []
    assert moves(old, new, change("aws_kms_key.third", ["create"], after=key)) == []


def test_the_moves_file_holds_moved_blocks_and_a_plan_carrying_anything_else_there_is_told_apart(tmp_path):
    [move] = renames(ChangeSet.from_plan({"resource_changes": [
        change('aws_s3_bucket.old["eu"]', ["delete"], {"bucket": "b"}),
        change('aws_s3_bucket.new["eu"]', ["create"], after={"bucket": "b"})]}))
    written = write_moves(tmp_path, [move], {})
    assert json.loads(written.read_text()) == {"moved": [{"from": 'aws_s3_bucket.old["eu"]',
                                                          "to": 'aws_s3_bucket.new["eu"]'}]}
    assert holds_only_moves(written.read_bytes())
    assert not holds_only_moves(b'{"moved": [], "resource": {}}')
    assert not holds_only_moves(b'{"moved": [{"from": "a.b", "to": "c.d", "x": 1}]}')
    assert not holds_only_moves(b"not json")


def test_a_move_to_where_the_configuration_already_moves_something_starts_that_chain(tmp_path):
    # An earlier residency's address is moved by the configuration to the new one; Terraform allows one source
    # per address, so the rename's block leads into the chain.
    synthesized = {"moved": [{"from": "aws_s3_bucket.scope_docs_1", "to": "aws_s3_bucket.docs"},
                             {"from": "aws_s3_bucket.older", "to": "aws_s3_bucket.scope_docs_1"}]}
    [move] = renames(ChangeSet.from_plan({"resource_changes": [
        change("aws_s3_bucket.renamed_docs", ["delete"], {"bucket": "b"}),
        change("aws_s3_bucket.docs", ["create"], after={"bucket": "b"})]}))
    written = write_moves(tmp_path, [move], synthesized)
    assert json.loads(written.read_text()) == {"moved": [{"from": "aws_s3_bucket.renamed_docs",
                                                          "to": "aws_s3_bucket.older"}]}


def test_a_named_resource_is_never_taken_for_a_new_one_whose_name_is_not_known():
    # The guard of one bucket dropped, a guard alike added on a new bucket (named only once created).
    flags = {"block_public_acls": True, "block_public_policy": True}
    assert moves(change("aws_s3_bucket_public_access_block.private", ["delete"], flags | {"bucket": "docs"}),
                 change("aws_s3_bucket_public_access_block.private2", ["create"],
                        after=flags | {"bucket": UNKNOWN})) == []


def test_what_ties_a_guard_to_its_store_is_an_identity():
    """A guard is moved only by the store it guards (never by its content alone): a new guard type must keep it."""
    from residency.personal_data import STORE_GUARDS
    from residency.terraform.renames import IDENTIFYING

    assert set(STORE_GUARDS.values()) <= set(IDENTIFYING)
