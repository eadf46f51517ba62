"""A region's Cognito user pool: email sign-in, an immutable custom:region, residency triggers."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from cdktf_cdktf_provider_aws.cognito_user_pool import (
    CognitoUserPool,
    CognitoUserPoolAccountRecoverySetting,
    CognitoUserPoolAccountRecoverySettingRecoveryMechanism,
    CognitoUserPoolLambdaConfig,
    CognitoUserPoolPasswordPolicy,
    CognitoUserPoolSchema,
    CognitoUserPoolSchemaStringAttributeConstraints,
    CognitoUserPoolSoftwareTokenMfaConfiguration,
    CognitoUserPoolUserAttributeUpdateSettings,
    CognitoUserPoolUsernameConfiguration,
    CognitoUserPoolUserPoolAddOns,
)
from cdktf_cdktf_provider_aws.cognito_user_pool_client import CognitoUserPoolClient
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from residency.config.model import IdentityConfig
from residency.personal_data import StoreKind
from residency.stacks.declared_stores import declare_personal_data
from residency.stacks.functions import HandlerFunction

REGION_ATTRIBUTE = "region"  # Cognito names it custom:region
MFA = {"off": "OFF", "optional": "OPTIONAL", "required": "ON"}


@dataclass(frozen=True)
class CognitoTriggers:
    """The functions the pool calls, by the trigger they answer: each reads or writes the directory."""

    pre_sign_up: HandlerFunction
    pre_authentication: HandlerFunction
    post_confirmation: HandlerFunction
    post_authentication: HandlerFunction

    def by_id(self) -> dict[str, HandlerFunction]:
        """By the id of the pool's permission for it (`<id>-invoke`)."""
        return {"pre-sign-up": self.pre_sign_up, "pre-authentication": self.pre_authentication,
                "post-confirmation": self.post_confirmation, "post-authentication": self.post_authentication}


class UserPool(Construct):
    def __init__(self, scope: Construct, id_: str, *, name: str, settings: IdentityConfig,
                 triggers: CognitoTriggers) -> None:
        super().__init__(scope, id_)
        self.pool = _pool(self, name, settings, triggers)
        declare_personal_data(self.pool, StoreKind.USER_POOL)
        self.client = CognitoUserPoolClient(
            self, "client",
            name=f"{name}-web",
            user_pool_id=self.pool.id,
            generate_secret=False,
            prevent_user_existence_errors="ENABLED",
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            read_attributes=["email", "email_verified", f"custom:{REGION_ATTRIBUTE}"],
            write_attributes=["email", f"custom:{REGION_ATTRIBUTE}"],
        )
        for trigger_id, handler in triggers.by_id().items():
            LambdaPermission(
                self, f"{trigger_id}-invoke",
                action="lambda:InvokeFunction",
                function_name=handler.function.function_name,
                principal="cognito-idp.amazonaws.com",
                source_arn=self.pool.arn,
            )


def _pool(scope: Construct, name: str, settings: IdentityConfig, triggers: CognitoTriggers) -> CognitoUserPool:
    threat_protection = settings.threat_protection != "off"
    return CognitoUserPool(
        scope, "pool",
        name=name,
        username_attributes=["email"],
        # AWS's recommendation, and what the directory's normalization assumes: Ada@ and ada@ are
        # one user. Cognito fixes this when a pool is created; a pool an earlier residency made
        # without it keeps its setting (ignored below rather than replacing the pool).
        username_configuration=CognitoUserPoolUsernameConfiguration(case_sensitive=False),
        auto_verified_attributes=["email"],
        # A changed email stays unused until the user proves the new address with a code.
        user_attribute_update_settings=CognitoUserPoolUserAttributeUpdateSettings(
            attributes_require_verification_before_update=["email"]),
        password_policy=CognitoUserPoolPasswordPolicy(
            minimum_length=settings.password_min_length, require_lowercase=True, require_uppercase=True,
            require_numbers=True, require_symbols=True, temporary_password_validity_days=3),
        mfa_configuration=MFA[settings.mfa],
        software_token_mfa_configuration=CognitoUserPoolSoftwareTokenMfaConfiguration(enabled=True)
        if settings.mfa != "off" else None,
        user_pool_add_ons=CognitoUserPoolUserPoolAddOns(advanced_security_mode=settings.threat_protection.upper())
        if threat_protection else None,
        user_pool_tier="PLUS" if threat_protection else None,
        lifecycle=TerraformResourceLifecycle(ignore_changes=["username_configuration"]),
        schema=[CognitoUserPoolSchema(
            name=REGION_ATTRIBUTE,
            attribute_data_type="String",
            mutable=False,
            developer_only_attribute=False,
            required=False,
            string_attribute_constraints=CognitoUserPoolSchemaStringAttributeConstraints(
                min_length="1", max_length="32"),
        )],
        account_recovery_setting=CognitoUserPoolAccountRecoverySetting(recovery_mechanism=[
            CognitoUserPoolAccountRecoverySettingRecoveryMechanism(name="verified_email", priority=1)]),
        lambda_config=CognitoUserPoolLambdaConfig(
            pre_sign_up=triggers.pre_sign_up.function.arn,
            pre_authentication=triggers.pre_authentication.function.arn,
            post_confirmation=triggers.post_confirmation.function.arn,
            post_authentication=triggers.post_authentication.function.arn,
        ),
        # The users are personal data too: a region is removed only by `residency region retire`.
        deletion_protection="ACTIVE",
    )
