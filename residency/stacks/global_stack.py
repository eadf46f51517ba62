"""The global workspace: it knows which region a user belongs to, and nothing personal."""

from __future__ import annotations

from cdktf import TerraformOutput
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTableReplica
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.kms_replica_key import KmsReplicaKey
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from residency import naming
from residency.config import REGIONS
from residency.stacks import policies
from residency.stacks.alarms import DirectoryReplicationAlarms
from residency.stacks.backend import state_backend
from residency.stacks.data_store import EncryptionKey, encrypted_table
from residency.stacks.declared_stores import protect
from residency.stacks.domain import hosted_zone
from residency.stacks.extension_addresses import ExtensionAddressing
from residency.stacks.frontend import Frontend
from residency.stacks.geo_routing import ApiRouting, RegionEndpoint
from residency.stacks.provider import aws_provider
from residency.stacks.region_spec import GlobalSpec
from residency.target import TargetProfile

# The directory's partition key: a pseudonymous key for the user, never the email itself.
DIRECTORY_KEY = "user_key"
# When a pending claim stops binding its address (epoch seconds); DynamoDB deletes it some time after.
EXPIRY_ATTRIBUTE = "expires_at"


class GlobalStack(ExtensionAddressing):
    def __init__(self, scope: Construct, spec: GlobalSpec, endpoints: list[RegionEndpoint]) -> None:
        super().__init__(scope, naming.GLOBAL_WORKSPACE)
        project, region, state, target, alerts = spec.project, spec.region, spec.state, spec.target, spec.alerts
        replica_regions, hmac_regions = list(spec.replica_regions), list(spec.hmac_regions)
        user_regions, key_versions, extra_tags = list(spec.user_regions), spec.key_versions, dict(spec.extra_tags)
        domain, routing, frontend = spec.domain, spec.routing, spec.frontend
        frontend_requests_per_ip = spec.frontend_requests_per_ip
        countries = {code: list(served) for code, served in spec.countries.items()}
        workspace = naming.GLOBAL_WORKSPACE
        state_backend(self, workspace, state, project=project, region=region, target=target)
        tags = {**extra_tags, **naming.standard_tags(project, workspace, naming.GLOBAL_JURISDICTION)}
        self.provider = aws_provider(self, region=region, tags=tags, target=target)
        self._region = region
        self.tags = tags
        self._target = target
        self._extra_providers: dict[str, AwsProvider] = {}
        account = DataAwsCallerIdentity(self, "account").account_id
        self._account = account
        self.encryption = EncryptionKey(
            self, "kms",
            alias=naming.kms_alias(project, workspace, "directory"),
            description="Encrypts the residency directory (user key -> home region)",
            deletion_window_days=target.kms_deletion_window_days,
            policy=policies.data_key_policy(account, ["dynamodb"], region,
                                            alarms=alerts is not None and bool(replica_regions)),
        )
        # The user key is HMAC-SHA256 computed inside KMS: the secret never leaves KMS and never
        # enters Terraform state. Computing it sends the normalized email to KMS, so every region gets
        # a replica and computes keys at home, whatever directory.replicate_to says (a key replica
        # holds no personal data). Only residency's functions may compute keys (hmac_key_policy).
        self._hmac_policy = policies.hmac_key_policy(account, [
            policies.role_arn(account, naming.function_name(project, user_region, purpose))
            for user_region in user_regions for purpose in naming.DIRECTORY_USERS], hmac_regions)
        self.hmac_keys = {version: self._hmac_key(project, version, hmac_regions, target) for version in key_versions}
        self.hmac_key = self.hmac_keys[key_versions[0]]
        replicas = [self._directory_replica(project, replica_region, target) for replica_region in replica_regions]
        self.directory = encrypted_table(
            self, "directory",
            name=naming.directory_table_name(project),
            hash_key=DIRECTORY_KEY,
            range_key=None,
            kms_key_arn=self.encryption.key.arn,
            replicas=replicas,
            expiry_attribute=EXPIRY_ATTRIBUTE,
        )
        if alerts is not None and replica_regions:
            self.alarms = DirectoryReplicationAlarms(
                self, "alarms", topic_name=naming.alerts_topic_name(project, workspace), region=region,
                account_id=account, kms_key_arn=self.encryption.key.arn,
                addresses=alerts.addresses_for(workspace, naming.GLOBAL_JURISDICTION), table_name=self.directory.name,
                replica_regions=replica_regions, latency_ms=alerts.replication_latency_ms)
            TerraformOutput(self, "alerts_topic_arn", value=self.alarms.topic.arn)
        # Without the directory or its keys no user can be sent to their home region again. An older
        # key version may go once its users have moved (each re-claims at sign-in if not).
        protect(self.encryption.key, self.hmac_key)
        zone = hosted_zone(self, domain) if domain else None
        self.routing: ApiRouting | None = None
        if zone is not None and domain and endpoints:
            self.routing = ApiRouting(self, "routing", domain=domain, zone=zone, routing=routing, endpoints=endpoints)
        self.frontend: Frontend | None = None
        if frontend:
            self.frontend = Frontend(
                self, "frontend",
                bucket_name=naming.frontend_bucket_name(project, account),
                name=naming.resource_name(project, workspace, "frontend"),
                host=naming.frontend_host(domain) if domain else None,
                zone=zone,
                us_east_1=self._provider_in("us-east-1"),
                ignore_changes=target.cloudfront_ignore_changes,
                wait_for_deployment=target.wait_for_cloudfront,
                security_headers=target.cloudfront_headers_policy,
                requests_per_ip=frontend_requests_per_ip,
            )
            TerraformOutput(self, "frontend_bucket", value=self.frontend.bucket.bucket)
            TerraformOutput(self, "frontend_domain", value=self.frontend.distribution.domain_name)
        TerraformOutput(self, "directory_table", value=self.directory.name)
        TerraformOutput(self, "directory_replica_regions", value=replica_regions)
        # What this apply served: residency finds removed regions (orphans) and moved countries from it.
        TerraformOutput(self, naming.REGIONS_OUTPUT, value=countries or {})
        # A provider for every region residency knows, not only the listed ones: when a region leaves
        # regions.yaml, global's resources there (its HMAC key replica, its directory replica's key) are
        # still in state, and Terraform needs their provider to destroy them. Terraform configures only
        # the providers that something in configuration or state uses, so the others cost nothing.
        for known in sorted(REGIONS):
            self._provider_in(known)

    def _provider_in(self, region: str) -> AwsProvider | None:
        """The provider for `region`: None (the default one) in the workspace's own region."""
        if region == self._region:
            return None
        if region not in self._extra_providers:
            self._extra_providers[region] = aws_provider(self, region=region, tags=self.tags,
                                                         target=self._target, alias=region)
        return self._extra_providers[region]

    def _hmac_key(self, project: str, version: int, replica_regions: list[str], target: TargetProfile) -> KmsKey:
        """One version of the HMAC key, with its alias and a replica in every region. Version 1 keeps the
        construct ids it had before keys had versions, so upgrading replaces nothing."""
        suffix = "" if version == 1 else f"-v{version}"
        alias = naming.directory_hmac_alias(project, version)
        key = KmsKey(
            self, f"hmac-key{suffix}",
            description=f"Turns a normalized email into the directory's pseudonymous user key (version {version})",
            key_usage="GENERATE_VERIFY_MAC",
            customer_master_key_spec="HMAC_256",
            multi_region=bool(replica_regions),
            deletion_window_in_days=target.kms_deletion_window_days,
            policy=self._hmac_policy,
        )
        KmsAlias(self, f"hmac-alias{suffix}", name=alias, target_key_id=key.key_id)
        for replica_region in replica_regions:
            provider = self._provider_in(replica_region)
            assert provider is not None
            replica = KmsReplicaKey(
                self, f"hmac-key{suffix}-{replica_region}",
                provider=provider,
                primary_key_arn=key.arn,
                description=f"Replica of the directory HMAC key (version {version})",
                deletion_window_in_days=target.kms_deletion_window_days,
                policy=self._hmac_policy,
            )
            KmsAlias(self, f"hmac-alias{suffix}-{replica_region}", provider=provider, name=alias,
                     target_key_id=replica.key_id)
        return key

    def _directory_replica(self, project: str, replica_region: str, target: TargetProfile) -> DynamodbTableReplica:
        """A directory encryption key in `replica_region`, and the table replica there."""
        provider = self._provider_in(replica_region)
        assert provider is not None
        replica_encryption = EncryptionKey(
            self, f"kms-{replica_region}",
            alias=naming.kms_alias(project, f"directory-{replica_region}", "key"),
            description="Encrypts the residency directory replica in this region",
            deletion_window_days=target.kms_deletion_window_days,
            policy=policies.data_key_policy(self._account, ["dynamodb"], replica_region),
        )
        replica_encryption.key.provider = provider
        replica_encryption.alias.provider = provider
        return DynamodbTableReplica(region_name=replica_region, kms_key_arn=replica_encryption.key.arn,
                                    point_in_time_recovery=True)
