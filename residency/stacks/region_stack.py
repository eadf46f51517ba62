"""A region workspace: the silo that keeps one jurisdiction's personal data in its region."""

from __future__ import annotations

from cdktf import Fn, TerraformOutput
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.xray_encryption_config import XrayEncryptionConfig
from constructs import Construct

from handlers import settings
from residency import naming
from residency.config.model import AlertsConfig
from residency.stacks import policies
from residency.stacks.alarms import RegionAlarms, Watched
from residency.stacks.api import RegionApi
from residency.stacks.audit_trail import (
    JurisdictionAuditBucket,
    RegionAuditTrail,
    key_alias_arn,
    trail_arn,
)
from residency.stacks.backend import state_backend
from residency.stacks.data_store import RegionDataStores
from residency.stacks.domain import ApiDomain, hosted_zone
from residency.stacks.extension_addresses import ExtensionAddressing
from residency.stacks.features import RegionFeatures, flags_document
from residency.stacks.functions import Bundle, HandlerFunction, bundle_asset
from residency.stacks.identity import UserPool
from residency.stacks.provider import aws_provider
from residency.stacks.region_spec import AuditPlacement, RegionSpec
from residency.stacks.silo_functions import LOG_RETENTION_DAYS, SiloFunctions
from residency.target import TargetProfile

# What the deployer's principal may do with the data key: only through these services of the region.
DATA_KEY_SERVICES = ["dynamodb", "s3", "lambda"]


class RegionStack(ExtensionAddressing):
    def __init__(self, scope: Construct, spec: RegionSpec, bundle: Bundle) -> None:
        super().__init__(scope, spec.region)
        self.spec = spec
        region, target = spec.region, spec.target
        state_backend(self, region, spec.state, project=spec.project, region=region, target=target)
        self.tags = spec.tags
        self.provider = aws_provider(self, region=region, tags=self.tags, target=target)
        account = DataAwsCallerIdentity(self, "account").account_id
        self.data = self._data_stores(account)
        key_arn = self.data.encryption.key.arn
        code = bundle_asset(self, bundle)
        if spec.tracing and target.xray_encryption:
            # X-Ray's setting is one per account and region: the region's traces are encrypted with its key.
            XrayEncryptionConfig(self, "traces-encryption", type="KMS", key_id=key_arn)
        functions = SiloFunctions(self, spec, code=code, account=account, key_arn=key_arn,
                                  data_table_arn=self.data.table.arn, data_table_name=self.data.table.name)
        self.pre_sign_up, self.pre_authentication, self.post_authentication, self.post_confirmation = \
            functions.triggers()
        self.identity = UserPool(
            self, "identity",
            name=spec.name("users"),
            pre_sign_up=self.pre_sign_up.function,
            pre_authentication=self.pre_authentication.function,
            post_confirmation=self.post_confirmation.function,
            post_authentication=self.post_authentication.function,
            settings=spec.identity,
        )
        # Only once the account is read back (still there, still enabled) does a sign-in keep its claim.
        self.post_authentication.also_allow("reads-its-account", [policies.allow(
            ["cognito-idp:AdminGetUser"], [self.identity.pool.arn], regions=[region])])
        self.reconciler = functions.claim_reconciler(self.identity.pool)
        self.backend = self._api_backend(functions, account)
        self.api = self._api(key_arn)
        self.api_domain = self._api_domain()
        if spec.alerts is not None:
            self._alarms(spec.alerts, account, key_arn)
        if spec.audit is not None:
            self._audit_trail(spec.project, region, account, spec.audit, target)
        TerraformOutput(self, "data_bucket", value=self.data.bucket.bucket.bucket)
        TerraformOutput(self, "data_table", value=self.data.table.name)
        TerraformOutput(self, "data_key_arn", value=key_arn)
        TerraformOutput(self, "user_pool_id", value=self.identity.pool.id)
        TerraformOutput(self, "user_pool_client_id", value=self.identity.client.id)
        TerraformOutput(self, "api_endpoint", value=self.api.api.api_endpoint)

    def _data_stores(self, account: str) -> RegionDataStores:
        spec = self.spec
        function_roles = tuple(policies.role_arn(account, spec.function_name(purpose))
                               for purpose in naming.DIRECTORY_USERS)
        return RegionDataStores(
            self, "data",
            key_alias=naming.kms_alias(spec.project, spec.region, "data"),
            bucket_name=naming.data_bucket_name(spec.project, spec.region, account),
            table_name=naming.data_table_name(spec.project, spec.region),
            kms_deletion_window_days=spec.target.kms_deletion_window_days,
            key_policy=policies.data_key_policy(account, [*DATA_KEY_SERVICES, *(["xray"] if spec.tracing else [])],
                                                spec.region, roles=function_roles, logs=True,
                                                alarms=spec.alerts is not None),
            tls_only=spec.target.buckets_tls_only,
        )

    def _api_backend(self, functions: SiloFunctions, account: str) -> HandlerFunction:
        region = self.spec.region
        flags_env, reads_flags = self._feature_flags(account)
        return functions.make(naming.API_FUNCTION, "handlers.api.handler", [
            # DELETE /me: find and delete the caller's items, read the caller's address, release its claim,
            # delete the user.
            policies.allow(["dynamodb:Query", "dynamodb:DeleteItem"], [self.data.table.arn], regions=[region]),
            policies.allow(["cognito-idp:AdminGetUser", "cognito-idp:AdminDisableUser", "cognito-idp:AdminDeleteUser"],
                           [self.identity.pool.arn], regions=[region]),
            functions.computes_user_keys, functions.writes_claims, *reads_flags,
        ], {
            **functions.directory_env,
            **flags_env,
            settings.DATA_TABLE: self.data.table.name,
            settings.USER_POOL_ID: self.identity.pool.id,
            settings.USER_POOL_CLIENT_ID: self.identity.client.id,
        })

    def _api(self, key_arn: str) -> RegionApi:
        spec = self.spec
        access_logs = CloudwatchLogGroup(
            self, "api-access-logs",
            name=naming.api_access_log_group(spec.project, spec.region),
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=key_arn,
        )
        return RegionApi(
            self, "api",
            name=spec.name("api"),
            region=spec.region,
            backend=self.backend.function,
            user_pool_id=self.identity.pool.id,
            user_pool_client_id=self.identity.client.id,
            access_log_group=access_logs,
            rate_limit=spec.limits.api_rate,
            burst_limit=spec.limits.api_burst,
        )

    def _api_domain(self) -> ApiDomain | None:
        domain = self.spec.domain
        if not domain:
            return None
        return ApiDomain(
            self, "domain",
            direct_host=naming.region_api_host(self.spec.region, domain),
            shared_host=naming.global_api_host(domain),
            zone=hosted_zone(self, domain),
            api_id=self.api.api.id,
            stage_id=self.api.stage.id,
            api_host=Fn.replace(self.api.api.api_endpoint, "https://", ""),
            custom_domains=self.spec.target.api_custom_domains,
        )

    def _alarms(self, alerts: AlertsConfig, account: str, key_arn: str) -> None:
        spec = self.spec
        functions = {naming.PRE_SIGN_UP_FUNCTION: self.pre_sign_up,
                     naming.PRE_AUTH_FUNCTION: self.pre_authentication,
                     naming.POST_CONFIRMATION_FUNCTION: self.post_confirmation,
                     naming.POST_AUTH_FUNCTION: self.post_authentication, naming.API_FUNCTION: self.backend,
                     naming.CLAIM_RECONCILER_FUNCTION: self.reconciler}
        self.alarms = RegionAlarms(
            self, "alarms", topic_name=naming.alerts_topic_name(spec.project, spec.region), region=spec.region,
            account_id=account, kms_key_arn=key_arn, addresses=alerts.addresses_for(spec.region, spec.jurisdiction),
            watched=Watched(api_id=self.api.api.id,
                            functions={purpose: handler.function.function_name
                                       for purpose, handler in functions.items()},
                            triggers=frozenset(functions) - {naming.API_FUNCTION, naming.CLAIM_RECONCILER_FUNCTION},
                            jobs=frozenset({naming.CLAIM_RECONCILER_FUNCTION}),
                            table_name=self.data.table.name),
            api_latency_ms=alerts.api_latency_ms)
        TerraformOutput(self, "alerts_topic_arn", value=self.alarms.topic.arn)

    def _audit_trail(self, project: str, region: str, account: str, audit: AuditPlacement,
                     target: TargetProfile) -> None:
        """The region's trail; in the jurisdiction's audit home, also the bucket every trail of it writes to."""
        bucket_name = naming.audit_bucket_name(project, audit.home, account)
        key_alias = naming.kms_alias(project, audit.home, "audit")
        if region == audit.home:
            self.audit_bucket = JurisdictionAuditBucket(
                self, "audit-bucket", bucket_name=bucket_name, key_alias=key_alias, region=region, account_id=account,
                trails=[trail_arn(other, account, naming.audit_trail_name(project, other)) for other in audit.regions],
                retention_days=audit.retention_days, kms_deletion_window_days=target.kms_deletion_window_days,
                tls_only=target.buckets_tls_only, break_glass_role=audit.break_glass_role,
                object_lock=audit.object_lock)
            trail = RegionAuditTrail(self, "audit", name=naming.audit_trail_name(project, region),
                                     bucket_name=self.audit_bucket.bucket.bucket,
                                     kms_key=self.audit_bucket.encryption.key.arn,
                                     depends_on=[self.audit_bucket.policy])
            TerraformOutput(self, "audit_bucket", value=self.audit_bucket.bucket.bucket)
        else:
            # The home's workspace is applied first (a workspace dependency): its bucket and key exist by then.
            trail = RegionAuditTrail(self, "audit", name=naming.audit_trail_name(project, region),
                                     bucket_name=bucket_name, kms_key=key_alias_arn(audit.home, account, key_alias))
        TerraformOutput(self, "audit_trail", value=trail.trail.arn)

    def _feature_flags(self, account: str) -> tuple[dict[str, str], list[policies.Statement]]:
        """The API function's settings and permissions for the region's flags: always the flags as deployed
        (what it serves if AppConfig cannot answer, and on the emulator); on AWS the AppConfig to read them from."""
        spec = self.spec
        project, region, features = spec.project, spec.region, spec.features
        if features is None:
            return {}, []
        flags = features.for_region(region, spec.jurisdiction)
        environment = {settings.FEATURE_FLAGS: flags_document(flags)}
        if not spec.target.appconfig:
            return environment, []
        self.features = RegionFeatures(self, "features", name=naming.resource_name(project, region, "features"),
                                       flags=flags)
        environment |= {settings.APPCONFIG_APPLICATION: self.features.application.id,
                        settings.APPCONFIG_ENVIRONMENT: self.features.environment.environment_id,
                        settings.APPCONFIG_PROFILE: self.features.profile.configuration_profile_id}
        profile_arn = (f"arn:{policies.PARTITION}:appconfig:{region}:{account}:application/"
                       f"{self.features.application.id}/environment/{self.features.environment.environment_id}/"
                       f"configuration/{self.features.profile.configuration_profile_id}")
        return environment, [policies.allow(["appconfig:StartConfigurationSession",
                                              "appconfig:GetLatestConfiguration"], [profile_arn], regions=[region])]
