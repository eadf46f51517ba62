"""The audit trail of a jurisdiction: every region's CloudTrail management events, delivered to one bucket in
that jurisdiction, kept by its audit home region.

CloudTrail records request parameters (user names among them), so its log files are personal data: the bucket
is a declared store (protected, counted and exported by `region retire`), encrypted with a key of its own that
only the jurisdiction's trails may encrypt with, TLS-only, versioned, and expired after the retention. Only the
break-glass role may delete a log file's versions or change what keeps them (lifecycle, versioning, Object
Lock), optionally under S3 Object Lock too. A trail is single-region and leaves out global service events (IAM,
STS's global endpoint, CloudFront, Route 53): those are logged in us-east-1 whatever the region, and would mix
jurisdictions.
"""

from __future__ import annotations

from cdktf import TerraformResource
from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail, CloudtrailEventSelector
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import S3BucketLifecycleConfiguration
from cdktf_cdktf_provider_aws.s3_bucket_object_lock_configuration import (
    S3BucketObjectLockConfigurationA,
    S3BucketObjectLockConfigurationRuleA,
    S3BucketObjectLockConfigurationRuleDefaultRetentionA,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct

from residency import naming
from residency.config.model import ObjectLock
from residency.personal_data import StoreKind
from residency.stacks import policies
from residency.stacks.data_store import DataBucket, EncryptionKey
from residency.stacks.declared_stores import declare_personal_data
from residency.stacks.region_spec import AuditPlacement
from residency.target import TargetProfile

CLOUDTRAIL = "cloudtrail.amazonaws.com"
# The statement that keeps the log files for their retention (`region retire` finds it by what it denies).
BREAK_GLASS_SID = "OnlyTheBreakGlassRoleDestroysLogFiles"
# What destroys a log file before its retention, or changes what keeps it: deleting a version (deleting an
# object only adds a delete marker, so that stays allowed), changing or deleting the lifecycle (S3 authorizes
# DeleteBucketLifecycle as s3:PutLifecycleConfiguration: it has no action of its own), suspending versioning,
# changing Object Lock's default retention or an object's retention or legal hold, bypassing governance mode.
DESTROYS_LOG_FILES = ["s3:DeleteObjectVersion", "s3:PutLifecycleConfiguration", "s3:PutBucketVersioning",
                      "s3:PutBucketObjectLockConfiguration", "s3:PutObjectRetention", "s3:PutObjectLegalHold",
                      "s3:BypassGovernanceRetention"]


def trail_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:{policies.PARTITION}:cloudtrail:{region}:{account_id}:trail/{name}"


def key_alias_arn(region: str, account_id: str, alias: str) -> str:
    """The audit key as the trails of other regions name it: its id is generated, its alias is not."""
    return f"arn:{policies.PARTITION}:kms:{region}:{account_id}:{alias}"


def jurisdiction_trails(project: str, account_id: str, placement: AuditPlacement) -> list[str]:
    """The ARNs of the jurisdiction's trails: the only ones that may write to its audit bucket."""
    return [trail_arn(region, account_id, naming.audit_trail_name(project, region)) for region in placement.regions]


class JurisdictionAuditBucket(Construct):
    """The jurisdiction's audit bucket and its key, in the audit home region (`placement.home`)."""

    def __init__(self, scope: Construct, id_: str, *, project: str, account_id: str, placement: AuditPlacement,
                 target: TargetProfile) -> None:
        """Only the jurisdiction's trails may write here; only `placement.break_glass_role` may destroy log files
        before their retention (None: nobody)."""
        super().__init__(scope, id_)
        region, retention_days = placement.home, placement.retention_days
        trails = jurisdiction_trails(project, account_id, placement)
        self.encryption = EncryptionKey(
            self, "key", alias=naming.kms_alias(project, region, "audit"),
            description="Encrypts the jurisdiction's audit trail",
            deletion_window_days=target.kms_deletion_window_days,
            policy=audit_key_policy(account_id, region, trails))
        # A log file deleted or overwritten (by mistake or to hide something) stays recoverable as an old version
        # for the whole retention. Its policy is written here: the TLS-only statement, CloudTrail's, and the deny
        # that keeps a version from going before its retention.
        store = DataBucket(self, "bucket", bucket_name=naming.audit_bucket_name(project, region, account_id),
                           kms_key_arn=self.encryption.key.arn, tls_only=False, retention_days=retention_days)
        self.bucket = store.bucket
        declare_personal_data(self.bucket, StoreKind.BUCKET)
        # The policy forbids changing these: they are made before it, and a retirement deletes it before them.
        kept_by: list[TerraformResource] = [
            child for child in store.node.children
            if isinstance(child, (S3BucketVersioningA, S3BucketLifecycleConfiguration))]
        self.lock = None if placement.object_lock == "off" else object_locked(
            self, self.bucket.id, mode=placement.object_lock, days=retention_days, depends_on=kept_by)
        self.policy = S3BucketPolicy(
            self, "policy", bucket=self.bucket.id,
            policy=audit_bucket_policy(self.bucket.arn, account_id, trails, tls_only=target.buckets_tls_only,
                                       break_glass_role=placement.break_glass_role),
            depends_on=[store.public_access_block, *kept_by, *([self.lock] if self.lock else [])])


def object_locked(scope: Construct, bucket: str, *, mode: ObjectLock, days: int,
                  depends_on: list[TerraformResource]) -> S3BucketObjectLockConfigurationA:
    """Object Lock with a default retention of `days` for every new log file. Set on the existing bucket (S3 allows
    it on a versioned bucket), never through aws_s3_bucket's object_lock_enabled, which would replace the bucket.
    Files written before keep only the policy's protection."""
    return S3BucketObjectLockConfigurationA(
        scope, "object-lock", bucket=bucket, object_lock_enabled="Enabled",
        rule=S3BucketObjectLockConfigurationRuleA(
            default_retention=S3BucketObjectLockConfigurationRuleDefaultRetentionA(mode=mode.upper(), days=days)),
        depends_on=depends_on)


class RegionAuditTrail(Construct):
    """The region's trail: its management events, to its jurisdiction's audit bucket."""

    def __init__(self, scope: Construct, id_: str, *, name: str, bucket_name: str, kms_key: str,
                 depends_on: list[TerraformResource] | None = None) -> None:
        super().__init__(scope, id_)
        self.trail = Cloudtrail(
            self, "trail",
            name=name,
            s3_bucket_name=bucket_name,
            kms_key_id=kms_key,
            is_multi_region_trail=False,
            include_global_service_events=False,
            enable_log_file_validation=True,
            enable_logging=True,
            event_selector=[CloudtrailEventSelector(read_write_type="All", include_management_events=True)],
            depends_on=depends_on,
        )


def audit_key_policy(account_id: str, region: str, trails: list[str]) -> str:
    """Administrators manage the key but cannot use it; the jurisdiction's trails encrypt with it; the account's
    principals decrypt the log files only through S3 in the home region (their IAM policy must let them read
    the bucket)."""
    root = {"AWS": f"arn:{policies.PARTITION}:iam::{account_id}:root"}
    return policies.document([
        {"Sid": "AdministratorsManageButCannotUse", "Effect": "Allow", "Principal": root,
         "Action": policies.KEY_ADMINISTRATION, "Resource": "*"},
        {"Sid": "TheJurisdictionsTrailsEncrypt", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "kms:GenerateDataKey*", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceArn": trails},
                       "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}}},
        {"Sid": "TrailsDescribeTheKey", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "kms:DescribeKey", "Resource": "*", "Condition": {"StringEquals": {"aws:SourceArn": trails}}},
        {"Sid": "ReadThroughS3OfTheHomeRegion", "Effect": "Allow", "Principal": root,
         "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
         "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com",
                                        "kms:CallerAccount": account_id}}},
    ])


def audit_bucket_policy(bucket_arn: str, account_id: str, trails: list[str], *, tls_only: bool,
                        break_glass_role: str | None = None) -> str:
    """CloudTrail writes here for the jurisdiction's trails only, under this account's prefix; nobody but the
    break-glass role destroys a log file before its retention."""
    source = {"aws:SourceArn": trails}
    statements: list[policies.Statement] = [policies.deny_insecure_transport(bucket_arn)] if tls_only else []
    statements += [
        {"Sid": "TrailsCheckTheAcl", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": {"StringEquals": source}},
        {"Sid": "TrailsWriteTheirLogs", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
         "Condition": {"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}}},
        deny_destroying_log_files(bucket_arn, break_glass_role),
    ]
    return policies.document(statements)


def deny_destroying_log_files(bucket_arn: str, break_glass_role: str | None) -> policies.Statement:
    """Every principal, the account's root and residency's apply roles included, except `break_glass_role`
    (aws:PrincipalArn is the role's ARN in each of its sessions); without one, nobody. The retention still ends:
    S3 Lifecycle expires through S3's internal endpoints, not through a request a bucket policy judges (AWS's
    PutBucketLifecycleConfiguration reference: to keep a principal from deleting objects, deny it
    s3:PutLifecycleConfiguration besides s3:DeleteObject*). Whoever may change the policy (s3:PutBucketPolicy, and
    the root user always) can still remove this statement: an SCP of the organization covers that."""
    statement: policies.Statement = {
        "Sid": BREAK_GLASS_SID, "Effect": "Deny", "Principal": "*", "Action": DESTROYS_LOG_FILES,
        "Resource": [bucket_arn, f"{bucket_arn}/*"]}
    if break_glass_role:
        statement["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": break_glass_role}}
    return statement
