"""A region workspace: the silo that keeps one jurisdiction's personal data in its region."""

from __future__ import annotations

from cdktf import Fn, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from constructs import Construct

from residency import naming
from residency.config import StateConfig
from residency.config.model import IdentityConfig, LimitsConfig
from residency.stacks import policies
from residency.stacks.api import RegionApi
from residency.stacks.backend import state_backend
from residency.stacks.data_store import RegionDataStores
from residency.stacks.domain import ApiDomain, hosted_zone
from residency.stacks.functions import Bundle, HandlerFunction, bundle_asset
from residency.stacks.identity import UserPool
from residency.stacks.provider import aws_provider
from residency.stacks.target import TargetProfile

LOG_RETENTION_DAYS = 30
KEY_VERSION = "1"


class RegionStack(TerraformStack):
    def __init__(self, scope: Construct, id_: str, *, project: str, region: str, jurisdiction: str, state: StateConfig,
                 global_region: str, directory_copy_region: str, domain: str | None, extra_tags: dict[str, str],
                 target: TargetProfile, bundle: Bundle, identity: IdentityConfig, limits: LimitsConfig) -> None:
        super().__init__(scope, id_)
        state_backend(self, region, state, project=project, region=region, target=target)
        tags = {**extra_tags, **naming.standard_tags(project, region, jurisdiction)}
        self.provider = aws_provider(self, region=region, tags=tags, target=target)
        account = DataAwsCallerIdentity(self, "account").account_id
        self.data = RegionDataStores(
            self, "data",
            key_alias=naming.kms_alias(project, region, "data"),
            bucket_name=naming.data_bucket_name(project, region, account),
            table_name=naming.data_table_name(project, region),
            kms_deletion_window_days=target.kms_deletion_window_days,
            key_policy=policies.key_policy(account, region),
            tls_only=target.buckets_tls_only,
        )
        key_arn = self.data.encryption.key.arn
        code = bundle_asset(self, bundle)

        # Where the triggers read the directory: their own region's replica where there is one, the
        # global region otherwise. They compute user keys (which sends the normalized email to KMS)
        # always at home: the HMAC key has a replica in every region.
        local_copy_region = directory_copy_region
        directory_env = {
            "HOME_REGION": region,
            "DIRECTORY_TABLE": naming.directory_table_name(project),
            "DIRECTORY_WRITE_REGION": global_region,
            "DIRECTORY_READ_REGION": local_copy_region,
            "HMAC_KEY_ID": naming.directory_hmac_alias(project),
            naming.HMAC_REGION_SETTING: region,
            "KEY_VERSION": KEY_VERSION,
        }
        hmac_keys, hmac_condition = policies.kms_keys_with_alias(region, account, naming.directory_hmac_alias(project))
        computes_user_keys = policies.allow(["kms:GenerateMac"], hmac_keys, hmac_condition, regions=[region])
        directory_primary = policies.dynamodb_table_arn(global_region, account, naming.directory_table_name(project))
        directory_copy = policies.dynamodb_table_arn(local_copy_region, account, naming.directory_table_name(project))

        def function(purpose: str, handler: str, statements: list[policies.Statement],
                     environment: dict[str, str]) -> HandlerFunction:
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
                reserved_concurrency=limits.function_concurrency,
            )

        self.pre_sign_up = function(naming.PRE_SIGN_UP_FUNCTION, "handlers.pre_signup.handler", [
            computes_user_keys,
            policies.allow(["dynamodb:PutItem", "dynamodb:GetItem"], [directory_primary], regions=[global_region]),
        ], directory_env)
        self.pre_authentication = function(naming.PRE_AUTH_FUNCTION, "handlers.pre_auth.handler", [
            computes_user_keys,
            policies.allow(["dynamodb:GetItem"], [directory_copy], regions=[local_copy_region]),
        ], directory_env)
        self.identity = UserPool(
            self, "identity",
            name=naming.resource_name(project, region, "users"),
            pre_sign_up=self.pre_sign_up.function,
            pre_authentication=self.pre_authentication.function,
            settings=identity,
        )
        self.backend = function(naming.API_FUNCTION, "handlers.api.handler", [
            policies.allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                           [self.data.table.arn], regions=[region]),
        ], {
            "HOME_REGION": region,
            "DATA_TABLE": self.data.table.name,
            "USER_POOL_ID": self.identity.pool.id,
            "USER_POOL_CLIENT_ID": self.identity.client.id,
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
        TerraformOutput(self, "data_bucket", value=self.data.bucket.bucket.bucket)
        TerraformOutput(self, "data_table", value=self.data.table.name)
        TerraformOutput(self, "data_key_arn", value=key_arn)
        TerraformOutput(self, "user_pool_id", value=self.identity.pool.id)
        TerraformOutput(self, "user_pool_client_id", value=self.identity.client.id)
        TerraformOutput(self, "api_endpoint", value=self.api.api.api_endpoint)
