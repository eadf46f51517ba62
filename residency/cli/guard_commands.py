"""`check`: the residency rules over the synthesized workspaces."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from residency import workflow
from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.errors import ExitCode


def check(
    ctx: typer.Context,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Check this already synthesized directory as it is, without synthesizing.",
        show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """Prove that no personal-data path leaves its jurisdiction (exit 3 on a violation)."""
    from residency.guard.check import check_synthesized
    from residency.guard.rules import RULES

    app: Application = ctx.obj
    config = app.config
    if out is None:
        workflow.synth(config, app.paths, app.progress)
    report = check_synthesized(config, out or app.paths.out)
    code = ExitCode.OK if report.clean else ExitCode.VIOLATION
    if as_json:
        app.emit_json({"exit_code": int(code), "workspaces": report.workspaces,
                       "findings": [finding.as_json() for finding in report.findings]})
        raise typer.Exit(int(code))
    for finding in report.findings:
        rule = RULES[finding.rule][0]
        path = f" [{finding.source} -> {finding.destination}]" if finding.destination else ""
        app.say(f"{finding.rule} {finding.workspace}: {finding.address}: {finding.message}{path}")
        app.say(f"  {rule.title}. Fix: {rule.fix}")
    app.say(f"{len(report.findings)} violation(s) in {len(report.workspaces)} workspace(s), "
            f"{len(RULES)} rules" if report.findings else
            f"no violation in {len(report.workspaces)} workspace(s), {len(RULES)} rules")
    raise typer.Exit(int(code))
