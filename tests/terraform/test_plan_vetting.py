"""Vetting saved plans before they are applied: what the vet sees, and what a refusal stops.

The stand-in terraform binary (tests/terraform/fake_terraform.py), which also writes the plan file `plan -out`
names and answers `show -json` with one JSON document; the real binary runs in tests/guard/test_plan_check.py.
"""

import json

import pytest

from residency.errors import ExitCode
from residency.paths import ProjectPaths
from residency.terraform.manifest import read_manifest
from residency.terraform.operations import Operation, OperationRunner, Status, exit_code
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.fake_terraform import FakeTerraform
from tests.terraform.recording import Recorder

VIOLATION = "RES002 eu-central-1: aws_dynamodb_table.data: replica copies data out [eu-central-1 -> us-east-1]"


@pytest.fixture
def setup(tmp_path):
    fake = FakeTerraform.install(tmp_path)
    out = tmp_path / "project" / "cdktf.out"
    graph = {"eu-central-1": [], "us-east-1": [], "global": ["eu-central-1", "us-east-1"]}
    for name in graph:
        (out / "stacks" / name).mkdir(parents=True)
        (out / "stacks" / name / "cdk.tf.json").write_text("{}")
    (out / "manifest.json").write_text(json.dumps({"stacks": {
        name: {"workingDirectory": f"stacks/{name}", "dependencies": deps} for name, deps in graph.items()}}))
    return fake.binary, out, fake


class Vet:
    """A vet that refuses the workspaces it is told to, and remembers what it was given."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, workspace: str, plan: dict) -> list[str]:
        self.calls.append((workspace, plan))
        return [VIOLATION] if workspace in self.refuse else []


def make_runner(setup, vet, *, fail: str = "", show: str = "", no_changes: bool = False):
    binary, out, fake = setup
    env = {"PATH": "/usr/bin:/bin", **fake.env(FAKE_FAIL=fail, FAKE_SHOW=show)}
    if no_changes:
        env["FAKE_NO_CHANGES"] = "1"
    settings = TerraformSettings(binary=binary, paths=ProjectPaths(out.parent), cli_config=None, base_env=env)
    recorder = Recorder()
    announced = recorder.events
    runner = OperationRunner(Terraform(settings), read_manifest(out), recorder, vet_plan=vet)
    return runner, announced, settings.paths


def steps(setup, workspace: str | None = None) -> list[tuple[str, str]]:
    return setup[2].steps(workspace)


def statuses(outcomes) -> dict[str, Status]:
    return {outcome.workspace: outcome.status for outcome in outcomes}


def test_the_vet_gets_the_workspace_and_its_saved_plan_as_parsed_json(setup):
    vet = Vet()
    runner, _, paths = make_runner(setup, vet)
    runner.run(Operation.APPLY, ["eu-central-1"])
    assert len(vet.calls) == 1
    workspace, plan = vet.calls[0]
    assert workspace == "eu-central-1"
    plan_file = str(paths.plan_file("eu-central-1"))
    assert {key: value for key, value in plan.items() if key != "resource_changes"} == {
        "format_version": "1.2", "planned_values": {"root_module": {}}, "workspace": "eu-central-1",
        "args": ["show", "-json", "-no-color"], "plan_file": plan_file, "plan_exists": True}
    # The saved plan is shown after planning and before anything is applied.
    assert steps(setup) == [("eu-central-1", "init"), ("eu-central-1", "plan"), ("eu-central-1", "show"),
                            ("eu-central-1", "apply"), ("eu-central-1", "apply")]


def test_a_refused_plan_is_not_applied_removed_and_its_dependents_are_skipped(setup):
    runner, announced, paths = make_runner(setup, Vet(refuse=("eu-central-1",)))
    outcomes = runner.run(Operation.APPLY, ["eu-central-1", "us-east-1", "global"])
    assert statuses(outcomes) == {"eu-central-1": Status.REFUSED, "us-east-1": Status.APPLIED,
                                  "global": Status.SKIPPED}
    refused = next(outcome for outcome in outcomes if outcome.workspace == "eu-central-1")
    assert refused.error is not None and VIOLATION in refused.error
    assert refused.changes.add == 2  # what the refused plan would have done is still reported
    assert steps(setup, "eu-central-1") == [("eu-central-1", "init"), ("eu-central-1", "plan"),
                                            ("eu-central-1", "show")]
    assert steps(setup, "global") == []
    assert not paths.plan_file("eu-central-1").exists()  # nobody can apply it by hand either
    assert not paths.plan_file("us-east-1").exists()  # applied: spent, and it holds the workspace's values
    assert any("REFUSED" in line and VIOLATION in line for line in announced), announced
    assert exit_code(Operation.APPLY, outcomes) is ExitCode.VIOLATION


def test_a_refusal_decides_the_exit_code_even_next_to_a_failure(setup):
    runner, _, _ = make_runner(setup, Vet(refuse=("eu-central-1",)), fail="us-east-1")
    outcomes = runner.run(Operation.APPLY, ["eu-central-1", "us-east-1", "global"])
    assert statuses(outcomes) == {"eu-central-1": Status.REFUSED, "us-east-1": Status.FAILED,
                                  "global": Status.SKIPPED}
    assert exit_code(Operation.APPLY, outcomes) is ExitCode.VIOLATION
    # Without the refusal the same run is an ordinary failure.
    setup[2].clear()
    runner, _, _ = make_runner(setup, Vet(), fail="us-east-1")
    assert exit_code(Operation.APPLY, runner.run(Operation.APPLY, ["eu-central-1", "us-east-1", "global"])) \
        is ExitCode.FAILED


def test_a_plan_the_vet_accepts_is_applied_as_before(setup):
    vet = Vet()
    runner, _, _ = make_runner(setup, vet)
    outcomes = runner.run(Operation.APPLY, ["global", "us-east-1", "eu-central-1"])
    assert [(o.workspace, o.status) for o in outcomes] == [
        ("us-east-1", Status.APPLIED), ("eu-central-1", Status.APPLIED), ("global", Status.APPLIED)]
    assert [workspace for workspace, _ in vet.calls] == ["us-east-1", "eu-central-1", "global"]
    assert [step for step in steps(setup) if step[1] == "apply"] == [
        (name, "apply") for name in ("us-east-1", "eu-central-1", "global") for _ in range(2)]
    assert exit_code(Operation.APPLY, outcomes) is ExitCode.OK


def test_plan_reports_a_refusal_and_exits_3(setup):
    runner, _, paths = make_runner(setup, Vet(refuse=("us-east-1",)))
    outcomes = runner.run(Operation.PLAN, ["eu-central-1", "us-east-1", "global"])
    assert statuses(outcomes) == {"eu-central-1": Status.CHANGES, "us-east-1": Status.REFUSED,
                                  "global": Status.CHANGES}  # plans are read-only: nothing is skipped
    refused = next(outcome for outcome in outcomes if outcome.workspace == "us-east-1")
    assert VIOLATION in (refused.error or "")
    assert not paths.plan_file("us-east-1").exists()
    assert paths.plan_file("eu-central-1").exists()
    assert [step for step in steps(setup) if step[1] == "apply"] == []
    assert exit_code(Operation.PLAN, outcomes) is ExitCode.VIOLATION
    assert exit_code(Operation.PLAN, outcomes, detailed=True) is ExitCode.VIOLATION


@pytest.mark.parametrize("behaviour", ["fail", "garbage"])
def test_a_show_that_fails_is_a_failure_not_an_exception(setup, behaviour):
    vet = Vet()
    runner, _, _ = make_runner(setup, vet, show=f"eu-central-1={behaviour}")
    outcomes = runner.run(Operation.APPLY, ["eu-central-1", "us-east-1", "global"])
    assert statuses(outcomes) == {"eu-central-1": Status.FAILED, "us-east-1": Status.APPLIED,
                                  "global": Status.SKIPPED}
    failed = next(outcome for outcome in outcomes if outcome.workspace == "eu-central-1")
    assert "eu-central-1: terraform show -json" in (failed.error or "") and "failed" in (failed.error or "")
    assert [workspace for workspace, _ in vet.calls] == ["us-east-1"]  # never judged on nothing
    assert [step for step in steps(setup, "eu-central-1") if step[1] == "apply"] == []
    assert exit_code(Operation.APPLY, outcomes) is ExitCode.FAILED


def test_a_plan_without_changes_is_neither_shown_nor_vetted(setup):
    vet = Vet(refuse=("eu-central-1",))
    runner, _, _ = make_runner(setup, vet, no_changes=True)
    outcomes = runner.run(Operation.APPLY, ["eu-central-1"])
    assert statuses(outcomes) == {"eu-central-1": Status.NO_CHANGES}
    assert vet.calls == []
    assert steps(setup) == [("eu-central-1", "init"), ("eu-central-1", "plan")]


@pytest.mark.parametrize("operation", [Operation.DESTROY, Operation.DRIFT])
def test_destroy_and_drift_are_not_vetted(setup, operation):
    vet = Vet(refuse=("eu-central-1", "us-east-1", "global"))
    runner, _, _ = make_runner(setup, vet)
    outcomes = runner.run(operation, ["eu-central-1", "us-east-1", "global"])
    assert Status.REFUSED not in statuses(outcomes).values()
    assert vet.calls == []
    assert not [step for step in steps(setup) if step[1] == "show"]
