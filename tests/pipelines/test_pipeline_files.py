"""Rendered pipelines: valid YAML with the promised jobs, and every residency command they call
exists and takes the options it is given."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import typer
from ruamel.yaml import YAML

from residency.cli.main import app
from residency.config import load_config
from residency.errors import UsageError
from residency.pipelines.pipeline_files import PipelineSettings, render_pipeline
from residency.pipelines.summary import render_summary
from tests.conftest import SAMPLE, run_cli

AWS_CLOUD = SAMPLE.read_text().replace("target: local", "target: aws") + \
    "state:\n  backend: cloud\n  organization: acme\n  workspace_prefix: acme-health-\n"


def residency_commands(document: object) -> list[list[str]]:
    """Every `residency ...` command line in the run/script steps of a pipeline."""
    found = []
    texts = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("run", "script", "after_script", "before_script"):
                    texts.extend(item if isinstance(item, list) else [item])
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(document)
    for text in texts:
        for line in str(text).replace("\\\n", " ").splitlines():
            for match in re.finditer(r"(?:^|&&|\|\||;|\s)residency\s+([^|>;&]+)", line):
                found.append(shlex.split(match.group(1)))
    return found


def accepts(args: list[str]) -> None:
    """Parse `residency ARGS` with the real command tree: an unknown command or option raises."""
    command = typer.main.get_command(app)
    context = command.make_context("residency", list(args))
    while hasattr(command, "resolve_command"):  # a group: descend into the subcommand
        remaining = [*getattr(context, "_protected_args", []), *context.args]
        name, command, rest = command.resolve_command(context, remaining)
        context = command.make_context(name, rest, parent=context)


@pytest.fixture
def configs(tmp_path: Path) -> dict[str, object]:
    cloud = tmp_path / "regions.yaml"
    cloud.write_text(AWS_CLOUD)
    return {"local": load_config(SAMPLE), "aws-cloud": load_config(cloud)}


@pytest.mark.parametrize(("platform", "config_name"), [
    ("github", "local"), ("github", "aws-cloud"), ("gitlab", "local"), ("gitlab", "aws-cloud"),
    ("tfc", "aws-cloud")])
def test_pipelines_are_yaml_whose_residency_commands_exist(platform, config_name, configs):
    text = render_pipeline(platform, configs[config_name], PipelineSettings("infra/regions.yaml"))
    document = YAML(typ="safe").load(text)
    commands = residency_commands(document)
    verbs = {tuple(args[:2]) if args[0] == "ci" else (args[0],) for args in commands}
    assert {("check",), ("plan",), ("apply",), ("drift",), ("ci", "summary")} <= verbs
    for args in commands:
        accepts(args)
    assert "infra/regions.yaml" in text


def test_github_jobs_run_on_the_right_events(configs):
    document = YAML(typ="safe").load(render_pipeline("github", configs["aws-cloud"], PipelineSettings("regions.yaml")))
    jobs = document["jobs"]
    assert jobs["plan"]["if"] == "github.event_name == 'pull_request'"
    assert jobs["apply"]["if"] == "github.event_name == 'push'" and jobs["apply"]["environment"] == "production"
    assert "schedule" in jobs["drift"]["if"]
    assert document["on"]["push"]["branches"] == ["main"]
    assert document["permissions"]["id-token"] == "write"  # the aws target assumes a role
    steps = [step.get("run", "") for step in jobs["drift"]["steps"]]
    assert "residency drift --all --json --no-progress > drift.json" in steps
    # a pull request plans only what it affects, against its base branch fetched first
    [plan_step] = [step["run"] for step in jobs["plan"]["steps"] if "residency plan --" in step.get("run", "")]
    fetch, plan = plan_step.strip().splitlines()
    assert fetch.startswith("git fetch") and "refs/remotes/origin/${{ github.base_ref }}" in fetch
    assert plan.startswith('residency plan --affected-since "origin/${{ github.base_ref }}"')


def test_tfc_needs_the_cloud_backend_and_carries_the_token(configs):
    with pytest.raises(UsageError, match="needs `state: {backend: cloud}`"):
        render_pipeline("tfc", configs["local"], PipelineSettings("regions.yaml"))
    document = YAML(typ="safe").load(render_pipeline("tfc", configs["aws-cloud"], PipelineSettings("regions.yaml")))
    assert document["env"]["TF_TOKEN_app_terraform_io"] == "${{ secrets.TF_API_TOKEN }}"


def test_gitlab_jobs_follow_merge_requests_the_branch_and_schedules(configs):
    document = YAML(typ="safe").load(render_pipeline("gitlab", configs["local"], PipelineSettings("regions.yaml",
                                                                                                  branch="trunk")))
    assert document["plan"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    assert document["apply"]["rules"] == [{"if": '$CI_COMMIT_BRANCH == "trunk" && $CI_PIPELINE_SOURCE == "push"'}]
    assert document["drift"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert document["plan"]["script"][2].startswith(
        'residency plan --affected-since "origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}"')


def test_render_writes_the_file_and_refuses_a_config_outside_the_repository(tmp_path, project):
    result = run_cli(["ci", "render", "--platform", "github"], project)
    assert result.returncode == 0, result.stderr
    written = project / ".github" / "workflows" / "residency.yml"
    assert "RESIDENCY_CONFIG: regions.yaml" in written.read_text()
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    refused = run_cli(["ci", "render", "--platform", "github", "--out", str(elsewhere)], project)
    assert refused.returncode == 64 and "is not inside" in refused.stderr
    unknown = run_cli(["ci", "render", "--platform", "jenkins"], project)
    assert unknown.returncode == 64 and "unknown platform 'jenkins'" in unknown.stderr


def test_the_summary_names_each_workspace_its_result_and_drift(tmp_path, project):
    run = {"command": "drift", "target": "local", "exit_code": 2, "workspaces": [
        {"workspace": "eu-central-1", "status": "drifted", "changes": {}, "seconds": 3.1,
         "drifted": [{"address": "aws_dynamodb_table.data", "action": "update"}]},
        {"workspace": "us-east-1", "status": "failed", "changes": {}, "seconds": 1.0, "drifted": [],
         "error": "terraform refresh-only plan failed:\nError: boom"},
        {"workspace": "global", "status": "no changes", "changes": {}, "seconds": 2.0, "drifted": []}]}
    text = render_summary(run)
    assert "### residency drift (local target, exit 2)" in text
    assert "| `eu-central-1` | ⚠️ drifted | 0 | 0 | 0 | 1 | 3.1 |" in text
    assert "- `eu-central-1`: drifted `aws_dynamodb_table.data` (update)" in text
    assert "Error: boom" in text
    file = tmp_path / "drift.json"
    file.write_text(json.dumps(run))
    result = run_cli(["ci", "summary", str(file)], project)
    assert result.returncode == 0 and result.stdout == text
    file.write_text("{}")
    bad = run_cli(["ci", "summary", str(file)], project)
    assert bad.returncode == 64 and "not the --json output" in bad.stderr


def test_the_command_check_rejects_what_residency_would_reject():
    accepts(["apply", "--all", "--auto-approve", "--json", "--no-progress"])
    with pytest.raises(Exception, match="--bogus"):
        accepts(["plan", "--all", "--bogus"])
    with pytest.raises(Exception, match="summarize"):
        accepts(["ci", "summarize", "plan.json"])
