"""The record of creations an apply never saw finish: what goes in it, and how it reads back.
With real Terraform and the emulator: tests/local/test_creation_adoption_on_the_emulator.py."""

from __future__ import annotations

import json

from residency.terraform.creation_adoption import (
    Creation,
    import_id,
    read_record,
    record_path,
    unfinished,
    write_down,
)


def change(address: str, resource_type: str, after: dict[str, object] | None) -> dict[str, object]:
    return {"address": address, "type": resource_type, "change": {"actions": ["create"], "after": after}}


PLAN = {"resource_changes": [
    change("aws_lambda_function.f", "aws_lambda_function", {"function_name": "acme-f"}),
    change("aws_lambda_permission.p", "aws_lambda_permission",
           {"function_name": "acme-f", "statement_id": "cognito", "qualifier": None}),
    change("aws_kms_key.k", "aws_kms_key", {"description": "data"}),
    change("aws_s3_bucket_versioning.v", "aws_s3_bucket_versioning", {"bucket": "acme-data"}),
    change("aws_iam_role_policy.p", "aws_iam_role_policy", {"name": "least", "role": "acme-f"}),
    change("aws_apigatewayv2_stage.s", "aws_apigatewayv2_stage", {"api_id": "abc123", "name": "$default"}),
    change("aws_iam_role.r", "aws_iam_role", {"name": None}),  # a name the plan did not know
]}


def test_each_creation_gets_the_id_terraform_imports_it_by_or_none():
    addresses = [str(c["address"]) for c in PLAN["resource_changes"]] + ["module.m.aws_cognito_user_pool.pool"]
    found = {c.address: (c.type, c.import_id) for c in unfinished(addresses, PLAN)}
    assert found == {
        "aws_lambda_function.f": ("aws_lambda_function", "acme-f"),
        "aws_lambda_permission.p": ("aws_lambda_permission", "acme-f/cognito"),
        "aws_kms_key.k": ("aws_kms_key", None),  # AWS names it: findable by no name
        "aws_apigatewayv2_stage.s": ("aws_apigatewayv2_stage", "abc123/$default"),
        "aws_iam_role.r": ("aws_iam_role", None),
        "module.m.aws_cognito_user_pool.pool": ("aws_cognito_user_pool", None),  # not in the plan at all
    }  # settings of another resource (bucket versioning, a role's policy) leave nothing behind


def test_import_ids_need_every_part_and_no_qualifier():
    assert import_id("aws_lambda_permission", {"function_name": "f", "statement_id": ""}) is None
    assert import_id("aws_lambda_permission", {"function_name": "f", "statement_id": "s", "qualifier": "live"}) is None
    assert import_id("aws_s3_bucket", {"bucket": "b"}) == "b"
    assert import_id("aws_s3_bucket", None) is None
    assert import_id("aws_unknown_thing", {"name": "n"}) is None


def test_the_record_keeps_earlier_creations_until_adopted(tmp_path):
    write_down(tmp_path, "eu-west-1", [Creation("aws_lambda_function.f", "aws_lambda_function", "acme-f")])
    write_down(tmp_path, "eu-west-1", [Creation("aws_kms_key.k", "aws_kms_key", None),
                                       Creation("aws_lambda_function.f", "aws_lambda_function", "acme-f")])
    write_down(tmp_path, "eu-west-1", [])
    assert read_record(tmp_path, "eu-west-1") == [
        Creation("aws_lambda_function.f", "aws_lambda_function", "acme-f"),
        Creation("aws_kms_key.k", "aws_kms_key", None)]
    assert read_record(tmp_path, "us-east-1") == []
    assert not list(record_path(tmp_path, "eu-west-1").parent.glob("*.partial"))


def test_an_unreadable_record_adopts_nothing(tmp_path):
    path = record_path(tmp_path, "eu-west-1")
    path.parent.mkdir(parents=True)
    for text in ("not json", json.dumps(["a list"]), json.dumps({"creations": "no"}),
                 json.dumps({"creations": [{"type": "aws_s3_bucket"}, "x"]})):
        path.write_text(text)
        assert read_record(tmp_path, "eu-west-1") == []
    path.write_text(json.dumps({"creations": [{"address": "aws_s3_bucket.b", "import_id": 7}]}))
    assert read_record(tmp_path, "eu-west-1") == [Creation("aws_s3_bucket.b", "", None)]
