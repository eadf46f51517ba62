"""A workspace that reads a never-applied workspace's outputs can still be planned, with placeholders:
checked with the real terraform binary on two small workspaces (built-in resources, no provider)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from residency.terraform.manifest import Workspace
from residency.terraform.placeholders import placeholder, reads_from, with_placeholders

STATE = "../../../.residency/state/{}/terraform.tfstate"


def write(directory: Path, document: dict) -> Workspace:  # type: ignore[type-arg]
    directory.mkdir(parents=True)
    (directory / "cdk.tf.json").write_text(json.dumps(document))
    return Workspace(directory.name, directory, ())


def workspaces(project: Path) -> tuple[Workspace, Workspace]:
    stacks = project / "cdktf.out" / "stacks"
    region = write(stacks / "ca-central-1", {
        "terraform": {"backend": {"local": {"path": STATE.format("ca-central-1")}}},
        "output": {"endpoint": {"value": "https://api.example"}},
    })
    reader = write(stacks / "global", {
        "terraform": {"backend": {"local": {"path": STATE.format("global")}}},
        "data": {"terraform_remote_state": {"cross-stack-reference-input-ca-central-1": {
            "backend": "local", "config": {"path": STATE.format("ca-central-1")}}}},
        "resource": {"terraform_data": {"route": {
            "input": "${data.terraform_remote_state.cross-stack-reference-input-ca-central-1.outputs.endpoint}"}}},
    })
    return region, Workspace("global", reader.directory, ("ca-central-1",))


def plan(terraform_binary: Path, directory: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TF_DATA_DIR": str(data_dir), "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    init = subprocess.run([str(terraform_binary), "init", "-input=false", "-no-color"], cwd=directory, env=env,
                          capture_output=True, text=True, check=False)
    assert init.returncode == 0, init.stdout + init.stderr
    return subprocess.run([str(terraform_binary), "plan", "-input=false", "-no-color"], cwd=directory, env=env,
                          capture_output=True, text=True, check=False)


def test_a_plan_reading_an_unapplied_workspace_fails_without_placeholders_and_works_with_them(
        tmp_path, terraform_binary):
    region, reader = workspaces(tmp_path)
    (tmp_path / ".residency" / "state" / "global").mkdir(parents=True)

    without = plan(terraform_binary, reader.directory, tmp_path / "data-1")
    assert without.returncode == 1 and "Unable to find remote state" in without.stderr

    copy = with_placeholders(reader, {"ca-central-1": region}, tmp_path / ".residency" / "placeholders" / "global")
    assert copy.directory != reader.directory and copy.depends_on == ("ca-central-1",)
    planned = plan(terraform_binary, copy.directory, tmp_path / "data-2")
    assert planned.returncode == 0, planned.stderr
    assert "terraform_data.route will be created" in planned.stdout
    assert placeholder("ca-central-1") in planned.stdout
    # The copy keeps the original's own state: its backend path now names the same file, absolutely.
    backend = json.loads((copy.directory / "cdk.tf.json").read_text())["terraform"]["backend"]["local"]["path"]
    assert backend == str((tmp_path / ".residency" / "state" / "global" / "terraform.tfstate").resolve())
    assert json.loads((reader.directory / "cdk.tf.json").read_text())["data"]["terraform_remote_state"][
        "cross-stack-reference-input-ca-central-1"]["backend"] == "local"  # the original is untouched


def test_a_workspace_that_only_comes_after_another_does_not_read_it(tmp_path):
    """A region after its jurisdiction's audit home reads nothing of it: it is never planned with placeholders,
    and its reviewed plan does not go stale when the home's outputs change (reads_from decides both)."""
    region, reader = workspaces(tmp_path)
    assert reads_from(reader, "ca-central-1", region)
    follower = write(tmp_path / "cdktf.out" / "stacks" / "ca-west-1", {
        "terraform": {"backend": {"local": {"path": STATE.format("ca-west-1")}}},
        "resource": {"terraform_data": {"trail": {"input": "ca-central-1-audit-bucket"}}},
    })
    follower = Workspace(follower.name, follower.directory, ("ca-central-1",))
    assert not reads_from(follower, "ca-central-1", region)
