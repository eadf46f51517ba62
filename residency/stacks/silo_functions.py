"""A region's functions: the Cognito triggers, the claim reconciler and the API backend, each with its own role
whose policy grants what its handler does and no more (handlers/ says what each does)."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cognito_user_pool import CognitoUserPool
from constructs import Construct

from handlers import settings
from residency import naming
from residency.stacks import policies
from residency.stacks.claim_reconciler import ReconcilerSchedule
from residency.stacks.functions import Bundle, FunctionHome, FunctionSpec, HandlerFunction
from residency.stacks.identity import CognitoTriggers
from residency.stacks.region_spec import RegionSpec

LOG_RETENTION_DAYS = 30


class SiloFunctions:
    """Makes the region's functions in `scope` (the region's stack: their addresses stay what they were)."""

    def __init__(self, scope: Construct, spec: RegionSpec, *, code: Bundle, account: str, key_arn: str,
                 data_table_arn: str, data_table_name: str) -> None:
        self._scope, self._spec = scope, spec
        self._home = FunctionHome(region=spec.region, bundle=code, kms_key_arn=key_arn,
                                  log_retention_days=LOG_RETENTION_DAYS, tracing=spec.tracing)
        self._data_table_arn, self._data_table_name = data_table_arn, data_table_name
        region, project, directory = spec.region, spec.project, spec.directory
        table = naming.directory_table_name(project)
        # Where the triggers read the directory: their own region's replica where there is one, the global region
        # otherwise. They compute user keys (which sends the normalized email to KMS) always at home: the HMAC key
        # has a replica in every region.
        self.directory_env = {
            settings.HOME_REGION: region,
            settings.DIRECTORY_TABLE: table,
            settings.DIRECTORY_WRITE_REGION: spec.global_region,
            settings.DIRECTORY_READ_REGION: spec.directory_copy_region,
            # Every active HMAC key, the current one first: users are looked up under each.
            settings.HMAC_KEYS: ",".join(f"{version}={naming.directory_hmac_alias(project, version)}"
                                         for version in directory.key_versions),
            settings.HMAC_KEY_REGION: region,
            settings.PENDING_CLAIM_SECONDS: str(directory.pending_claim_hours * 3600),
        }
        hmac_keys, hmac_condition = policies.kms_keys_with_alias(
            region, account, [naming.directory_hmac_alias(project, version) for version in directory.key_versions])
        self.computes_user_keys = policies.allow(["kms:GenerateMac"], hmac_keys, hmac_condition, regions=[region])
        self.directory_primary = policies.dynamodb_table_arn(spec.global_region, account, table)
        directory_copy = policies.dynamodb_table_arn(spec.directory_copy_region, account, table)
        # Claims are written at the primary only, always with a condition (handlers/directory.py).
        self.writes_claims = policies.allow(["dynamodb:UpdateItem", "dynamodb:ConditionCheckItem",
                                             "dynamodb:DeleteItem", "dynamodb:BatchGetItem"],
                                            [self.directory_primary], regions=[spec.global_region])
        self.reads_claims = policies.allow(["dynamodb:BatchGetItem"], [directory_copy],
                                           regions=[spec.directory_copy_region])

    def make(self, purpose: str, handler: str, statements: list[policies.Statement], environment: dict[str, str],
             *, timeout_seconds: int = 5, reserved_concurrency: int | None = None,
             default_reserve: bool = True) -> HandlerFunction:
        spec = self._spec
        return HandlerFunction(self._scope, f"{purpose}-function", home=self._home, spec=FunctionSpec(
            function_name=spec.function_name(purpose),
            handler=handler,
            environment=environment,
            statements=statements,
            timeout_seconds=timeout_seconds,
            reserved_concurrency=spec.limits.function_concurrency if default_reserve else reserved_concurrency,
        ))

    def triggers(self) -> CognitoTriggers:
        """Pre-sign-up, pre-authentication, post-authentication and post-confirmation, made in that order."""
        region = self._spec.region
        pre_sign_up = self.make(naming.PRE_SIGN_UP_FUNCTION, "handlers.pre_signup.handler",
                                [self.computes_user_keys, self.writes_claims], self.directory_env)
        # Before the password is checked: it only reads. Writes wait for post-authentication.
        pre_authentication = self.make(naming.PRE_AUTH_FUNCTION, "handlers.pre_auth.handler",
                                       [self.computes_user_keys, self.reads_claims], self.directory_env)
        # The addresses an account has claimed, recorded with the account (handlers/account_claims.py): what a
        # verified email change and DELETE /me release.
        records_claims = policies.allow(["dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem"],
                                        [self._data_table_arn], regions=[region])
        account_env = {**self.directory_env, settings.DATA_TABLE: self._data_table_name}
        post_authentication = self.make(
            naming.POST_AUTH_FUNCTION, "handlers.post_authentication.handler",
            [self.computes_user_keys, self.reads_claims, self.writes_claims, records_claims], account_env)
        post_confirmation = self.make(naming.POST_CONFIRMATION_FUNCTION, "handlers.post_confirmation.handler",
                                      [self.computes_user_keys, self.writes_claims, records_claims], account_env)
        return CognitoTriggers(pre_sign_up=pre_sign_up, pre_authentication=pre_authentication,
                               post_confirmation=post_confirmation, post_authentication=post_authentication)

    def claim_reconciler(self, pool: CognitoUserPool) -> HandlerFunction:
        """Releases claims whose account the pool no longer holds, every few hours (handlers/claim_reconciler.py):
        it reads the claims recorded in the region's data table and the pool's accounts, and deletes at the
        directory's primary, always under a condition naming the account."""
        spec = self._spec
        region = spec.region
        reconciler = self.make(naming.CLAIM_RECONCILER_FUNCTION, "handlers.claim_reconciler.handler", [
            policies.allow(["dynamodb:Scan", "dynamodb:DeleteItem"], [self._data_table_arn], regions=[region]),
            policies.allow(["dynamodb:DeleteItem"], [self.directory_primary], regions=[spec.global_region]),
            policies.allow(["cognito-idp:ListUsers"], [pool.arn], regions=[region]),
            self.computes_user_keys,  # only for verify's throwaway addresses
        ], {**self.directory_env, settings.DATA_TABLE: self._data_table_name, settings.USER_POOL_ID: pool.id},
            # One run at a time is plenty (a run is idempotent); with `function_concurrency: null` nothing is reserved.
            timeout_seconds=300, default_reserve=False,
            reserved_concurrency=None if spec.limits.function_concurrency is None else 1)
        ReconcilerSchedule(self._scope, "reconciler-schedule", name=spec.function_name("reconcile"),
                           reconciler=reconciler)
        return reconciler
