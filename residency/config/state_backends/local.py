"""State files on the machine that runs Terraform: the default."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

from residency.config.state_backends.base import BackendBlock, StateBackend, StatePlacement
from residency.paths import local_state_path, state_path_from_stack


class LocalState(StateBackend):
    """State files on this machine, under `.residency/state/<workspace>/`."""

    backend: Literal["local"] = "local"

    terraform_kinds: ClassVar[frozenset[str]] = frozenset({"local"})
    outlives_runners: ClassVar[bool] = False

    def location(self, project: str, workspace: str, region: str) -> str:
        return local_state_path(workspace).as_posix()

    def block(self, *, project: str, workspace: str, region: str, emulated: bool) -> BackendBlock:
        return BackendBlock("local", {"path": state_path_from_stack(workspace)})

    def reads_own_state(self, backend: object, settings: Mapping[str, Any], *, project: str, workspace: str,
                        region: str, emulated: bool) -> bool:
        path = settings.get("path")
        return backend == "local" and set(settings) == {"path"} and isinstance(path, str) and \
            posixpath.normpath(path) == posixpath.normpath(state_path_from_stack(workspace))

    @classmethod
    def placement(cls, settings: Mapping[str, Any]) -> StatePlacement:
        return StatePlacement()  # on the machine that runs Terraform

    @classmethod
    def absolute_settings(cls, settings: Mapping[str, Any], directory: Path) -> dict[str, Any]:
        path = settings.get("path")
        if path is None:
            return dict(settings)
        return {**settings, "path": str((directory / path).resolve())}
