"""HCP Terraform workspace settings for the `cloud` backend, as a Terraform configuration for the tfe
provider: apply it once (and after regions.yaml changes) with `terraform apply` in its directory.

Everything is keyed by residency workspace (region code or `global`), not by HCP name: changing
`workspace_prefix` renames workspaces in place, and removing a region never destroys its workspace
by accident (prevent_destroy), because the workspace holds the region's state.
"""

from __future__ import annotations

import json
from typing import Any

from residency import naming
from residency.config import Config
from residency.errors import UsageError

TFE_PROVIDER = {"source": "hashicorp/tfe", "version": ">= 0.60, < 1.0"}


def dynamic_credentials(config: Config) -> dict[str, dict[str, str]]:
    """Per workspace, the environment variables that make HCP Terraform runs assume the workspace's AWS role
    through OIDC (dynamic provider credentials): the apply role for the run, the read-only plan role for the
    plan phase when one is named. Empty on the local target; on aws every workspace needs its apply role."""
    if config.profile.uses_emulator:
        return {}
    found: dict[str, dict[str, str]] = {}
    missing = []
    for name in config.workspaces:
        role = config.ci.apply_role_for(name, config.jurisdiction_of(name))
        if role is None:
            missing.append(name)
            continue
        variables = {"TFC_AWS_PROVIDER_AUTH": "true", "TFC_AWS_RUN_ROLE_ARN": role}
        if config.ci.plan_role:
            variables["TFC_AWS_PLAN_ROLE_ARN"] = config.ci.plan_role
        for key, value in variables.items():
            found[f"{name}/{key}"] = {"workspace": name, "key": key, "value": value}
    if missing:
        raise UsageError(f"HCP Terraform runs assume an AWS role per workspace (dynamic credentials); regions.yaml "
                         f"names none for {', '.join(missing)}",
                         hint="set ci.apply_role (or ci.apply_roles by region, jurisdiction or global), and "
                              "ci.plan_role for read-only plans")
    return found


def tfc_settings(config: Config, *, working_directory_root: str = "cdktf.out/stacks",
                 notification_url_variable: bool = True) -> dict[str, Any]:
    service = config.state.run_service()
    if service is None:
        raise UsageError("HCP Terraform settings need `state: {backend: cloud, organization, workspace_prefix}`")
    workspaces = {
        name: {
            "name": service.workspace_name(name),
            "jurisdiction": config.jurisdiction_of(name),
        }
        for name in config.workspaces
    }
    regions = [name for name in config.workspaces if name in config.regions]
    document: dict[str, Any] = {
        "//": "Rendered by `residency tfc`; keyed by residency workspace so that renames happen in place.",
        "terraform": {"required_providers": {"tfe": TFE_PROVIDER}},
        "provider": {"tfe": {"hostname": service.host, "organization": service.organization}},
        "locals": {"workspaces": workspaces},
        "resource": {
            "tfe_workspace": {"residency": {
                "for_each": "${local.workspaces}",
                "name": "${each.value.name}",
                "working_directory": f"{working_directory_root}/${{each.key}}",
                "assessments_enabled": True,  # drift detection: health assessments
                "tag_names": [f"project:{config.project}", "managed-by:residency",
                              "jurisdiction:${lower(each.value.jurisdiction)}", "workspace:${each.key}"],
                "lifecycle": {"prevent_destroy": True},
            }},
            "tfe_workspace_settings": {"residency": {
                "for_each": "${tfe_workspace.residency}",
                "workspace_id": "${each.value.id}",
                "execution_mode": "remote",
            }},
            "tfe_run_trigger": {"regions_to_global": {
                "for_each": "${toset(" + json.dumps(regions) + ")}",
                "workspace_id": f"${{tfe_workspace.residency[\"{naming.GLOBAL_WORKSPACE}\"].id}}",
                "sourceable_id": "${tfe_workspace.residency[each.key].id}",
            }},
        },
    }
    credentials = dynamic_credentials(config)
    if credentials:
        document["locals"]["aws_credentials"] = credentials
        document["resource"]["tfe_variable"] = {"aws_credentials": {
            "for_each": "${local.aws_credentials}",
            "workspace_id": "${tfe_workspace.residency[each.value.workspace].id}",
            "key": "${each.value.key}",
            "value": "${each.value.value}",
            "category": "env",
            "description": "HCP Terraform dynamic provider credentials: a short-lived AWS session per run (OIDC)",
        }}
    if notification_url_variable:
        document["variable"] = {"notification_url": {
            "type": "string", "default": "",
            "description": "A webhook (Slack or generic) for run and drift notifications; empty for none"}}
        document["resource"]["tfe_notification_configuration"] = {"residency": {
            "for_each": "${{for key, workspace in tfe_workspace.residency : key => workspace "
                        "if var.notification_url != \"\"}}",
            "name": "residency",
            "enabled": True,
            "destination_type": "generic",
            "url": "${var.notification_url}",
            "triggers": ["run:errored", "run:needs_attention", "assessment:drifted", "assessment:failed"],
            "workspace_id": "${each.value.id}",
        }}
    return document
