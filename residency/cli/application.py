"""State shared by every command: which regions.yaml, where files go, how to print."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config

CONFIG_ENV = "RESIDENCY_CONFIG"
DEFAULT_CONFIG = Path("regions.yaml")


@dataclass
class Application:
    config_path: Path = DEFAULT_CONFIG
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            from residency.config import load_config  # pydantic: not needed for --help

            self._config = load_config(self.config_path)
        return self._config

    _paths: ProjectPaths | None = field(default=None, repr=False)

    @property
    def paths(self) -> ProjectPaths:
        if self._paths is None:  # once per command: it creates or tightens .residency/
            self._paths = ProjectPaths.for_config(self.config_path)
            self._paths.make_work_private()
        return self._paths

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
