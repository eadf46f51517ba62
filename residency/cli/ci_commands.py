"""`ci render`, `ci summary` and `ci roles`: pipeline files, the summary their jobs post, and the roles they assume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.errors import UsageError
from residency.files import read_handed_text

ci_app = typer.Typer(help="CI pipelines: render them, and summarize their runs.", no_args_is_help=True)


@ci_app.command()
def render(
    ctx: typer.Context,
    platform: Annotated[str, typer.Option("--platform", help="github | gitlab | tfc", show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Repository root to write into.")] = Path("."),
    branch: Annotated[str, typer.Option("--branch", help="The branch that is applied.")] = "main",
    drift_cron: Annotated[str, typer.Option("--drift-cron", help="When the drift check runs (cron, UTC).")]
    = "17 6 * * *",
    install: Annotated[str, typer.Option(
        "--install", help="What the jobs `pip install`, pinned (default: regions.yaml's ci.install, else the "
                           "repository itself when it is residency's).")] = "",
    stdout: Annotated[bool, typer.Option("--stdout", help="Print the file instead of writing it.")] = False,
) -> None:
    """Write the pipeline: plan every workspace on a pull request, apply on the branch, check drift daily."""
    from residency.pipelines.pipeline_files import PipelineSettings, render_pipeline, write_pipeline

    app: Application = ctx.obj
    config_path = _relative_to(app.config_path, out)
    text = render_pipeline(platform, app.config, PipelineSettings(config_path, branch, drift_cron, install), out)
    if stdout:
        app.say(text.rstrip("\n"))
        return
    app.say(f"wrote {write_pipeline(platform, text, out)}")


@ci_app.command()
def summary(
    files: Annotated[list[Path], typer.Argument(
        help="The --json output of plan, apply, destroy or drift; several (one per workspace job) are combined.")],
    title: Annotated[str | None, typer.Option("--title", help="Heading of the summary.")] = None,
) -> None:
    """Markdown summary of a run, for a pull request comment or a job summary."""
    from residency.pipelines.summary import combine, render_summary

    documents = []
    for file in files:
        try:
            documents.append(json.loads(read_handed_text(file)))
        except OSError as error:
            raise UsageError(f"cannot read {file}: {error.strerror or error}") from error
        except ValueError as error:
            raise UsageError(f"{file} is not JSON ({error})", hint="e.g. residency plan --all --json > plan.json") \
                from error
    print(render_summary(combine(documents), title=title), end="")


@ci_app.command()
def roles(
    ctx: typer.Context,
    platform: Annotated[str, typer.Option("--platform", help="github | gitlab: whose jobs assume the roles")]
    = "github",
    repository: Annotated[str | None, typer.Option(
        "--repository", help="GitHub OWNER/REPO or GitLab GROUP/PROJECT the trust policies name", show_default=False)]
    = None,
    branch: Annotated[str, typer.Option("--branch", help="The default branch: applies and drift checks run there.")]
    = "main",
    gitlab_host: Annotated[str | None, typer.Option(
        "--gitlab-host", help="The GitLab instance that issues the ID tokens (default gitlab.com).",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option("--format", help="json | terraform (Terraform JSON)")] = "json",
    create_oidc_provider: Annotated[bool, typer.Option(
        "--create-oidc-provider", help="--format terraform: create the OIDC identity provider too (default: look "
                                       "up the account's)")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write DIR/ci-roles.json (or ci-roles.tf.json) instead of printing it.", show_default=False)]
    = None,
) -> None:
    """The IAM roles the pipelines assume: a plan role that cannot read personal data, and apply roles trusted
    only by their jurisdiction's environment on the default branch, with their policies."""
    from residency.pipelines.ci_roles import FILES, RolesSettings, ci_roles, render_roles

    app: Application = ctx.obj
    if app.config.profile.uses_emulator:
        app.say("no roles to make: target local runs on the embedded emulator, which needs no AWS roles")
        return
    if repository is None:
        raise UsageError("--repository is required: the trust policies name the repository whose jobs may assume "
                         "the roles", hint="e.g. --repository acme/health-platform (GitLab: GROUP/PROJECT)")
    if gitlab_host is not None and platform != "gitlab":
        raise UsageError("--gitlab-host is for --platform gitlab", hint="leave it out for GitHub")
    settings = RolesSettings(platform, repository, branch, gitlab_host or "gitlab.com")
    text = render_roles(ci_roles(app.config, settings), output_format, create_provider=create_oidc_provider)
    if out is None:
        print(text, end="")
        return
    from residency.files import write_atomically

    app.say(f"wrote {write_atomically(out / FILES[output_format], text)}")


def _relative_to(path: Path, root: Path) -> str:
    """The pipeline names regions.yaml relative to the repository root, as the jobs see it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{path} is not inside {root.resolve()}, the repository the pipeline is for",
                         hint="run it from the repository root, or pass --out ROOT") from None


def tfc(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write DIR/tfc.tf.json (apply it there with terraform); default: print it.",
        show_default=False)] = None,
) -> None:
    """HCP Terraform workspace settings (tfe provider), keyed by region: run triggers, drift checks, tags."""
    from residency.pipelines.tfc import tfc_settings

    app: Application = ctx.obj
    text = json.dumps(tfc_settings(app.config), indent=2) + "\n"
    if out is None:
        print(text, end="")
        return
    from residency.files import write_atomically

    app.say(f"wrote {write_atomically(out / 'tfc.tf.json', text)}")
