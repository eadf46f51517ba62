"""`plan --affected-since REV`: the workspaces whose synthesized configuration a change since a git
revision touches, found by synthesizing both regions.yaml files (real git, real synth)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from residency.config import load_config
from residency.errors import UsageError
from residency.flows.affected import affected_since
from residency.paths import ProjectPaths
from tests.conftest import SAMPLE, run_cli

CANADA = "  ca-central-1:\n    jurisdiction: CA\n    countries: [CA]\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The sample project, committed, in a subdirectory of its repository."""
    project = tmp_path / "infra"
    project.mkdir()
    (project / "regions.yaml").write_text(SAMPLE.read_text())
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "sample")
    return project


def affected(project: Path, base: str = "main"):  # type: ignore[no-untyped-def]
    config_file = project / "regions.yaml"
    return affected_since(base, config_file, load_config(config_file), ProjectPaths.for_config(config_file),
                          lambda text: None)


def test_a_new_region_affects_itself_and_no_other_region(repo):
    (repo / "regions.yaml").write_text(SAMPLE.read_text().replace("regions:\n", "regions:\n" + CANADA, 1))
    result = affected(repo)
    assert "ca-central-1" in result.workspaces
    assert not {"eu-central-1", "us-east-1", "ap-southeast-2"} & set(result.workspaces)
    assert result.removed == [] and result.everything_because is None
    # nothing changed since the working copy was committed
    git(repo.parent, "commit", "-q", "-am", "canada")
    assert affected(repo).workspaces == []


def test_a_removed_region_is_reported_and_what_depended_on_it_is_affected(repo):
    text = SAMPLE.read_text()
    start = text.index("  ap-southeast-2:")
    (repo / "regions.yaml").write_text(text[:start] + text[start:].split("\n", 3)[-1])
    result = affected(repo)
    assert result.removed == ["ap-southeast-2"]
    assert "ap-southeast-2" not in result.workspaces
    assert not {"eu-central-1", "us-east-1"} & set(result.workspaces)


def test_everything_is_affected_when_the_base_has_no_valid_regions_yaml(repo):
    git(repo.parent, "mv", "infra/regions.yaml", "infra/old.yaml")
    git(repo.parent, "commit", "-q", "-m", "renamed")
    (repo / "regions.yaml").write_text(SAMPLE.read_text())
    assert affected(repo).everything_because == "regions.yaml does not exist there"
    (repo / "old.yaml").write_text("project: [not, valid]\n")
    git(repo.parent, "add", ".")
    git(repo.parent, "commit", "-q", "-m", "broken")
    (repo / "old.yaml").rename(repo / "regions.yaml")
    git(repo.parent, "add", "-A")
    git(repo.parent, "commit", "-q", "-m", "broken regions.yaml")
    (repo / "regions.yaml").write_text(SAMPLE.read_text())
    result = affected(repo)
    assert result.everything_because == "its regions.yaml is not valid"
    assert result.workspaces == ["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"]


def test_unknown_revisions_and_missing_repositories_are_usage_errors(repo, tmp_path):
    with pytest.raises(UsageError, match="unknown git revision 'origin/main'"):
        affected(repo, "origin/main")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "regions.yaml").write_text(SAMPLE.read_text())
    result = run_cli(["plan", "--affected-since", "main"], outside, {"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert result.returncode == 64, result.stderr
    assert "is not in a git repository" in result.stderr and "Traceback" not in result.stderr
    both = run_cli(["plan", "--all", "--affected-since", "main"], repo)
    assert both.returncode == 64 and "--affected-since chooses the workspaces itself" in both.stderr
