"""Fixtures for the config tests: write a regions.yaml into tmp_path, load it, get its error."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from residency.config import load_config
from residency.errors import ConfigError

WriteConfig = Callable[..., Path]
LoadError = Callable[[str], tuple[Path, ConfigError]]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """write_config(text) -> path of regions.yaml holding the dedented text."""

    def write(text: str, name: str = "regions.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_error(write_config: WriteConfig) -> LoadError:
    """load_error(text) -> (path, the ConfigError that loading it raises)."""

    def load(text: str) -> tuple[Path, ConfigError]:
        path = write_config(text)
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        assert caught.value.exit_code == 65
        return path, caught.value

    return load
