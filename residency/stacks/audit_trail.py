"""The audit trail of a jurisdiction: every region's CloudTrail management events, delivered to one bucket in
that jurisdiction, kept by its audit home region.

CloudTrail records request parameters (user names among them), so its log files are personal data: the bucket
is a declared store (protected, counted and exported by `region retire`), encrypted with a key of its own that
only the jurisdiction's trails may encrypt with, TLS-only, versioned, and expired after the retention. A trail
is single-region and leaves out global service events (IAM, STS's global endpoint, CloudFront, Route 53):
those are logged in us-east-1 whatever the region, and would mix jurisdictions.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResource
from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail, CloudtrailEventSelector
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from constructs import Construct

from residency.personal_data import StoreKind
from residency.stacks import policies
from residency.stacks.data_store import DataBucket, EncryptionKey
from residency.stacks.declared_stores import declare_personal_data

CLOUDTRAIL = "cloudtrail.amazonaws.com"


@dataclass(frozen=True)
class AuditPlacement:
    """Where a region's audit trail goes: its jurisdiction's home region, and every region of that jurisdiction
    (the trails that may write to the home's bucket)."""

    home: str
    regions: tuple[str, ...]
    retention_days: int


def trail_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:{policies.PARTITION}:cloudtrail:{region}:{account_id}:trail/{name}"


def key_alias_arn(region: str, account_id: str, alias: str) -> str:
    """The audit key as the trails of other regions name it: its id is generated, its alias is not."""
    return f"arn:{policies.PARTITION}:kms:{region}:{account_id}:{alias}"


class JurisdictionAuditBucket(Construct):
    """The jurisdiction's audit bucket and its key, in the audit home region."""

    def __init__(self, scope: Construct, id_: str, *, bucket_name: str, key_alias: str, region: str,
                 account_id: str, trails: list[str], retention_days: int, kms_deletion_window_days: int,
                 tls_only: bool) -> None:
        """`trails`: the ARNs of the jurisdiction's trails, the only ones that may write here."""
        super().__init__(scope, id_)
        self.encryption = EncryptionKey(
            self, "key", alias=key_alias, description="Encrypts the jurisdiction's audit trail",
            deletion_window_days=kms_deletion_window_days,
            policy=audit_key_policy(account_id, region, trails))
        # A log file deleted or overwritten (by mistake or to hide something) stays recoverable as an old version
        # for the whole retention. Its policy is written here: the TLS-only statement and CloudTrail's.
        store = DataBucket(self, "bucket", bucket_name=bucket_name, kms_key_arn=self.encryption.key.arn,
                           tls_only=False, retention_days=retention_days)
        self.bucket = store.bucket
        declare_personal_data(self.bucket, StoreKind.BUCKET)
        self.policy = S3BucketPolicy(
            self, "policy", bucket=self.bucket.id,
            policy=audit_bucket_policy(self.bucket.arn, account_id, trails, tls_only=tls_only),
            depends_on=[store.public_access_block])


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


def audit_bucket_policy(bucket_arn: str, account_id: str, trails: list[str], *, tls_only: bool) -> str:
    """CloudTrail writes here for the jurisdiction's trails only, under this account's prefix."""
    source = {"aws:SourceArn": trails}
    statements: list[policies.Statement] = [policies.deny_insecure_transport(bucket_arn)] if tls_only else []
    statements += [
        {"Sid": "TrailsCheckTheAcl", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:GetBucketAcl", "Resource": bucket_arn, "Condition": {"StringEquals": source}},
        {"Sid": "TrailsWriteTheirLogs", "Effect": "Allow", "Principal": {"Service": CLOUDTRAIL},
         "Action": "s3:PutObject", "Resource": f"{bucket_arn}/AWSLogs/{account_id}/*",
         "Condition": {"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}}},
    ]
    return policies.document(statements)
