"""The rendered pipelines' jobs, run on this machine: a job either holds no credentials or runs no project code.

The project's extension (examples/billing-platform) refuses to load when any AWS credential, web-identity token,
ID-token request variable or HCP Terraform token is in its environment, and notes every load. The jobs run
exactly as rendered (tests/pipelines/job_runner.py) with what the platform gives each: a pull request's
synth, plan and summary; the merged branch's synth and an apply of the reviewed plan; a schedule's drift check;
GitLab's merge-request synth and plan. Terraform and the emulator are real (the local target)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from residency.config import load_config
from residency.pipelines.pipeline_files import PipelineSettings, render_pipeline
from tests.pipelines import validators
from tests.pipelines.job_runner import CREDENTIAL_PREFIXES, GitHubRun, GitLabPipeline, JobResult, Machine

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parents[2]
INSTALL = "residency @ git+https://github.com/acme/residency@0123456789abcdef0123456789abcdef01234567"
ROLES = f"""ci:
  install: "{INSTALL}"
  plan_role: arn:aws:iam::123456789012:role/residency-plan
  apply_role: arn:aws:iam::123456789012:role/residency-apply
state: {{backend: s3}}
"""
CANARY = f'''import os as _os

_HELD = sorted(name for name in _os.environ if name.startswith({CREDENTIAL_PREFIXES!r}))
with open(_os.environ["CANARY_LOG"], "a") as _log:
    _log.write(("loaded with " + ",".join(_HELD) if _HELD else "loaded with no credentials") + "\\n")
if _HELD:
    raise RuntimeError("the billing extension was loaded in a job that holds credentials: " + ", ".join(_HELD))
'''
OLD_RETENTION, NEW_RETENTION = "message_retention_seconds=14 * 24 * 3600", "message_retention_seconds=7 * 24 * 3600"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A team's repository: main, and a pull request's commit that changes the regions' invoices queue."""
    root = tmp_path_factory.mktemp("app") / "app"
    shutil.copytree(REPO / "examples" / "billing-platform", root)
    infra = root / "billing" / "infra.py"
    infra.write_text(CANARY + infra.read_text())
    (root / ".gitignore").write_text(".residency/\ncdktf.out/\n")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "main")
    base = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "change")
    infra.write_text(infra.read_text().replace(OLD_RETENTION, NEW_RETENTION))
    git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qam", "shorter retention")
    head = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "main")
    return root, base, head


def rendered(platform: str, root: Path, tmp_path: Path) -> dict:
    """The pipeline for the aws target (its credential steps), rendered from the repository's regions.yaml."""
    config = tmp_path / f"render-{platform}" / "regions.yaml"
    config.parent.mkdir(parents=True)
    config.write_text((root / "regions.yaml").read_text().replace("target: local", "target: aws") + ROLES)
    return validators.load(render_pipeline(platform, load_config(config), PipelineSettings("regions.yaml"), root))


@pytest.fixture
def machine(tmp_path: Path, provider_mirror: str | None) -> Machine:
    env = {"CANARY_LOG": str(tmp_path / "canary.log")}
    if provider_mirror:
        env["RESIDENCY_PROVIDER_MIRROR"] = provider_mirror
    return Machine(tmp_path / "machine", env)


def loads(machine: Machine) -> list[str]:
    log = Path(machine.env["CANARY_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def succeeded(result: JobResult) -> JobResult:
    assert result.ok, f"{result.name} failed:\n{result.log[-6000:]}"
    return result


def stop_emulators(machine: Machine) -> None:
    for record in (machine.root / "jobs").rglob(".residency/emulator.json"):
        subprocess.run(["residency", "local", "down"], cwd=record.parent.parent, env=machine.env,
                       capture_output=True, timeout=120, check=False)


def test_github_jobs_that_hold_credentials_run_none_of_the_projects_code(repository, machine, tmp_path):
    root, base, head = repository
    workflow = rendered("github", root, tmp_path)
    same_repository = {"pull_request": {"number": 7, "head": {"repo": {"full_name": "acme/app"}}}}
    try:
        pull_request = GitHubRun(machine, workflow, root, event="pull_request", sha=head, artifacts=tmp_path / "pr",
                                 context={"github": {"event_name": "pull_request", "repository": "acme/app",
                                                     "base_ref": "main", "run_id": "41", "token": "t",
                                                     "event": same_repository}})
        synth = succeeded(pull_request.run("synth"))
        assert not synth.holds_credentials
        assert loads(machine) and all(line == "loaded with no credentials" for line in loads(machine))
        plan = succeeded(pull_request.run("plan"))
        assert plan.holds_credentials  # the ID token's variables and the assumed session
        assert "planning what the bundle's change affects: eu-west-1, us-east-1" in plan.log
        assert (tmp_path / "pr" / "residency-plans" / "manifest.json").is_file()
        summary = succeeded(pull_request.run("summary"))
        assert not summary.holds_credentials

        # The merge: the branch synthesizes again, then applies the reviewed plan of one region with its role.
        git(root, "merge", "-q", "--ff-only", "change")
        push = GitHubRun(machine, workflow, root, event="push", sha=head, artifacts=tmp_path / "push",
                         earlier_runs={"41": tmp_path / "pr"},
                         context={"github": {"event_name": "push", "repository": "acme/app", "run_id": "42",
                                             "token": "t", "sha": head}})
        succeeded(push.run("synth"))
        push.results["reviewed-plans"] = JobResult("reviewed-plans", True, "", {"run-id": "41"})
        apply = succeeded(push.run("apply-eu-west-1"))
        assert apply.holds_credentials
        assert "applying the reviewed plans" in apply.log and "stale" not in apply.log.lower()

        schedule = GitHubRun(machine, workflow, root, event="schedule", sha=head, artifacts=tmp_path / "drift",
                             context={"github": {"event_name": "schedule", "repository": "acme/app", "run_id": "43",
                                                 "token": "t"}})
        succeeded(schedule.run("synth"))
        drift = succeeded(schedule.run("drift-eu-west-1"))
        assert drift.holds_credentials
    finally:
        stop_emulators(machine)
    assert all(line == "loaded with no credentials" for line in loads(machine)), loads(machine)
    assert len(loads(machine)) >= 3  # each synth job loaded the extension: the canary was live throughout


def test_the_canary_catches_a_job_that_synthesizes_with_credentials(repository, machine, tmp_path):
    """The check can fail: a plan job as pipelines had it (the checkout, then `residency plan` with the plan role's
    session) loads the extension with credentials, and fails."""
    root, _base, head = repository
    workflow = rendered("github", root, tmp_path)
    steps = workflow["jobs"]["plan"]["steps"]
    steps.insert(0, {"uses": "actions/checkout@0000000000000000000000000000000000000000"})
    for step in steps:
        if str(step.get("run", "")).startswith("residency plan --from"):
            step["run"] = "residency plan eu-west-1 --json --no-progress > plan.json"
    run = GitHubRun(machine, workflow, root, event="pull_request", sha=head, artifacts=tmp_path / "pr",
                    context={"github": {"event_name": "pull_request", "repository": "acme/app", "base_ref": "main",
                                        "event": {"pull_request": {"head": {"repo": {"full_name": "acme/app"}}}}}})
    try:
        succeeded(run.run("synth"))
        plan = run.run("plan")
    finally:
        stop_emulators(machine)
    assert not plan.ok
    assert "loaded in a job that holds credentials: ACTIONS_ID_TOKEN_REQUEST_TOKEN" in plan.log


def test_gitlab_jobs_that_hold_an_id_token_run_none_of_the_projects_code(repository, machine, tmp_path):
    root, _base, head = repository
    document = rendered("gitlab", root, tmp_path)
    git(root, "branch", "-f", "change", head)
    pipeline = GitLabPipeline(machine, document, root, sha=head, variables={
        "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
        "CI_MERGE_REQUEST_IID": "7"})
    try:
        synth = succeeded(pipeline.run("synth"))
        assert not synth.holds_credentials
        plan = succeeded(pipeline.run("plan"))
        assert plan.holds_credentials
        assert not (pipeline.workspaces["plan"] / "billing").exists()  # nothing of the repository was checked out
        assert (pipeline.workspaces["plan"] / "reviewed-plans" / "manifest.json").is_file()
    finally:
        stop_emulators(machine)
    assert loads(machine) and all(line == "loaded with no credentials" for line in loads(machine)), loads(machine)


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_every_rendered_job_holding_credentials_checks_out_nothing_and_synthesizes_nothing(platform, repository,
                                                                                         tmp_path):
    """Every job of the file, not only those run above: a job with credentials has no checkout, and each residency
    command it runs reads the bundle (`--from`), or is `verify` or `ci summary` (which load no project code)."""
    root, _base, _head = repository
    document = rendered(platform, root, tmp_path)
    if platform == "github":
        jobs = {name: job for name, job in document["jobs"].items()
                if (job.get("permissions") or {}).get("id-token") == "write"}
        scripts = {name: "\n".join(str(step.get("run", "")) for step in job["steps"]) for name, job in jobs.items()}
        assert all(not any(str(step.get("uses", "")).startswith("actions/checkout") for step in job["steps"])
                   for job in jobs.values())
    else:
        runner = GitLabPipeline(Machine(tmp_path / "m", {}), document, root, sha="", variables={})
        merged = {name: runner.job(name) for name in document if not name.startswith(".") and isinstance(
            document[name], dict) and ("script" in document[name])}
        jobs = {name: job for name, job in merged.items() if "id_tokens" in job}
        assert all(job["variables"].get("GIT_STRATEGY") == "none" for job in jobs.values())
        scripts = {name: "\n".join([*job.get("script", []), *job.get("after_script", [])])
                   for name, job in jobs.items()}
    assert {"plan", *(f"{kind}{name}" for kind in (("apply-", "reapply-", "drift-") if platform == "github" else
                                                    ("apply:", "reapply:", "drift:"))
                      for name in ("eu-west-1", "us-east-1", "global"))} <= set(jobs)
    for name, script in scripts.items():
        for line in script.splitlines():
            command = line.strip().split(" ", 2)
            if command[0] != "residency" or len(command) < 2:
                continue
            assert "--from synthesized" in line or command[1] in ("verify", "ci"), (name, line)
