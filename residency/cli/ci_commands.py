"""`ci render`, `ci summary` and `ci roles`: pipeline files, the summary their jobs post, and the roles they assume."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.flows import pipeline_setup

ci_app = typer.Typer(help="CI pipelines: render them, and summarize their runs.",
                     no_args_is_help=True, rich_markup_mode=None)


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
    app: Application = ctx.obj
    rendered = pipeline_setup.pipeline(app.config, app.config_path, platform, out=out, branch=branch,
                                       drift_cron=drift_cron, install=install, write=not stdout)
    if rendered.written is None:
        app.say(rendered.text.rstrip("\n"))
        return
    app.say(f"wrote {rendered.written}")


@ci_app.command()
def summary(
    files: Annotated[list[Path], typer.Argument(
        help="The --json output of plan, apply, destroy or drift; several (one per workspace job) are combined.")],
    title: Annotated[str | None, typer.Option("--title", help="Heading of the summary.")] = None,
) -> None:
    """Markdown summary of a run, for a pull request comment or a job summary."""
    print(pipeline_setup.run_summary(files, title), end="")


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
    app: Application = ctx.obj
    if app.config.profile.uses_emulator:
        app.say("no roles to make: target local runs on the embedded emulator, which needs no AWS roles")
        return
    rendered = pipeline_setup.roles(app.config, platform=platform, repository=repository, branch=branch,
                                    gitlab_host=gitlab_host, output_format=output_format,
                                    create_oidc_provider=create_oidc_provider, out=out)
    _print_or_say_written(app, rendered)


def _print_or_say_written(app: Application, rendered: pipeline_setup.Rendered) -> None:
    if rendered.written is None:
        print(rendered.text, end="")
    else:
        app.say(f"wrote {rendered.written}")


def tfc(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write DIR/tfc.tf.json (apply it there with terraform); default: print it.",
        show_default=False)] = None,
) -> None:
    """HCP Terraform workspace settings (tfe provider), keyed by region: run triggers, drift checks, tags."""
    app: Application = ctx.obj
    _print_or_say_written(app, pipeline_setup.tfc_workspaces(app.config, out))
