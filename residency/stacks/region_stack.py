"""A region workspace: the silo that keeps one jurisdiction's personal data in its region."""

from __future__ import annotations

from cdktf import TerraformOutput
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.xray_encryption_config import XrayEncryptionConfig
from constructs import Construct

from handlers import settings
from residency import naming
from residency.config.model import AlertsConfig
from residency.stacks import policies
from residency.stacks.alarms import AlarmTopic, RegionAlarms, Watched
from residency.stacks.api import RegionApi
from residency.stacks.audit_trail import JurisdictionAuditBucket, RegionAuditTrail, key_alias_arn
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
from residency.stacks.silo_outputs import RegionOutputs


class RegionStack(ExtensionAddressing):
    """The silo of the region `spec` names; `outputs` is what the rest of the app may read of it."""

    def __init__(self, scope: Construct, spec: RegionSpec, bundle: Bundle) -> None:
        super().__init__(scope, spec.region)
        self.spec = spec
        region, target = spec.region, spec.target
        state_backend(self, region, spec.state, project=spec.project, region=region, target=target)
        self.tags = spec.tags
        self.provider = aws_provider(self, region=region, tags=self.tags, target=target)
        account = DataAwsCallerIdentity(self, "account").account_id
        self.data = RegionDataStores(self, "data", spec=spec, account=account)
        key_arn = self.data.encryption.key.arn
        code = bundle_asset(self, bundle)
        if spec.tracing and target.xray_encryption:
            # X-Ray's setting is one per account and region: the region's traces are encrypted with its key.
            XrayEncryptionConfig(self, "traces-encryption", type="KMS", key_id=key_arn)
        functions = SiloFunctions(self, spec, code=code, account=account, key_arn=key_arn,
                                  data_table_arn=self.data.table.arn, data_table_name=self.data.table.name)
        self.triggers = functions.triggers()
        self.identity = UserPool(self, "identity", name=spec.name("users"), settings=spec.identity,
                                 triggers=self.triggers)
        # Only once the account is read back (still there, still enabled) does a sign-in keep its claim.
        self.triggers.post_authentication.also_allow("reads-its-account", [policies.allow(
            ["cognito-idp:AdminGetUser"], [self.identity.pool.arn], regions=[region])])
        self.reconciler = functions.claim_reconciler(self.identity.pool)
        self.backend = self._api_backend(functions, account)
        self.api = self._api(key_arn)
        self.api_domain = self._api_domain()
        if spec.alerts is not None:
            self._alarms(spec.alerts, account, key_arn)
        if spec.audit is not None:
            self._audit_trail(account, spec.audit)
        self.outputs = self._outputs()
        TerraformOutput(self, "data_bucket", value=self.outputs.data_bucket_name)
        TerraformOutput(self, "data_table", value=self.outputs.data_table_name)
        TerraformOutput(self, "data_key_arn", value=self.outputs.kms_key_arn)
        TerraformOutput(self, "user_pool_id", value=self.outputs.user_pool_id)
        TerraformOutput(self, "user_pool_client_id", value=self.outputs.user_pool_client_id)
        TerraformOutput(self, "api_endpoint", value=self.outputs.api_endpoint)

    def _outputs(self) -> RegionOutputs:
        data, api, identity = self.data, self.api, self.identity
        return RegionOutputs(
            kms_key_arn=data.encryption.key.arn,
            data_bucket_name=data.bucket.bucket.bucket, data_bucket_arn=data.bucket.bucket.arn,
            data_table_name=data.table.name, data_table_arn=data.table.arn,
            api_id=api.api.id, api_endpoint=api.api.api_endpoint, api_execution_arn=api.api.execution_arn,
            api_authorizer_id=api.authorizer.id,
            user_pool_id=identity.pool.id, user_pool_arn=identity.pool.arn, user_pool_client_id=identity.client.id,
            api_alias=self.api_domain.alias if self.api_domain is not None else None,
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
        return RegionApi(self, "api", spec=spec, backend=self.backend.function, identity=self.identity,
                         access_log_group=access_logs)

    def _api_domain(self) -> ApiDomain | None:
        domain = self.spec.domain
        if not domain:
            return None
        return ApiDomain(self, "domain", region=self.spec.region, domain=domain, zone=hosted_zone(self, domain),
                         api=self.api, custom_domains=self.spec.target.api_custom_domains)

    def _alarms(self, alerts: AlertsConfig, account: str, key_arn: str) -> None:
        spec = self.spec
        triggers = self.triggers
        functions = {naming.PRE_SIGN_UP_FUNCTION: triggers.pre_sign_up,
                     naming.PRE_AUTH_FUNCTION: triggers.pre_authentication,
                     naming.POST_CONFIRMATION_FUNCTION: triggers.post_confirmation,
                     naming.POST_AUTH_FUNCTION: triggers.post_authentication, naming.API_FUNCTION: self.backend,
                     naming.CLAIM_RECONCILER_FUNCTION: self.reconciler}
        topic = AlarmTopic(name=naming.alerts_topic_name(spec.project, spec.region), region=spec.region,
                           account_id=account, kms_key_arn=key_arn,
                           addresses=alerts.addresses_for(spec.region, spec.jurisdiction))
        self.alarms = RegionAlarms(
            self, "alarms", topic=topic,
            watched=Watched(api_id=self.api.api.id,
                            functions={purpose: handler.function.function_name
                                       for purpose, handler in functions.items()},
                            triggers=frozenset(functions) - {naming.API_FUNCTION, naming.CLAIM_RECONCILER_FUNCTION},
                            jobs=frozenset({naming.CLAIM_RECONCILER_FUNCTION}),
                            table_name=self.data.table.name),
            api_latency_ms=alerts.api_latency_ms)
        TerraformOutput(self, "alerts_topic_arn", value=self.alarms.topic.arn)

    def _audit_trail(self, account: str, audit: AuditPlacement) -> None:
        """The region's trail; in the jurisdiction's audit home, also the bucket every trail of it writes to."""
        project, region = self.spec.project, self.spec.region
        name = naming.audit_trail_name(project, region)
        if region == audit.home:
            self.audit_bucket = JurisdictionAuditBucket(self, "audit-bucket", project=project, account_id=account,
                                                        placement=audit, target=self.spec.target)
            trail = RegionAuditTrail(self, "audit", name=name, bucket_name=self.audit_bucket.bucket.bucket,
                                     kms_key=self.audit_bucket.encryption.key.arn,
                                     depends_on=[self.audit_bucket.policy])
            TerraformOutput(self, "audit_bucket", value=self.audit_bucket.bucket.bucket)
        else:
            # The home's workspace is applied first (a workspace dependency): its bucket and key exist by then.
            trail = RegionAuditTrail(self, "audit", name=name,
                                     bucket_name=naming.audit_bucket_name(project, audit.home, account),
                                     kms_key=key_alias_arn(audit.home, account,
                                                           naming.kms_alias(project, audit.home, "audit")))
        TerraformOutput(self, "audit_trail", value=trail.trail.arn)

    def _feature_flags(self, account: str) -> tuple[dict[str, str], list[policies.Statement]]:
        """The API function's settings and permissions for the region's flags: always the flags as deployed
        (what it serves if AppConfig cannot answer, and on the emulator); on AWS the AppConfig to read them from."""
        spec = self.spec
        region, features = spec.region, spec.features
        if features is None:
            return {}, []
        flags = features.for_region(region, spec.jurisdiction)
        environment = {settings.FEATURE_FLAGS: flags_document(flags)}
        if not spec.target.appconfig:
            return environment, []
        self.features = RegionFeatures(self, "features", name=spec.name("features"), flags=flags)
        environment |= {settings.APPCONFIG_APPLICATION: self.features.application.id,
                        settings.APPCONFIG_ENVIRONMENT: self.features.environment.environment_id,
                        settings.APPCONFIG_PROFILE: self.features.profile.configuration_profile_id}
        profile_arn = (f"arn:{policies.PARTITION}:appconfig:{region}:{account}:application/"
                       f"{self.features.application.id}/environment/{self.features.environment.environment_id}/"
                       f"configuration/{self.features.profile.configuration_profile_id}")
        return environment, [policies.allow(["appconfig:StartConfigurationSession",
                                              "appconfig:GetLatestConfiguration"], [profile_arn], regions=[region])]
