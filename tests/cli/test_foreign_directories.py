"""Directories that are not the user's: a regions.yaml above the project that someone else put there is never
used (it names extensions residency would import), and a `.residency/` someone else owns is refused."""

from __future__ import annotations

import os
import shutil

import pytest

from residency.cli.application import DEFAULT_CONFIG, nearest_config
from tests.conftest import SAMPLE, run_cli

STRANGER = 54321


def as_root() -> None:
    if os.getuid() != 0:
        pytest.skip("giving a directory to another user needs root")


def test_the_search_for_regions_yaml_stops_at_the_repository_root(tmp_path):
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text())  # above the repository: not this project's
    repository = tmp_path / "app"
    (repository / ".git").mkdir(parents=True)
    (repository / "src").mkdir()
    assert nearest_config(repository / "src") == DEFAULT_CONFIG
    (repository / "regions.yaml").write_text(SAMPLE.read_text())
    assert nearest_config(repository / "src") == repository / "regions.yaml"


def test_the_search_stops_before_a_directory_another_user_owns(tmp_path):
    as_root()
    shared = tmp_path / "shared"  # like /tmp: anyone may write there
    (shared / "me" / "project").mkdir(parents=True)
    (shared / "regions.yaml").write_text(SAMPLE.read_text())
    os.chown(shared, STRANGER, STRANGER)
    os.chown(shared / "regions.yaml", STRANGER, STRANGER)
    assert nearest_config(shared / "me" / "project") == DEFAULT_CONFIG
    done = run_cli(["validate"], shared / "me" / "project")
    assert done.returncode == 66 and "regions.yaml" in done.stderr  # none found: the stranger's is not used


def test_a_regions_yaml_another_user_owns_in_my_directory_is_not_used(tmp_path):
    as_root()
    (tmp_path / "project").mkdir()
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text())
    os.chown(tmp_path / "regions.yaml", STRANGER, STRANGER)
    assert nearest_config(tmp_path / "project") == DEFAULT_CONFIG


def test_a_residency_directory_someone_else_owns_is_refused(tmp_path):
    as_root()
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    (tmp_path / ".residency").mkdir()
    os.chown(tmp_path / ".residency", STRANGER, STRANGER)
    done = run_cli(["synth"], tmp_path)
    assert done.returncode == 64
    assert f".residency is owned by uid {STRANGER}, not you" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "cdktf.out").exists()


def test_a_residency_directory_that_is_a_link_is_refused(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / ".residency").symlink_to(elsewhere)
    done = run_cli(["synth"], tmp_path)
    assert done.returncode == 64 and ".residency is a symbolic link" in done.stderr
    assert not any(elsewhere.iterdir())
