"""Many workspaces for real (terraform, the AWS provider, the emulator): a parallel apply with one
workspace failing, two residency processes on one workspace, and Ctrl-C in the middle of an apply
that leaves no lock and a state the next apply completes."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.projects import eu_and_us, local_project
from tests.e2e.test_local_target import check

pytestmark = pytest.mark.terraform

class Background:
    """`residency ARGS` running in the background, its stderr read line by line as it comes."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "residency", *args], cwd=cwd,
                                        env={**os.environ, **env}, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = 300) -> str:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(re.search(pattern, line) for line in self.lines) or self.process.poll() is not None,
                timeout=timeout)
        line = next((line for line in self.lines if re.search(pattern, line)), None)
        assert found and line is not None, f"no {pattern!r} in:\n" + "\n".join(self.lines[-40:])
        return line

    def finish(self, timeout: float = 600) -> tuple[int, str, str]:
        # Not communicate(): it would read stderr too, stealing lines from the reader thread.
        assert self.process.stdout is not None
        stdout = self.process.stdout.read()
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return self.process.returncode, stdout, "\n".join(self.lines)


def test_a_failing_workspace_skips_its_dependents_only(tmp_path, terraform_binary, provider_mirror):
    """One workspace cannot work (its state is garbage): the other region is applied anyway, global
    (which routes to both) is skipped, and the run exits 1 with a summary."""
    # With a domain, global routes users to the regions' APIs, so it depends on both.
    project = local_project(tmp_path, "acme-par", eu_and_us(), domain="example.com")
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    state = project / ".residency" / "state"
    try:
        (state / "us-east-1").mkdir(parents=True)
        (state / "us-east-1" / "terraform.tfstate").write_text("this is not a state file")
        applied = run_cli(["apply", "--all", "--json", "--parallelism", "2"], project, env)
        check(applied, 1)
        report = {w["workspace"]: w for w in json.loads(applied.stdout)["workspaces"]}
        assert report["eu-central-1"]["status"] == "applied"
        assert report["us-east-1"]["status"] == "failed" and report["us-east-1"]["log_file"]
        assert "state file" in Path(report["us-east-1"]["log_file"]).read_text()
        assert (report["global"]["status"], report["global"]["error"]) == ("skipped", "us-east-1 failed")
    finally:
        (state / "us-east-1" / "terraform.tfstate").unlink(missing_ok=True)
        run_cli(["local", "down"], project)


def test_a_second_run_is_turned_away_and_ctrl_c_leaves_no_lock(tmp_path, terraform_binary, provider_mirror):
    project = local_project(tmp_path, "acme-par", eu_and_us())
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    state = project / ".residency" / "state"
    try:
        # Two residency processes on one workspace: the second stops at once, naming the first.
        first = Background(["apply", "us-east-1", "--no-progress"], project, env)
        first.wait_for(r"==> us-east-1: apply")
        first.wait_for(r"us-east-1: aws_kms_key\.[^:]*: Creation complete")
        second = run_cli(["apply", "us-east-1", "--json"], project, env)
        check(second, 1)
        (outcome,) = json.loads(second.stdout)["workspaces"]
        assert f"us-east-1 is in use by another residency apply (pid {first.process.pid}" in outcome["error"]

        # Ctrl-C in the middle of that apply: Terraform stops gracefully and the run exits 1.
        first.process.send_signal(signal.SIGINT)
        code, stdout, stderr = first.finish()
        assert code == 1, stderr
        assert "interrupted (SIGINT)" in stderr
        assert "us-east-1       interrupted" in stdout
        assert not (state / "us-east-1" / ".terraform.tfstate.lock.info").exists()  # no lock left
        assert json.loads((state / "us-east-1" / "terraform.tfstate").read_text())["resources"]  # part applied

        # The next apply completes from that state, and then there is nothing left to do.
        check(run_cli(["apply", "us-east-1"], project, env), 0)
        check(run_cli(["plan", "us-east-1", "--detailed-exitcode"], project, env), 0)
    finally:
        run_cli(["local", "down"], project)
