"""What every state backend answers, so that nothing outside a backend's own class asks which backend it is.

A backend is a strict model (regions.yaml's `state:` validates into it) that also says
- where a workspace's state is (`location`) and what makes its settings wrong (`problems`);
- the Terraform block that keeps a workspace's state there (`block`: plain data that stacks/ writes with cdktf);
- for the residency rules: where a backend block of its Terraform kinds keeps state (`placement`), and which
  remote-state lookup reads exactly the state residency keeps (`reads_own_state`);
- for `residency bootstrap`: what to make so that the state has somewhere to live (`state_stores`);
- for pipelines: whether state outlives a throwaway runner, whether Terraform runs where the state is kept, the
  host whose token it needs, and which objects of the account hold it (`state_objects`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, get_args

from pydantic import BaseModel, ConfigDict

from residency import naming


class StateProblem(NamedTuple):
    field: str
    message: str
    hint: str
    at_key: bool = True  # the line of the key (else the line of its value)


@dataclass(frozen=True)
class BackendBlock:
    """A workspace's backend as Terraform JSON: `settings` go under `terraform.backend.<kind>` (under
    `terraform.cloud` for kind `cloud`); `overrides` (dotted paths of the document) are written over them."""

    kind: str
    settings: Mapping[str, Any]
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatePlacement:
    """Where a backend block keeps state, in terms of its own settings, for the residency rules to place.
    Nothing set: the state stays on the machine that runs Terraform."""

    region_setting: str | None = None  # the setting that names the region the state is kept in
    # Settings (dotted, `*` for any key) that send the state somewhere else, and what they name: host, arn,
    # region, or name-or-arn (a bare key id or alias is looked up in the state's region).
    redirects: Mapping[str, str] = field(default_factory=dict)
    host: str | None = None  # the service that keeps the state
    host_jurisdiction: str | None = None  # where that service keeps it (None: nobody can tell)


@dataclass(frozen=True)
class RunService:
    """A service that keeps one workspace of its own per residency workspace and runs Terraform there."""

    host: str
    organization: str
    workspace_prefix: str

    def workspace_name(self, workspace: str) -> str:
        return naming.cloud_workspace(self.workspace_prefix, workspace)


@dataclass(frozen=True)
class StateStore:
    """A region's bucket and KMS key that hold state in the project's own account (`residency bootstrap`
    makes them)."""

    region: str
    bucket: str
    key_alias: str


def _names_every_backend(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The `backend` key's description lists every backend, so that adding one touches no other backend."""
    backend = {**schema["properties"]["backend"], "description": " | ".join(StateBackend.listed)}
    schema["properties"]["backend"] = dict(sorted(backend.items()))


class StateBackend(BaseModel, ABC):
    """One way of keeping Terraform state. A subclass declares `backend: Literal["<its name>"]` first, then its
    own settings, and is listed in residency/config/state.py's BACKENDS."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, validate_by_alias=True,
                              serialize_by_alias=True, json_schema_extra=_names_every_backend)

    if TYPE_CHECKING:
        backend: str  # each backend's own Literal field, the tag regions.yaml chooses it by

    # Every backend's name in the registry's order (residency/config/state.py sets it: this module cannot import it).
    listed: ClassVar[tuple[str, ...]] = ()
    # Terraform's names for the backend blocks and remote-state lookups that keep or read this kind of state.
    terraform_kinds: ClassVar[frozenset[str]]
    # Whether the state outlives the machine that runs Terraform (a pipeline's runners are thrown away).
    outlives_runners: ClassVar[bool] = True
    # Whether Terraform's runs happen in the service that keeps the state, not on the machine that starts them.
    runs_remotely: ClassVar[bool] = False

    @classmethod
    def kind(cls) -> str:
        """The `backend:` value that chooses this backend."""
        (name,) = get_args(cls.model_fields["backend"].annotation)
        return str(name)

    @abstractmethod
    def location(self, project: str, workspace: str, region: str) -> str:
        """Where the workspace's state is kept, as a person looks for it."""

    def problems(self, project: str, state_regions: tuple[str, ...]) -> Iterator[StateProblem]:
        """What makes these settings unusable, each located at one of its keys."""
        return iter(())

    @abstractmethod
    def block(self, *, project: str, workspace: str, region: str, emulated: bool) -> BackendBlock:
        """The backend block that keeps the workspace's state; `region` is where the workspace's resources live,
        `emulated` says the local target's emulator stands in for AWS."""

    @abstractmethod
    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        """Whether a remote-state lookup (`backend`, its `settings`) reads exactly the state residency keeps for
        `workspace` with this backend."""

    @classmethod
    @abstractmethod
    def placement(cls, settings: Mapping[str, Any]) -> StatePlacement:
        """Where a backend block of one of `terraform_kinds` with these settings keeps state (any such block,
        written by residency or not)."""

    @classmethod
    def absolute_settings(cls, settings: Mapping[str, Any], directory: Path) -> dict[str, Any]:
        """A block's or a lookup's settings as they read from any directory: what they name relative to the
        workspace's `directory`, made absolute."""
        return dict(settings)

    def state_stores(self, project: str, regions: Sequence[str]) -> tuple[StateStore, ...]:
        """What `residency bootstrap` makes in `regions` to hold the state: nothing when it is kept elsewhere."""
        return ()

    def state_objects(self, project: str, workspace_regions: Mapping[str, str]) -> tuple[str, ...]:
        """`bucket/key` of each workspace's state in the project's account (workspace -> its region): none when
        the state is kept elsewhere."""
        return ()

    @property
    def token_host(self) -> str | None:
        """The host whose API token Terraform needs to reach the state (None: it needs none)."""
        return None

    def run_service(self) -> RunService | None:
        """The service that keeps the workspaces and runs Terraform in them (HCP Terraform), for its workspace
        settings (`residency tfc`); None when Terraform runs where residency does."""
        return None
