"""A region's personal-data stores: a KMS key, an S3 bucket and a DynamoDB table."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.dynamodb_table import (
    DynamodbTable,
    DynamodbTableAttribute,
    DynamodbTablePointInTimeRecovery,
    DynamodbTableReplica,
    DynamodbTableServerSideEncryption,
    DynamodbTableTtl,
)
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from residency import naming
from residency.personal_data import StoreKind
from residency.stacks import policies
from residency.stacks.declared_stores import declare_personal_data, protect
from residency.stacks.region_spec import RegionSpec

# A deleted or overwritten object stays as a noncurrent version until this many days have
# passed: long enough to recover from a mistake, short enough that erasure really erases.
NONCURRENT_VERSION_DAYS = 30
INCOMPLETE_UPLOAD_DAYS = 7
# What the deployer's principal may do with a region's data key: only through these services of the region.
DATA_KEY_SERVICES = ["dynamodb", "s3", "lambda"]


class EncryptionKey(Construct):
    """A customer-managed KMS key with rotation on, and its alias."""

    def __init__(self, scope: Construct, id_: str, *, alias: str, description: str,
                 deletion_window_days: int, policy: str | None = None) -> None:
        super().__init__(scope, id_)
        self.key = KmsKey(
            self, "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=policy,
        )
        self.alias = KmsAlias(self, "alias", name=alias, target_key_id=self.key.key_id)


def versioned_with_expiry(scope: Construct, bucket: S3Bucket, retention_days: int | None = None) -> None:
    """Versioning, with old versions and abandoned uploads removed after a while; with `retention_days`, the
    objects too after that many days, and an old version (a deleted or overwritten object) only as late."""
    versioning = S3BucketVersioningA(
        scope, "versioning",
        bucket=bucket.id,
        versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
    )
    S3BucketLifecycleConfiguration(
        scope, "lifecycle",
        bucket=bucket.id,
        rule=[S3BucketLifecycleConfigurationRule(
            id="expire-old-versions",
            status="Enabled",
            filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=retention_days)] if retention_days else None,
            noncurrent_version_expiration=[S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                noncurrent_days=retention_days or NONCURRENT_VERSION_DAYS)],
            abort_incomplete_multipart_upload=[S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                days_after_initiation=INCOMPLETE_UPLOAD_DAYS)],
        )],
        depends_on=[versioning],
    )


class DataBucket(Construct):
    """Private, versioned, SSE-KMS bucket that refuses plain-HTTP requests."""

    def __init__(self, scope: Construct, id_: str, *, bucket_name: str, kms_key_arn: str,
                 tls_only: bool = True, retention_days: int | None = None) -> None:
        """Without `tls_only` it has no bucket policy: the owner then writes one (which S3 keeps one of)."""
        super().__init__(scope, id_)
        self.bucket = S3Bucket(self, "bucket", bucket=bucket_name)
        versioned_with_expiry(self, self.bucket, retention_days)
        S3BucketServerSideEncryptionConfigurationA(
            self, "encryption",
            bucket=self.bucket.id,
            rule=[S3BucketServerSideEncryptionConfigurationRuleA(
                apply_server_side_encryption_by_default=(
                    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn,
                    )
                ),
                bucket_key_enabled=True,
            )],
        )
        self.public_access_block = S3BucketPublicAccessBlock(
            self, "public-access-block",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        if not tls_only:
            return
        self.policy = S3BucketPolicy(
            self, "tls-only",
            bucket=self.bucket.id,
            policy=tls_only_policy(self.bucket.arn),
            depends_on=[self.public_access_block],
        )


def tls_only_policy(bucket_arn: str) -> str:
    return policies.document([policies.deny_insecure_transport(bucket_arn)])


def encrypted_table(scope: Construct, id_: str, *, name: str, hash_key: str, range_key: str | None,
                    kms_key_arn: str, replicas: list[DynamodbTableReplica] | None = None,
                    expiry_attribute: str | None = None) -> DynamodbTable:
    """On-demand table with point-in-time recovery and deletion protection, encrypted with a
    customer-managed key: a declared personal-data store, which no plan may destroy.

    With `replicas` it becomes a global table (which needs a stream of new and old images); with
    `expiry_attribute`, DynamoDB deletes items whose epoch-seconds value there has passed (TTL).
    """
    attributes = [DynamodbTableAttribute(name=hash_key, type="S")]
    if range_key:
        attributes.append(DynamodbTableAttribute(name=range_key, type="S"))
    table = DynamodbTable(
        scope, id_,
        name=name,
        billing_mode="PAY_PER_REQUEST",
        hash_key=hash_key,
        range_key=range_key,
        attribute=attributes,
        point_in_time_recovery=DynamodbTablePointInTimeRecovery(enabled=True),
        server_side_encryption=DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=kms_key_arn),
        replica=replicas or None,
        stream_enabled=True if replicas else None,
        stream_view_type="NEW_AND_OLD_IMAGES" if replicas else None,
        deletion_protection_enabled=True,
        ttl=DynamodbTableTtl(attribute_name=expiry_attribute, enabled=True) if expiry_attribute else None,
    )
    declare_personal_data(table, StoreKind.TABLE)
    return table


class RegionDataStores(Construct):
    """Everything personal a region keeps: its key, its bucket and its table."""

    def __init__(self, scope: Construct, id_: str, *, spec: RegionSpec, account: str) -> None:
        super().__init__(scope, id_)
        project, region = spec.project, spec.region
        self.encryption = EncryptionKey(
            self, "kms",
            alias=naming.kms_alias(project, region, "data"),
            description="Encrypts this region's personal data and logs",
            deletion_window_days=spec.target.kms_deletion_window_days,
            policy=data_key_policy(spec, account),
        )
        key_arn = self.encryption.key.arn
        self.bucket = DataBucket(self, "bucket", bucket_name=naming.data_bucket_name(project, region, account),
                                 kms_key_arn=key_arn, tls_only=spec.target.buckets_tls_only)
        self.table = encrypted_table(
            self, "table", name=naming.data_table_name(project, region), hash_key="pk", range_key="sk",
            kms_key_arn=key_arn,
        )
        declare_personal_data(self.bucket.bucket, StoreKind.BUCKET)
        # Without its key the data is unreadable; a region is removed only by `residency region retire`.
        protect(self.encryption.key)


def data_key_policy(spec: RegionSpec, account: str) -> str:
    """The region's functions decrypt their settings with it, CloudWatch Logs of the region and (with alerts) its
    alarms use it; the account's principals only through DATA_KEY_SERVICES of the region (and X-Ray's with
    tracing)."""
    function_roles = tuple(policies.role_arn(account, spec.function_name(purpose))
                           for purpose in naming.DIRECTORY_USERS)
    return policies.data_key_policy(account, [*DATA_KEY_SERVICES, *(["xray"] if spec.tracing else [])],
                                    spec.region, roles=function_roles, logs=True, alarms=spec.alerts is not None)
