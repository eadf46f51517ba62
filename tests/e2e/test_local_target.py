"""The whole product on the local target, as a user runs it: real terraform, the real AWS
provider, the moto server over HTTP. Slow (minutes): one scenario, many checks."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.conftest import run_cli
from tests.handlers.support import http_event

pytestmark = pytest.mark.terraform


def emulator_client(project: Path, service: str, region: str):  # type: ignore[no-untyped-def]
    status = json.loads(run_cli(["local", "status", "--json"], project).stdout)
    assert status["running"], status
    return boto3.client(service, region_name=region, endpoint_url=status["url"],
                        aws_access_key_id="test", aws_secret_access_key="test")


def check(result, expected_code: int) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == expected_code, (
        f"exit {result.returncode}, expected {expected_code}\n"
        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-6000:]}"
    )


def test_apply_drift_idempotence_protected_data_and_restart(project, terraform_binary, provider_mirror, monkeypatch):
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        applied = run_cli(["apply", "--all", "--json"], project, env)
        check(applied, 0)
        report = json.loads(applied.stdout)
        assert [w["workspace"] for w in report["workspaces"]] == [
            "eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"]
        assert all(w["status"] == "applied" and w["changes"]["add"] > 0 for w in report["workspaces"])
        region_resources = report["workspaces"][0]["changes"]["add"]
        # Applied plans hold the workspaces' values and are spent: none is kept.
        assert list((project / ".residency" / "plans").glob("*.tfplan")) == []
        assert "local AWS emulator started" in applied.stderr
        assert "Node" not in applied.stderr  # jsii's banner is silenced

        # What was applied is really there, with the promised settings.
        dynamodb = emulator_client(project, "dynamodb", "eu-central-1")
        table = dynamodb.describe_table(TableName="acme-health-eu-central-1-data")["Table"]
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["SSEDescription"]["SSEType"] == "KMS"
        backups = dynamodb.describe_continuous_backups(TableName="acme-health-eu-central-1-data")
        assert backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
            "PointInTimeRecoveryStatus"] == "ENABLED"
        directory = emulator_client(project, "dynamodb", "us-east-1")
        assert directory.describe_table(TableName="acme-health-directory")["Table"]["KeySchema"] == [
            {"AttributeName": "user_key", "KeyType": "HASH"}]

        # Outputs and any Terraform command, with residency's environment, from a subdirectory too.
        subdirectory = project / "docs"
        subdirectory.mkdir(exist_ok=True)
        shown = run_cli(["output", "--all", "--json"], subdirectory, env)
        check(shown, 0)
        outputs = json.loads(shown.stdout)["workspaces"]
        assert sorted(outputs["global"]["regions_served"]) == ["ap-southeast-2", "eu-central-1", "eu-west-1",
                                                               "us-east-1"]
        assert outputs["eu-central-1"]["personal_data_stores"]
        listed = run_cli(["tf", "eu-central-1", "--", "state", "list"], subdirectory, env)
        check(listed, 0)
        assert any(line.startswith("aws_dynamodb_table.") for line in listed.stdout.splitlines()), listed.stdout

        sign_up_through_the_triggers(project, monkeypatch)
        rotate_the_hmac_key(project, env, monkeypatch)

        check(run_cli(["drift", "--all"], project, env), 0)
        check(run_cli(["plan", "--all", "--detailed-exitcode"], project, env), 0)

        # Behind Terraform's back: point-in-time recovery switched off on the EU table.
        dynamodb.update_continuous_backups(
            TableName="acme-health-eu-central-1-data",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False},
        )
        drifted = run_cli(["drift", "--all", "--json"], project, env)
        check(drifted, 2)
        by_workspace = {w["workspace"]: w for w in json.loads(drifted.stdout)["workspaces"]}
        assert by_workspace["eu-central-1"]["status"] == "drifted"
        drifted_addresses = [d["address"] for d in by_workspace["eu-central-1"]["drifted"]]
        assert len(drifted_addresses) == 1 and drifted_addresses[0].startswith("aws_dynamodb_table."), \
            drifted_addresses
        assert all(by_workspace[w]["status"] == "no changes" for w in ("us-east-1", "ap-southeast-2", "global"))
        human = run_cli(["drift", "eu-central-1"], project, env)
        check(human, 2)
        assert "drift: eu-central-1: aws_dynamodb_table." in human.stdout
        # ...naming the attribute that drifted, with both values
        (drifted_table,) = by_workspace["eu-central-1"]["drifted"]
        assert {"path": "point_in_time_recovery.0.enabled", "before": True, "after": False} in (
            drifted_table["attributes"]), drifted_table
        assert "    point_in_time_recovery.0.enabled: true -> false" in human.stdout

        # The plan reviewed (it restores recovery) is the plan applied, once shown current.
        plans = project.parent / f"{project.name}-reviewed-plans"
        saved = run_cli(["plan", "--all", "--save-plans", str(plans), "--json"], project, env)
        check(saved, 0)
        manifest = json.loads((plans / "manifest.json").read_text())
        assert {name: entry["status"] for name, entry in manifest["workspaces"].items()} == {
            "eu-central-1": "changes", "eu-west-1": "no changes", "us-east-1": "no changes",
            "ap-southeast-2": "no changes", "global": "no changes"}
        planned = {w["workspace"]: w for w in json.loads(saved.stdout)["workspaces"]}["eu-central-1"]
        assert planned["plan_digest"] == manifest["workspaces"]["eu-central-1"]["change_digest"]
        assert [entry["address"] for entry in planned["diff"]] == drifted_addresses
        config = (project / "regions.yaml").read_text()
        (project / "regions.yaml").write_text(config.replace("tags: {}", "tags: {team: payments}"))
        # A reviewer sees what a tag change does, value by value
        tagged = run_cli(["plan", "eu-central-1"], project, env)
        check(tagged, 0)
        assert re.search(r'^      tags(_all)?\.team: null -> "payments"$', tagged.stdout, re.MULTILINE), tagged.stdout
        stale = run_cli(["apply", "--plans", str(plans)], project, env)
        check(stale, 4)  # main moved on after the review: nothing applied, and the reason is shown
        assert "eu-central-1: stale: it synthesizes differently from the reviewed plan" in stale.stdout, stale.stdout
        assert dynamodb.describe_continuous_backups(TableName="acme-health-eu-central-1-data")[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
        (project / "regions.yaml").write_text(config)
        reviewed = run_cli(["apply", "--plans", str(plans), "--json"], project, env)
        check(reviewed, 0)
        assert [(w["workspace"], w["status"]) for w in json.loads(reviewed.stdout)["workspaces"]] == [
            ("eu-central-1", "applied"), ("eu-west-1", "no changes"), ("us-east-1", "no changes"),
            ("ap-southeast-2", "no changes"), ("global", "no changes")]
        assert dynamodb.describe_continuous_backups(TableName="acme-health-eu-central-1-data")[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

        # The data stores are protected: destroy names them and stops before Terraform runs.
        destroyed = run_cli(["destroy", "--all", "--json"], project, env)
        check(destroyed, 1)
        assert destroyed.stdout == ""
        assert "hold protected data stores" in destroyed.stderr
        assert "eu-central-1: " in destroyed.stderr and "acme-health-eu-central-1-data (aws_dynamodb_table." \
            in destroyed.stderr
        assert "acme-health-directory (aws_dynamodb_table." in destroyed.stderr  # global's directory
        assert "`residency local reset`" in destroyed.stderr and "-target" not in destroyed.stderr
        assert "acme-health-eu-central-1-data" in dynamodb.list_tables()["TableNames"]
        assert dynamodb.describe_table(TableName="acme-health-eu-central-1-data")["Table"][
            "DeletionProtectionEnabled"] is True
        check(run_cli(["destroy", "eu-central-1"], project, env), 1)
        assert "acme-health-eu-central-1-data" in dynamodb.list_tables()["TableNames"]
        assert json.loads((project / ".residency" / "state" / "eu-central-1" / "terraform.tfstate").read_text())[
            "resources"]

        # The emulator dies: residency says so, and the next apply recreates what was lost.
        check(run_cli(["apply", "eu-central-1"], project, env), 0)
        record = json.loads((project / ".residency" / "emulator.json").read_text())
        os.kill(record["pid"], signal.SIGKILL)
        status = json.loads(run_cli(["local", "status", "--json"], project).stdout)
        assert status == {"running": False, "url": None, "pid": None, "lost": True}
        again = run_cli(["apply", "eu-central-1", "--json"], project, env)
        check(again, 0)
        assert "emulator recorded in .residency/emulator.json is gone" in again.stderr
        # Nothing was destroyed before (the data stores are protected): every workspace's state is stale.
        assert ("local state of ap-southeast-2, eu-central-1, eu-west-1, global, us-east-1 lists resources of an "
                "earlier emulator") in again.stderr
        assert json.loads(again.stdout)["workspaces"][0]["changes"]["add"] == region_resources
    finally:
        run_cli(["local", "down"], project)


def rotate_the_hmac_key(project: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented rotation: a user claimed under version 1; `key_versions: [2, 1]` and `apply
    --all`; the user's next sign-in finds the entry under version 1 and moves it to version 2."""
    from handlers import post_authentication, post_confirmation, pre_auth, runtime

    email = "grace.hopper@example.org"
    username, sub = pool_user(project, "eu-central-1", email)
    confirmed = {"version": "1", "region": "eu-central-1", "userPoolId": deployed_pool(project, "eu-central-1"),
                 "userName": username, "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "client"},
                 "triggerSource": "PostConfirmation_ConfirmSignUp",
                 "request": {"userAttributes": {"email": email, "email_verified": "true", "sub": sub}},
                 "response": {}}
    _as_deployed(project, monkeypatch, "eu-central-1", "acme-health-eu-central-1-post-confirm")
    post_confirmation.handler(confirmed, None)
    directory = emulator_client(project, "dynamodb", "us-east-1")
    (before,) = claims(directory)
    assert before["key_version"] == {"S": "1"}

    config = project / "regions.yaml"
    config.write_text(config.read_text() + "directory:\n  key_versions: [2, 1]\n")
    check(run_cli(["apply", "--all"], project, env), 0)
    kms = emulator_client(project, "kms", "eu-central-1")
    assert "alias/acme-health-directory-hmac-v2" in [a["AliasName"] for a in kms.list_aliases()["Aliases"]]

    _as_deployed(project, monkeypatch, "eu-central-1", "acme-health-eu-central-1-pre-auth")
    login = {**confirmed, "triggerSource": "PreAuthentication_Authentication",
             "request": {"userAttributes": {"email": email, "custom:region": "eu-central-1"},
                         "validationData": None, "userNotFound": False}}
    assert pre_auth.handler(login, None)["triggerSource"] == "PreAuthentication_Authentication"
    assert claims(directory) == [before]  # it only reads
    _as_deployed(project, monkeypatch, "eu-central-1", "acme-health-eu-central-1-post-auth")
    signed_in = {**confirmed, "triggerSource": "PostAuthentication_Authentication",
                 "request": {"userAttributes": {"email": email, "email_verified": "true", "sub": sub,
                                                "custom:region": "eu-central-1"}}}
    assert post_authentication.handler(signed_in, None) == signed_in
    (after,) = claims(directory)
    assert after["key_version"] == {"S": "2"} and after["user_key"] != before["user_key"]
    assert (after["home_region"], after["claim_state"]) == ({"S": "eu-central-1"}, {"S": "confirmed"})
    runtime.clear_clients()


def _as_deployed(project: Path, monkeypatch: pytest.MonkeyPatch, region: str, function_name: str) -> None:
    """The function's environment as synthesized, against the emulator (which cannot run Lambda)."""
    from handlers import runtime, settings

    status = json.loads(run_cli(["local", "status", "--json"], project).stdout)
    environment = trigger_environment(project, region, function_name)
    # The synthesized environment names these by Terraform reference; here they are the applied values.
    applied = {settings.DATA_TABLE: f"acme-health-{region}-data", settings.USER_POOL_ID: deployed_pool(project, region)}
    for name, value in {"AWS_ENDPOINT_URL": status["url"], "AWS_ACCESS_KEY_ID": "test",
                        "AWS_SECRET_ACCESS_KEY": "test", **environment}.items():
        monkeypatch.setenv(name, applied[name] if value.startswith("${") and name in applied else value)
    runtime.clear_clients()


def deployed_pool(project: Path, region: str) -> str:
    cognito = emulator_client(project, "cognito-idp", region)
    return next(p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]
                if p["Name"] == f"acme-health-{region}-users")


def pool_user(project: Path, region: str, email: str) -> tuple[str, str]:
    """A user of the region's deployed pool: (username, sub), as Cognito names them in its trigger events."""
    user = emulator_client(project, "cognito-idp", region).admin_create_user(
        UserPoolId=deployed_pool(project, region), Username=email,
        UserAttributes=[{"Name": "email", "Value": email}])["User"]
    return user["Username"], next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


def claims(directory: Any) -> list[dict[str, Any]]:
    """The directory's claims (its key-version mark left out)."""
    from handlers.directory import VERSION_MARK

    return [item for item in directory.scan(TableName="acme-health-directory")["Items"]
            if item["user_key"]["S"] != VERSION_MARK]


def trigger_environment(project: Path, region: str, function_name: str) -> dict[str, str]:
    """The environment residency deployed the function with, read from the synthesized workspace."""
    synthesized = json.loads((project / "cdktf.out" / "stacks" / region / "cdk.tf.json").read_text())
    (function,) = [f for f in synthesized["resource"]["aws_lambda_function"].values()
                   if f["function_name"] == function_name]
    return function["environment"]["variables"]


def sign_up_through_the_triggers(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The claim protocol end to end. The emulator cannot invoke Lambda, so run the deployed handler
    code here, wired exactly as deployed, against the emulator's DynamoDB, KMS and Cognito over HTTP:
    sign-up makes a pending claim, confirmation binds it, sign-in is refused elsewhere and accepted at
    home, and DELETE /me releases the claim and deletes the user."""
    from handlers import api, post_confirmation, pre_auth, pre_signup, runtime

    email = "Ada.Lovelace@Example.org"

    def as_deployed(region: str, function_name: str) -> None:
        _as_deployed(project, monkeypatch, region, function_name)

    as_deployed("eu-central-1", "acme-health-eu-central-1-pre-sign-up")
    event = {
        "version": "1", "region": "eu-central-1", "userPoolId": "eu-central-1_x", "userName": "u-1",
        "callerContext": {"awsSdkVersion": "aws-sdk-js-3", "clientId": "client"},
        "triggerSource": "PreSignUp_SignUp",
        "request": {"userAttributes": {"email": email, "custom:region": "eu-central-1"},
                    "validationData": None, "clientMetadata": None},
        "response": {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False},
    }
    assert pre_signup.handler(event, None) == event

    directory = emulator_client(project, "dynamodb", "us-east-1")
    (item,) = claims(directory)
    assert set(item) == {"user_key", "home_region", "claim_state", "expires_at", "first_claimed_at", "key_version",
                         "created_at"}
    assert (item["home_region"], item["claim_state"]) == ({"S": "eu-central-1"}, {"S": "pending"})
    flattened = json.dumps(item).lower()
    assert "ada" not in flattened and "example" not in flattened and "@" not in flattened

    # Cognito creates the user, then runs post-confirmation with its sub.
    username, sub = pool_user(project, "eu-central-1", email)
    pool_id = deployed_pool(project, "eu-central-1")
    as_deployed("eu-central-1", "acme-health-eu-central-1-post-confirm")
    confirmed = {**event, "userPoolId": pool_id, "userName": username,
                 "triggerSource": "PostConfirmation_ConfirmSignUp",
                 "request": {"userAttributes": {"email": email, "email_verified": "true", "sub": sub}},
                 "response": {}}
    assert post_confirmation.handler(confirmed, None) == confirmed
    (item,) = claims(directory)
    assert item["claim_state"] == {"S": "confirmed"} and "expires_at" not in item and item["claimed_by"] == {"S": sub}

    as_deployed("us-east-1", "acme-health-us-east-1-pre-auth")

    def login(region: str) -> dict[str, Any]:
        return {**event, "region": region, "triggerSource": "PreAuthentication_Authentication",
                "request": {"userAttributes": {"email": email, "custom:region": region},
                            "validationData": None, "userNotFound": False}, "response": {}}

    with pytest.raises(Exception, match="^Incorrect username or password.$"):
        pre_auth.handler(login("us-east-1"), None)
    as_deployed("eu-central-1", "acme-health-eu-central-1-pre-auth")
    assert pre_auth.handler(login("eu-central-1"), None)["triggerSource"] == "PreAuthentication_Authentication"

    # DELETE /me against the deployed pool: the claim goes, then the user.
    as_deployed("eu-central-1", "acme-health-eu-central-1-api")
    cognito = emulator_client(project, "cognito-idp", "eu-central-1")
    request = http_event("DELETE", "/me", claims={"sub": sub, "username": username, "custom:region": "eu-central-1"})
    response = api.handler(request, None)
    assert (response["statusCode"], json.loads(response["body"])) == (200, {"deleted": True, "claims_released": 1})
    assert claims(directory) == []
    assert cognito.list_users(UserPoolId=pool_id)["Users"] == []

    # An account deleted behind residency's back (AdminDeleteUser): the claim reconciler, as deployed, releases
    # its claim over HTTP (the pool's accounts, the region's data table, the directory's primary).
    from handlers import claim_reconciler

    username, sub = pool_user(project, "eu-central-1", "charles.babbage@example.org")
    as_deployed("eu-central-1", "acme-health-eu-central-1-post-confirm")
    post_confirmation.handler({**confirmed, "userName": username, "request": {"userAttributes": {
        "email": "charles.babbage@example.org", "email_verified": "true", "sub": sub}}}, None)
    assert len(claims(directory)) == 1
    cognito.admin_delete_user(UserPoolId=pool_id, Username=username)
    as_deployed("eu-central-1", "acme-health-eu-central-1-reconcile")
    assert claim_reconciler.handler({"source": "aws.events"}, None) == {"scanned": 1, "released": 1}
    assert claims(directory) == []
    runtime.clear_clients()
