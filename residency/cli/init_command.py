"""`residency init [DIR]`: start a project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from residency.errors import UsageError
from residency.flows.project_init import (
    SAMPLE_REGIONS,
    StarterRegion,
    parse_starter_regions,
    project_name_from,
    require_target,
    start_project,
    starter_regions,
    suggested_countries,
)


def init(
    directory: Annotated[Path, typer.Argument(help="Where the project goes (created if need be).")] = Path("."),
    project: Annotated[str | None, typer.Option(
        "--project", help="Project name: 3-24 chars, a-z, 0-9, '-' (default: from the directory's name).",
        show_default=False)] = None,
    regions: Annotated[list[str] | None, typer.Option(
        "--region", metavar="REGION:COUNTRIES",
        help="A region and the countries whose users live there, e.g. eu-west-1:IE,FR,DE (repeat for each).",
        show_default=False)] = None,
    default_region: Annotated[str | None, typer.Option(
        "--default", metavar="REGION", help="The region for users from unlisted countries (default: the first).",
        show_default=False)] = None,
    target: Annotated[str, typer.Option("--target", help="local (the embedded emulator) | aws")] = "local",
    ci: Annotated[str | None, typer.Option(
        "--ci", help="Also write the pipeline: github | gitlab | tfc.", show_default=False)] = None,
    install: Annotated[str | None, typer.Option(
        "--install", metavar="SPEC", help="What the pipeline installs, pinned (ci.install; default: how this "
                                          "residency was installed, when a pipeline can install it so).",
        show_default=False)] = None,
    plan_role: Annotated[str | None, typer.Option(
        "--plan-role", metavar="ARN", help="aws: the read-only role pipeline plans and drift checks assume.",
        show_default=False)] = None,
    apply_role: Annotated[str | None, typer.Option(
        "--apply-role", metavar="ARN", help="aws: the role pipeline applies assume.", show_default=False)] = None,
) -> None:
    """Start a project: a commented regions.yaml, a .gitignore for what residency writes and, with --ci, the
    pipeline. Asks on a terminal; otherwise takes the options, or writes a commented three-region sample.
    Never overwrites a file."""
    require_target(target)  # before anything is asked
    name = project or project_name_from(directory.resolve().name)
    if regions:
        chosen = parse_starter_regions(regions, default_region)
    elif project is None and sys.stdin.isatty():
        name, chosen = _asked(name)
    else:
        chosen = SAMPLE_REGIONS
        if default_region is not None:
            raise UsageError("--default needs --region", hint="e.g. --region eu-west-1:IE,FR --default eu-west-1")
    started = start_project(directory, project=name, regions=chosen, target=target, ci=ci, install=install,
                            plan_role=plan_role, apply_role=apply_role)
    for done in started.created:
        print(f"wrote {done.path} ({done.what})")
    shown = "" if directory.resolve() == Path.cwd() else f"cd {directory} && "
    if started.state_backend == "s3":
        print("state: in S3 (a pipeline's runners keep nothing); `residency bootstrap` creates its buckets before "
              "the first apply")
    print(f"next: {shown}residency validate, then residency apply --all"
          + (" (on the local emulator, no AWS account needed)" if target == "local" else ""))
    raise typer.Exit(int(started.exit_code))


def _asked(suggested_name: str) -> tuple[str, tuple[StarterRegion, ...]]:
    name = typer.prompt("Project name (3-24 chars: a-z, 0-9, '-')", default=suggested_name)
    codes = [code.strip() for code in typer.prompt(
        "AWS regions, comma-separated", default="eu-west-1,us-east-1").split(",") if code.strip()]
    regions = []
    for code in codes:
        countries = typer.prompt(f"Countries whose users' data stays in {code} (ISO codes, comma-separated)",
                                 default=",".join(suggested_countries(code)) or None)
        regions.append((code, tuple(c.strip().upper() for c in countries.split(",") if c.strip())))
    default = typer.prompt("Region for users from unlisted countries", default=codes[0] if codes else "")
    return name, starter_regions(regions, default)
