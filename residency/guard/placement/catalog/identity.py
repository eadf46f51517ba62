"""Cognito and IAM."""

from __future__ import annotations

from residency.guard.placement.catalog.entries import (
    Entry,
    Flow,
    Kind,
    Place,
    access,
    entry,
    identity_policy,
    keep,
    out,
    process,
    trust_policy,
)

# Sign-in with these hands the user's identity to a company outside any AWS region.
SOCIAL_PROVIDERS = ("Google", "Facebook", "LoginWithAmazon", "SignInWithApple")


_e = entry


_TRIGGERS = ("create_auth_challenge", "custom_message", "define_auth_challenge", "post_authentication",
             "post_confirmation", "pre_authentication", "pre_sign_up", "pre_token_generation", "user_migration",
             "verify_auth_challenge_response")
_IDP_URLS = ("oidc_issuer", "authorize_url", "token_url", "attributes_url", "jwks_uri", "MetadataURL")
_CLIENT = (process("callback_urls", Kind.HOST), process("logout_urls", Kind.HOST),
           process("default_redirect_uri", Kind.HOST), out("analytics_configuration.application_arn"),
           out("analytics_configuration.application_id", Kind.NAME_OR_ARN))
_POLICY_ARN = Kind.POLICY_ARN

ENTRIES: tuple[Entry, ...] = (
    # Cognito
    _e("aws_cognito_user_pool",
       *(process(f"lambda_config.{name}") for name in _TRIGGERS),
       process("lambda_config.custom_email_sender.lambda_arn"), process("lambda_config.custom_sms_sender.lambda_arn"),
       process("lambda_config.pre_token_generation_config.lambda_arn"), keep("lambda_config.kms_key_id"),
       process("email_configuration.source_arn"), process("sms_configuration.sns_caller_arn"),
       process("sms_configuration.sns_region", Kind.REGION),
       personal=True, note="Triggers, SES identity and SNS region receive user attributes; SMS/email leave AWS"),
    _e("aws_cognito_user_pool_client", *_CLIENT, keep("user_pool_id"),
       note="Callback and logout URLs receive authorization codes and tokens"),
    _e("aws_cognito_managed_user_pool_client", *_CLIENT, keep("user_pool_id")),
    _e("aws_cognito_user_pool_domain", keep("certificate_arn"), keep("user_pool_id"),
       note="A custom domain is served through CloudFront (certificate in us-east-1): TLS ends at edge locations"),
    _e("aws_cognito_identity_provider",
       Place("provider_type", Kind.UNPLACEABLE, Flow.PROCESS, when=("provider_type", SOCIAL_PROVIDERS)),
       *(process(f"provider_details.{key}", Kind.HOST) for key in _IDP_URLS),
       keep("user_pool_id"),
       note="Google, Facebook, Apple and Login with Amazon have implicit endpoints outside any AWS region"),
    _e("aws_cognito_user_group", keep("user_pool_id")),
    _e("aws_cognito_user", keep("user_pool_id"), personal=True),
    _e("aws_cognito_user_in_group", keep("user_pool_id")),
    _e("aws_cognito_resource_server", keep("user_pool_id")),
    _e("aws_cognito_user_pool_ui_customization", keep("user_pool_id")),
    _e("aws_cognito_risk_configuration", keep("user_pool_id"),
       process("account_takeover_risk_configuration.notify_configuration.source_arn")),
    _e("aws_cognito_identity_pool", access("openid_connect_provider_arns"), access("saml_provider_arns"),
       Place("supported_login_providers", Kind.UNPLACEABLE, Flow.PROCESS),
       access("cognito_identity_providers.provider_name", Kind.HOST),
       personal=True, note="Keeps identity ids linked to users' logins; supported_login_providers are social IdPs"),
    _e("aws_cognito_identity_pool_roles_attachment"),
    _e("aws_cognito_identity_pool_provider_principal_tag"),
    # IAM: global service, but created per workspace for that workspace's own resources
    _e("aws_iam_role", access("managed_policy_arns", _POLICY_ARN), access("permissions_boundary", _POLICY_ARN),
       policies=(trust_policy(), identity_policy("inline_policy.policy"))),
    _e("aws_iam_role_policy", policies=(identity_policy(),)),
    _e("aws_iam_role_policy_attachment", access("policy_arn", _POLICY_ARN)),
    _e("aws_iam_role_policy_attachments_exclusive", access("policy_arns", _POLICY_ARN)),
    _e("aws_iam_role_policies_exclusive"),
    _e("aws_iam_policy", policies=(identity_policy(),)),
    _e("aws_iam_policy_attachment", access("policy_arn", _POLICY_ARN)),
    _e("aws_iam_user", access("permissions_boundary", _POLICY_ARN)),
    _e("aws_iam_user_policy", policies=(identity_policy(),)),
    _e("aws_iam_user_policy_attachment", access("policy_arn", _POLICY_ARN)),
    _e("aws_iam_user_group_membership"),
    _e("aws_iam_group"),
    _e("aws_iam_group_policy", policies=(identity_policy(),)),
    _e("aws_iam_group_policy_attachment", access("policy_arn", _POLICY_ARN)),
    _e("aws_iam_group_membership"),
    _e("aws_iam_instance_profile"),
    _e("aws_iam_openid_connect_provider", access("url", Kind.HOST),
       note="Tokens from this issuer may assume roles that trust the provider"),
    _e("aws_iam_saml_provider", note="Assertions from this IdP may assume roles that trust the provider"),
    _e("aws_iam_service_linked_role"),
)
