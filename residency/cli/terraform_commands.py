"""`synth`, `plan`, `apply`, `destroy`, `drift`: one call into the workflow, then a summary."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from residency import naming
from residency.cli.application import Application, package_version
from residency.cli.options import (
    AllOption,
    AutoApproveOption,
    JsonOption,
    Running,
    WorkspacesArgument,
    with_run_options,
)
from residency.cli.progress import LineReporter, LiveReporter
from residency.cli.selection import selected_workspaces
from residency.errors import UsageError
from residency.flows import terraform_runs
from residency.flows.terraform_runs import RunOptions, RunReporter
from residency.target import TargetProfile
from residency.terraform.events import Changes
from residency.terraform.operations import Confirm, Operation, Outcome, Status, exit_code
from residency.terraform.synthesized_bundle import Bundle

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
        from residency.flows.handed_output import bundle_synthesized

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
         *, running: Running) -> None:
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
        selected = _selected(ctx, names, all_)
    _operate(ctx, Operation.PLAN, selected, running, detailed=detailed_exitcode, save_plans=save_plans,
             bundle=bundle)


def _affected(app: Application, base: str) -> list[str]:
    from residency.flows.affected import affected_since

    affected = affected_since(base, app.config_path, app.config, app.paths, app.progress)
    app.progress(affected.describe(app.config.workspaces))
    for name in affected.removed:
        app.progress(f"{name} was removed from {app.config_path.name} since {base}: residency neither plans "
                     "nor destroys it")
    return affected.workspaces


@with_run_options
def apply(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          auto_approve: AutoApproveOption = False,
          plans: Annotated[Path | None, typer.Option(
              "--plans", metavar="DIR",
              help="Apply exactly the reviewed plans that `plan --save-plans DIR` kept, without planning again, "
                   "once each is shown current; stale ones are refused (exit 4) and nothing of them is applied.")]
          = None,
          handed: FromOption = None,
          *, running: Running) -> None:
    """Plan, then apply that saved plan, dependencies first; independent workspaces in parallel."""
    bundle = _use_bundle(ctx.obj, handed)
    if plans is not None:
        if all_:
            raise UsageError("--plans applies the workspaces its plans are for", hint="leave out --all (name "
                             "workspaces to apply only their reviewed plans, e.g. one per pipeline job)")
        from residency.terraform.reviewed_plans import load_reviewed_plans

        # Named ones (one pipeline job per workspace), else every workspace the reviewed plans are for.
        selected = _selected(ctx, names, False) if names else list(load_reviewed_plans(plans).workspaces)
    else:
        selected = _selected(ctx, names, all_)
    _operate(ctx, Operation.APPLY, selected, running, auto_approve=auto_approve, reviewed_plans=plans,
             bundle=bundle)


@with_run_options
def destroy(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
            auto_approve: AutoApproveOption = False, *, running: Running) -> None:
    """Destroy workspaces, dependents first; independent workspaces in parallel."""
    _operate(ctx, Operation.DESTROY, _selected(ctx, names, all_), running, auto_approve=auto_approve)


@with_run_options
def drift(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          handed: FromOption = None, *, running: Running) -> None:
    """Refresh-only plan; lists drifted resources per workspace (exit 2 on drift)."""
    bundle = _use_bundle(ctx.obj, handed)
    _operate(ctx, Operation.DRIFT, _selected(ctx, names, all_), running, bundle=bundle)


def _use_bundle(app: Application, directory: Path | None) -> Bundle | None:
    """With --from, the command reads the bundle's regions.yaml and cdktf.out instead of the project's."""
    if directory is None:
        return None
    from residency.terraform.synthesized_bundle import open_bundle

    bundle = open_bundle(directory, residency_version=package_version())
    app.use_config(bundle.config_path)
    app.progress(f"using the bundle {directory} ({bundle.config_origin}"
                 f"{f' at commit {bundle.commit[:12]}' if bundle.commit else ''}): nothing is synthesized")
    return bundle


@with_run_options
def bootstrap(ctx: typer.Context, auto_approve: AutoApproveOption = False, *, running: Running) -> None:
    """Create the S3 buckets and KMS keys that hold state (`state: {backend: s3}`), one per region, in that
    region; planned and applied like any workspace, and safe to run again."""
    from residency.flows.bootstrap import bootstrap as run_bootstrap
    from residency.flows.bootstrap import require_s3

    app: Application = ctx.obj
    require_s3(app.config)
    names = [naming.bootstrap_workspace(region) for region in app.config.state_regions]
    _operate(ctx, Operation.APPLY, names, running, auto_approve=auto_approve,
             run=lambda reporter, confirm, options: run_bootstrap(
                 app.config, app.paths, mirror=running.mirror, reporter=reporter, confirm=confirm, options=options))


def default_parallelism() -> int:
    """Twice the CPU count (Terraform mostly waits on AWS or on the provider's own timers), at most 8.

    The same on the local target: its emulator answers one request at a time
    (residency.local.moto_server), so workspaces writing at once are as safe there as on AWS.
    """
    return max(1, min(8, 2 * (os.cpu_count() or 1)))


def _selected(ctx: typer.Context, names: list[str] | None, all_: bool) -> list[str]:
    return selected_workspaces(ctx.obj, names, all_)


RunWith = Callable[[RunReporter, Confirm, RunOptions], list[Outcome]]


def _operate(ctx: typer.Context, operation: Operation, selected: list[str], running: Running,
             *, detailed: bool = False, auto_approve: bool = False, run: RunWith | None = None,
             save_plans: Path | None = None, reviewed_plans: Path | None = None,
             bundle: Bundle | None = None) -> None:
    """Run `operation` over `selected` (or `run` it, for bootstrap), then report and exit with its code."""
    app: Application = ctx.obj
    config = app.config
    confirm, interactive = confirmation(operation, config.profile, auto_approve)
    live = sys.stderr.isatty() and not running.no_progress and not interactive
    reporter = LiveReporter(selected) if live else LineReporter()
    options = RunOptions(parallelism=running.parallelism or default_parallelism(),
                         fail_fast=running.fail_fast, lock_timeout=running.lock_timeout,
                         verbose=running.verbose, save_plans=save_plans, reviewed_plans=reviewed_plans,
                         bundle=bundle)
    try:
        if run is not None:
            outcomes = run(reporter, confirm, options)
        else:
            outcomes = terraform_runs.run(operation, config, app.paths, selected, mirror=running.mirror,
                                    reporter=reporter, confirm=confirm, options=options)
    finally:
        reporter.close()
    as_json = running.as_json
    code = exit_code(operation, outcomes, detailed=detailed)
    if as_json:
        app.emit_json({
            "command": operation.value,
            "target": config.target,
            "exit_code": int(code),
            "workspaces": [outcome.as_json() for outcome in outcomes],
        })
    else:
        _print_summary(app, operation, outcomes)
    raise typer.Exit(int(code))


def confirmation(operation: Operation, target: TargetProfile, auto_approve: bool) -> tuple[Confirm, bool]:
    """How each workspace's changes are confirmed, and whether that asks the user."""
    if operation not in (Operation.APPLY, Operation.DESTROY) or auto_approve or not target.asks_before_changes:
        return (lambda workspace, changes: True), False
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {operation.value} on AWS without confirmation",
            hint="run it in a terminal to confirm each workspace, or pass --auto-approve",
        )

    asking = threading.Lock()  # parallel workspaces ask one at a time

    def ask(workspace: str, changes: Changes) -> bool:
        with asking:
            return typer.confirm(f"{operation.value} {workspace} ({changes.describe()})?", default=False)

    return ask, True


def _print_summary(app: Application, operation: Operation, outcomes: list[Outcome]) -> None:
    from residency.terraform.change_set import AttributeChange
    from residency.terraform.plan_diff import diff_lines

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
    failed = [o for o in outcomes
              if o.status in (Status.FAILED, Status.REFUSED, Status.INTERRUPTED, Status.STALE, Status.SKIPPED)]
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
