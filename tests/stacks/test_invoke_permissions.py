"""Who may invoke residency's functions through their resource policies: each service only for its own pool, API
or rule. (An identity policy in the same account is enough without them: the organization SCP is for that.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.stacks.test_synth import REGIONS, stack

# principal -> the source ARN it may invoke for, as a reference to a resource of the same workspace
SOURCES = {
    "cognito-idp.amazonaws.com": re.compile(r"\$\{aws_cognito_user_pool\.[\w-]+\.arn\}"),
    "apigateway.amazonaws.com": re.compile(r"\$\{aws_apigatewayv2_api\.[\w-]+\.execution_arn\}/\*/\*"),
    "events.amazonaws.com": re.compile(r"\$\{aws_cloudwatch_event_rule\.[\w-]+\.arn\}"),
}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("invoke") / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    return out


def references(value: str, kind: str, resources: dict) -> str | None:
    """The logical id of the `kind` resource of this workspace that `value` references."""
    found = re.findall(rf"\$\{{{kind}\.([\w-]+)\.", value)
    return found[0] if len(found) == 1 and found[0] in resources.get(kind, {}) else None


@pytest.mark.parametrize("region", REGIONS)
def test_each_service_may_invoke_only_for_its_own_resource(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    permissions = resources["aws_lambda_permission"]
    assert permissions
    for name, permission in permissions.items():
        assert permission["action"] == "lambda:InvokeFunction", name
        assert permission["principal"] in SOURCES, (name, permission["principal"])
        assert SOURCES[permission["principal"]].fullmatch(permission["source_arn"]), (name, permission["source_arn"])
        kind = re.match(r"\$\{(\w+)\.", permission["source_arn"])[1]  # type: ignore[index]
        assert references(permission["source_arn"], kind, resources), name
        assert references(permission["function_name"], "aws_lambda_function", resources), name
        assert not {"source_account", "principal_org_id", "function_url_auth_type"} & set(permission), name


@pytest.mark.parametrize("region", REGIONS)
def test_every_function_is_invoked_by_a_service_and_the_api_only_by_its_api(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    permissions = resources["aws_lambda_permission"].values()
    invoked = {references(p["function_name"], "aws_lambda_function", resources) for p in permissions}
    assert invoked == set(resources["aws_lambda_function"])
    api = next(key for key, function in resources["aws_lambda_function"].items()
               if function["function_name"] == f"acme-health-{region}-api")
    (api_permission,) = [p for p in permissions if references(p["function_name"], "aws_lambda_function", resources)
                         == api]
    (api_id,) = resources["aws_apigatewayv2_api"]
    assert api_permission["principal"] == "apigateway.amazonaws.com"
    assert api_permission["source_arn"] == f"${{aws_apigatewayv2_api.{api_id}.execution_arn}}/*/*"
    assert "aws_lambda_function_url" not in resources


def test_global_has_no_function(out_dir):
    """The organization SCP exempts only the roles that apply the regions (Config.function_deployers): a function
    in global would need global's apply role too."""
    resources = stack(out_dir, "global").get("resource", {})
    assert "aws_lambda_function" not in resources and "aws_lambda_permission" not in resources
