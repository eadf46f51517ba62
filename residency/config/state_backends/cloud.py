"""State in HCP Terraform, which also runs Terraform: one HCP workspace per residency workspace."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal

from pydantic import Field

from residency import naming
from residency.config.state_backends.base import BackendBlock, RunService, StateBackend, StatePlacement, StateProblem

DEFAULT_CLOUD_HOST = "app.terraform.io"
# Where HCP Terraform keeps state, by host name.
CLOUD_HOSTS = {DEFAULT_CLOUD_HOST: "US", "app.eu.terraform.io": "EU"}
_HCP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class CloudState(StateBackend):
    """State in HCP Terraform workspaces named prefix + workspace."""

    backend: Literal["cloud"]
    organization: str | None = Field(default=None, description="HCP Terraform organization (required)")
    workspace_prefix: str | None = Field(
        default=None, description="HCP Terraform workspace name = prefix + workspace name (required)")
    hostname: str | None = Field(
        default=None,
        description="HCP Terraform host: app.terraform.io (US, the default) or app.eu.terraform.io (EU); "
                    "state is kept where the host is",
    )

    # `remote` is the older backend for the same service: lookups of this state are written with it.
    terraform_kinds: ClassVar[frozenset[str]] = frozenset({"cloud", "remote"})
    runs_remotely: ClassVar[bool] = True

    @property
    def host(self) -> str:
        return self.hostname or DEFAULT_CLOUD_HOST

    @property
    def token_host(self) -> str | None:
        return self.host

    def workspace_name(self, workspace: str) -> str:
        return naming.cloud_workspace(self.workspace_prefix or "", workspace)

    def run_service(self) -> RunService | None:
        if self.organization is None or self.workspace_prefix is None:
            return None
        return RunService(self.host, self.organization, self.workspace_prefix)

    def location(self, project: str, workspace: str, region: str) -> str:
        return f"{self.host}/{self.organization}/{self.workspace_name(workspace)}"

    def problems(self, project: str, state_regions: tuple[str, ...]) -> Iterator[StateProblem]:
        needs = {
            "organization": ("the HCP Terraform organization that holds the workspaces", "organization: NAME"),
            "workspace_prefix": ("workspace names are this prefix + the workspace", f"workspace_prefix: {project}-"),
        }
        for field, value in (("organization", self.organization), ("workspace_prefix", self.workspace_prefix)):
            why, hint = needs[field]
            if value is None:
                yield StateProblem(field, f"backend cloud needs {field} ({why})", hint)
            elif not _HCP_NAME.match(value):
                yield StateProblem(field, f"{field} {value!r} may only contain letters, digits, '-' and '_'",
                                   "HCP Terraform names allow nothing else", at_key=False)

    def block(self, *, project: str, workspace: str, region: str, emulated: bool) -> BackendBlock:
        assert self.organization is not None and self.workspace_prefix is not None  # the loader requires them
        hostname = {} if self.hostname is None else {"hostname": self.hostname}
        return BackendBlock("cloud", {"organization": self.organization, **hostname,
                                      "workspaces": {"name": self.workspace_name(workspace)}})

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        names = settings.get("workspaces") or {}
        return isinstance(backend, str) and backend in self.terraform_kinds and \
            set(settings) <= {"hostname", "organization", "workspaces"} \
            and isinstance(names, dict) and set(names) == {"name"} \
            and names.get("name") == self.workspace_name(workspace) \
            and settings.get("organization") == self.organization \
            and settings.get("hostname", DEFAULT_CLOUD_HOST) == self.host

    @classmethod
    def placement(cls, settings: Mapping[str, Any]) -> StatePlacement:
        host = str(settings.get("hostname") or DEFAULT_CLOUD_HOST)
        return StatePlacement(host=host, host_jurisdiction=CLOUD_HOSTS.get(host))
