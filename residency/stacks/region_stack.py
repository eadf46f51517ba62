"""A region workspace: the silo that keeps one jurisdiction's personal data in its region."""

from __future__ import annotations

from collections.abc import Callable

from cdktf import Fn, TerraformOutput
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.xray_encryption_config import XrayEncryptionConfig
from constructs import Construct

from handlers import settings
from residency import naming
from residency.config import StateConfig
from residency.config.model import AlertsConfig, DirectoryConfig, FeaturesConfig, IdentityConfig, LimitsConfig
from residency.stacks import policies
from residency.stacks.alarms import RegionAlarms, Watched
from residency.stacks.api import RegionApi
from residency.stacks.audit_trail import (
    AuditPlacement,
    JurisdictionAuditBucket,
    RegionAuditTrail,
    key_alias_arn,
    trail_arn,
)
from residency.stacks.backend import state_backend
from residency.stacks.claim_reconciler import ReconcilerSchedule
from residency.stacks.data_store import RegionDataStores
from residency.stacks.domain import ApiDomain, hosted_zone
from residency.stacks.extension_addresses import ExtensionAddressing
from residency.stacks.features import RegionFeatures, flags_document
from residency.stacks.functions import Bundle, HandlerFunction, bundle_asset
from residency.stacks.identity import UserPool
from residency.stacks.provider import aws_provider
from residency.target import TargetProfile

LOG_RETENTION_DAYS = 30
# What the deployer's principal may do with the data key: only through these services of the region.
DATA_KEY_SERVICES = ["dynamodb", "s3", "lambda"]


class RegionStack(ExtensionAddressing):
    def __init__(self, scope: Construct, id_: str, *, project: str, region: str, jurisdiction: str, state: StateConfig,
                 global_region: str, directory_copy_region: str, domain: str | None, extra_tags: dict[str, str],
                 target: TargetProfile, bundle: Bundle, identity: IdentityConfig, limits: LimitsConfig,
                 directory: DirectoryConfig, alerts: AlertsConfig | None = None,
                 features: FeaturesConfig | None = None, audit: AuditPlacement | None = None,
                 tracing: bool = False) -> None:
        super().__init__(scope, id_)
        state_backend(self, region, state, project=project, region=region, target=target)
        tags = {**extra_tags, **naming.standard_tags(project, region, jurisdiction)}
        self.tags = tags
        self.provider = aws_provider(self, region=region, tags=tags, target=target)
        account = DataAwsCallerIdentity(self, "account").account_id
        function_roles = tuple(policies.role_arn(account, naming.function_name(project, region, purpose))
                               for purpose in naming.DIRECTORY_USERS)
        self.data = RegionDataStores(
            self, "data",
            key_alias=naming.kms_alias(project, region, "data"),
            bucket_name=naming.data_bucket_name(project, region, account),
            table_name=naming.data_table_name(project, region),
            kms_deletion_window_days=target.kms_deletion_window_days,
            key_policy=policies.data_key_policy(account, [*DATA_KEY_SERVICES, *(["xray"] if tracing else [])], region,
                                                roles=function_roles, logs=True, alarms=alerts is not None),
            tls_only=target.buckets_tls_only,
        )
        key_arn = self.data.encryption.key.arn
        code = bundle_asset(self, bundle)
        if tracing and target.xray_encryption:
            # X-Ray's setting is one per account and region: the region's traces are encrypted with its key.
            XrayEncryptionConfig(self, "traces-encryption", type="KMS", key_id=key_arn)

        # Where the triggers read the directory: their own region's replica where there is one, the
        # global region otherwise. They compute user keys (which sends the normalized email to KMS)
        # always at home: the HMAC key has a replica in every region.
        local_copy_region = directory_copy_region
        directory_env = {
            settings.HOME_REGION: region,
            settings.DIRECTORY_TABLE: naming.directory_table_name(project),
            settings.DIRECTORY_WRITE_REGION: global_region,
            settings.DIRECTORY_READ_REGION: local_copy_region,
            # Every active HMAC key, the current one first: users are looked up under each.
            settings.HMAC_KEYS: ",".join(f"{version}={naming.directory_hmac_alias(project, version)}"
                                  for version in directory.key_versions),
            settings.HMAC_KEY_REGION: region,
            settings.PENDING_CLAIM_SECONDS: str(directory.pending_claim_hours * 3600),
        }
        hmac_keys, hmac_condition = policies.kms_keys_with_alias(
            region, account, [naming.directory_hmac_alias(project, version) for version in directory.key_versions])
        computes_user_keys = policies.allow(["kms:GenerateMac"], hmac_keys, hmac_condition, regions=[region])
        directory_primary = policies.dynamodb_table_arn(global_region, account, naming.directory_table_name(project))
        directory_copy = policies.dynamodb_table_arn(local_copy_region, account, naming.directory_table_name(project))

        def function(purpose: str, handler: str, statements: list[policies.Statement],
                     environment: dict[str, str], *, timeout_seconds: int = 5,
                     reserved_concurrency: int | None = limits.function_concurrency) -> HandlerFunction:
            return HandlerFunction(
                self, f"{purpose}-function",
                region=region,
                function_name=naming.function_name(project, region, purpose),
                handler=handler,
                bundle=code,
                environment=environment,
                statements=statements,
                kms_key_arn=key_arn,
                log_retention_days=LOG_RETENTION_DAYS,
                tracing=tracing,
                timeout_seconds=timeout_seconds,
                reserved_concurrency=reserved_concurrency,
            )

        # Claims are written at the primary only, always with a condition (handlers/directory.py).
        writes_claims = policies.allow(["dynamodb:UpdateItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
                                        "dynamodb:BatchGetItem"], [directory_primary], regions=[global_region])
        reads_claims = policies.allow(["dynamodb:BatchGetItem"], [directory_copy], regions=[local_copy_region])
        self.pre_sign_up = function(naming.PRE_SIGN_UP_FUNCTION, "handlers.pre_signup.handler",
                                    [computes_user_keys, writes_claims], directory_env)
        # Before the password is checked: it only reads. Writes wait for post-authentication.
        self.pre_authentication = function(naming.PRE_AUTH_FUNCTION, "handlers.pre_auth.handler",
                                           [computes_user_keys, reads_claims], directory_env)
        # The addresses an account has claimed, recorded with the account (handlers/account_claims.py): what a
        # verified email change and DELETE /me release.
        records_claims = policies.allow(["dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"],
                                        [self.data.table.arn], regions=[region])
        account_env = {**directory_env, settings.DATA_TABLE: self.data.table.name}
        self.post_authentication = function(naming.POST_AUTH_FUNCTION, "handlers.post_authentication.handler",
                                            [computes_user_keys, reads_claims, writes_claims, records_claims],
                                            account_env)
        self.post_confirmation = function(naming.POST_CONFIRMATION_FUNCTION, "handlers.post_confirmation.handler",
                                          [computes_user_keys, writes_claims, records_claims], account_env)
        self.identity = UserPool(
            self, "identity",
            name=naming.resource_name(project, region, "users"),
            pre_sign_up=self.pre_sign_up.function,
            pre_authentication=self.pre_authentication.function,
            post_confirmation=self.post_confirmation.function,
            post_authentication=self.post_authentication.function,
            settings=identity,
        )
        # Only once the account is read back (still there, still enabled) does a sign-in keep its claim.
        self.post_authentication.also_allow("reads-its-account", [policies.allow(
            ["cognito-idp:AdminGetUser"], [self.identity.pool.arn], regions=[region])])
        self.reconciler = self._claim_reconciler(project, region, function, directory_env, directory_primary,
                                                 global_region, computes_user_keys, limits.function_concurrency)
        flags_env, reads_flags = self._feature_flags(project, region, jurisdiction, account, features, target)
        self.backend = function(naming.API_FUNCTION, "handlers.api.handler", [
            # DELETE /me: find and delete the caller's items, read the caller's address, release its claim,
            # delete the user.
            policies.allow(["dynamodb:Query", "dynamodb:DeleteItem"], [self.data.table.arn], regions=[region]),
            policies.allow(["cognito-idp:AdminGetUser", "cognito-idp:AdminDisableUser", "cognito-idp:AdminDeleteUser"],
                           [self.identity.pool.arn], regions=[region]),
            computes_user_keys, writes_claims, *reads_flags,
        ], {
            **directory_env,
            **flags_env,
            settings.DATA_TABLE: self.data.table.name,
            settings.USER_POOL_ID: self.identity.pool.id,
            settings.USER_POOL_CLIENT_ID: self.identity.client.id,
        })
        access_logs = CloudwatchLogGroup(
            self, "api-access-logs",
            name=naming.api_access_log_group(project, region),
            retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=key_arn,
        )
        self.api = RegionApi(
            self, "api",
            name=naming.resource_name(project, region, "api"),
            region=region,
            backend=self.backend.function,
            user_pool_id=self.identity.pool.id,
            user_pool_client_id=self.identity.client.id,
            access_log_group=access_logs,
            rate_limit=limits.api_rate,
            burst_limit=limits.api_burst,
        )
        self.api_domain: ApiDomain | None = None
        if domain:
            self.api_domain = ApiDomain(
                self, "domain",
                direct_host=naming.region_api_host(region, domain),
                shared_host=naming.global_api_host(domain),
                zone=hosted_zone(self, domain),
                api_id=self.api.api.id,
                stage_id=self.api.stage.id,
                api_host=Fn.replace(self.api.api.api_endpoint, "https://", ""),
                custom_domains=target.api_custom_domains,
            )
        if alerts is not None:
            functions = {naming.PRE_SIGN_UP_FUNCTION: self.pre_sign_up,
                         naming.PRE_AUTH_FUNCTION: self.pre_authentication,
                         naming.POST_CONFIRMATION_FUNCTION: self.post_confirmation,
                         naming.POST_AUTH_FUNCTION: self.post_authentication, naming.API_FUNCTION: self.backend,
                         naming.CLAIM_RECONCILER_FUNCTION: self.reconciler}
            self.alarms = RegionAlarms(
                self, "alarms", topic_name=naming.alerts_topic_name(project, region), region=region,
                account_id=account, kms_key_arn=key_arn, addresses=alerts.addresses_for(region, jurisdiction),
                watched=Watched(api_id=self.api.api.id,
                                functions={purpose: handler.function.function_name
                                           for purpose, handler in functions.items()},
                                triggers=frozenset(functions) - {naming.API_FUNCTION, naming.CLAIM_RECONCILER_FUNCTION},
                                jobs=frozenset({naming.CLAIM_RECONCILER_FUNCTION}),
                                table_name=self.data.table.name),
                api_latency_ms=alerts.api_latency_ms)
            TerraformOutput(self, "alerts_topic_arn", value=self.alarms.topic.arn)
        if audit is not None:
            self._audit_trail(project, region, account, audit, target)
        TerraformOutput(self, "data_bucket", value=self.data.bucket.bucket.bucket)
        TerraformOutput(self, "data_table", value=self.data.table.name)
        TerraformOutput(self, "data_key_arn", value=key_arn)
        TerraformOutput(self, "user_pool_id", value=self.identity.pool.id)
        TerraformOutput(self, "user_pool_client_id", value=self.identity.client.id)
        TerraformOutput(self, "api_endpoint", value=self.api.api.api_endpoint)

    def _claim_reconciler(self, project: str, region: str, function: Callable[..., HandlerFunction],
                          directory_env: dict[str, str], directory_primary: str, global_region: str,
                          computes_user_keys: policies.Statement, reserved: int | None) -> HandlerFunction:
        """Releases claims whose account the pool no longer holds, every few hours (handlers/claim_reconciler.py):
        it reads the claims recorded in the region's data table and the pool's accounts, and deletes at the
        directory's primary, always under a condition naming the account."""
        reconciler = function(naming.CLAIM_RECONCILER_FUNCTION, "handlers.claim_reconciler.handler", [
            policies.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], [self.data.table.arn], regions=[region]),
            policies.allow(["dynamodb:DeleteItem"], [directory_primary], regions=[global_region]),
            policies.allow(["cognito-idp:ListUsers"], [self.identity.pool.arn], regions=[region]),
            computes_user_keys,  # only for verify's throwaway addresses
        ], {**directory_env, settings.DATA_TABLE: self.data.table.name, settings.USER_POOL_ID: self.identity.pool.id},
            # One run at a time is plenty (a run is idempotent); with `function_concurrency: null` nothing is reserved.
            timeout_seconds=300, reserved_concurrency=None if reserved is None else 1)
        ReconcilerSchedule(self, "reconciler-schedule", name=naming.function_name(project, region, "reconcile"),
                           reconciler=reconciler)
        return reconciler

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

    def _feature_flags(self, project: str, region: str, jurisdiction: str, account: str,
                       features: FeaturesConfig | None, target: TargetProfile
                       ) -> tuple[dict[str, str], list[policies.Statement]]:
        """The API function's settings and permissions for the region's flags: always the flags as deployed
        (what it serves if AppConfig cannot answer, and on the emulator); on AWS the AppConfig to read them from."""
        if features is None:
            return {}, []
        flags = features.for_region(region, jurisdiction)
        environment = {settings.FEATURE_FLAGS: flags_document(flags)}
        if not target.appconfig:
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
