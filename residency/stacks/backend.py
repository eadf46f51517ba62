"""Where a workspace keeps its Terraform state, as regions.yaml's `state:` says."""

from __future__ import annotations

from cdktf import CloudBackend, LocalBackend, NamedCloudWorkspace, TerraformStack

from residency import naming
from residency.config import StateConfig
from residency.errors import UsageError
from residency.paths import state_path_from_stack


def state_backend(stack: TerraformStack, workspace: str, state: StateConfig) -> None:
    if state.backend == "local":
        LocalBackend(stack, path=state_path_from_stack(workspace))
    elif state.backend == "cloud":
        assert state.organization is not None and state.workspace_prefix is not None  # the loader requires them
        CloudBackend(stack, organization=state.organization, hostname=state.hostname,
                     workspaces=NamedCloudWorkspace(naming.cloud_workspace(state.workspace_prefix, workspace)))
    else:
        raise UsageError(f"state backend '{state.backend}' is not supported yet",
                         hint="use `state: {backend: local}` or `{backend: cloud, ...}` for now")
