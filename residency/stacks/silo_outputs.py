"""What a workspace offers the rest of the app once built: the references the global workspace's routing and the
extensions' context read, so that nothing outside a stack reaches into its constructs.

Each value is a Terraform reference (a token) to a resource of the workspace, or a name known at synth time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ApiAlias:
    """What DNS records alias for `api.<domain>` in a region: its API's custom domain, or its default endpoint."""

    name: str
    zone_id: str


@dataclass(frozen=True)
class RegionOutputs:
    kms_key_arn: str  # the region's data key
    data_bucket_name: str
    data_bucket_arn: str
    data_table_name: str
    data_table_arn: str
    api_id: str
    api_endpoint: str
    api_execution_arn: str
    api_authorizer_id: str
    user_pool_id: str
    user_pool_arn: str
    user_pool_client_id: str
    api_alias: ApiAlias | None  # with a domain only


@dataclass(frozen=True)
class GlobalOutputs:
    directory_table_name: str
