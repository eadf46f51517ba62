"""`residency ci render`: pipeline files for GitHub Actions, GitLab CI or HCP Terraform, from templates.

Templates use [[ ]] and [% %] so that the platforms' own ${{ }} and $VAR expressions pass through.
What every pipeline does, on each platform's terms:
- a pull/merge request runs the residency rules and plans what it affects, keeping the plans for review;
- the branch applies exactly those reviewed plans, one job per workspace (regions in parallel, global after
  them), each behind its jurisdiction's environment and with its own role; a stale plan is planned again
  and waits for a new approval;
- a schedule checks drift per workspace and keeps one issue up to date.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from residency import naming
from residency.config import Config
from residency.config.model import pinned_install
from residency.errors import UsageError
from residency.files import read_handed_text, write_atomically
from residency.pipelines.action_pins import pinned

PLATFORMS = {
    "github": ("github.yml.j2", Path(".github/workflows/residency.yml")),
    "gitlab": ("gitlab.yml.j2", Path(".gitlab-ci.yml")),
    "tfc": ("tfc.yml.j2", Path(".github/workflows/residency-tfc.yml")),
}
PROJECT_FILE_LIMIT = 1024 * 1024  # a pyproject.toml is a few kilobytes
TERRAFORM_VERSION = "1.11.4"
PYTHON_VERSION = "3.11"
# The AWS provider the stacks pin (cdktf-cdktf-provider-aws 20.1.0): the provider cache's key.
AWS_PROVIDER_VERSION = "5.100.0"
# Minutes a job may run: a plan of every workspace, an apply of one (a CloudFront distribution takes ~15).
TIMEOUTS = {"plan": 60, "apply": 90, "drift": 45, "report": 10}


@dataclass(frozen=True)
class PipelineSettings:
    config_path: str  # regions.yaml, relative to the repository root
    branch: str = "main"
    drift_cron: str = "17 6 * * *"
    install: str = ""  # what `pip install` gets; default: regions.yaml's ci.install, else the repository


@dataclass(frozen=True)
class WorkspaceJob:
    """One workspace's apply and drift jobs."""

    name: str  # region code or `global`
    job: str  # a job id: the name, which is already [a-z0-9-]
    environment: str  # production-eu; production-global
    apply_role: str | None
    is_global: bool
    after: tuple[str, ...] = ()  # applied first: a region's jurisdiction's audit home, whose bucket it needs


def render_pipeline(platform: str, config: Config, settings: PipelineSettings, repository: Path) -> str:
    import jinja2

    if platform not in PLATFORMS:
        raise UsageError(f"unknown platform {platform!r}", hint=f"one of {', '.join(PLATFORMS)}")
    if platform == "tfc" and not config.state.runs_remotely:
        raise UsageError("--platform tfc runs Terraform in HCP Terraform, which needs `state: {backend: cloud}`",
                         hint="use --platform github or gitlab for local or s3 state")
    aws = not config.profile.uses_emulator
    if aws and not config.state.outlives_runners:
        kind = config.state.backend
        raise UsageError(
            f"the aws target's state is {kind} (`state: {{backend: {kind}}}`): in a pipeline it would live on "
            "throwaway runners, so every run would start from no state and try to create everything again",
            hint="keep state in S3 (`state: {backend: s3, ...}`, then `residency bootstrap`) or HCP Terraform "
                 "(`state: {backend: cloud, ...}`); see the README's State sections")
    jobs = workspace_jobs(config)
    if aws:
        _require_roles(config, jobs, platform)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("residency.pipelines", "templates"),
        variable_start_string="[[", variable_end_string="]]", block_start_string="[%", block_end_string="%]",
        comment_start_string="[#", comment_end_string="#]",
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters["q"] = _yaml_double_quoted
    environment.globals["pin"] = pinned
    environment.filters["apply_audience"] = gitlab_apply_audience
    environment.filters["sh"] = shlex.quote  # a word for the shell (values are checked before, never trusted alone)
    environment.filters["apply_jobs"] = lambda names, reviewed: [
        job for name in names for job in (f"apply-{name}", *((f"reapply-{name}",) if reviewed else ()))]
    environment.filters["flow_list"] = lambda names: "[" + ", ".join(names) + "]"  # job ids: [a-z0-9-] only
    template = environment.get_template(PLATFORMS[platform][0])
    install = install_spec(config, settings, repository)
    path_install = _is_path(install)
    if path_install and (aws or platform == "tfc"):
        raise UsageError(
            f"the pipeline would install residency from {install!r}, the repository's own files, in jobs that hold "
            "credentials: a pull request can change those files",
            hint='pin an exact version, a git commit or an archive with its sha256 (`ci: {install: ...}` or '
                 '--install); the jobs that hold credentials check out nothing of the repository')
    # What the caches are keyed by: residency's own project file when the repository is residency.
    cache_file = "pyproject.toml" if install == "." else settings.config_path
    text = template.render(
        config=config, settings=settings, aws=aws, install=install,
        terraform_version=TERRAFORM_VERSION, python_version=PYTHON_VERSION,
        provider_version=AWS_PROVIDER_VERSION, timeouts=TIMEOUTS, workflow_file=PLATFORMS[platform][1].name,
        path_install=path_install, jobs=jobs, drift_jobs=[f"drift-{job.job}" for job in jobs], tfc=platform == "tfc",
        global_needs=_global_needs(jobs, reviewed=platform != "tfc"),
        plan_role=config.ci.plan_role, token_variable=token_variable(config),
        cache_file=cache_file, cache_file_expression="'" + cache_file.replace("'", "''") + "'",
        render_settings=json.dumps({"platform": platform, **asdict(settings)}, sort_keys=True),
    )
    # A macro's output ends in a newline of its own: no blank line inside a job.
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"\n{2,}(?= {4})", "\n", text))


def gitlab_apply_audience(environment: str) -> str:
    """The `aud` of a GitLab apply job's ID token: only its environment's apply role accepts it (ci_roles.py)."""
    return f"residency:{environment}"


def _global_needs(jobs: list[WorkspaceJob], *, reviewed: bool) -> list[str]:
    """Global's apply waits for every region's (and with reviewed plans, for each one's re-approved apply)."""
    regions = [job.job for job in jobs if not job.is_global]
    if not reviewed:
        return ["synth", *(f"apply-{job}" for job in regions)]
    return ["synth", "reviewed-plans", *(f"apply-{job}" for job in regions), *(f"reapply-{job}" for job in regions)]


def workspace_jobs(config: Config) -> list[WorkspaceJob]:
    """The regions in file order, then global."""
    prefix = config.ci.environment
    jobs = [WorkspaceJob(code, code, f"{prefix}-{region.jurisdiction.lower()}",
                         config.ci.apply_role_for(code, region.jurisdiction), False, _applied_after(config, code))
            for code, region in config.regions.items()]
    jobs.append(WorkspaceJob(naming.GLOBAL_WORKSPACE, naming.GLOBAL_WORKSPACE, f"{prefix}-global",
                             config.ci.apply_role_for(naming.GLOBAL_WORKSPACE, naming.GLOBAL_JURISDICTION), True))
    return jobs


def _applied_after(config: Config, code: str) -> tuple[str, ...]:
    home = config.audit_home(config.regions[code].jurisdiction)
    return (home,) if home is not None and home != code else ()


def install_spec(config: Config, settings: PipelineSettings, repository: Path) -> str:
    """What the jobs `pip install`: --install, else regions.yaml's ci.install, else the repository itself when it
    is residency's. Always pinned; never a bare name from a package index."""
    chosen = settings.install or config.ci.install
    if chosen:
        try:
            return pinned_install(chosen)
        except ValueError as error:
            raise UsageError(f"--install: {error}") from None
    if _is_residency_project(repository / "pyproject.toml"):
        return "."
    installed = installed_spec()
    if installed is not None:
        return installed
    raise UsageError(
        "cannot tell what the pipeline's jobs should install: this repository does not contain residency, and "
        "this residency was installed from a local directory or file, which a pipeline cannot reach",
        hint='pin it in regions.yaml, e.g. `ci: {install: "residency @ git+https://github.com/ORG/residency@'
             '<40-hex commit>"}` or `residency==<version>` from your own index (or pass --install)')


def installed_spec() -> str | None:
    """How this residency was installed, as a pinned spec a pipeline can install the same way (PEP 610's
    direct_url.json): from an index, that exact version; from git, that commit; from an archive URL, that
    archive with its sha256. None for a local directory or file."""
    import json
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        installed = distribution("residency")
    except PackageNotFoundError:
        return None
    text = installed.read_text("direct_url.json")
    if not text:
        # No record of a direct origin: from an index when an installer wrote it (not metadata of a source tree).
        return f"residency=={installed.version}" if installed.read_text("INSTALLER") else None
    try:
        origin = json.loads(text)
    except ValueError:
        return None
    url = str(origin.get("url", ""))
    if not url.startswith("https://"):
        return None
    vcs = origin.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and re.fullmatch(r"[0-9a-f]{40}", str(vcs.get("commit_id", ""))):
        return f"residency @ git+{url}@{vcs['commit_id']}"
    archive = origin.get("archive_info") or {}
    digest = (archive.get("hashes") or {}).get("sha256") or str(archive.get("hash", "")).removeprefix("sha256=")
    if re.fullmatch(r"[0-9a-f]{64}", digest or ""):
        return f"residency @ {url}#sha256={digest}"
    return None


def token_variable(config: Config) -> str:
    """The environment variable Terraform reads the HCP Terraform token from, named after the host ('' when the
    state backend needs no token)."""
    host = config.state.token_host
    if host is None:
        return ""
    # Terraform's rule: a dot becomes '_', a hyphen '__' (app.eu.terraform.io -> TF_TOKEN_app_eu_terraform_io).
    return "TF_TOKEN_" + host.replace("-", "__").replace(".", "_")


def write_pipeline(platform: str, text: str, root: Path) -> Path:
    return write_atomically(root / PLATFORMS[platform][1], text)


def _require_roles(config: Config, jobs: list[WorkspaceJob], platform: str) -> None:
    """On AWS every job assumes a role through OIDC (no long-lived keys): the roles must be named."""
    missing = [] if config.ci.plan_role or platform == "tfc" else ["ci.plan_role (read-only: plans, drift)"]
    without = [job.name for job in jobs if job.apply_role is None]
    if without:
        missing.append(f"an apply role for {', '.join(without)} (ci.apply_role, or ci.apply_roles by region, "
                       "jurisdiction or global)")
    if missing:
        raise UsageError(
            "the aws target's pipeline assumes AWS roles through OIDC, with no long-lived keys; regions.yaml does "
            "not name " + "; nor ".join(missing),
            hint="add e.g. `ci: {plan_role: arn:aws:iam::123456789012:role/residency-plan, apply_role: "
                 "arn:aws:iam::123456789012:role/residency-apply}`; the README's Pipelines section has the trust "
                 "policies")


def _is_path(install: str) -> bool:
    """A directory of the repository (`.`, `./tools/residency`), not a version, URL or `name @ url`."""
    return install.startswith(".")


def _is_residency_project(pyproject: Path) -> bool:
    try:
        project = tomllib.loads(read_handed_text(pyproject, PROJECT_FILE_LIMIT)).get("project", {})
        return project.get("name") == "residency"
    except (OSError, tomllib.TOMLDecodeError):
        return False


def _yaml_double_quoted(value: object) -> str:
    """A YAML double-quoted scalar of `value` (JSON's escaping is YAML's)."""
    import json

    return json.dumps(str(value))
