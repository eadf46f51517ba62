"""Where Terraform state lives: one model per backend, chosen by regions.yaml's `state.backend`.

Each backend owns what differs between them: where a workspace's state is (`location`), what makes its
settings wrong (`problems`), and which remote-state lookup reads exactly the state residency keeps for
a workspace (`reads_own_state`, for the residency rules). Adding a backend is one model here, its
Terraform block in `stacks/backend.py`, and a line in the README.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from residency import naming
from residency.paths import local_state_path, state_path_from_stack

BACKENDS = ("local", "s3", "cloud")
DEFAULT_CLOUD_HOST = "app.terraform.io"
_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True, validate_by_alias=True, serialize_by_alias=True)
_HCP_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_BUCKET_NAME_MAX = 63


class StateProblem(NamedTuple):
    field: str
    message: str
    hint: str
    at_key: bool = True  # the line of the key (else the line of its value)


class LocalState(BaseModel):
    """State files on this machine, under `.residency/state/<workspace>/`."""

    model_config = _STRICT
    backend: Literal["local"] = Field(default="local", description="local | s3 | cloud")

    def location(self, project: str, workspace: str, region: str) -> str:
        return local_state_path(workspace).as_posix()

    def problems(self, project: str, state_regions: tuple[str, ...]) -> Iterator[StateProblem]:
        return iter(())

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        path = settings.get("path")
        return backend == "local" and set(settings) == {"path"} and isinstance(path, str) and \
            posixpath.normpath(path) == posixpath.normpath(state_path_from_stack(workspace))


# What a remote-state lookup of s3 state may set: what names the state, and its encryption.
S3_STATE_SETTINGS = frozenset({"bucket", "key", "region", "encrypt", "kms_key_id"})
# What a lookup needs on the local target to talk to the emulator (its endpoint comes from the
# environment, never from these settings).
EMULATOR_S3_SETTINGS = frozenset({"access_key", "secret_key", "skip_credentials_validation",
                                  "skip_metadata_api_check", "skip_requesting_account_id", "use_path_style"})


class S3State(BaseModel):
    """State in S3: one bucket and KMS key per region, in that region (made by `residency bootstrap`)."""

    model_config = _STRICT
    backend: Literal["s3"] = Field(description="local | s3 | cloud")
    bucket_prefix: str | None = Field(
        default=None,
        description="state buckets are named prefix + '-' + region (default: <project>-tfstate); "
                    "bucket names are global across AWS accounts, so pick a prefix nobody else uses",
    )

    def prefix(self, project: str) -> str:
        return naming.state_bucket_prefix(project, self.bucket_prefix)

    def bucket(self, project: str, region: str) -> str:
        return naming.state_bucket(self.prefix(project), region)

    def location(self, project: str, workspace: str, region: str) -> str:
        return f"s3://{self.bucket(project, region)}/{naming.state_key(workspace)}"

    def problems(self, project: str, state_regions: tuple[str, ...]) -> Iterator[StateProblem]:
        prefix = self.bucket_prefix
        if prefix is None:
            return
        if not _BUCKET_PREFIX.match(prefix) or "--" in prefix:
            yield StateProblem("bucket_prefix", f"bucket_prefix {prefix!r} is not usable in an S3 bucket name",
                               "use lowercase letters, digits and single '-', starting and ending with a letter "
                               "or digit")
            return
        longest = max(state_regions, key=len)
        bucket = naming.state_bucket(prefix, longest)
        if len(bucket) > _BUCKET_NAME_MAX:
            yield StateProblem("bucket_prefix", f"bucket_prefix {prefix!r} is too long: the state bucket {bucket!r} "
                                                f"has {len(bucket)} characters, S3 allows {_BUCKET_NAME_MAX}",
                               f"use at most {_BUCKET_NAME_MAX - len(longest) - 1} characters")

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        allowed = S3_STATE_SETTINGS | (EMULATOR_S3_SETTINGS if emulated else frozenset())
        return backend == "s3" and set(settings) <= allowed and settings.get("key") == naming.state_key(workspace) \
            and settings.get("region") == region and settings.get("bucket") == self.bucket(project, region)


class CloudState(BaseModel):
    """State in HCP Terraform workspaces named prefix + workspace."""

    model_config = _STRICT
    backend: Literal["cloud"] = Field(description="local | s3 | cloud")
    organization: str | None = Field(default=None, description="HCP Terraform organization (required)")
    workspace_prefix: str | None = Field(
        default=None, description="HCP Terraform workspace name = prefix + workspace name (required)")
    hostname: str | None = Field(
        default=None,
        description="HCP Terraform host: app.terraform.io (US, the default) or app.eu.terraform.io (EU); "
                    "state is kept where the host is",
    )

    @property
    def host(self) -> str:
        return self.hostname or DEFAULT_CLOUD_HOST

    def workspace_name(self, workspace: str) -> str:
        return naming.cloud_workspace(self.workspace_prefix or "", workspace)

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

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        names = settings.get("workspaces") or {}
        return backend in ("remote", "cloud") and set(settings) <= {"hostname", "organization", "workspaces"} \
            and isinstance(names, dict) and set(names) == {"name"} \
            and names.get("name") == self.workspace_name(workspace) \
            and settings.get("organization") == self.organization \
            and settings.get("hostname", DEFAULT_CLOUD_HOST) == self.host


STATE_MODELS: dict[str, type[LocalState | S3State | CloudState]] = {
    "local": LocalState, "s3": S3State, "cloud": CloudState}


def _local_unless_said(value: Any) -> Any:
    # `state: {}` (or a state without `backend`) has meant local state from the start.
    return {"backend": "local", **value} if isinstance(value, dict) and "backend" not in value else value


StateConfig = Annotated[LocalState | S3State | CloudState, Field(discriminator="backend"),
                        BeforeValidator(_local_unless_said)]


def misplaced_key(backend: str, key: str) -> tuple[str, str] | None:
    """For a key another backend takes, given under `backend`: what to say, and the hint."""
    for other, model in STATE_MODELS.items():
        if other != backend and key in model.model_fields:
            return (f"{key} is only used with backend: {other} (backend is {backend})",
                    f"remove it, or set backend: {other}")
    return None
