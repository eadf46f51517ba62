"""The claim reconciler as deployed: on a schedule, invoked by that schedule only, least privilege, watched; and
post-authentication may read its own pool's accounts (to refuse a sign-in that races a deletion)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.stacks.test_abuse_limits import synthesized
from tests.stacks.test_architecture import by_name
from tests.stacks.test_synth import REGIONS, only, stack


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    """The sample with alerts on (one synth for the whole module)."""
    return synthesized(tmp_path_factory.mktemp("reconciler"), "\nalerts:\n  email:\n    default: [ops@example.com]\n")


def _statements(resources: dict, role_prefix: str) -> list[dict]:
    found = []
    for policy in resources["aws_iam_role_policy"].values():
        if policy["role"].startswith(f"${{aws_iam_role.{role_prefix}"):
            found += json.loads(policy["policy"])["Statement"]
    return found


def test_each_region_runs_its_reconciler_on_a_schedule_invoked_only_by_that_schedule(out_dir):
    for region in REGIONS:
        resources = stack(out_dir, region)["resource"]
        function = by_name(resources, "aws_lambda_function", "function_name")[f"acme-health-{region}-reconcile"]
        assert function["handler"] == "handlers.claim_reconciler.handler"
        assert function["reserved_concurrent_executions"] == 1 and function["timeout"] == 300
        rule = only(resources, "aws_cloudwatch_event_rule")
        assert rule["schedule_expression"].startswith("rate(")
        target = only(resources, "aws_cloudwatch_event_target")
        assert target["arn"].startswith("${aws_lambda_function.reconcile-function")
        (permission,) = [p for p in resources["aws_lambda_permission"].values()
                         if p["principal"] == "events.amazonaws.com"]
        assert permission["source_arn"].startswith("${aws_cloudwatch_event_rule.")


def test_the_reconciler_reads_its_own_region_only_and_never_scans_the_directory(out_dir):
    for region in REGIONS:
        statements = _statements(stack(out_dir, region)["resource"], "reconcile-function")
        by_action = {action: statement for statement in statements for action in
                     ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
        assert "dynamodb:Scan" in by_action and "table/acme-health-directory" not in json.dumps(
            by_action["dynamodb:Scan"]["Resource"])
        assert by_action["cognito-idp:ListUsers"]["Resource"] != "*"
        directory = [s for s in statements if "table/acme-health-directory" in json.dumps(s["Resource"])]
        assert {action for s in directory for action in s["Action"]} == {"dynamodb:DeleteItem"}
        assert not {"cognito-idp:AdminDeleteUser", "cognito-idp:AdminGetUser", "dynamodb:Query"} & set(by_action)


def test_post_authentication_may_read_its_own_pools_accounts_only(out_dir):
    for region in REGIONS:
        resources = stack(out_dir, region)["resource"]
        reads = [s for s in _statements(resources, "post-auth-function") if "cognito-idp:AdminGetUser" in s["Action"]]
        assert len(reads) == 1 and reads[0]["Action"] == ["cognito-idp:AdminGetUser"]
        assert [resource.split(".")[0] for resource in reads[0]["Resource"]] == ["${aws_cognito_user_pool"]


def test_a_failing_reconciler_raises_an_alarm(out_dir):
    resources = stack(out_dir, REGIONS[0])["resource"]
    alarms = by_name(resources, "aws_cloudwatch_metric_alarm", "alarm_name")
    (errors,) = [alarm for name, alarm in alarms.items() if name.endswith("reconcile-errors")]
    assert errors["metric_name"] == "Errors" and errors["threshold"] == 1
    assert "claim reconciler failed" in errors["alarm_description"]
