"""`check`: the residency rules over the synthesized workspaces (and saved plans)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.errors import UsageError
from residency.flows import checking

PlanOption = Annotated[list[str] | None, typer.Option(
    "--plan", metavar="WORKSPACE=FILE", show_default=False,
    help="Also check a saved plan (`terraform show -json` output) as the workspace will be; repeatable.")]


def check(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Check this already synthesized directory as it is, without synthesizing.",
        show_default=False)] = None,
    plans: PlanOption = None,
    graph: Annotated[Path | None, typer.Option(
        "--graph", help="Draw the data map: FILE.svg, FILE.mmd or FILE.md (Mermaid).", show_default=False)] = None,
    as_json: JsonOption = False,
    sarif: Annotated[bool, typer.Option("--sarif", help="Print a SARIF 2.1.0 log on stdout.")] = False,
    code_quality: Annotated[bool, typer.Option(
        "--codequality", help="Print a GitLab Code Quality report on stdout (merge requests show it).")] = False,
) -> None:
    """Prove that no personal-data path leaves its jurisdiction (exit 3 on a violation)."""
    if sum((as_json, sarif, code_quality)) > 1:
        raise UsageError("--json, --sarif and --codequality each print on stdout; choose one")
    app: Application = ctx.obj
    result = checking.check(app.config, app.config_path, app.paths, app.progress, out=out, plans=plans or [],
                            graph=graph)
    if as_json:
        app.emit_json(result.as_json())
    elif sarif:
        app.emit_json(result.as_sarif())
    elif code_quality:
        app.emit_json(result.as_code_quality())
    else:
        for line in result.text_lines():
            app.say(line)
    raise typer.Exit(int(result.exit_code))


def baseline(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Check this already synthesized directory as it is, without synthesizing.",
        show_default=False)] = None,
    checkov: Annotated[str | None, typer.Option(
        "--checkov", envvar="RESIDENCY_CHECKOV", show_default=False,
        help="The checkov executable (default: checkov on PATH; also $RESIDENCY_CHECKOV).")] = None,
    suppressions: Annotated[Path | None, typer.Option(
        "--suppressions", show_default=False,
        help="Reviewed suppressions (YAML); default: the ones residency ships for its own constructs.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Security baseline: checkov over the workspaces; exit 3 on a failure no suppression explains."""
    app: Application = ctx.obj
    result = checking.baseline(app.config, app.paths, app.progress, out=out, checkov=checkov,
                               suppressions=suppressions)
    if as_json:
        app.emit_json(result.as_json())
        raise typer.Exit(int(result.exit_code))
    report = result.report
    for failure in report.failures:
        app.say(f"{failure.check} {failure.workspace}: {failure.address}: {failure.name}")
    if result.unused_suppressions:
        app.say(f"note: {len(result.unused_suppressions)} suppression(s) not needed by this configuration "
                "(--json lists them)")
    app.say(f"checkov: {report.passed} passed, {len(report.failures)} failed, "
            f"{len(report.suppressed)} suppressed with a reviewed reason")
    raise typer.Exit(int(result.exit_code))
