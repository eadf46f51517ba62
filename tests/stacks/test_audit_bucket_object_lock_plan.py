"""Turning Object Lock on for an audit bucket that already exists, with real Terraform and the AWS provider
against moto's server: the plan adds the lock beside the bucket and replaces nothing (a new bucket would destroy
the log files, which residency refuses), and once applied nothing is left to change.

moto does not enforce the deny (it judges only object reads, writes and deletes against a bucket policy, and
crudely): the policy is applied here as a document, not exercised."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from residency.config.model import ObjectLock
from residency.target import LOCAL_ENDPOINT_VARIABLE, profile_for
from residency.terraform.cli_config import check_mirror, write_cli_config

pytestmark = pytest.mark.terraform

REGION = "eu-central-1"




def write_workspace(directory: Path, object_lock: ObjectLock) -> None:
    from cdktf import TerraformStack, Testing

    from residency.stacks.audit_trail import JurisdictionAuditBucket
    from residency.stacks.provider import aws_provider
    from residency.stacks.region_spec import AuditPlacement

    stack = TerraformStack(Testing.app(), REGION)
    aws_provider(stack, region=REGION, tags={}, target=profile_for("local"))
    JurisdictionAuditBucket(
        stack, "audit-bucket", project="acme", account_id="123456789012",
        placement=AuditPlacement(home=REGION, regions=(REGION,), retention_days=30,
                                 break_glass_role="arn:aws:iam::123456789012:role/break-glass",
                                 object_lock=object_lock),
        target=profile_for("local"))
    directory.mkdir(exist_ok=True)
    (directory / "main.tf.json").write_text(Testing.synth(stack))


def test_object_lock_is_turned_on_without_replacing_the_bucket(tmp_path, moto_url, terraform_binary,
                                                               provider_mirror):
    workspace = tmp_path / "workspace"
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_DATA_DIR": str(tmp_path / "data")}
    if provider_mirror:
        env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(
            tmp_path / "terraformrc", check_mirror(Path(provider_mirror)), tmp_path / "cache"))

    def terraform(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(terraform_binary), *args], cwd=workspace, env=env, capture_output=True,
                              text=True, timeout=300)

    endpoint = f"-var={LOCAL_ENDPOINT_VARIABLE}={moto_url}"
    write_workspace(workspace, "off")
    for step in (("init", "-input=false", "-no-color"),
                 ("apply", "-input=false", "-no-color", "-auto-approve", endpoint)):
        done = terraform(*step)
        assert done.returncode == 0, done.stdout + done.stderr

    write_workspace(workspace, "compliance")
    planned = terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=lock.tfplan", endpoint)
    assert planned.returncode == 2, planned.stdout + planned.stderr
    shown = terraform("show", "-json", "lock.tfplan")
    changes: dict[str, list[str]] = {change["type"]: change["change"]["actions"]
                                     for change in json.loads(shown.stdout)["resource_changes"]}
    assert changes["aws_s3_bucket_object_lock_configuration"] == ["create"]
    assert changes["aws_s3_bucket"] == ["no-op"]
    assert {type_ for type_, actions in changes.items() if actions != ["no-op"]} == {
        "aws_s3_bucket_object_lock_configuration"}

    applied = terraform("apply", "-input=false", "-no-color", "lock.tfplan")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    again = terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", endpoint)
    assert again.returncode == 0, again.stdout + again.stderr  # the bucket reads back locked: nothing to change
    lock: dict[str, Any] = _s3(moto_url).get_object_lock_configuration(
        Bucket="acme-eu-central-1-audit-123456789012")["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock["Rule"]["DefaultRetention"]["Days"] == 30


def _s3(url: str) -> Any:
    import boto3

    return boto3.client("s3", region_name=REGION, endpoint_url=url, aws_access_key_id="testing",
                        aws_secret_access_key="testing")
