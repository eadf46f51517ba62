"""Where a workspace keeps its Terraform state, as regions.yaml's `state:` says."""

from __future__ import annotations

from cdktf import CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformStack

from residency import naming
from residency.config import CloudState, LocalState, StateConfig
from residency.paths import state_path_from_stack
from residency.target import FAKE_CREDENTIAL, TargetProfile


def state_backend(stack: TerraformStack, workspace: str, state: StateConfig, *, project: str, region: str,
                  target: TargetProfile) -> None:
    """`region` is where the workspace's resources live; with s3 its state lives there too."""
    if isinstance(state, LocalState):
        LocalBackend(stack, path=state_path_from_stack(workspace))
    elif isinstance(state, CloudState):
        assert state.organization is not None and state.workspace_prefix is not None  # the loader requires them
        CloudBackend(stack, organization=state.organization, hostname=state.hostname,
                     workspaces=NamedCloudWorkspace(state.workspace_name(workspace)))
    else:
        s3_state(stack, naming.state_key(workspace), state.prefix(project), region=region, target=target)


def s3_state(stack: TerraformStack, key: str, prefix: str, *, region: str, target: TargetProfile) -> None:
    """State in the region's state bucket, encrypted with the region's state key, locked by an S3
    lock file (no DynamoDB table). On the local target the S3 endpoint comes from
    AWS_ENDPOINT_URL_S3, which the runner sets: the emulator's port changes between starts, and a
    backend block cannot read variables."""
    emulated = target.uses_emulator
    S3Backend(
        stack,
        bucket=naming.state_bucket(prefix, region),
        key=key,
        region=region,
        encrypt=True,
        kms_key_id=naming.state_key_alias(prefix),
        access_key=FAKE_CREDENTIAL if emulated else None,
        secret_key=FAKE_CREDENTIAL if emulated else None,
        skip_credentials_validation=True if emulated else None,
        skip_requesting_account_id=True if emulated else None,
        skip_metadata_api_check=True if emulated else None,
        use_path_style=True if emulated else None,
    )
    # cdktf 0.21 predates `use_lockfile` (Terraform 1.10); the override writes it into the block.
    stack.add_override("terraform.backend.s3.use_lockfile", True)
