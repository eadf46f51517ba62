"""Who may use which key, the directory's claims, key versions and the front end's WAF, on the
synthesized JSON: the key policies separate administrators from users, only residency's functions
compute user keys, data keys are used only through their services, and each follows regions.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.config import load_config
from residency.errors import ConfigError
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.stacks.test_abuse_limits import synthesized
from tests.stacks.test_architecture import by_name
from tests.stacks.test_synth import REGIONS, only, reference, stack

ACCOUNT = "${data.aws_caller_identity.account.account_id}"
USE = {"kms:Encrypt", "kms:Decrypt", "kms:GenerateMac", "kms:VerifyMac", "kms:CreateGrant", "kms:ReEncryptFrom",
       "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:Sign"}
ROTATED = """
directory:
  key_versions: [2, 1]
  pending_claim_hours: 2
limits:
  frontend_requests_per_ip: 300
"""


@pytest.fixture(scope="module")
def defaults(tmp_path_factory) -> Path:
    return synthesized(tmp_path_factory.mktemp("defaults"))


@pytest.fixture(scope="module")
def rotated(tmp_path_factory) -> Path:
    return synthesized(tmp_path_factory.mktemp("rotated"), ROTATED, frontend=True)


def statements(resource: dict) -> list[dict]:
    return json.loads(resource["policy"])["Statement"]


def may_use(actions: str | list[str]) -> set[str]:
    """The key-using actions a statement's Action element reaches, wildcards expanded."""
    listed = [actions] if isinstance(actions, str) else actions
    return {use for use in USE for action in listed
            if action in ("*", "kms:*") or use == action or (action.endswith("*") and use.startswith(action[:-1]))}


def role(region: str, purpose: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/acme-health-{region}-{purpose}"


def keys_of(out: Path) -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    for workspace in (*REGIONS, "global"):
        resources = stack(out, workspace)["resource"]
        for kind in ("aws_kms_key", "aws_kms_replica_key"):
            found.extend((f"{workspace}:{name}", key) for name, key in resources.get(kind, {}).items())
    return found


def test_no_key_gives_anyone_kms_star_and_administrators_cannot_use_any_key(defaults):
    keys = keys_of(defaults)
    assert len(keys) == 4 + 1 + 1 + 3  # a data key per region; global's directory key, HMAC key and its replicas
    for address, key in keys:
        for statement in statements(key):
            assert statement["Action"] not in ("*", "kms:*"), address
            if statement["Sid"] == "AdministratorsManageButCannotUse":
                assert may_use(statement["Action"]) == set(), address
                assert "Condition" not in statement
            elif statement["Principal"] != {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}:
                assert statement["Sid"] == "LogsOfThisRegion", address
            elif statement["Sid"] == "ReplicasOnlyWhereListed":  # the HMAC key, to listed regions only
                assert statement["Action"] == "kms:ReplicateKey", address
                assert set(statement["Condition"]["StringEquals"]["kms:ReplicaRegion"]) == {
                    "eu-central-1", "eu-west-1", "ap-southeast-2"}, address
            else:  # every grant of use to the account is held back by a condition
                condition = statement["Condition"]
                assert "kms:ViaService" in condition.get("StringEquals", {}) or \
                    "aws:PrincipalArn" in condition.get("ArnEquals", {}), address


def test_only_residencys_functions_compute_user_keys(defaults):
    resources = stack(defaults, "global")["resource"]
    hmac_keys = [key for key in resources["aws_kms_key"].values() if key.get("key_usage") == "GENERATE_VERIFY_MAC"]
    hmac_keys += [key for key in resources["aws_kms_replica_key"].values() if "HMAC" in key["description"]]
    assert len(hmac_keys) == 4  # the key in us-east-1 and a replica in each other region
    expected = sorted(role(region, purpose) for region in REGIONS
                      for purpose in ("pre-sign-up", "pre-auth", "post-confirm", "post-auth", "api",
                                                                    "reconcile"))
    for key in hmac_keys:
        (use,) = [s for s in statements(key) if s["Sid"] == "ResidencyFunctionsComputeUserKeys"]
        assert use["Action"] == "kms:GenerateMac"  # not VerifyMac, not anything else
        assert sorted(use["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == expected


@pytest.mark.parametrize("region", REGIONS)
def test_a_regions_data_key_is_used_only_through_its_services_and_by_its_functions(defaults, region):
    resources = stack(defaults, region)["resource"]
    by_sid = {s["Sid"]: s for s in statements(only(resources, "aws_kms_key"))}
    assert set(by_sid) == {"AdministratorsManageButCannotUse", "UseThroughItsServices", "GrantsForItsServices",
                           "FunctionsReadTheirSettings", "LogsOfThisRegion"}
    services = [f"{service}.{region}.amazonaws.com" for service in ("dynamodb", "s3", "lambda")]
    assert by_sid["UseThroughItsServices"]["Condition"]["StringEquals"]["kms:ViaService"] == services
    assert by_sid["GrantsForItsServices"]["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    reads = by_sid["FunctionsReadTheirSettings"]
    assert reads["Action"] == "kms:Decrypt"
    assert sorted(reads["Condition"]["ArnEquals"]["aws:PrincipalArn"]) == sorted(
        role(region, purpose) for purpose in ("pre-sign-up", "pre-auth", "post-confirm", "post-auth", "api",
                                                                    "reconcile"))
    # Each function's role is the one the condition names.
    for function in resources["aws_lambda_function"].values():
        roles = by_name(resources, "aws_iam_role")
        assert function["function_name"] in roles


def test_global_and_state_keys_are_used_only_through_dynamodb_or_s3(defaults, tmp_path):
    resources = stack(defaults, "global")["resource"]
    directory_key = by_name(resources, "aws_kms_key", "description")[
        "Encrypts the residency directory (user key -> home region)"]
    (use,) = [s for s in statements(directory_key) if s["Sid"] == "UseThroughItsServices"]
    assert use["Condition"]["StringEquals"]["kms:ViaService"] == ["dynamodb.us-east-1.amazonaws.com"]


def test_the_directory_expires_pending_claims_and_the_functions_know_for_how_long(defaults, rotated):
    table = only(stack(defaults, "global")["resource"], "aws_dynamodb_table")
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["attribute"] == [{"name": "user_key", "type": "S"}]  # TTL declares no attribute
    for out, seconds in ((defaults, "3600"), (rotated, "7200")):
        resources = stack(out, "eu-central-1")["resource"]
        settings = [f["environment"]["variables"] for f in resources["aws_lambda_function"].values()]
        assert {s["PENDING_CLAIM_SECONDS"] for s in settings} == {seconds}


def test_two_key_versions_give_two_keys_everywhere_the_current_first(rotated):
    resources = stack(rotated, "global")["resource"]
    aliases = {(alias["name"], alias.get("provider")) for alias in resources["aws_kms_alias"].values()}
    for name in ("alias/acme-health-directory-hmac", "alias/acme-health-directory-hmac-v2"):
        assert {(name, provider) for provider in (None, "aws.eu-central-1", "aws.ap-southeast-2")} <= aliases
    hmac = {name: key for name, key in resources["aws_kms_key"].items()
            if key.get("key_usage") == "GENERATE_VERIFY_MAC"}
    assert set(hmac) == {"hmac-key", "hmac-key-v2"}  # version 1 keeps its address: upgrading replaces nothing
    # Only the current version is protected: an older one may go once its users have moved.
    assert hmac["hmac-key-v2"]["lifecycle"] == {"prevent_destroy": True}
    assert "lifecycle" not in hmac["hmac-key"]
    region = stack(rotated, "eu-central-1")["resource"]
    settings = by_name(region, "aws_lambda_function", "function_name")["acme-health-eu-central-1-pre-auth"]
    assert settings["environment"]["variables"]["HMAC_KEYS"] == (
        "2=alias/acme-health-directory-hmac-v2,1=alias/acme-health-directory-hmac")
    computes = [s for p in region["aws_iam_role_policy"].values() for s in json.loads(p["policy"])["Statement"]
                if s["Action"] == ["kms:GenerateMac"]]
    assert len(computes) == 6  # the six functions
    assert all(s["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"] == [
        "alias/acme-health-directory-hmac-v2", "alias/acme-health-directory-hmac"] for s in computes)


def test_the_front_end_is_behind_a_rate_limiting_waf_that_keeps_no_requests(rotated, defaults):
    resources = stack(rotated, "global")["resource"]
    firewall = only(resources, "aws_wafv2_web_acl")
    assert firewall["scope"] == "CLOUDFRONT" and "provider" not in firewall  # global is in us-east-1 here
    assert firewall["default_action"] == {"allow": {}}
    (rule,) = firewall["rule"]
    assert rule["action"] == {"block": {}}
    assert rule["statement"] == {"rate_based_statement": {"limit": 300, "aggregate_key_type": "IP",
                                                          "evaluation_window_sec": 300}}
    for visibility in (firewall["visibility_config"], rule["visibility_config"]):
        assert visibility["sampled_requests_enabled"] is False
    assert "aws_wafv2_web_acl_logging_configuration" not in resources
    distribution = only(resources, "aws_cloudfront_distribution")
    assert distribution["web_acl_id"] == reference(resources, "aws_wafv2_web_acl", "arn")
    assert "aws_wafv2_web_acl" not in stack(defaults, "global")["resource"]  # no front end, no WAF


def test_the_waf_lives_in_us_east_1_whatever_globals_region(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    text = SAMPLE.read_text().replace("frontend: false", "frontend: true").replace(
        "  region: us-east-1 ", "  region: eu-central-1 ")
    (root / "regions.yaml").write_text(text)
    synthesize(load_config(root / "regions.yaml"), root / "cdktf.out")
    firewall = only(stack(root / "cdktf.out", "global")["resource"], "aws_wafv2_web_acl")
    assert firewall["provider"] == "aws.us-east-1"


@pytest.mark.parametrize(("setting", "message"), [
    ("directory:\n  key_versions: [1, 1]\n", "key versions are distinct whole numbers from 1 to 99"),
    ("directory:\n  key_versions: []\n", "at least 1 item"),
    ("directory:\n  key_versions: [0]\n", "key versions are distinct whole numbers from 1 to 99"),
    ("directory:\n  pending_claim_hours: 0\n", "greater than or equal to 1"),
    ("limits:\n  frontend_requests_per_ip: 5\n", "greater than or equal to 10"),
])
def test_bad_directory_and_limit_settings_are_located(tmp_path, setting, message):
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text() + setting)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "regions.yaml")
    assert message in str(error.value)
    assert setting.split(":")[0] in str(error.value)


WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
          "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem"}


@pytest.mark.parametrize("region", REGIONS)
def test_only_the_triggers_after_a_proof_and_the_api_may_write_claims(defaults, region):
    """Pre-authentication runs for anyone who types an address, before the password is checked: its
    role may only read the directory. Post-confirmation and post-authentication (after a proof),
    pre-sign-up (pending claims), the API (DELETE /me) and the claim reconciler (claims of deleted accounts) may
    write."""
    resources = stack(defaults, region)["resource"]
    writers = set()
    for policy in resources["aws_iam_role_policy"].values():
        # ${aws_iam_role.pre-auth-function_role_AF411F5A.id} -> pre-auth
        purpose = policy["role"].split(".")[1].rsplit("_", 1)[0].removesuffix("-function_role")
        for statement in json.loads(policy["policy"])["Statement"]:
            if "table/acme-health-directory" in json.dumps(statement["Resource"]) and WRITES & set(statement["Action"]):
                writers.add(purpose)
    assert writers == {"pre-sign-up", "post-confirm", "post-auth", "api", "reconcile"}
