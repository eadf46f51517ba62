"""Where a workspace keeps its Terraform state: the block regions.yaml's backend describes, written with cdktf."""

from __future__ import annotations

from typing import Any

import cdktf
from cdktf import NamedCloudWorkspace, TerraformStack

from residency.config import StateConfig
from residency.config.state import BackendBlock
from residency.target import TargetProfile


def state_backend(stack: TerraformStack, workspace: str, state: StateConfig, *, project: str, region: str,
                  target: TargetProfile) -> None:
    """`region` is where the workspace's resources live (the state's region too, where the backend has one)."""
    write_backend(stack, state.block(project=project, workspace=workspace, region=region,
                                     emulated=target.uses_emulator))


def write_backend(stack: TerraformStack, block: BackendBlock) -> None:
    """Through cdktf's construct for the block's kind (named `<Kind>Backend`: S3Backend, CloudBackend), not as a
    raw override: the remote-state lookups of cross-stack references are written from that construct."""
    construct = getattr(cdktf, f"{block.kind.capitalize()}Backend")
    construct(stack, **{name: _cdktf_argument(name, value) for name, value in block.settings.items()})
    for path, value in block.overrides.items():
        stack.add_override(path, value)


def _cdktf_argument(name: str, value: Any) -> Any:
    # cdktf takes a cloud block's workspace as an object, not as the JSON it writes for it.
    return NamedCloudWorkspace(**value) if name == "workspaces" else value
