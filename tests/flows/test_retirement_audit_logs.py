"""Retiring an audit home empties its audit bucket only as far as the bucket's policy and Object Lock allow, and
says so before anything changes: under compliance mode not before the newest log file's retention ends, with the
deny only as the break-glass role, and under governance mode bypassing it. moto's in-process S3, IAM and STS keep
Object Lock as AWS does, but not the deny: moto holds DeleteObjects against s3:DeleteObject only (and a statement
with a condition it cannot evaluate as a refusal), so the policy is read and judged by retire itself here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from residency.errors import ResidencyError
from residency.flows import region_data
from residency.flows.retirement import RetirementRefused, _is_role, _refuse_unless_log_files_may_go
from residency.personal_data import DeclaredStore, StoreKind
from residency.stacks.audit_trail import audit_bucket_policy

REGION = "eu-central-1"
ACCOUNT = "123456789012"
BUCKET = f"acme-retire-{REGION}-audit-{ACCOUNT}"
BREAK_GLASS = f"arn:aws:iam::{ACCOUNT}:role/ops/break-glass"
STORES = (DeclaredStore("aws_s3_bucket.audit-bucket_1", StoreKind.BUCKET, BUCKET),)


@pytest.fixture
def aws(monkeypatch) -> Iterator[region_data.Clients]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with mock_aws():
        clients = region_data.clients(REGION, None)
        clients.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        clients.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield clients


def locked(s3: Any, mode: str, days: int = 30) -> None:
    s3.put_object_lock_configuration(Bucket=BUCKET, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": mode, "Days": days}}})


def log_file(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key=f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/log.json.gz", Body=b"{}")


def with_policy(s3: Any, break_glass_role: str | None) -> None:
    """The policy residency writes (without the TLS-only statement, which moto would hold against every request)."""
    s3.put_bucket_policy(Bucket=BUCKET, Policy=audit_bucket_policy(
        f"arn:aws:s3:::{BUCKET}", ACCOUNT, [f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/acme-retire-{REGION}-audit"],
        tls_only=False, break_glass_role=break_glass_role))


def as_break_glass(monkeypatch) -> None:
    """The credentials of a session of the break-glass role (moto's STS names its sessions as AWS does)."""
    iam = boto3.client("iam", region_name=REGION)
    iam.create_role(Path="/ops/", RoleName="break-glass", AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}]}))
    session = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=BREAK_GLASS, RoleSessionName="retire")["Credentials"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", session["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", session["SecretAccessKey"])
    monkeypatch.setenv("AWS_SESSION_TOKEN", session["SessionToken"])


def check(clients: region_data.Clients, endpoint: str | None = None) -> None:
    inventory = region_data.inventory(region_data.RegionData(REGION, STORES), clients)
    _refuse_unless_log_files_may_go(REGION, {BUCKET}, inventory, clients, endpoint)


def test_under_compliance_mode_retire_waits_for_the_newest_log_files_retention(aws):
    locked(aws.s3, "COMPLIANCE", days=30)
    log_file(aws.s3)
    with pytest.raises(RetirementRefused) as refused:
        check(aws)
    assert refused.value.exit_code == 1
    assert "under compliance-mode Object Lock" in refused.value.message
    assert "nobody, the account's root user included, can delete it sooner" in refused.value.message
    assert str(refused.value.hint).startswith(f"retire {REGION} again after ")
    assert "Nothing has changed yet" in str(refused.value.hint)


def test_an_audit_bucket_without_log_files_is_not_held_back(aws):
    locked(aws.s3, "COMPLIANCE")
    with_policy(aws.s3, None)
    check(aws)  # nothing to delete: neither the lock nor the policy stands in the way


def test_nobody_may_empty_it_when_no_break_glass_role_was_set(aws):
    with_policy(aws.s3, None)
    log_file(aws.s3)
    with pytest.raises(RetirementRefused) as refused:
        check(aws)
    assert "whose policy lets nobody delete its log files' versions" in refused.value.message
    assert "root user can remove the statement OnlyTheBreakGlassRoleDestroysLogFiles" in str(refused.value.hint)


def test_only_the_break_glass_role_may_empty_it(aws, monkeypatch):
    with_policy(aws.s3, BREAK_GLASS)
    log_file(aws.s3)
    with pytest.raises(RetirementRefused) as refused:
        check(aws)
    assert f"lets only the break-glass role {BREAK_GLASS} delete" in refused.value.message
    assert f"this run is arn:aws:sts::{ACCOUNT}:user/moto" in refused.value.message
    assert f"run `residency region retire {REGION}` again with that role's credentials" in str(refused.value.hint)
    as_break_glass(monkeypatch)
    check(aws)


def test_under_governance_mode_the_break_glass_role_empties_it_bypassing_the_lock(aws, monkeypatch):
    with_policy(aws.s3, BREAK_GLASS)
    locked(aws.s3, "GOVERNANCE")
    log_file(aws.s3)
    data = region_data.RegionData(REGION, STORES)
    with pytest.raises(ResidencyError, match="AccessDenied"):  # without the bypass, the lock holds
        region_data.empty_for_destroy(data, region_data.clients(REGION, None))
    as_break_glass(monkeypatch)
    clients = region_data.clients(REGION, None)
    check(clients)
    region_data.empty_for_destroy(data, clients)
    assert not aws.s3.list_object_versions(Bucket=BUCKET).get("Versions")


EMULATOR = "http://127.0.0.1:4566"


def test_on_the_emulator_the_deny_is_not_judged(aws):
    with_policy(aws.s3, None)
    log_file(aws.s3)
    check(aws, endpoint=EMULATOR)  # the emulator does not enforce it: nothing to refuse, and nobody to be


def test_on_the_emulator_the_lock_is(aws):
    locked(aws.s3, "COMPLIANCE")
    log_file(aws.s3)
    with pytest.raises(RetirementRefused, match="compliance-mode Object Lock"):
        check(aws, endpoint=EMULATOR)


def test_a_policy_from_before_the_protection_holds_nothing_back(aws):
    aws.s3.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "TrailsCheckTheAcl", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
         "Action": "s3:GetBucketAcl", "Resource": f"arn:aws:s3:::{BUCKET}"}]}))
    log_file(aws.s3)
    check(aws)


@pytest.mark.parametrize(("caller", "expected"), [
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/break-glass/alice", True),  # a session: the role's path is not in it
    (BREAK_GLASS, True),
    (f"arn:aws:sts::{ACCOUNT}:assumed-role/other/alice", False),
    ("arn:aws:sts::210987654321:assumed-role/break-glass/alice", False),  # the same name in another account
    (f"arn:aws:iam::{ACCOUNT}:user/break-glass", False),
    (f"arn:aws:iam::{ACCOUNT}:root", False),
])
def test_a_caller_is_the_break_glass_role_only_as_itself_or_a_session_of_it(caller, expected):
    assert _is_role(caller, BREAK_GLASS) is expected
