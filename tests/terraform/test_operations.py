"""Running an operation across workspaces: order, failures, skipped dependents, confirmation.

The stand-in terraform binary (tests/terraform/fake_terraform.py) fails in the workspaces named by FAKE_FAIL (the
real binary runs in tests/e2e); what is checked here is residency's scheduling and reporting."""

import json

import pytest

from residency.paths import ProjectPaths
from residency.terraform.manifest import read_manifest
from residency.terraform.operations import Operation, OperationRunner, Status
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.fake_terraform import FakeTerraform
from tests.terraform.recording import Recorder


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


def make_runner(setup, fail: str = "", confirm=None, never_applied: str = ""):
    binary, out, fake = setup
    settings = TerraformSettings(binary=binary, paths=ProjectPaths(out.parent), cli_config=None,
                                 base_env={"PATH": "/usr/bin:/bin",
                                           **fake.env(FAKE_FAIL=fail, FAKE_NEVER_APPLIED=never_applied)})
    recorder = Recorder()
    announced = recorder.events
    runner = OperationRunner(Terraform(settings), read_manifest(out), recorder,
                             **({"confirm": confirm} if confirm else {}))
    return runner, announced


def steps(setup):
    return setup[2].steps()


def test_apply_follows_dependencies_and_applies_the_saved_plan(setup):
    runner, announced = make_runner(setup)
    outcomes = runner.run(Operation.APPLY, ["global", "us-east-1", "eu-central-1"])
    assert [(o.workspace, o.status) for o in outcomes] == [
        ("us-east-1", Status.APPLIED), ("eu-central-1", Status.APPLIED), ("global", Status.APPLIED)]
    assert steps(setup)[:5] == [("us-east-1", "init"), ("us-east-1", "plan"), ("us-east-1", "show"),
                                ("us-east-1", "apply"), ("us-east-1", "apply")]  # read, applied, state refreshed
    assert announced[0] == "start us-east-1 apply"


def test_a_failure_skips_dependents_but_not_independent_workspaces(setup):
    runner, _ = make_runner(setup, fail="eu-central-1")
    outcomes = {o.workspace: o for o in runner.run(Operation.APPLY, ["eu-central-1", "us-east-1", "global"])}
    assert outcomes["eu-central-1"].status is Status.FAILED
    assert "Error: boom" in (outcomes["eu-central-1"].error or "")
    assert outcomes["us-east-1"].status is Status.APPLIED
    assert outcomes["global"].status is Status.SKIPPED
    assert outcomes["global"].error == "eu-central-1 failed"
    assert not [step for step in steps(setup) if step[0] == "global"]


def test_destroy_runs_in_reverse_and_keeps_dependencies_of_a_failure(setup):
    runner, _ = make_runner(setup, fail="global")
    outcomes = runner.run(Operation.DESTROY, ["eu-central-1", "us-east-1", "global"])
    assert [(o.workspace, o.status) for o in outcomes] == [
        ("global", Status.FAILED), ("us-east-1", Status.SKIPPED), ("eu-central-1", Status.SKIPPED)]


def test_declined_confirmation_applies_nothing(setup):
    runner, _ = make_runner(setup, confirm=lambda workspace, changes: False)
    outcomes = runner.run(Operation.APPLY, ["us-east-1"])
    assert outcomes[0].status is Status.DECLINED and outcomes[0].changes.add == 2
    assert [s for s in steps(setup) if s[1] == "apply"] == []


def test_plan_reports_changes_without_applying(setup):
    runner, _ = make_runner(setup, fail="us-east-1")
    outcomes = {o.workspace: o for o in runner.run(Operation.PLAN, ["eu-central-1", "us-east-1", "global"])}
    assert outcomes["eu-central-1"].status is Status.CHANGES
    assert outcomes["global"].status is Status.CHANGES  # plans are read-only: nothing is skipped
    assert outcomes["us-east-1"].status is Status.FAILED


def test_a_workspace_whose_dependency_was_left_out_and_never_applied_is_not_applied(setup):
    """Applying global (or a region after its jurisdiction's audit home) alone, before what it needs exists, stops
    before Terraform runs there, naming what to apply first; an applied dependency does not stop it."""
    runner, _ = make_runner(setup, never_applied="eu-central-1")
    (outcome,) = runner.run(Operation.APPLY, ["global"])
    assert outcome.status is Status.FAILED
    assert outcome.error == ("not applied: it needs what eu-central-1 creates, and eu-central-1 was never applied; "
                             "apply it first, or both together: `residency apply eu-central-1 global`")
    assert [step for step in steps(setup) if step[0] == "global"] == []
    runner, _ = make_runner(setup)
    (outcome,) = runner.run(Operation.APPLY, ["global"])
    assert outcome.status is Status.APPLIED
