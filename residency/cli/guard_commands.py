"""`check`: the residency rules over the synthesized workspaces (and saved plans)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.errors import ExitCode, UsageError
from residency.files import read_handed_text
from residency.flows import terraform_runs

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
    from residency.guard.check import check_synthesized
    from residency.guard.reports.formats import as_json as report_json
    from residency.guard.reports.formats import as_sarif, text_lines

    if sum((as_json, sarif, code_quality)) > 1:
        raise UsageError("--json, --sarif and --codequality each print on stdout; choose one")
    app: Application = ctx.obj
    config = app.config
    saved_plans = {name: _read_plan(name, file, config.workspaces) for name, file in map(_split_plan, plans or [])}
    if graph is not None:
        from residency.guard.reports.data_map_files import check_suffix

        check_suffix(graph)
    out_dir = _output_to_check(app, out)
    report = check_synthesized(config, out_dir, saved_plans)
    from residency.pipelines.pipeline_drift import stale_pipelines

    # A pipeline that no longer follows regions.yaml never applies a region added since: check fails on it too.
    stale = stale_pipelines(config, app.config_path)
    code = ExitCode.OK if report.clean and not stale else ExitCode.VIOLATION
    for pipeline in stale:
        app.progress(pipeline.describe())
    if graph is not None:
        from residency.guard.reports.data_map_files import render

        regions = {code: region.jurisdiction for code, region in config.regions.items()}
        render(graph, regions, report.paths, global_region=config.global_.region,
               title=f"{config.project}: data paths ({len(report.findings)} violation(s))")
        app.progress(f"data map written to {graph}")
    if as_json:
        app.emit_json({**report_json(report, int(code)),
                       "stale_pipelines": [{"path": str(p.path), "why": p.why, "fix": p.command} for p in stale]})
    elif sarif:
        from importlib.metadata import version

        app.emit_json(as_sarif(report, str(out_dir), version("residency")))
    elif code_quality:
        from residency.guard.reports.formats import as_code_quality

        app.emit_json(as_code_quality(report, str(out_dir)))
    else:
        for line in text_lines(report):
            app.say(line)
    raise typer.Exit(int(code))


def _output_to_check(app: Application, out: Path | None) -> Path:
    """`--out DIR` as it is, or a fresh synth of regions.yaml."""
    if out is None:
        terraform_runs.synth(app.config, app.paths, app.progress)
        return app.paths.out
    if not out.is_dir():
        raise UsageError(f"--out {out}: no such directory", hint="pass the cdktf.out directory `synth` wrote")
    return out


def _split_plan(value: str) -> tuple[str, Path]:
    name, separator, file = value.partition("=")
    if not separator or not name or not file:
        raise UsageError(f"--plan {value!r}: expected WORKSPACE=FILE", hint="e.g. --plan eu-central-1=plan.json")
    return name, Path(file)


def _read_plan(name: str, file: Path, known: tuple[str, ...]) -> dict[str, Any]:
    from residency.guard.terraform_json.plan_document import plan_shape_problem

    if name not in known:
        raise UsageError(f"--plan: unknown workspace {name!r}", hint=f"one of {', '.join(known)}")
    try:
        document = json.loads(read_handed_text(file))
    except OSError as error:
        raise UsageError(f"--plan {name}={file}: {error.strerror or error}") from error
    except ValueError as error:
        raise UsageError(f"--plan {name}={file} is not JSON ({error})",
                         hint="save it with `terraform show -json PLANFILE > FILE`") from error
    problem = plan_shape_problem(document)
    if problem is not None:
        raise UsageError(f"--plan {name}={file} is not a saved plan in JSON: {problem}",
                         hint="save it with `terraform show -json PLANFILE > FILE`")
    return document


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
    from residency.guard.baseline import SUPPRESSIONS, check_baseline, find_checkov, load_suppressions

    app: Application = ctx.obj
    config = app.config
    reviewed = load_suppressions(suppressions or SUPPRESSIONS)
    executable = find_checkov(checkov)
    report = check_baseline(executable, _output_to_check(app, out), config.target, reviewed)
    code = ExitCode.VIOLATION if report.failures else ExitCode.OK
    unused = [f"{s.check} on {', '.join(s.resources)}" for i, s in enumerate(reviewed) if i not in report.used]
    if as_json:
        app.emit_json({
            "exit_code": int(code), "passed": report.passed,
            "failed": [vars(failure) for failure in report.failures],
            "suppressed": [{**vars(failure), "reason": reason} for failure, reason in report.suppressed],
            "unused_suppressions": unused,
        })
        raise typer.Exit(int(code))
    for failure in report.failures:
        app.say(f"{failure.check} {failure.workspace}: {failure.address}: {failure.name}")
    if unused:
        app.say(f"note: {len(unused)} suppression(s) not needed by this configuration (--json lists them)")
    app.say(f"checkov: {report.passed} passed, {len(report.failures)} failed, "
            f"{len(report.suppressed)} suppressed with a reviewed reason")
    raise typer.Exit(int(code))
