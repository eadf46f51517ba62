"""The runner's command lines, environment and result folding, against the recording stand-in
for the terraform binary (tests/terraform/fake_terraform.py; the real binary is exercised end to end in tests/e2e)."""

import json
import shutil

import pytest

from residency.paths import ProjectPaths, state_path_from_stack
from residency.terraform.manifest import Workspace
from residency.terraform.operations import Operation, Outcome, Status, exit_code
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.fake_terraform import FakeTerraform


@pytest.fixture
def fake(tmp_path):
    fake = FakeTerraform.install(tmp_path / "bin")
    stack = tmp_path / "project" / "cdktf.out" / "stacks" / "eu-central-1"
    stack.mkdir(parents=True)
    backend = {"local": {"path": state_path_from_stack("eu-central-1")}}
    (stack / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": backend}}))
    return fake.binary, Workspace("eu-central-1", stack, ()), ProjectPaths(tmp_path / "project"), fake


def runner(fake, *, env=None, cli_config=None, lines=None):
    binary, _, paths, terraform = fake
    # one creation, and every command (a plan too) exits 0 unless FAKE_EXIT says otherwise
    base_env = {"PATH": "/usr/bin:/bin", **terraform.env(FAKE_ADD="1", FAKE_EXIT="0"), **(env or {})}
    settings = TerraformSettings(binary=binary, paths=paths, cli_config=cli_config,
                                 variables={"residency_local_endpoint": "http://127.0.0.1:1"},
                                 base_env=base_env)
    sink = (lambda workspace, text: lines.append((workspace, text))) if lines is not None else None
    return Terraform(settings, on_line=sink)


def calls(fake):
    return fake[3].calls()


def test_plan_command_line_environment_and_result(fake):
    seen: list = []
    terraform = runner(fake, lines=seen)
    workspace, paths = fake[1], fake[2]
    result = terraform.plan(workspace, plan_file=paths.plan_file("eu-central-1"))
    call = calls(fake)[0]
    assert call["argv"] == ["plan", "-json", "-input=false", "-detailed-exitcode", "-lock-timeout=0s",
                            f"-out={paths.plan_file('eu-central-1')}"]
    assert call["cwd"] == str(workspace.directory)
    assert call["env"]["TF_DATA_DIR"] == str(paths.data_dir("eu-central-1"))
    assert call["env"]["TF_IN_AUTOMATION"] == "1"
    assert call["env"]["TF_VAR_residency_local_endpoint"] == "http://127.0.0.1:1"
    assert call["env"]["TF_PLUGIN_CACHE_DIR"] == str(paths.plugin_cache)
    assert call["env"]["GOGC"] == "400"
    assert result.returncode == 0 and result.events.changes.add == 1
    assert seen == [("eu-central-1", "Plan: 1 to add")]
    assert "Plan: 1 to add" in result.log_file.read_text()


def test_a_gogc_the_user_set_wins(fake):
    runner(fake, env={"GOGC": "150"}).plan(fake[1], plan_file=fake[2].plan_file("eu-central-1"))
    assert calls(fake)[0]["env"]["GOGC"] == "150"


def test_init_prepares_the_state_directory_and_is_skipped_when_unchanged(fake):
    terraform = runner(fake)
    workspace, paths = fake[1], fake[2]
    assert terraform.init(workspace) is not None
    assert terraform.init(workspace) is None  # nothing changed: no second init
    assert paths.state_file("eu-central-1").parent.is_dir()
    (workspace.directory / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": {}}}}))
    shutil.rmtree(paths.state_file("eu-central-1").parent)
    assert terraform.init(workspace) is not None
    argv = calls(fake)[0]["argv"]
    assert argv == ["init", "-input=false", "-no-color", "-reconfigure"]
    assert not paths.state_file("eu-central-1").parent.exists()  # state elsewhere: no local directory
    assert len(calls(fake)) == 2


def test_an_init_that_fails_invalidates_the_stamp_of_the_last_good_one(fake):
    _binary, workspace, _paths, _record = fake
    assert runner(fake).init(workspace).returncode == 0
    assert runner(fake, env={"FAKE_EXIT": "1"}).init(workspace) is None  # unchanged: not run at all
    (workspace.directory / "cdk.tf.json").write_text(json.dumps({"terraform": {"backend": {"s3": {}}}}))
    assert runner(fake, env={"FAKE_EXIT": "1"}).init(workspace).returncode == 1
    # back to the configuration of the good init: it must run again, the data directory has changed since
    (workspace.directory / "cdk.tf.json").write_text(
        json.dumps({"terraform": {"backend": {"local": {"path": state_path_from_stack("eu-central-1")}}}}))
    assert runner(fake).init(workspace) is not None


def test_failed_init_is_retried_next_time(fake):
    terraform = runner(fake, env={"FAKE_EXIT": "1"})
    assert terraform.init(fake[1]).returncode == 1
    assert terraform.init(fake[1]) is not None


def test_apply_puts_options_before_the_plan_file(fake, tmp_path):
    runner(fake).apply(fake[1], tmp_path / "ws.tfplan")
    assert calls(fake)[0]["argv"] == ["apply", "-json", "-input=false", "-lock-timeout=0s",
                                        str(tmp_path / "ws.tfplan")]


def test_user_tf_variables_are_honoured(fake, tmp_path):
    terraform = runner(fake, env={"TF_LOG": "DEBUG", "TF_PLUGIN_CACHE_DIR": str(tmp_path / "mine"),
                                  "TF_DATA_DIR": str(tmp_path / "data")})
    terraform.destroy(fake[1])
    call = calls(fake)[0]
    assert call["argv"] == ["apply", "-json", "-destroy", "-input=false", "-auto-approve",
                            "-lock-timeout=0s"]
    assert call["env"]["TF_LOG"] == "DEBUG"
    assert call["env"]["TF_PLUGIN_CACHE_DIR"] == str(tmp_path / "mine")
    assert call["env"]["TF_DATA_DIR"] == str(tmp_path / "data" / "eu-central-1")


def test_cli_config_replaces_the_users_when_a_mirror_is_set(fake, tmp_path):
    cli_config = tmp_path / "terraformrc"
    cli_config.write_text("")
    terraform = runner(fake, env={"TF_CLI_CONFIG_FILE": "/elsewhere"}, cli_config=cli_config)
    terraform.plan(fake[1], refresh_only=True)
    call = calls(fake)[0]
    assert call["env"]["TF_CLI_CONFIG_FILE"] == str(cli_config)
    assert call["argv"] == ["plan", "-json", "-input=false", "-detailed-exitcode", "-lock-timeout=0s", "-refresh-only"]


@pytest.mark.parametrize(("operation", "statuses", "detailed", "expected"), [
    (Operation.PLAN, [Status.CHANGES, Status.NO_CHANGES], False, 0),
    (Operation.PLAN, [Status.CHANGES, Status.NO_CHANGES], True, 2),
    (Operation.PLAN, [Status.NO_CHANGES], True, 0),
    (Operation.PLAN, [Status.CHANGES, Status.FAILED], True, 1),
    (Operation.DRIFT, [Status.DRIFTED, Status.NO_CHANGES], False, 2),
    (Operation.DRIFT, [Status.NO_CHANGES], False, 0),
    (Operation.APPLY, [Status.APPLIED, Status.SKIPPED], False, 1),
    (Operation.APPLY, [Status.DECLINED], False, 1),
    (Operation.DESTROY, [Status.DESTROYED], False, 0),
])
def test_exit_code_is_the_worst_outcome(operation, statuses, detailed, expected):
    outcomes = [Outcome(f"ws{i}", status) for i, status in enumerate(statuses)]
    assert exit_code(operation, outcomes, detailed=detailed) == expected
