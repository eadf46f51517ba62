"""The AWS provider of a workspace: its region, its default tags, and the target's endpoints."""

from __future__ import annotations

from cdktf import TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.provider import (
    AwsProvider,
    AwsProviderDefaultTags,
    AwsProviderEndpoints,
)

from residency.stacks.target import (
    EMULATED_SERVICES,
    FAKE_CREDENTIAL,
    LOCAL_ENDPOINT_VARIABLE,
    TargetProfile,
)


def aws_provider(stack: TerraformStack, *, region: str, tags: dict[str, str],
                 target: TargetProfile) -> AwsProvider:
    default_tags = [AwsProviderDefaultTags(tags=tags)]
    if not target.uses_emulator:
        return AwsProvider(stack, "aws", region=region, default_tags=default_tags)
    endpoint = TerraformVariable(
        stack, LOCAL_ENDPOINT_VARIABLE,
        type="string",
        description="URL of the local AWS emulator (residency sets it)",
    ).string_value
    return AwsProvider(
        stack, "aws",
        region=region,
        default_tags=default_tags,
        access_key=FAKE_CREDENTIAL,
        secret_key=FAKE_CREDENTIAL,
        skip_credentials_validation=True,
        skip_metadata_api_check="true",
        s3_use_path_style=True,
        endpoints=[AwsProviderEndpoints(**{service: endpoint for service in EMULATED_SERVICES})],
    )
