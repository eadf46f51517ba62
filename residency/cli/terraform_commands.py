"""`synth`, `plan`, `apply`, `destroy`, `drift`: one call into the workflow, then a summary."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from typing import Annotated

import typer

from residency import workflow, workspaces
from residency.cli.application import Application
from residency.cli.options import (
    AllOption,
    AutoApproveOption,
    FailFastOption,
    JsonOption,
    LockTimeoutOption,
    NoProgressOption,
    ParallelismOption,
    ProviderMirrorOption,
    WorkspacesArgument,
)
from residency.cli.progress import LineReporter, LiveReporter
from residency.errors import UsageError
from residency.stacks.target import profile_for
from residency.terraform.events import Changes
from residency.terraform.operations import Confirm, Operation, Outcome, Status, exit_code
from residency.workflow import RunOptions


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


@dataclass(frozen=True)
class Running:
    """The options every command that runs Terraform takes."""

    as_json: bool
    mirror: str | None
    parallelism: int | None
    fail_fast: bool
    no_progress: bool
    lock_timeout: str


def plan(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
         detailed_exitcode: Annotated[bool, typer.Option(
             "--detailed-exitcode", help="Exit 2 when any workspace has changes.")] = False,
         as_json: JsonOption = False, provider_mirror: ProviderMirrorOption = None,
         parallelism: ParallelismOption = None, fail_fast: FailFastOption = False,
         no_progress: NoProgressOption = False, lock_timeout: LockTimeoutOption = "0s") -> None:
    """Synth, init and plan; summary of adds/changes/destroys per workspace."""
    running = Running(as_json, provider_mirror, parallelism, fail_fast, no_progress, lock_timeout)
    _operate(ctx, Operation.PLAN, names, all_, running, detailed=detailed_exitcode)


def apply(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          auto_approve: AutoApproveOption = False, as_json: JsonOption = False,
          provider_mirror: ProviderMirrorOption = None, parallelism: ParallelismOption = None,
          fail_fast: FailFastOption = False, no_progress: NoProgressOption = False,
          lock_timeout: LockTimeoutOption = "0s") -> None:
    """Plan, then apply that saved plan, dependencies first; independent workspaces in parallel."""
    running = Running(as_json, provider_mirror, parallelism, fail_fast, no_progress, lock_timeout)
    _operate(ctx, Operation.APPLY, names, all_, running, auto_approve=auto_approve)


def destroy(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
            auto_approve: AutoApproveOption = False, as_json: JsonOption = False,
            provider_mirror: ProviderMirrorOption = None, parallelism: ParallelismOption = None,
            fail_fast: FailFastOption = False, no_progress: NoProgressOption = False,
            lock_timeout: LockTimeoutOption = "0s") -> None:
    """Destroy workspaces, dependents first; independent workspaces in parallel."""
    running = Running(as_json, provider_mirror, parallelism, fail_fast, no_progress, lock_timeout)
    _operate(ctx, Operation.DESTROY, names, all_, running, auto_approve=auto_approve)


def drift(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
          as_json: JsonOption = False, provider_mirror: ProviderMirrorOption = None,
          parallelism: ParallelismOption = None, fail_fast: FailFastOption = False,
          no_progress: NoProgressOption = False, lock_timeout: LockTimeoutOption = "0s") -> None:
    """Refresh-only plan; lists drifted resources per workspace (exit 2 on drift)."""
    running = Running(as_json, provider_mirror, parallelism, fail_fast, no_progress, lock_timeout)
    _operate(ctx, Operation.DRIFT, names, all_, running)


def default_parallelism(target: str) -> int:
    """The target's own default, else twice the CPU count (Terraform mostly waits on AWS), at most 8."""
    return profile_for(target).default_parallelism or max(1, min(8, 2 * (os.cpu_count() or 1)))


def _operate(ctx: typer.Context, operation: Operation, names: list[str] | None, all_: bool, running: Running,
             *, detailed: bool = False, auto_approve: bool = False) -> None:
    app: Application = ctx.obj
    config = app.config
    selected = workspaces.select(config, names or [], all_)
    confirm, interactive = _confirmation(operation, config.target, auto_approve)
    live = sys.stderr.isatty() and not running.no_progress and not interactive
    reporter = LiveReporter(selected) if live else LineReporter()
    options = RunOptions(parallelism=running.parallelism or default_parallelism(config.target),
                         fail_fast=running.fail_fast, lock_timeout=running.lock_timeout)
    try:
        outcomes = workflow.run(operation, config, app.paths, selected, mirror=running.mirror,
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


def _confirmation(operation: Operation, target: str, auto_approve: bool) -> tuple[Confirm, bool]:
    """How each workspace's changes are confirmed, and whether that asks the user."""
    if operation not in (Operation.APPLY, Operation.DESTROY) or auto_approve or target == "local":
        # The local target is an emulator in memory: nothing real to protect.
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
    failed = [o for o in outcomes if o.status in (Status.FAILED, Status.REFUSED, Status.INTERRUPTED, Status.SKIPPED)]
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
