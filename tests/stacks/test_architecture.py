"""The region silo and the global directory, asserted on the synthesized JSON by type and property."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.stacks.test_synth import REGIONS, only, reference, stack


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("architecture") / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    return out

@pytest.fixture(scope="module")
def aws_out_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("architecture-aws")
    (root / "regions.yaml").write_text(SAMPLE.read_text().replace("target: local", "target: aws"))
    synthesize(load_config(root / "regions.yaml"), root / "cdktf.out")
    return root / "cdktf.out"

def by_name(resources: dict, kind: str, attribute: str = "name") -> dict[str, dict]:
    return {item[attribute]: item for item in resources[kind].values()}

@pytest.mark.parametrize("region", REGIONS)
def test_user_pool_has_immutable_region_and_both_triggers(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    pool = only(resources, "aws_cognito_user_pool")
    assert pool["username_attributes"] == ["email"]
    (attribute,) = pool["schema"]
    assert (attribute["name"], attribute["mutable"]) == ("region", False)
    lambdas = by_name(resources, "aws_lambda_function", "function_name")
    logical = {f"acme-health-{region}-{purpose}": f"${{aws_lambda_function.{key}.arn}}"
               for key, fn in resources["aws_lambda_function"].items()
               for purpose in ("pre-sign-up", "pre-auth", "post-confirm", "post-auth")
               if fn["function_name"].endswith(purpose)}
    assert pool["lambda_config"] == {
        "pre_sign_up": logical[f"acme-health-{region}-pre-sign-up"],
        "pre_authentication": logical[f"acme-health-{region}-pre-auth"],
        "post_confirmation": logical[f"acme-health-{region}-post-confirm"],
        "post_authentication": logical[f"acme-health-{region}-post-auth"],
    }
    assert set(lambdas) == {f"acme-health-{region}-{p}"
                            for p in ("pre-sign-up", "pre-auth", "post-confirm", "post-auth", "api", "reconcile")}
    client = only(resources, "aws_cognito_user_pool_client")
    assert client["prevent_user_existence_errors"] == "ENABLED"
    assert "custom:region" in client["write_attributes"]
    cognito_permissions = [p for p in resources["aws_lambda_permission"].values()
                           if p["principal"] == "cognito-idp.amazonaws.com"]
    assert len(cognito_permissions) == 4
    assert {p["source_arn"] for p in cognito_permissions} == {reference(resources, "aws_cognito_user_pool", "arn")}

@pytest.mark.parametrize("region", REGIONS)
def test_api_routes_authorizer_and_access_logs(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    routes = by_name(resources, "aws_apigatewayv2_route", "route_key")
    # The product's own routes (examples/profile-api's GET and PUT /me) are extensions, not the core's.
    assert set(routes) == {"GET /health", "GET /config", "DELETE /me"}
    authorizer_id = reference(resources, "aws_apigatewayv2_authorizer", "id")
    assert (routes["DELETE /me"]["authorization_type"], routes["DELETE /me"]["authorizer_id"]) == ("JWT",
                                                                                                   authorizer_id)
    for key in ("GET /health", "GET /config"):
        assert routes[key]["authorization_type"] == "NONE" and "authorizer_id" not in routes[key]
    authorizer = only(resources, "aws_apigatewayv2_authorizer")
    pool_id = reference(resources, "aws_cognito_user_pool", "id")
    assert authorizer["jwt_configuration"]["issuer"] == f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    assert authorizer["jwt_configuration"]["audience"] == [reference(resources, "aws_cognito_user_pool_client", "id")]
    stage = only(resources, "aws_apigatewayv2_stage")
    access_group = by_name(resources, "aws_cloudwatch_log_group")[f"/residency/acme-health/{region}/api-access"]
    assert access_group["kms_key_id"] == reference(resources, "aws_kms_key", "arn")
    assert stage["access_log_settings"]["destination_arn"].endswith(".arn}")
    assert "sourceIp" not in stage["access_log_settings"]["format"]

@pytest.mark.parametrize("region", REGIONS)
def test_every_log_group_is_encrypted_and_expires(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    groups = resources["aws_cloudwatch_log_group"].values()
    assert len(groups) == 7  # six functions and the API
    key_arn = reference(resources, "aws_kms_key", "arn")
    assert all(group["kms_key_id"] == key_arn and group["retention_in_days"] == 30 for group in groups)
    policy = json.loads(only(resources, "aws_kms_key")["policy"])
    logs = next(s for s in policy["Statement"] if s.get("Sid") == "LogsOfThisRegion")
    assert logs["Principal"] == {"Service": f"logs.{region}.amazonaws.com"}

@pytest.mark.parametrize("region", REGIONS)
def test_roles_are_least_privilege_and_scoped_to_this_region(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    for policy in resources["aws_iam_role_policy"].values():
        for statement in json.loads(policy["policy"])["Statement"]:
            assert statement["Effect"] == "Allow"
            assert "*" not in statement["Action"] and not any(a.endswith(":*") for a in statement["Action"])
            directory = "table/acme-health-directory" in json.dumps(statement)
            # the directory is read and written in the global region (no replicas on the local target);
            # user keys are computed at home (the HMAC key has a replica in every region)
            assert statement["Condition"]["StringEquals"] == {
                "aws:RequestedRegion": ["us-east-1" if directory else region]}
            if directory:  # items by their key, never a query or a scan
                assert set(statement["Action"]) <= {"dynamodb:BatchGetItem", "dynamodb:UpdateItem",
                                                     "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem"}
            for resource in statement["Resource"]:
                assert resource != "*"
                if resource.startswith("arn:aws:kms:"):
                    # the HMAC key's id is not known here: any key, but only with the directory alias
                    assert statement["Condition"]["ForAnyValue:StringEquals"] == {
                        "kms:ResourceAliases": ["alias/acme-health-directory-hmac"]}

def test_triggers_read_the_directory_in_the_global_region_and_compute_keys_at_home_on_the_local_target(out_dir):
    resources = stack(out_dir, "eu-central-1")["resource"]
    lambdas = by_name(resources, "aws_lambda_function", "function_name")
    environment = lambdas["acme-health-eu-central-1-pre-sign-up"]["environment"]["variables"]
    assert environment == {
        "HOME_REGION": "eu-central-1", "DIRECTORY_TABLE": "acme-health-directory",
        "DIRECTORY_WRITE_REGION": "us-east-1", "DIRECTORY_READ_REGION": "us-east-1",
        "HMAC_KEYS": "1=alias/acme-health-directory-hmac", "HMAC_KEY_REGION": "eu-central-1",
        "PENDING_CLAIM_SECONDS": "3600",
    }
    assert lambdas["acme-health-eu-central-1-api"]["handler"] == "handlers.api.handler"
    assert lambdas["acme-health-eu-central-1-api"]["runtime"] == "python3.12"

def test_triggers_read_their_own_replicas_on_aws(aws_out_dir):
    resources = stack(aws_out_dir, "eu-central-1")["resource"]
    environment = by_name(resources, "aws_lambda_function", "function_name")[
        "acme-health-eu-central-1-pre-auth"]["environment"]["variables"]
    assert environment["DIRECTORY_READ_REGION"] == "eu-central-1"
    assert environment["HMAC_KEY_REGION"] == "eu-central-1"
    assert environment["DIRECTORY_WRITE_REGION"] == "us-east-1"

def test_directory_is_replicated_to_every_other_region_on_aws(aws_out_dir):
    synthesized = stack(aws_out_dir, "global")
    resources = synthesized["resource"]
    table = only(resources, "aws_dynamodb_table")
    assert {replica["region_name"] for replica in table["replica"]} == {"eu-central-1", "eu-west-1", "ap-southeast-2"}
    assert all(replica["point_in_time_recovery"] for replica in table["replica"])
    assert table["stream_enabled"] is True
    assert table["attribute"] == [{"name": "user_key", "type": "S"}]  # nothing but the key is declared
    hmac = next(key for key in resources["aws_kms_key"].values() if key.get("key_usage") == "GENERATE_VERIFY_MAC")
    assert (hmac["customer_master_key_spec"], hmac["multi_region"]) == ("HMAC_256", True)
    replicas = resources["aws_kms_replica_key"].values()
    assert {replica["provider"] for replica in replicas} == {"aws.eu-central-1", "aws.eu-west-1", "aws.ap-southeast-2"}
    aliases = {(alias["name"], alias.get("provider")) for alias in resources["aws_kms_alias"].values()}
    hmac_alias = "alias/acme-health-directory-hmac"
    assert {(hmac_alias, p) for p in (None, "aws.eu-central-1", "aws.eu-west-1", "aws.ap-southeast-2")} <= aliases
    used = {resource["provider"] for kind in resources.values() for resource in kind.values() if "provider" in resource}
    assert used == {"aws.eu-central-1", "aws.eu-west-1", "aws.ap-southeast-2"}

def test_directory_has_no_replicas_on_the_local_target(out_dir):
    table = only(stack(out_dir, "global")["resource"], "aws_dynamodb_table")
    assert "replica" not in table

def test_handlers_bundle_is_copied_once_per_workspace_and_is_deterministic(out_dir, tmp_path):
    zips = sorted(out_dir.glob("stacks/*/assets/**/*.zip"))
    assert len(zips) == len(REGIONS)
    assert len({z.read_bytes() for z in zips}) == 1
    synthesize(load_config(SAMPLE), tmp_path / "again")
    again = sorted((tmp_path / "again").glob("stacks/*/assets/**/*.zip"))
    assert [z.read_bytes() for z in again] == [z.read_bytes() for z in zips]
    resources = stack(out_dir, "eu-central-1")["resource"]
    for function in resources["aws_lambda_function"].values():
        assert (out_dir / "stacks" / "eu-central-1" / function["filename"]).is_file()


@pytest.mark.parametrize("region", REGIONS)
def test_a_regions_data_stores_cannot_be_destroyed_by_a_plan(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    table = only(resources, "aws_dynamodb_table")
    pool = only(resources, "aws_cognito_user_pool")
    assert table["deletion_protection_enabled"] is True
    assert pool["deletion_protection"] == "ACTIVE"
    protected = [only(resources, kind) for kind in ("aws_dynamodb_table", "aws_cognito_user_pool", "aws_kms_key",
                                                     "aws_s3_bucket")]
    assert all(item["lifecycle"]["prevent_destroy"] is True for item in protected)


def test_the_directory_and_its_keys_cannot_be_destroyed_by_a_plan(out_dir):
    resources = stack(out_dir, "global")["resource"]
    directory = only(resources, "aws_dynamodb_table")
    assert directory["deletion_protection_enabled"] is True
    assert directory["lifecycle"]["prevent_destroy"] is True
    assert all(key["lifecycle"]["prevent_destroy"] is True for key in resources["aws_kms_key"].values())


def test_global_records_the_countries_each_region_served(out_dir):
    outputs = stack(out_dir, "global")["output"]
    served = outputs["regions_served"]["value"]
    assert {code: countries for code, countries in served.items() if code != "eu-central-1"} == {
        "eu-west-1": ["IE"], "us-east-1": ["US"], "ap-southeast-2": ["AU", "NZ"]}
    # `countries: [EU]`: every EU and EEA country eu-west-1 does not list, Ireland is eu-west-1's
    assert {"DE", "FR", "NL", "PL", "NO", "IS", "LI", "RE"} <= set(served["eu-central-1"])
    assert "IE" not in served["eu-central-1"] and len(served["eu-central-1"]) == 26 + 7 + 3


@pytest.mark.parametrize("region", REGIONS)
def test_data_buckets_refuse_plain_http_on_aws(aws_out_dir, region):
    resources = stack(aws_out_dir, region)["resource"]
    policy = json.loads(only(resources, "aws_s3_bucket_policy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert policy["Statement"][0]["Resource"][0].startswith("${aws_s3_bucket.")
