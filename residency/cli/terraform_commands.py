"""`synth`, `plan`, `apply`, `destroy`, `drift`: one call into the workflow, then a summary."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from residency import workflow, workspaces
from residency.cli.application import Application
from residency.cli.options import (
    AllOption,
    AutoApproveOption,
    JsonOption,
    ProviderMirrorOption,
    WorkspacesArgument,
)
from residency.errors import UsageError
from residency.terraform.events import Changes
from residency.terraform.operations import Operation, Outcome, Status, exit_code


def synth(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          as_json: JsonOption = False) -> None:
    """Write cdktf.out (every workspace; the named ones are checked to exist)."""
    app: Application = ctx.obj
    selected = workspaces.select(app.config, names or [], all_ or not names)
    written = workflow.synth(app.config, app.paths, app.progress)
    if as_json:
        app.emit_json({"out": str(app.paths.out), "workspaces": [n for n in written if n in selected]})
        return
    for name in selected:
        app.say(f"{name}: {app.paths.stack_dir(name) / 'cdk.tf.json'}")


def plan(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
         detailed_exitcode: Annotated[bool, typer.Option(
             "--detailed-exitcode", help="Exit 2 when any workspace has changes.")] = False,
         as_json: JsonOption = False, provider_mirror: ProviderMirrorOption = None) -> None:
    """Synth, init and plan; summary of adds/changes/destroys per workspace."""
    _operate(ctx, Operation.PLAN, names, all_, as_json, provider_mirror, detailed=detailed_exitcode)


def apply(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          auto_approve: AutoApproveOption = False, as_json: JsonOption = False,
          provider_mirror: ProviderMirrorOption = None) -> None:
    """Plan, then apply that saved plan, in dependency order."""
    _operate(ctx, Operation.APPLY, names, all_, as_json, provider_mirror, auto_approve=auto_approve)


def destroy(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
            auto_approve: AutoApproveOption = False, as_json: JsonOption = False,
            provider_mirror: ProviderMirrorOption = None) -> None:
    """Destroy workspaces in reverse dependency order."""
    _operate(ctx, Operation.DESTROY, names, all_, as_json, provider_mirror, auto_approve=auto_approve)


def drift(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          as_json: JsonOption = False, provider_mirror: ProviderMirrorOption = None) -> None:
    """Refresh-only plan; lists drifted resources per workspace (exit 2 on drift)."""
    _operate(ctx, Operation.DRIFT, names, all_, as_json, provider_mirror)


def _operate(ctx: typer.Context, operation: Operation, names: list[str] | None, all_: bool,
             as_json: bool, mirror: str | None, *, detailed: bool = False,
             auto_approve: bool = False) -> None:
    app: Application = ctx.obj
    config = app.config
    selected = workspaces.select(config, names or [], all_)
    confirm = _confirmation(operation, config.target, auto_approve)
    outcomes = workflow.run(operation, config, app.paths, selected, mirror=mirror,
                            progress=app.progress, confirm=confirm)
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


def _confirmation(operation: Operation, target: str, auto_approve: bool):  # type: ignore[no-untyped-def]
    if operation not in (Operation.APPLY, Operation.DESTROY) or auto_approve or target == "local":
        # The local target is an emulator in memory: nothing real to protect.
        return lambda workspace, changes: True
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {operation.value} on AWS without confirmation",
            hint="run it in a terminal to confirm each workspace, or pass --auto-approve",
        )

    def ask(workspace: str, changes: Changes) -> bool:
        return typer.confirm(f"{operation.value} {workspace} ({changes.describe()})?", default=False)

    return ask


def _print_summary(app: Application, operation: Operation, outcomes: list[Outcome]) -> None:
    app.say("")
    app.say(f"{'WORKSPACE':<16}{'RESULT':<12}{'ADD':>5}{'CHANGE':>8}{'DESTROY':>9}{'DRIFTED':>9}{'SECONDS':>9}")
    for outcome in outcomes:
        changes = outcome.changes
        app.say(
            f"{outcome.workspace:<16}{outcome.status.value:<12}{changes.add:>5}{changes.change:>8}"
            f"{changes.destroy:>9}{len(outcome.drifted):>9}{outcome.seconds:>9.1f}"
        )
    for outcome in outcomes:
        for resource in outcome.drifted:
            app.say(f"drift: {outcome.workspace}: {resource['address']} ({resource['action']})")
    failed = [o for o in outcomes if o.status in (Status.FAILED, Status.SKIPPED)]
    for outcome in failed:
        app.say(f"{outcome.workspace}: {outcome.status.value}: {(outcome.error or '').splitlines()[0]}")
    if operation is Operation.DRIFT and not failed:
        drifted = sum(1 for o in outcomes if o.drifted)
        app.say("no drift" if not drifted else f"drift in {drifted} workspace(s)")
