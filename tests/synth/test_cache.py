"""Synth is skipped when nothing it reads changed, and a change rewrites only the workspaces it
touches (real synth, real files; a separate process where imports matter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from residency.config import load_config
from residency.synth import cache
from tests.cli.test_cli import HEAVY
from tests.conftest import SAMPLE, run_cli

CANADA = "  ca-central-1:\n    jurisdiction: CA\n    countries: [CA]\n"


def inodes(out: Path) -> dict[str, dict[str, int]]:
    """Per workspace: file -> inode."""
    return {stack.name: {path.relative_to(stack).as_posix(): path.stat().st_ino
                         for path in stack.rglob("*") if path.is_file()}
            for stack in (out / "stacks").iterdir()}


def synth(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-X", "importtime", "-m", "residency", "synth"], cwd=project,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)


def imported(result: subprocess.CompletedProcess[str]) -> set[str]:
    return {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}


def test_an_unchanged_project_is_not_synthesized_again(project):
    first = synth(project)
    assert first.returncode == 0, first.stderr
    assert "cdktf" in imported(first)  # the measurement sees a real synth's imports
    before = inodes(project / "cdktf.out")

    again = synth(project)
    assert again.returncode == 0, again.stderr
    assert "cdktf.out is up to date" in again.stderr
    assert not imported(again) & set(HEAVY)
    assert inodes(project / "cdktf.out") == before


def test_a_new_region_rewrites_only_its_own_workspace_and_global(project):
    assert run_cli(["synth"], project).returncode == 0
    before = inodes(project / "cdktf.out")
    text = (project / "regions.yaml").read_text()
    (project / "regions.yaml").write_text(text.replace("regions:\n", "regions:\n" + CANADA, 1))

    result = run_cli(["synth"], project)
    assert result.returncode == 0, result.stderr
    assert "synthesizing 6 workspaces" in result.stderr
    after = inodes(project / "cdktf.out")
    assert set(after) == set(before) | {"ca-central-1"}
    # global records which regions it serves (regions_served); the other regions are untouched.
    assert after["global"] != before["global"]
    for name in set(before) - {"global"}:  # the very same files: not rewritten
        assert after[name] == before[name], name


def test_an_edited_or_deleted_output_is_synthesized_again(project):
    assert run_cli(["synth"], project).returncode == 0
    document = project / "cdktf.out" / "stacks" / "eu-central-1" / "cdk.tf.json"
    original = document.read_text()
    document.write_text(original.replace('"eu-central-1"', '"us-west-2"'))
    result = run_cli(["synth"], project)
    assert "synthesizing" in result.stderr and "up to date" not in result.stderr
    assert document.read_text() == original
    shutil.rmtree(project / "cdktf.out")
    assert "synthesizing" in run_cli(["synth"], project).stderr
    assert document.read_text() == original


def test_terraform_lock_files_do_not_count_as_output(project):
    assert run_cli(["synth"], project).returncode == 0
    (project / "cdktf.out" / "stacks" / "global" / ".terraform.lock.hcl").write_text("# written by terraform init\n")
    assert "up to date" in run_cli(["synth"], project).stderr


def test_the_key_follows_everything_synth_reads(tmp_path, monkeypatch):
    config = load_config(SAMPLE)
    handlers = tmp_path / "handlers"
    shutil.copytree(Path(cache.handlers_source()), handlers,
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "handlers_source", lambda: handlers)
    key = cache.synth_key(config, {})
    assert cache.synth_key(config, {}) == key  # deterministic
    assert cache.synth_key(config, {"organization-scp.json": "{}"}) != key
    other = tmp_path / "regions.yaml"
    other.write_text(SAMPLE.read_text().replace("countries: [US]", "countries: [US, PR]"))
    assert cache.synth_key(load_config(other), {}) != key
    handler = next(handlers.rglob("*.py"))
    handler.write_text(handler.read_text() + "\n# changed\n")
    assert cache.synth_key(config, {}) != key
