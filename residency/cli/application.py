"""State shared by every command: which regions.yaml, where files go, how to print."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.flows.project import Config

CONFIG_ENV = "RESIDENCY_CONFIG"
DEFAULT_CONFIG = Path("regions.yaml")


def nearest_config(start: Path) -> Path:
    """The regions.yaml in `start` or the nearest directory above it, as git finds its repository;
    `./regions.yaml` (which the missing-file message names) when there is none.

    The search stops at a repository's root (a directory holding `.git`) and before any directory this user does
    not own: a regions.yaml someone else put in /tmp or /home names extensions, which residency would import."""
    user = os.getuid()
    for directory in (start, *start.parents):
        try:
            if directory.stat().st_uid != user:
                break
        except OSError:
            break
        candidate = directory / DEFAULT_CONFIG
        if candidate.is_file() and _owned_by(candidate, user):
            return candidate if directory != start else DEFAULT_CONFIG
        if (directory / ".git").exists():
            break
    return DEFAULT_CONFIG


def _owned_by(path: Path, user: int) -> bool:
    try:
        return path.stat().st_uid == user
    except OSError:
        return False


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("residency")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


@dataclass
class Application:
    config_path: Path = DEFAULT_CONFIG
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from residency.flows import project  # pydantic: not needed for --help

            self._config = project.load(self.config_path)
        return self._config

    _paths: ProjectPaths | None = field(default=None, repr=False)

    def use_config(self, config_path: Path) -> None:
        """Read another regions.yaml from now on (a bundle's, `--from`), with its own project directory."""
        self.config_path = config_path
        self._config = None
        self._paths = None

    @property
    def paths(self) -> ProjectPaths:
        if self._paths is None:  # once per command: it creates or tightens .residency/
            self._paths = ProjectPaths.for_config(self.config_path)
            self._paths.make_work_private()
            self._warn_of_unfinished_drills(self._paths)
        return self._paths

    def _warn_of_unfinished_drills(self, paths: ProjectPaths) -> None:
        for region in paths.unfinished_drill_regions():
            self.progress(f"warning: a drill of {region} did not finish: its health check may still be inverted, "
                          f"sending its users to its failover region; run `residency drill --restore {region}`")

    @staticmethod
    def say(text: str) -> None:
        """Human output: results and summaries."""
        print(text, flush=True)

    @staticmethod
    def progress(text: str) -> None:
        """Progress and notices go to stderr so stdout stays clean for --json."""
        print(text, file=sys.stderr, flush=True)

    @staticmethod
    def emit_json(document: object) -> None:
        print(json.dumps(document, indent=2, sort_keys=False))
