"""The AWS provider of a workspace: its region, its default tags, and the target's endpoints."""

from __future__ import annotations

from cdktf import TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderDefaultTags,
    AwsProviderEndpoints,
)

from residency.target import (
    EMULATED_SERVICES,
    FAKE_CREDENTIAL,
    LOCAL_ENDPOINT_VARIABLE,
    TargetProfile,
)


def aws_provider(stack: TerraformStack, *, region: str, tags: dict[str, str],
                 target: TargetProfile, alias: str | None = None) -> AwsProvider:
    """The workspace's provider; with `alias`, an extra one for another region (global only)."""
    construct_id = f"aws-{alias}" if alias else "aws"
    default_tags = [AwsProviderDefaultTags(tags=tags)]
    if not target.uses_emulator:
        return AwsProvider(stack, construct_id, region=region, alias=alias, default_tags=default_tags)
    endpoint = _endpoint(stack)
    return AwsProvider(
        stack, construct_id,
        region=region,
        alias=alias,
        default_tags=default_tags,
        access_key=FAKE_CREDENTIAL,
        secret_key=FAKE_CREDENTIAL,
        skip_credentials_validation=True,
        skip_metadata_api_check="true",
        s3_use_path_style=True,
        endpoints=[AwsProviderEndpoints(**{service: endpoint for service in EMULATED_SERVICES})],
    )


def _endpoint(stack: TerraformStack) -> str:
    existing = stack.node.try_find_child(LOCAL_ENDPOINT_VARIABLE)
    variable = existing if isinstance(existing, TerraformVariable) else TerraformVariable(
        stack, LOCAL_ENDPOINT_VARIABLE,
        type="string",
        description="URL of the local AWS emulator (residency sets it)",
    )
    return variable.string_value
