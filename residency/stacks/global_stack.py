"""The global workspace: it knows which region a user belongs to, and nothing personal."""

from __future__ import annotations

from cdktf import TerraformOutput
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableReplica
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.kms_replica_key import KmsReplicaKey
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from residency import naming
from residency.config import REGIONS
from residency.config.model import AlertsConfig
from residency.stacks import policies
from residency.stacks.alarms import AlarmTopic, DirectoryReplicationAlarms
from residency.stacks.backend import state_backend
from residency.stacks.data_store import EncryptionKey, encrypted_table
from residency.stacks.declared_stores import protect
from residency.stacks.domain import hosted_zone
from residency.stacks.extension_addresses import ExtensionAddressing
from residency.stacks.frontend import Frontend
from residency.stacks.geo_routing import ApiRouting, RegionEndpoint
from residency.stacks.provider import aws_provider
from residency.stacks.region_spec import GlobalSpec
from residency.stacks.silo_outputs import GlobalOutputs

# The directory's partition key: a pseudonymous key for the user, never the email itself.
DIRECTORY_KEY = "user_key"
# When a pending claim stops binding its address (epoch seconds); DynamoDB deletes it some time after.
EXPIRY_ATTRIBUTE = "expires_at"


class GlobalStack(ExtensionAddressing):
    """The directory, its keys, the routing of `api.<domain>` to every region and the front end; `outputs` is what
    the rest of the app may read of it."""

    def __init__(self, scope: Construct, spec: GlobalSpec, endpoints: list[RegionEndpoint]) -> None:
        super().__init__(scope, naming.GLOBAL_WORKSPACE)
        self.spec = spec
        region, target = spec.region, spec.target
        state_backend(self, naming.GLOBAL_WORKSPACE, spec.state, project=spec.project, region=region, target=target)
        self.tags = spec.tags
        self.provider = aws_provider(self, region=region, tags=self.tags, target=target)
        self._extra_providers: dict[str, AwsProvider] = {}
        self._account = DataAwsCallerIdentity(self, "account").account_id
        self.encryption = EncryptionKey(
            self, "kms",
            alias=naming.kms_alias(spec.project, naming.GLOBAL_WORKSPACE, "directory"),
            description="Encrypts the residency directory (user key -> home region)",
            deletion_window_days=target.kms_deletion_window_days,
            policy=policies.data_key_policy(self._account, ["dynamodb"], region,
                                            alarms=spec.alerts is not None and bool(spec.replica_regions)),
        )
        self._hmac_keys()
        self.directory = self._directory()
        if spec.alerts is not None and spec.replica_regions:
            self._alarms(spec.alerts)
        # Without the directory or its keys no user can be sent to their home region again. An older
        # key version may go once its users have moved (each re-claims at sign-in if not).
        protect(self.encryption.key, self.hmac_key)
        zone = hosted_zone(self, spec.domain) if spec.domain else None
        self.routing: ApiRouting | None = None
        if zone is not None and spec.domain and endpoints:
            self.routing = ApiRouting(self, "routing", domain=spec.domain, zone=zone, routing=spec.routing,
                                      endpoints=endpoints)
        self.frontend = self._frontend(zone) if spec.frontend else None
        self.outputs = GlobalOutputs(directory_table_name=self.directory.name)
        TerraformOutput(self, "directory_table", value=self.outputs.directory_table_name)
        TerraformOutput(self, "directory_replica_regions", value=list(spec.replica_regions))
        # What this apply served: residency finds removed regions (orphans) and moved countries from it.
        TerraformOutput(self, naming.REGIONS_OUTPUT,
                        value={code: list(served) for code, served in spec.countries.items()} or {})
        # A provider for every region residency knows, not only the listed ones: when a region leaves
        # regions.yaml, global's resources there (its HMAC key replica, its directory replica's key) are
        # still in state, and Terraform needs their provider to destroy them. Terraform configures only
        # the providers that something in configuration or state uses, so the others cost nothing.
        for known in sorted(REGIONS):
            self._provider_in(known)

    def _hmac_keys(self) -> None:
        """The user key is HMAC-SHA256 computed inside KMS: the secret never leaves KMS and never enters Terraform
        state. Computing it sends the normalized email to KMS, so every region gets a replica and computes keys at
        home, whatever directory.replicate_to says (a key replica holds no personal data). Only residency's
        functions may compute keys (hmac_key_policy)."""
        spec, account = self.spec, self._account
        self._hmac_policy = policies.hmac_key_policy(account, [
            policies.role_arn(account, naming.function_name(spec.project, user_region, purpose))
            for user_region in spec.user_regions for purpose in naming.DIRECTORY_USERS], list(spec.hmac_regions))
        self.hmac_keys = {version: self._hmac_key(version) for version in spec.key_versions}
        self.hmac_key = self.hmac_keys[spec.key_versions[0]]

    def _directory(self) -> DynamodbTable:
        replicas = [self._directory_replica(replica_region) for replica_region in self.spec.replica_regions]
        return encrypted_table(
            self, "directory",
            name=naming.directory_table_name(self.spec.project),
            hash_key=DIRECTORY_KEY,
            range_key=None,
            kms_key_arn=self.encryption.key.arn,
            replicas=replicas,
            expiry_attribute=EXPIRY_ATTRIBUTE,
        )

    def _alarms(self, alerts: AlertsConfig) -> None:
        spec = self.spec
        topic = AlarmTopic(name=naming.alerts_topic_name(spec.project, naming.GLOBAL_WORKSPACE), region=spec.region,
                           account_id=self._account, kms_key_arn=self.encryption.key.arn,
                           addresses=alerts.addresses_for(naming.GLOBAL_WORKSPACE, naming.GLOBAL_JURISDICTION))
        self.alarms = DirectoryReplicationAlarms(
            self, "alarms", topic=topic, table_name=self.directory.name, replica_regions=list(spec.replica_regions),
            latency_ms=alerts.replication_latency_ms)
        TerraformOutput(self, "alerts_topic_arn", value=self.alarms.topic.arn)

    def _frontend(self, zone: DataAwsRoute53Zone | None) -> Frontend:
        frontend = Frontend(self, "frontend", spec=self.spec, account_id=self._account, zone=zone,
                            us_east_1=self._provider_in("us-east-1"))
        TerraformOutput(self, "frontend_bucket", value=frontend.bucket.bucket)
        TerraformOutput(self, "frontend_domain", value=frontend.distribution.domain_name)
        return frontend

    def _provider_in(self, region: str) -> AwsProvider | None:
        """The provider for `region`: None (the default one) in the workspace's own region."""
        if region == self.spec.region:
            return None
        if region not in self._extra_providers:
            self._extra_providers[region] = aws_provider(self, region=region, tags=self.tags,
                                                         target=self.spec.target, alias=region)
        return self._extra_providers[region]

    def _hmac_key(self, version: int) -> KmsKey:
        """One version of the HMAC key, with its alias and a replica in every region. Version 1 keeps the
        construct ids it had before keys had versions, so upgrading replaces nothing."""
        suffix = "" if version == 1 else f"-v{version}"
        replica_regions, target = self.spec.hmac_regions, self.spec.target
        alias = naming.directory_hmac_alias(self.spec.project, version)
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

    def _directory_replica(self, replica_region: str) -> DynamodbTableReplica:
        """A directory encryption key in `replica_region`, and the table replica there."""
        provider = self._provider_in(replica_region)
        assert provider is not None
        target = self.spec.target
        replica_encryption = EncryptionKey(
            self, f"kms-{replica_region}",
            alias=naming.kms_alias(self.spec.project, f"directory-{replica_region}", "key"),
            description="Encrypts the residency directory replica in this region",
            deletion_window_days=target.kms_deletion_window_days,
            policy=policies.data_key_policy(self._account, ["dynamodb"], replica_region),
        )
        replica_encryption.key.provider = provider
        replica_encryption.alias.provider = provider
        return DynamodbTableReplica(region_name=replica_region, kms_key_arn=replica_encryption.key.arn,
                                    point_in_time_recovery=True)
