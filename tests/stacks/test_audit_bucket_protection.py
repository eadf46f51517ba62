"""The audit bucket's log files are destroyed before their retention only by the break-glass role: the bucket
policy's deny, the order it is made in, and the optional Object Lock, on the synthesized JSON of the construct."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from residency.config.model import ObjectLock
from residency.target import profile_for

BREAK_GLASS = "arn:aws:iam::123456789012:role/ops/break-glass"
RETENTION_DAYS = 400
DESTRUCTIVE = {"s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning",
               "s3:PutBucketObjectLockConfiguration", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
               "s3:BypassGovernanceRetention"}


def synthesized(*, break_glass_role: str | None = BREAK_GLASS, object_lock: ObjectLock = "off",
                tls_only: bool = True) -> dict[str, dict[str, Any]]:
    from cdktf import TerraformStack, Testing

    from residency.stacks.audit_trail import JurisdictionAuditBucket
    from residency.stacks.region_spec import AuditPlacement

    stack = TerraformStack(Testing.app(), "eu-central-1")
    JurisdictionAuditBucket(
        stack, "audit-bucket", project="acme", account_id="123456789012",
        placement=AuditPlacement(home="eu-central-1", regions=("eu-central-1",), retention_days=RETENTION_DAYS,
                                 break_glass_role=break_glass_role, object_lock=object_lock),
        target=replace(profile_for("aws"), buckets_tls_only=tls_only))
    resources: dict[str, dict[str, Any]] = json.loads(Testing.synth(stack))["resource"]
    return resources


def only(resources: dict[str, dict[str, Any]], type_: str) -> tuple[str, dict[str, Any]]:
    ((name, body),) = resources[type_].items()
    return f"{type_}.{name}", body


def reference(resources: dict[str, dict[str, Any]], type_: str, attribute: str) -> str:
    return "${" + f"{only(resources, type_)[0]}.{attribute}" + "}"


def statements(resources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    _, policy = only(resources, "aws_s3_bucket_policy")
    return {statement["Sid"]: statement for statement in json.loads(policy["policy"])["Statement"]}


@pytest.mark.parametrize("tls_only", [True, False])
def test_everyone_but_the_break_glass_role_is_denied_what_destroys_log_files(tls_only):
    resources = synthesized(tls_only=tls_only)
    bucket = reference(resources, "aws_s3_bucket", "arn")
    deny = statements(resources)["OnlyTheBreakGlassRoleDestroysLogFiles"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*"
    assert set(deny["Action"]) == DESTRUCTIVE
    assert deny["Resource"] == [bucket, f"{bucket}/*"]
    # Exempted by its ARN, whichever session: nothing else in the condition could let anyone else through.
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": BREAK_GLASS}}


def test_the_break_glass_role_is_only_exempted_never_granted_anything():
    policy = statements(synthesized())
    assert BREAK_GLASS not in json.dumps({sid: s for sid, s in policy.items() if s["Effect"] == "Allow"})
    assert {sid for sid, s in policy.items() if s["Effect"] == "Allow"} == {"TrailsCheckTheAcl",
                                                                             "TrailsWriteTheirLogs"}


def test_without_a_break_glass_role_nobody_is_exempted():
    deny = statements(synthesized(break_glass_role=None))["OnlyTheBreakGlassRoleDestroysLogFiles"]
    assert "Condition" not in deny
    assert set(deny["Action"]) == DESTRUCTIVE and deny["Principal"] == "*"


@pytest.mark.parametrize("object_lock", ["off", "governance"])
def test_what_the_policy_forbids_changing_is_made_before_it(object_lock):
    """Made first, or the apply role could not create it; a retirement's destroy deletes the policy first."""
    resources = synthesized(object_lock=object_lock)
    _, policy = only(resources, "aws_s3_bucket_policy")
    expected = {only(resources, type_)[0] for type_ in ("aws_s3_bucket_versioning",
                                                        "aws_s3_bucket_lifecycle_configuration",
                                                        "aws_s3_bucket_public_access_block")}
    if object_lock != "off":
        expected.add(only(resources, "aws_s3_bucket_object_lock_configuration")[0])
    assert set(policy["depends_on"]) == expected


def test_no_object_lock_unless_asked():
    assert "aws_s3_bucket_object_lock_configuration" not in synthesized()


@pytest.mark.parametrize(("object_lock", "mode"), [("governance", "GOVERNANCE"), ("compliance", "COMPLIANCE")])
def test_object_lock_keeps_every_new_log_file_for_the_retention(object_lock, mode):
    resources = synthesized(object_lock=object_lock)
    _, lock = only(resources, "aws_s3_bucket_object_lock_configuration")
    assert lock["bucket"] == reference(resources, "aws_s3_bucket", "id")
    assert lock["object_lock_enabled"] == "Enabled"
    assert lock["rule"] == {"default_retention": {"mode": mode, "days": RETENTION_DAYS}}
    # Object Lock is enabled on a versioned bucket only.
    assert only(resources, "aws_s3_bucket_versioning")[0] in lock["depends_on"]


@pytest.mark.parametrize("object_lock", ["governance", "compliance"])
def test_turning_object_lock_on_changes_nothing_that_forces_a_new_bucket(object_lock):
    """aws_s3_bucket's own object_lock_enabled forces a new bucket, which would destroy the log files: the lock
    is a resource beside the bucket, and the bucket is synthesized exactly as without it."""
    off, on = synthesized(), synthesized(object_lock=object_lock)
    assert on["aws_s3_bucket"] == off["aws_s3_bucket"]
    (bucket,) = on["aws_s3_bucket"].values()
    assert "object_lock_enabled" not in bucket and "object_lock_configuration" not in bucket
    assert bucket["lifecycle"]["prevent_destroy"] is True
    assert {type_ for type_ in on if on[type_] != off.get(type_)} == {"aws_s3_bucket_object_lock_configuration",
                                                                      "aws_s3_bucket_policy"}
    assert json.loads(only(on, "aws_s3_bucket_policy")[1]["policy"]) == json.loads(
        only(off, "aws_s3_bucket_policy")[1]["policy"])  # only its depends_on differs
