"""Where Terraform state lives: the state backends, one class each (residency/config/state_backends/), listed once.

regions.yaml's `state.backend` chooses one; everything that differs between backends is a method of the chosen
one (`config.state`), or of the backend a Terraform backend kind belongs to (`backend_for`). Adding a backend is
its module in state_backends/ and its entry in BACKENDS below.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, Union

from pydantic import BeforeValidator, Field

from residency.config.state_backends.base import BackendBlock, StateBackend, StatePlacement, StateProblem, StateStore
from residency.config.state_backends.cloud import DEFAULT_CLOUD_HOST, CloudState
from residency.config.state_backends.local import LocalState
from residency.config.state_backends.s3 import EMULATOR_S3_SETTINGS, S3_STATE_SETTINGS, S3State

__all__ = [
    "BACKENDS",
    "DEFAULT_CLOUD_HOST",
    "DEFAULT_STATE",
    "EMULATOR_S3_SETTINGS",
    "S3_STATE_SETTINGS",
    "STATE_MODELS",
    "BackendBlock",
    "CloudState",
    "LocalState",
    "S3State",
    "StateBackend",
    "StateConfig",
    "StatePlacement",
    "StateProblem",
    "StateStore",
    "absolute_settings",
    "backend_for",
    "misplaced_key",
    "reads_residency_state",
]

# Every backend, in the order messages list them: a new one is a line here (and its import above).
BACKENDS: tuple[type[StateBackend], ...] = (
    LocalState,
    S3State,
    CloudState,
)
DEFAULT_STATE: StateBackend = LocalState()  # `state: {}`, or no `state:` at all

STATE_MODELS: dict[str, type[StateBackend]] = {backend.kind(): backend for backend in BACKENDS}
StateBackend.listed = tuple(STATE_MODELS)


def _default_unless_said(value: Any) -> Any:
    # `state: {}` (or a state without `backend`) has meant local state from the start.
    return {"backend": DEFAULT_STATE.backend, **value} if isinstance(value, dict) and "backend" not in value \
        else value


if TYPE_CHECKING:
    StateConfig: TypeAlias = StateBackend  # what callers may rely on: the methods every backend has
else:
    StateConfig = Annotated[Union[BACKENDS], Field(discriminator="backend"),  # noqa: UP007 (a union of a tuple)
                            BeforeValidator(_default_unless_said)]


def backend_for(terraform_kind: object) -> type[StateBackend] | None:
    """The backend whose state a Terraform backend block or remote-state lookup of this kind keeps or reads."""
    return next((backend for backend in BACKENDS
                 if isinstance(terraform_kind, str) and terraform_kind in backend.terraform_kinds), None)


def absolute_settings(terraform_kind: object, settings: Any, directory: Path) -> Any:
    """The settings of a backend block or lookup of this kind as they read from any directory."""
    backend = backend_for(terraform_kind)
    return backend.absolute_settings(settings, directory) if backend and isinstance(settings, dict) else settings


def reads_residency_state(state: StateBackend, backend: object, settings: Mapping[str, Any], *, project: str,
                          workspace: str, region: str, emulated: bool) -> bool:
    """Whether a remote-state lookup reads exactly the state residency keeps for `workspace`: where `state`
    keeps it, or in the default backend's place, which is residency's whatever the backend."""
    return any(own.reads_own_state(backend, settings, project=project, workspace=workspace, region=region,
                                   emulated=emulated) for own in (state, DEFAULT_STATE))


def misplaced_key(backend: str, key: str) -> tuple[str, str] | None:
    """For a key another backend takes, given under `backend`: what to say, and the hint."""
    for other, model in STATE_MODELS.items():
        if other != backend and key in model.model_fields:
            return (f"{key} is only used with backend: {other} (backend is {backend})",
                    f"remove it, or set backend: {other}")
    return None
