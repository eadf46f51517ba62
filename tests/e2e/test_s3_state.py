"""State in S3 for real (terraform, the AWS provider, the emulator): `residency bootstrap` creates a
state bucket per region, keeps its own state there and changes nothing when run again; the
workspaces then keep their state in their own region's bucket, locked by Terraform's S3 lock file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.projects import local_project, region
from tests.e2e.test_local_target import check, emulator_client

pytestmark = pytest.mark.terraform

# Two state regions: eu-central-1 (the region) and us-east-1 (global's home).
REGIONS = (region("eu-central-1", "EU", ["DE"], default=True),)
FOREIGN_LOCK = {"ID": "5a3c1e0b-0000-4000-8000-000000000001", "Operation": "OperationTypeApply", "Info": "",
                "Who": "someone@another-machine", "Version": "1.11.4", "Created": "2026-11-22T10:00:00Z",
                "Path": "acme-s3-tfstate-eu-central-1/eu-central-1/terraform.tfstate"}


def statuses(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {w["workspace"]: w["status"] for w in json.loads(result.stdout)["workspaces"]}


def test_bootstrap_then_every_workspace_keeps_its_state_in_its_own_region(tmp_path: Path, terraform_binary,
                                                                          provider_mirror):
    project = local_project(tmp_path, "acme-s3", REGIONS, state="s3")
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        before = run_cli(["plan", "--all", "--no-progress"], project, env)
        check(before, 1)
        assert "its state bucket does not exist: run `residency bootstrap` first" in before.stdout

        first = run_cli(["bootstrap", "--json", "--no-progress"], project, env)
        check(first, 0)
        assert statuses(first) == {"bootstrap-eu-central-1": "applied", "bootstrap-us-east-1": "applied"}
        assert "s3://acme-s3-tfstate-eu-central-1 does not exist yet" in first.stderr
        for region in ("eu-central-1", "us-east-1"):
            s3 = emulator_client(project, "s3", region)
            bucket = f"acme-s3-tfstate-{region}"
            assert s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") in (region, None)
            assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
            [rule] = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
            assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
            # the bootstrap workspace's own state moved into its bucket; the local copy is kept aside
            head = s3.head_object(Bucket=bucket, Key=f"bootstrap-{region}/terraform.tfstate")
            assert head["ServerSideEncryption"] == "aws:kms"
            local = project / ".residency" / "state" / f"bootstrap-{region}"
            assert not (local / "terraform.tfstate").exists() and (local / "terraform.tfstate.pushed").exists()

        again = run_cli(["bootstrap", "--json", "--no-progress"], project, env)
        check(again, 0)
        assert statuses(again) == {"bootstrap-eu-central-1": "no changes", "bootstrap-us-east-1": "no changes"}

        applied = run_cli(["apply", "--all", "--json", "--no-progress"], project, env)
        check(applied, 0)
        assert statuses(applied) == {"eu-central-1": "applied", "global": "applied"}
        for workspace, region in (("eu-central-1", "eu-central-1"), ("global", "us-east-1")):
            s3 = emulator_client(project, "s3", region)
            head = s3.head_object(Bucket=f"acme-s3-tfstate-{region}", Key=f"{workspace}/terraform.tfstate")
            assert head["ServerSideEncryption"] == "aws:kms"
            state = json.loads(s3.get_object(Bucket=f"acme-s3-tfstate-{region}",
                                             Key=f"{workspace}/terraform.tfstate")["Body"].read())
            assert state["resources"]
            assert not (project / ".residency" / "state" / workspace).exists()

        # Another machine's Terraform holds the S3 lock file: residency's Terraform waits for nobody.
        s3 = emulator_client(project, "s3", "eu-central-1")
        lock_key = "eu-central-1/terraform.tfstate.tflock"
        s3.put_object(Bucket="acme-s3-tfstate-eu-central-1", Key=lock_key, Body=json.dumps(FOREIGN_LOCK).encode())
        locked = run_cli(["plan", "eu-central-1", "--no-progress"], project, env)
        check(locked, 1)
        assert "Error acquiring the state lock" in locked.stdout
        assert "someone@another-machine" in locked.stdout
        s3.delete_object(Bucket="acme-s3-tfstate-eu-central-1", Key=lock_key)

        check(run_cli(["plan", "--all", "--detailed-exitcode", "--no-progress"], project, env), 0)
        assert not s3.list_objects_v2(Bucket="acme-s3-tfstate-eu-central-1", Prefix=lock_key).get("Contents")
    finally:
        run_cli(["local", "down"], project)
