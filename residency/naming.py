"""Every name residency gives to a cloud resource, in one place, so a rename is one edit.

Pure functions of the project name and the workspace; no I/O, no cdktf.
"""

from __future__ import annotations

from handlers import settings

GLOBAL_WORKSPACE = "global"
MANAGED_BY = "residency"

TAG_PROJECT = "project"
TAG_WORKSPACE = "workspace"
TAG_JURISDICTION = "jurisdiction"
TAG_MANAGED_BY = "managed-by"
RESERVED_TAG_KEYS = (TAG_PROJECT, TAG_WORKSPACE, TAG_JURISDICTION, TAG_MANAGED_BY)

# The global workspace holds no personal data; this is what its jurisdiction tag says.
GLOBAL_JURISDICTION = "global"
# global's output recording which region served which countries at its last apply
REGIONS_OUTPUT = "regions_served"
# Terraform variable through which the runner passes the local emulator's URL, so the port the
# emulator happens to get never changes the synthesized workspaces.
LOCAL_ENDPOINT_VARIABLE = "residency_local_endpoint"
# The purposes of the functions residency deploys in every region (their names: function_name). Only the
# triggers may read and write the directory, which is the one store outside the jurisdiction.
PRE_SIGN_UP_FUNCTION = "pre-sign-up"
PRE_AUTH_FUNCTION = "pre-auth"
POST_CONFIRMATION_FUNCTION = "post-confirm"
POST_AUTH_FUNCTION = "post-auth"
API_FUNCTION = "api"
CLAIM_RECONCILER_FUNCTION = "reconcile"
# The functions that compute user keys and use the directory (the API releases a deleted account's claim, the
# reconciler the pending claims of `verify --users`' throwaway addresses).
DIRECTORY_USERS = (PRE_SIGN_UP_FUNCTION, PRE_AUTH_FUNCTION, POST_CONFIRMATION_FUNCTION, POST_AUTH_FUNCTION,
                   API_FUNCTION, CLAIM_RECONCILER_FUNCTION)
# Settings of the residency triggers that name the regions where they read and write the directory.
DIRECTORY_REGION_SETTINGS = settings.DIRECTORY_REGIONS
# The setting that names the region where a trigger computes user keys (sends the email to KMS).
HMAC_REGION_SETTING = settings.HMAC_KEY_REGION


def resource_name(project: str, workspace: str, purpose: str) -> str:
    """`acme-health-eu-central-1-data`: unique per project, workspace and purpose."""
    return f"{project}-{workspace}-{purpose}"


def alerts_topic_name(project: str, region: str) -> str:
    """The region's alarm topic: it carries alarms only, to the operators regions.yaml names."""
    return resource_name(project, region, "alerts")


def data_table_name(project: str, region: str) -> str:
    return resource_name(project, region, "data")


def data_bucket_name(project: str, region: str, account_id: str) -> str:
    # Bucket names are global across all AWS accounts: the account id makes ours unique
    # and stays deterministic (at most 24 + 14 + 6 + 12 = 56 of the 63 allowed characters).
    return f"{resource_name(project, region, 'data')}-{account_id}"


def audit_bucket_name(project: str, home_region: str, account_id: str) -> str:
    """The jurisdiction's audit bucket, kept by its audit home region (same length rule as the data bucket)."""
    return f"{resource_name(project, home_region, 'audit')}-{account_id}"


def audit_trail_name(project: str, region: str) -> str:
    return resource_name(project, region, "audit")


def kms_alias(project: str, workspace: str, purpose: str) -> str:
    return f"alias/{resource_name(project, workspace, purpose)}"


def directory_table_name(project: str) -> str:
    """The residency directory: pseudonymous user key -> home region."""
    return f"{project}-directory"


def standard_tags(project: str, workspace: str, jurisdiction: str) -> dict[str, str]:
    return {
        TAG_PROJECT: project,
        TAG_WORKSPACE: workspace,
        TAG_JURISDICTION: jurisdiction,
        TAG_MANAGED_BY: MANAGED_BY,
    }


def function_name(project: str, region: str, purpose: str) -> str:
    """Lambda function and its IAM role: at most 24 + 14 + 12 characters, under both limits."""
    return resource_name(project, region, purpose)


def function_name_pattern(project: str) -> str:
    """Every function name of the project, residency's and its extensions' (RegionContext.name) alike."""
    return f"{project}-*"


def lambda_log_group(function: str) -> str:
    return f"/aws/lambda/{function}"


def api_access_log_group(project: str, region: str) -> str:
    return f"/residency/{project}/{region}/api-access"


def directory_hmac_alias(project: str, version: int = 1) -> str:
    """The KMS HMAC key that turns an email into the directory's user key (same alias in every region);
    version 1 keeps the name it had before keys had versions."""
    return f"alias/{project}-directory-hmac" + (f"-v{version}" if version != 1 else "")


def global_api_host(domain: str) -> str:
    """The name users call; Route 53 sends each of them to their region's API."""
    return f"api.{domain}"


def region_api_host(region: str, domain: str) -> str:
    """One region's API, directly."""
    return f"{region}.{domain}"


def failover_host(region: str, domain: str) -> str:
    """The primary/secondary pair behind a region that has a failover region."""
    return f"{region}.failover.{domain}"


def frontend_host(domain: str) -> str:
    return f"app.{domain}"


def frontend_bucket_name(project: str, account_id: str) -> str:
    return f"{resource_name(project, GLOBAL_WORKSPACE, 'frontend')}-{account_id}"


def cloud_workspace(prefix: str, workspace: str) -> str:
    """The HCP Terraform workspace that holds a residency workspace's state."""
    return f"{prefix}{workspace}"


# Where `state: {backend: s3}` keeps state: one bucket (and one KMS key) per region, in that region.
STATE_KEY = "terraform.tfstate"
BOOTSTRAP_WORKSPACE_PREFIX = "bootstrap-"


def state_bucket_prefix(project: str, configured: str | None) -> str:
    return configured if configured is not None else f"{project}-tfstate"


def state_bucket(prefix: str, region: str) -> str:
    return f"{prefix}-{region}"


def state_key(workspace: str) -> str:
    """`eu-central-1/terraform.tfstate`: each workspace's state object inside its region's bucket."""
    return f"{workspace}/{STATE_KEY}"


def state_key_alias(prefix: str) -> str:
    """The KMS key that encrypts a region's state bucket (the same alias in every region)."""
    return f"alias/{prefix}"


def bootstrap_workspace(region: str) -> str:
    """The workspace that creates (and keeps its own state in) a region's state bucket."""
    return f"{BOOTSTRAP_WORKSPACE_PREFIX}{region}"
