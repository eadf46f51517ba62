"""`synth`, `plan`, `apply`, `destroy`, `drift`: one call into the workflow, then a summary."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated

import typer

from residency.cli.application import Application, package_version
from residency.cli.confirmations import confirmation
from residency.cli.options import AllOption, AutoApproveOption, ExcludeOption, JsonOption, WorkspacesArgument
from residency.cli.progress import LineReporter, LiveReporter
from residency.cli.run_arguments import RunArguments, with_run_options
from residency.cli.selection import selected_workspaces
from residency.errors import UsageError
from residency.flows import bootstrap as state_bootstrap
from residency.flows import terraform_runs
from residency.flows.affected import affected_since as affected_workspaces
from residency.flows.handed_output import bundle_synthesized, open_handed
from residency.flows.terraform_runs import (
    AttributeChange,
    Bundle,
    Confirm,
    Operation,
    RunResult,
    Status,
    diff_lines,
)

FromOption = Annotated[Path | None, typer.Option(
    "--from", metavar="DIR",
    help="Use the configuration and synthesized output of a bundle (`synth --bundle DIR`) and never synthesize: "
         "nothing of the project's code runs, for jobs that hold credentials. Its files are checked against "
         "the bundle's digests, and what would run code while planning is refused (exit 3).",
    show_default=False)]


def synth(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          as_json: JsonOption = False,
          bundle: Annotated[Path | None, typer.Option(
              "--bundle", metavar="DIR",
              help="Also write DIR (a new directory): regions.yaml, cdktf.out and their digests, for "
                   "`plan/apply/drift --from DIR` in a job that holds credentials and runs no project code.",
              show_default=False)] = None,
          affected_since: Annotated[str | None, typer.Option(
              "--affected-since", metavar="REVISION",
              help="With --bundle: record the workspaces a change since this git revision affects; "
                   "`plan --from DIR` plans those.")] = None) -> None:
    """Write cdktf.out (every workspace; the named ones are checked to exist)."""
    app: Application = ctx.obj
    if affected_since is not None and bundle is None:
        raise UsageError("--affected-since is recorded in a bundle", hint="add --bundle DIR")
    selected = selected_workspaces(app, names, all_ or not names)
    affected = _affected(app, affected_since) if affected_since is not None else None
    written = terraform_runs.synth(app.config, app.paths, app.progress)
    if bundle is not None:
        bundle_synthesized(bundle, app.config_path, app.paths, affected)
        app.progress(f"wrote the bundle {bundle}" + ("" if affected is None else
                                                      f" (affected: {', '.join(affected) or 'none'})"))
    if as_json:
        app.emit_json({"out": str(app.paths.out), "workspaces": [n for n in written if n in selected]})
        return
    for name in selected:
        app.say(f"{name}: {app.paths.stack_dir(name) / 'cdk.tf.json'}")


@with_run_options
def plan(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
         exclude: ExcludeOption = None,
         detailed_exitcode: Annotated[bool, typer.Option(
             "--detailed-exitcode", help="Exit 2 when any workspace has changes.")] = False,
         affected_since: Annotated[str | None, typer.Option(
             "--affected-since", metavar="REVISION",
             help="Plan only the workspaces that a change since this git revision affects (for pull "
                  "requests), instead of names or --all.")] = None,
         save_plans: Annotated[Path | None, typer.Option(
             "--save-plans", metavar="DIR",
             help="Keep the plans for review in DIR (a new directory), with a manifest of what they were made "
                  "from; `apply --plans DIR` applies exactly them. Written only when every workspace planned.")]
         = None,
         handed: FromOption = None,
         *, running: RunArguments) -> None:
    """Synth, init and plan; summary of adds/changes/destroys per workspace."""
    if affected_since is not None and (names or all_ or handed):
        raise UsageError("--affected-since chooses the workspaces itself",
                         hint="give no workspace names, no --all and no --from (`synth --bundle DIR "
                              "--affected-since REV` records them in the bundle)")
    bundle = _use_bundle(ctx.obj, handed)
    if affected_since is not None:
        selected = _affected(ctx.obj, affected_since)
    elif bundle is not None and not names and not all_ and bundle.workspaces is not None:
        selected = [name for name in bundle.workspaces if name in ctx.obj.config.workspaces]
        ctx.obj.progress(f"planning what the bundle's change affects: {', '.join(selected) or 'nothing'}")
    else:
        selected = _selected(ctx, names, all_, exclude)
    _operate(ctx, Operation.PLAN, selected, running, detailed=detailed_exitcode, save_plans=save_plans,
             bundle=bundle)


def _affected(app: Application, base: str) -> list[str]:
    affected = affected_workspaces(base, app.config_path, app.config, app.paths, app.progress)
    app.progress(affected.describe(app.config.workspaces))
    for name in affected.removed:
        app.progress(f"{name} was removed from {app.config_path.name} since {base}: residency neither plans "
                     "nor destroys it")
    return affected.workspaces


@with_run_options
def apply(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          exclude: ExcludeOption = None,
          auto_approve: AutoApproveOption = False,
          plans: Annotated[Path | None, typer.Option(
              "--plans", metavar="DIR",
              help="Apply exactly the reviewed plans that `plan --save-plans DIR` kept, without planning again, "
                   "once each is shown current; stale ones are refused (exit 4) and nothing of them is applied.")]
          = None,
          handed: FromOption = None,
          *, running: RunArguments) -> None:
    """Plan, then apply that saved plan, dependencies first; independent workspaces in parallel."""
    bundle = _use_bundle(ctx.obj, handed)
    if plans is not None:
        if all_:
            raise UsageError("--plans applies the workspaces its plans are for", hint="leave out --all (name "
                             "workspaces to apply only their reviewed plans, e.g. one per pipeline job)")
        # Named ones (one pipeline job per workspace), else every workspace the reviewed plans are for (one no
        # longer in regions.yaml stays, for the run to refuse the plans as stale).
        selected = _selected(ctx, names, False, exclude) if names else terraform_runs.reviewed_workspaces(plans)
        if exclude and not names:
            kept = set(_selected(ctx, None, True, exclude))
            selected = [name for name in selected if name in kept or name not in ctx.obj.config.workspaces]
    else:
        selected = _selected(ctx, names, all_, exclude)
    _operate(ctx, Operation.APPLY, selected, running, auto_approve=auto_approve, reviewed_plans=plans,
             bundle=bundle)


@with_run_options
def destroy(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
            exclude: ExcludeOption = None,
            auto_approve: AutoApproveOption = False, *, running: RunArguments) -> None:
    """Destroy workspaces, dependents first; independent workspaces in parallel."""
    _operate(ctx, Operation.DESTROY, _selected(ctx, names, all_, exclude), running, auto_approve=auto_approve)


@with_run_options
def drift(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          exclude: ExcludeOption = None,
          handed: FromOption = None, *, running: RunArguments) -> None:
    """Refresh-only plan; lists drifted resources per workspace (exit 2 on drift)."""
    bundle = _use_bundle(ctx.obj, handed)
    _operate(ctx, Operation.DRIFT, _selected(ctx, names, all_, exclude), running, bundle=bundle)


def _use_bundle(app: Application, directory: Path | None) -> Bundle | None:
    """With --from, the command reads the bundle's regions.yaml and cdktf.out instead of the project's."""
    if directory is None:
        return None
    bundle = open_handed(directory, package_version())
    app.use_config(bundle.config_path)
    app.progress(f"using the bundle {directory} ({bundle.config_origin}"
                 f"{f' at commit {bundle.commit[:12]}' if bundle.commit else ''}): nothing is synthesized")
    return bundle


@with_run_options
def bootstrap(ctx: typer.Context, auto_approve: AutoApproveOption = False, *, running: RunArguments) -> None:
    """Create the S3 buckets and KMS keys that hold state (`state: {backend: s3}`), one per region, in that
    region; planned and applied like any workspace, and safe to run again."""
    app: Application = ctx.obj
    config = app.config
    names = state_bootstrap.workspaces(config)
    confirm, reporter = _confirm_and_report(app, Operation.APPLY, names, running, auto_approve)
    try:
        result = state_bootstrap.bootstrap_command(config, app.paths, mirror=running.mirror, reporter=reporter,
                                                   confirm=confirm, options=running.options)
    finally:
        reporter.close()
    _render(app, result, running.as_json)


def _selected(ctx: typer.Context, names: list[str] | None, all_: bool, exclude: list[str] | None) -> list[str]:
    return selected_workspaces(ctx.obj, names, all_, exclude)


def _operate(ctx: typer.Context, operation: Operation, selected: list[str], running: RunArguments,
             *, detailed: bool = False, auto_approve: bool = False, save_plans: Path | None = None,
             reviewed_plans: Path | None = None, bundle: Bundle | None = None) -> None:
    """Run `operation` over `selected`, then report and exit with its code."""
    app: Application = ctx.obj
    confirm, reporter = _confirm_and_report(app, operation, selected, running, auto_approve)
    options = dataclasses.replace(running.options, save_plans=save_plans, reviewed_plans=reviewed_plans,
                                  bundle=bundle)
    try:
        result = terraform_runs.run_command(operation, app.config, app.paths, selected, mirror=running.mirror,
                                            reporter=reporter, confirm=confirm, options=options, detailed=detailed)
    finally:
        reporter.close()
    _render(app, result, running.as_json)


def _confirm_and_report(app: Application, operation: Operation, selected: list[str], running: RunArguments,
                        auto_approve: bool) -> tuple[Confirm, LineReporter | LiveReporter]:
    """How each workspace's changes are confirmed, and the live view unless that asks the user."""
    confirm, interactive = confirmation(operation, app.config.profile, auto_approve)
    live = sys.stderr.isatty() and not running.no_progress and not interactive
    return confirm, LiveReporter(selected) if live else LineReporter()


def _render(app: Application, result: RunResult, as_json: bool) -> None:
    if as_json:
        app.emit_json(result.as_json())
    else:
        _print_summary(app, result)
    raise typer.Exit(int(result.exit_code))


def _print_summary(app: Application, result: RunResult) -> None:
    operation, outcomes = result.operation, result.outcomes
    app.say("")
    width = max([16, *(len(outcome.workspace) + 2 for outcome in outcomes)])
    app.say(f"{'WORKSPACE':<{width}}{'RESULT':<12}{'ADD':>5}{'CHANGE':>8}{'DESTROY':>9}{'DRIFTED':>9}{'SECONDS':>9}")
    for outcome in outcomes:
        changes = outcome.changes
        app.say(
            f"{outcome.workspace:<{width}}{outcome.status.value:<12}{changes.add:>5}{changes.change:>8}"
            f"{changes.destroy:>9}{len(outcome.drifted):>9}{outcome.seconds:>9.1f}"
        )
    for outcome in outcomes:
        # A plan shows everything; an apply what it changed or removed (a first apply creates hundreds).
        shown = outcome.diff if operation is Operation.PLAN else [
            entry for entry in outcome.diff if entry.get("action") != "created"]
        if shown:
            app.say(f"\n{outcome.workspace} ({outcome.changes.describe()}"
                    + (f", plan {outcome.plan_digest[:12]}" if outcome.plan_digest else "") + "):")
            for line in diff_lines(shown):
                app.say(f"  {line}")
    for outcome in outcomes:
        for resource in outcome.drifted:
            app.say(f"drift: {outcome.workspace}: {resource['address']} ({resource['action']})")
            for attribute in resource.get("attributes") or []:
                app.say(f"    {AttributeChange(**attribute).describe()}")
    failed = result.failed
    for outcome in failed:
        first, *detail = (outcome.error or "").splitlines() or [""]
        app.say(f"{outcome.workspace}: {outcome.status.value}: {first}")
        if outcome.status is not Status.SKIPPED:
            for line in detail:
                app.say(f"    | {line}")
            if outcome.log_file:
                app.say(f"    full output: {outcome.log_file}")
    if operation is Operation.DRIFT and not failed:
        drifted = sum(1 for o in outcomes if o.drifted)
        app.say("no drift" if not drifted else f"drift in {drifted} workspace(s)")
