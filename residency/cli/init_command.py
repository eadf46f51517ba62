"""`residency init [DIR]`: start a project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from residency.errors import UsageError

if TYPE_CHECKING:
    from residency.config.starter import StarterRegion


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
    from residency.config.starter import SAMPLE_REGIONS, StarterCi, project_name_from, starter_text
    from residency.flows.project_init import init_project

    if target not in ("local", "aws"):
        raise UsageError(f"unknown target {target!r}", hint="local or aws")
    name = project or project_name_from(directory.resolve().name)
    if regions:
        chosen = _parsed(regions, default_region)
    elif project is None and sys.stdin.isatty():
        name, chosen = _asked(name)
    else:
        chosen = SAMPLE_REGIONS
        if default_region is not None:
            raise UsageError("--default needs --region", hint="e.g. --region eu-west-1:IE,FR --default eu-west-1")
    settings = StarterCi(install, plan_role, apply_role)
    # A pipeline's runners are thrown away after each job: on AWS its state must live in S3, not on them.
    backend = "s3" if target == "aws" and ci else "local"
    created = init_project(directory, starter_text(name, chosen, target, settings, backend), ci=ci)
    for done in created:
        print(f"wrote {done.path} ({done.what})")
    shown = "" if directory.resolve() == Path.cwd() else f"cd {directory} && "
    if backend == "s3":
        print("state: in S3 (a pipeline's runners keep nothing); `residency bootstrap` creates its buckets before "
              "the first apply")
    print(f"next: {shown}residency validate, then residency apply --all"
          + (" (on the local emulator, no AWS account needed)" if target == "local" else ""))


def _parsed(specs: list[str], default_region: str | None) -> tuple[StarterRegion, ...]:
    from residency.config.starter import StarterRegion  # noqa: F811 - at run time, not only for typing

    parsed = []
    for spec in specs:
        code, separator, countries = spec.partition(":")
        listed = tuple(country.strip().upper() for country in countries.split(",") if country.strip())
        if not separator or not code.strip() or not listed:
            raise UsageError(f"--region {spec!r}: expected REGION:COUNTRIES", hint="e.g. --region eu-west-1:IE,FR,DE")
        parsed.append((code.strip(), listed))
    codes = [code for code, _ in parsed]
    if default_region is not None and default_region not in codes:
        raise UsageError(f"--default {default_region}: not one of the regions given", hint=", ".join(codes))
    default = default_region or codes[0]
    return tuple(StarterRegion(code, countries, default=code == default) for code, countries in parsed)


def _asked(suggested_name: str) -> tuple[str, tuple[StarterRegion, ...]]:
    from residency.config.starter import StarterRegion, suggested_countries  # noqa: F811

    name = typer.prompt("Project name (3-24 chars: a-z, 0-9, '-')", default=suggested_name)
    codes = [code.strip() for code in typer.prompt(
        "AWS regions, comma-separated", default="eu-west-1,us-east-1").split(",") if code.strip()]
    regions = []
    for code in codes:
        countries = typer.prompt(f"Countries whose users' data stays in {code} (ISO codes, comma-separated)",
                                 default=",".join(suggested_countries(code)) or None)
        regions.append((code, tuple(c.strip().upper() for c in countries.split(",") if c.strip())))
    default = typer.prompt("Region for users from unlisted countries", default=codes[0] if codes else "")
    return name, tuple(StarterRegion(code, countries, default=code == default) for code, countries in regions)
