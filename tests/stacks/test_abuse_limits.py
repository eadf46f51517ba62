"""What limits abuse of a region's sign-up, sign-in and API, on the synthesized JSON: the pool's
password, MFA, threat protection and email-change settings, the API's throttling, the functions'
reserved concurrency; each following regions.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.conftest import SAMPLE, run_cli
from tests.stacks.test_synth import REGIONS, only, stack

STRICT = """
identity:
  mfa: required
  threat_protection: enforced
  password_min_length: 16
limits:
  api_rate: 20
  api_burst: 40
  function_concurrency: null
"""


def synthesized(root: Path, extra: str = "", *, frontend: bool = False) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text() + extra
    (root / "regions.yaml").write_text(text.replace("frontend: false", "frontend: true") if frontend else text)
    synthesize(load_config(root / "regions.yaml"), root / "cdktf.out")
    return root / "cdktf.out"


@pytest.fixture(scope="module")
def defaults(tmp_path_factory) -> Path:
    return synthesized(tmp_path_factory.mktemp("defaults"))


@pytest.fixture(scope="module")
def strict(tmp_path_factory) -> Path:
    return synthesized(tmp_path_factory.mktemp("strict"), STRICT)


@pytest.mark.parametrize("region", REGIONS)
def test_the_pool_by_default(defaults, region):
    pool = only(stack(defaults, region)["resource"], "aws_cognito_user_pool")
    assert pool["password_policy"] == {"minimum_length": 12, "require_lowercase": True, "require_uppercase": True,
                                       "require_numbers": True, "require_symbols": True,
                                       "temporary_password_validity_days": 3}
    assert pool["mfa_configuration"] == "OPTIONAL" and pool["software_token_mfa_configuration"] == {"enabled": True}
    assert "user_pool_add_ons" not in pool and "user_pool_tier" not in pool  # threat protection costs money: off
    # A new email is not used before it is verified; addresses compare without case, as the directory does.
    assert pool["user_attribute_update_settings"] == {"attributes_require_verification_before_update": ["email"]}
    assert pool["username_configuration"] == {"case_sensitive": False}
    assert pool["lifecycle"] == {"ignore_changes": ["username_configuration"], "prevent_destroy": True}


def test_the_pool_as_regions_yaml_asks(strict):
    pool = only(stack(strict, "eu-central-1")["resource"], "aws_cognito_user_pool")
    assert pool["password_policy"]["minimum_length"] == 16
    assert pool["mfa_configuration"] == "ON" and pool["software_token_mfa_configuration"] == {"enabled": True}
    assert pool["user_pool_add_ons"] == {"advanced_security_mode": "ENFORCED"}
    assert pool["user_pool_tier"] == "PLUS"


def test_mfa_off_leaves_the_authenticator_out(tmp_path):
    out = synthesized(tmp_path, "identity:\n  mfa: \"off\"\n")
    pool = only(stack(out, "us-east-1")["resource"], "aws_cognito_user_pool")
    assert pool["mfa_configuration"] == "OFF" and "software_token_mfa_configuration" not in pool


@pytest.mark.parametrize("region", REGIONS)
def test_every_route_is_throttled_and_every_function_has_reserved_concurrency(defaults, region):
    resources = stack(defaults, region)["resource"]
    assert only(resources, "aws_apigatewayv2_stage")["default_route_settings"] == {
        "throttling_rate_limit": 100, "throttling_burst_limit": 200}
    functions = {f["function_name"].rsplit("-", 1)[-1]: f for f in resources["aws_lambda_function"].values()}
    assert sorted(functions) == ["api", "auth", "confirm", "reconcile", "up"]
    assert len(resources["aws_lambda_function"]) == 6  # pre-auth and post-auth both end in "auth"
    # The scheduled reconciler needs one at a time; the functions users reach get the configured reserve.
    assert {f["function_name"]: f["reserved_concurrent_executions"] for f in resources["aws_lambda_function"].values()
            if f["reserved_concurrent_executions"] != 10} == {f"acme-health-{region}-reconcile": 1}


def test_limits_follow_regions_yaml_and_null_reserves_nothing(strict):
    resources = stack(strict, "ap-southeast-2")["resource"]
    assert only(resources, "aws_apigatewayv2_stage")["default_route_settings"] == {
        "throttling_rate_limit": 20, "throttling_burst_limit": 40}
    assert all("reserved_concurrent_executions" not in f for f in resources["aws_lambda_function"].values())


@pytest.mark.parametrize(("setting", "message"), [
    ("identity:\n  password_min_length: 7\n", "identity.password_min_length"),
    ("identity:\n  mfa: sometimes\n", "identity.mfa"),
    ("identity:\n  threat_protection: full\n", "identity.threat_protection"),
    ("limits:\n  function_concurrency: 0\n", "limits.function_concurrency"),
    ("limits:\n  api_rate: fast\n", "limits.api_rate"),
    ("limits:\n  api_limit: 5\n", "limits.api_limit: unknown key 'api_limit'"),
])
def test_bad_settings_are_one_clear_error(tmp_path, setting, message):
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text() + setting)
    result = run_cli(["validate"], tmp_path)
    assert result.returncode == 65, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
