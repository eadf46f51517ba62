"""Ctrl-C during synth and two synths at once, with real processes and a real SIGINT to the
process group (what a terminal sends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import run_cli

ENV = {**os.environ, "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1"}


def leftovers(project: Path) -> list[str]:
    return sorted(path.name for path in project.iterdir() if ".staging-" in path.name or ".retired-" in path.name)


def test_ctrl_c_during_synth_says_interrupted_exits_1_and_leaves_the_old_output(project: Path):
    assert run_cli(["synth"], project).returncode == 0
    before = (project / "cdktf.out" / "stacks" / "global" / "cdk.tf.json").read_bytes()
    config = project / "regions.yaml"
    config.write_text(config.read_text().replace("tags: {}", "tags: {team: data}"))

    synth = subprocess.Popen([sys.executable, "-m", "residency", "synth"], cwd=project, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert synth.stderr is not None
    assert "synthesizing" in synth.stderr.readline()
    time.sleep(0.3)  # inside the synthesis, which takes seconds
    os.killpg(synth.pid, signal.SIGINT)
    _, stderr = synth.communicate(timeout=60)

    assert synth.returncode == 1, stderr
    assert stderr.strip().endswith("interrupted"), stderr
    assert "Traceback" not in stderr and "jsii" not in stderr and "ECONNRESET" not in stderr, stderr
    assert leftovers(project) == []
    assert (project / "cdktf.out" / "stacks" / "global" / "cdk.tf.json").read_bytes() == before


def test_the_next_synth_removes_what_a_killed_synth_left_and_keeps_a_live_ones(project: Path):
    finished = subprocess.Popen(["true"])
    finished.wait()
    dead = finished.pid  # a process that has exited: nothing of its can be in use
    for name in (f".cdktf.out.staging-{dead}", f".cdktf.out.retired-{dead}", f".cdktf.out.staging-{os.getpid()}"):
        (project / name / "stacks").mkdir(parents=True)
    assert run_cli(["synth"], project).returncode == 0
    assert leftovers(project) == [f".cdktf.out.staging-{os.getpid()}"]


def test_two_synths_at_once_both_succeed(project: Path):
    synths = [subprocess.Popen([sys.executable, "-m", "residency", "synth"], cwd=project, env=ENV,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(synth.wait(timeout=120), synth.stderr.read()) for synth in synths]  # type: ignore[union-attr]
    assert [code for code, _ in results] == [0, 0], results
    assert any("up to date" in stderr for _, stderr in results), results  # the second found the first's work
    assert leftovers(project) == []
    assert run_cli(["check", "--out", "cdktf.out"], project).returncode == 0


def test_the_working_directory_is_private_and_an_open_one_is_tightened(project: Path):
    assert run_cli(["synth"], project).returncode == 0
    assert (project / ".residency").stat().st_mode & 0o777 == 0o700
    (project / ".residency").chmod(0o755)  # as an older residency left it
    assert run_cli(["synth"], project).returncode == 0
    assert (project / ".residency").stat().st_mode & 0o777 == 0o700
