"""Many workspaces at once: parallelism, --fail-fast, Ctrl-C (once and twice), and one residency per
workspace. The stand-in terraform binary (tests/terraform/fake_terraform.py) records when each step starts and
ends and which signals it got; the real binary runs in tests/e2e/test_parallel_runs.py."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from residency.errors import ExitCode
from residency.paths import ProjectPaths
from residency.terraform.interrupts import LOCK_INFO, forwarding_interrupts, remaining_locks
from residency.terraform.locks import WorkspaceBusyError, parse_duration, workspace_lock
from residency.terraform.manifest import read_manifest
from residency.terraform.operations import Operation, OperationRunner, Status, exit_code
from residency.terraform.run_options import RunOptions
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.fake_terraform import FakeTerraform
from tests.terraform.recording import Recorder

GRAPH = {"eu-central-1": [], "us-east-1": [], "ap-southeast-2": [],
         "global": ["eu-central-1", "us-east-1", "ap-southeast-2"]}


@pytest.fixture
def setup(tmp_path: Path):
    fake = FakeTerraform.install(tmp_path)
    out = tmp_path / "project" / "cdktf.out"
    for name in GRAPH:
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text("{}")
    (out / "manifest.json").write_text(json.dumps({"stacks": {
        name: {"workingDirectory": f"stacks/{name}", "dependencies": deps} for name, deps in GRAPH.items()}}))
    return fake.binary, out, fake


def make_runner(setup, *, parallelism: int = 4, fail_fast: bool = False, lock_timeout: float = 0.0,
                **fake_env: str) -> OperationRunner:
    binary, out, fake = setup
    paths = ProjectPaths(out.parent)
    env = {"PATH": "/usr/bin:/bin", **fake.env(FAKE_ADD="1", FAKE_STATE_ROOT=str(paths.work / "state"), **fake_env)}
    settings = TerraformSettings(binary=binary, paths=paths, cli_config=None, base_env=env)
    return OperationRunner(Terraform(settings), read_manifest(out), Recorder(), options=RunOptions(
        parallelism=parallelism, fail_fast=fail_fast, lock_timeout=f"{lock_timeout:g}s"))


def events(setup) -> list[tuple[str, str, str, float]]:
    return setup[2].events()


def span(setup, workspace: str, command: str) -> tuple[float, float]:
    times = [t for ws, cmd, event, t in events(setup) if ws == workspace and cmd == command and event in
             ("start", "end")]
    return min(times), max(times)


def test_independent_workspaces_run_at_once_and_dependents_after_them(setup):
    runner = make_runner(setup, FAKE_SLEEP="0.6")
    started = time.monotonic()
    outcomes = runner.run(Operation.APPLY, list(GRAPH))
    elapsed = time.monotonic() - started
    assert [o.status for o in outcomes] == [Status.APPLIED] * 4
    regions = [span(setup, name, "plan") for name in ("eu-central-1", "us-east-1", "ap-southeast-2")]
    assert max(start for start, _ in regions) < min(end for _, end in regions)  # all three planned at once
    assert span(setup, "global", "plan")[0] > max(span(setup, name, "apply")[1] for name in GRAPH if name != "global")
    assert elapsed < 4 * 2 * 0.6  # sequential would be four plans and four applies of 0.6 s


def test_parallelism_one_runs_one_at_a_time(setup):
    runner = make_runner(setup, parallelism=1, FAKE_SLEEP="0.2")
    runner.run(Operation.PLAN, ["eu-central-1", "us-east-1"])
    first, second = span(setup, "eu-central-1", "plan"), span(setup, "us-east-1", "plan")
    assert first[1] <= second[0]


def test_a_failure_skips_dependents_only_and_fail_fast_starts_nothing_new(setup):
    runner = make_runner(setup, parallelism=4, FAKE_FAIL="us-east-1")
    outcomes = {o.workspace: o for o in runner.run(Operation.APPLY, list(GRAPH))}
    assert outcomes["us-east-1"].status is Status.FAILED
    assert outcomes["eu-central-1"].status is Status.APPLIED and outcomes["ap-southeast-2"].status is Status.APPLIED
    assert (outcomes["global"].status, outcomes["global"].error) == (Status.SKIPPED, "us-east-1 failed")
    assert exit_code(Operation.APPLY, list(outcomes.values())) == ExitCode.FAILED

    setup[2].clear()
    fast = make_runner(setup, parallelism=1, fail_fast=True, FAKE_FAIL="eu-central-1")
    outcomes = {o.workspace: o for o in fast.run(Operation.APPLY, list(GRAPH))}
    assert outcomes["eu-central-1"].status is Status.FAILED
    assert {outcomes[name].status for name in ("us-east-1", "ap-southeast-2", "global")} == {Status.SKIPPED}
    assert outcomes["us-east-1"].error == "not started: eu-central-1 failed (--fail-fast)"
    assert not [e for e in events(setup) if e[0] == "us-east-1"]


def interrupt_after(seconds: float, times: int = 1) -> threading.Thread:
    def send() -> None:
        for _ in range(times):
            time.sleep(seconds)
            os.kill(os.getpid(), signal.SIGINT)
    thread = threading.Thread(target=send)
    thread.start()
    return thread


def test_one_ctrl_c_sends_each_running_terraform_exactly_one_sigint_and_starts_nothing_new(setup):
    runner = make_runner(setup, parallelism=2, FAKE_SLEEP="5")
    said: list[str] = []
    sender = interrupt_after(1.0)
    with forwarding_interrupts(runner.terraform, runner.stop, said.append) as seen:
        outcomes = {o.workspace: o for o in runner.run(Operation.APPLY, list(GRAPH))}
    sender.join()
    assert seen.count == 1 and seen.killed == []
    running = {"eu-central-1", "us-east-1"}  # the first two, by parallelism
    assert {name for name, o in outcomes.items() if o.status is Status.INTERRUPTED} == running
    assert {ws for ws, _cmd, event, _t in events(setup) if event == "SIGINT"} == running
    assert len([e for e in events(setup) if e[2] == "SIGINT"]) == 2  # one each, never two
    assert {ws for ws, _cmd, event, _t in events(setup) if event == "stopped"} == running  # they stopped gracefully
    assert outcomes["ap-southeast-2"].status is Status.SKIPPED
    assert outcomes["ap-southeast-2"].error == "not started: interrupted"
    assert not [e for e in events(setup) if e[1] == "apply"]  # nothing was applied after the interrupt
    assert exit_code(Operation.APPLY, list(outcomes.values())) == ExitCode.FAILED
    assert "interrupted (SIGINT)" in said[0] and "eu-central-1" in said[0]


def test_a_second_ctrl_c_kills_and_names_the_lock_to_release(setup):
    runner = make_runner(setup, parallelism=1, FAKE_SLEEP="30", FAKE_LOCK="1")
    said: list[str] = []
    started = time.monotonic()
    sender = interrupt_after(1.0)
    killer = interrupt_after(1.1)  # the second arrives during the first's graceful pause
    with forwarding_interrupts(runner.terraform, runner.stop, said.append) as seen:
        outcomes = runner.run(Operation.APPLY, ["eu-central-1"])
    sender.join()
    killer.join()
    assert time.monotonic() - started < 10
    assert seen.count == 2 and seen.killed == ["eu-central-1"]
    assert outcomes[0].status is Status.INTERRUPTED
    assert not [e for e in events(setup) if e[2] == "stopped"]  # killed before it could stop by itself
    (note,) = remaining_locks(runner.terraform, seen.killed)
    assert "lock-eu-central-1" in note and "force-unlock lock-eu-central-1" in note
    assert (runner.terraform.settings.paths.state_file("eu-central-1").parent / LOCK_INFO).exists()


def test_a_workspace_held_by_another_residency_fails_naming_the_holder_or_waits(setup):
    runner = make_runner(setup)
    lock_dir = runner.terraform.settings.paths.work / "locks"
    with workspace_lock(lock_dir, "eu-central-1", 0, "apply"):
        (outcome,) = runner.run(Operation.PLAN, ["eu-central-1"])
    assert outcome.status is Status.FAILED
    assert f"eu-central-1 is in use by another residency apply (pid {os.getpid()}" in (outcome.error or "")
    assert "--lock-timeout" in (outcome.error or "")

    patient = make_runner(setup, lock_timeout=10)
    held = threading.Event()

    def hold_briefly() -> None:
        with workspace_lock(lock_dir, "eu-central-1", 0, "apply"):
            held.set()
            time.sleep(1)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    held.wait()
    (outcome,) = patient.run(Operation.PLAN, ["eu-central-1"])
    holder.join()
    assert outcome.status is Status.CHANGES


def test_lock_timeouts_read_like_terraforms():
    assert parse_duration("90") == 90 and parse_duration("30s") == 30 and parse_duration("10m") == 600
    assert parse_duration("0s") == 0
    for nonsense in ("soon", "-5s", "-1", "inf", "nan", "1e999s", ""):  # never a negative, endless or NaN wait
        with pytest.raises(Exception, match="expected a duration"):
            parse_duration(nonsense)
    with pytest.raises(WorkspaceBusyError):
        with workspace_lock(Path("/tmp") / f"residency-locks-{os.getpid()}", "x", 0, "apply"):
            with workspace_lock(Path("/tmp") / f"residency-locks-{os.getpid()}", "x", 0, "plan"):
                pass


HOLD_OUTPUT = """
import sys, time
from pathlib import Path
from residency.terraform.locks import OutputLock
with OutputLock(Path(sys.argv[1]), "apply", 0):
    print("held", flush=True)
    time.sleep(30)
"""


def test_cdktf_out_is_not_replaced_under_a_running_residency(tmp_path):
    import subprocess
    import sys

    from residency.terraform.locks import OutputLock

    holder = subprocess.Popen([sys.executable, "-c", HOLD_OUTPUT, str(tmp_path)], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with OutputLock(tmp_path, "synth", 0) as output:  # sharing it to read is fine
            with pytest.raises(WorkspaceBusyError, match=rf"in use by residency apply \(pid {holder.pid}"):
                with output.exclusive():
                    pass
        with OutputLock(tmp_path, "synth", 5) as output:
            holder.kill()  # the holder goes away: the lock is the system's, nothing is left behind
            with output.exclusive():
                pass
    finally:
        holder.kill()
        holder.wait()
