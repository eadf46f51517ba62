"""plan / apply / destroy / drift across workspaces: which step each operation runs, and the run of many.

Every operation runs over the dependency graph (scheduler.py): independent workspaces in parallel,
a failure skips only what depends on it, and there is one outcome per workspace. What an operation
does to one workspace is its step (steps/): adding an operation is its enum value, one step module
and one line in STEPS.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from residency.errors import ExitCode
from residency.terraform.locks import WorkspaceBusyError, workspace_lock
from residency.terraform.manifest import Workspace, dependency_order
from residency.terraform.outcome import MISSING_STATE_BUCKET, Outcome, Status, init_failed, state_bucket_missing
from residency.terraform.renames import forget_moves
from residency.terraform.reviewed_plans import PlanRecorder, ReviewedPlans
from residency.terraform.run_options import RunOptions
from residency.terraform.runner import Terraform
from residency.terraform.scheduler import Stop, run_graph
from residency.terraform.steps.apply import Apply
from residency.terraform.steps.apply_reviewed import ApplyReviewed
from residency.terraform.steps.context import NOTE, Confirm, StepContext, VetPlan
from residency.terraform.steps.destroy import Destroy
from residency.terraform.steps.drift import Drift
from residency.terraform.steps.plan import Plan
from residency.terraform.steps.saved_plans import MAX_SHOWN_LINES
from residency.terraform.steps.step import Step
from residency.terraform.unapplied_dependencies import needs_first, unapplied_dependencies

__all__ = ["MAX_SHOWN_LINES", "MISSING_STATE_BUCKET", "NOTE", "STEPS", "WITH_REVIEWED_PLANS", "Confirm", "Operation",
           "OperationRunner", "Outcome", "Reporter", "Status", "VetPlan", "describe", "exit_code", "init_failed",
           "state_bucket_missing"]


class Operation(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY = "destroy"
    DRIFT = "drift"


StepFactory = Callable[[StepContext], Step]

STEPS: dict[Operation, StepFactory] = {
    Operation.PLAN: Plan,
    Operation.APPLY: Apply,
    Operation.DESTROY: Destroy,
    Operation.DRIFT: Drift,
}
# With reviewed plans (`apply --plans DIR`), these run instead.
WITH_REVIEWED_PLANS: dict[Operation, StepFactory] = {
    Operation.APPLY: ApplyReviewed,
}


class Reporter(Protocol):
    """Where the run reports to: one call when a workspace starts and one when it ends."""

    def started(self, name: str, operation: Operation) -> None: ...

    def finished(self, outcome: Outcome, operation: Operation) -> None: ...


@dataclass
class OperationRunner:
    terraform: Terraform
    workspaces: dict[str, Workspace]
    reporter: Reporter
    confirm: Confirm = lambda workspace, changes: True
    vet_plan: VetPlan | None = None
    options: RunOptions = field(default_factory=RunOptions)
    stop: Stop = field(default_factory=Stop)
    recorder: PlanRecorder | None = None  # plan: keep each workspace's plan for `apply --plans`
    reviewed: ReviewedPlans | None = None  # apply: exactly these plans, once each is shown current

    def run(self, operation: Operation, names: list[str]) -> list[Outcome]:
        order = dependency_order(names, self.workspaces)
        step = self.step_for(operation)
        waiting = (unapplied_dependencies(self.terraform, self.workspaces, order)
                   if step.needs_dependencies_applied else {})
        ended = step.prepare(order)
        if ended:
            for outcome in ended:
                self.reporter.finished(outcome, operation)
            return ended
        order, depends_on = step.schedule(order)
        results = run_graph(
            order, depends_on,
            lambda name: needs_first(name, waiting[name]) if name in waiting
            else self._one(operation, step, self.workspaces[name]),
            lambda name, reason: Outcome(name, Status.SKIPPED, error=reason),
            parallelism=self.options.parallelism, fail_fast=self.options.fail_fast, stop=self.stop,
            on_done=lambda outcome: self.reporter.finished(outcome, operation),
        )
        return list(results.values())

    def step_for(self, operation: Operation) -> Step:
        """The operation's step for this run, sharing one context."""
        context = StepContext(self.terraform, self.workspaces, self.confirm, self.vet_plan, self.stop,
                              recorder=self.recorder, reviewed=self.reviewed)
        variant = WITH_REVIEWED_PLANS.get(operation) if self.reviewed is not None else None
        return (variant or STEPS[operation])(context)

    def _one(self, operation: Operation, step: Step, workspace: Workspace) -> Outcome:
        started = time.monotonic()
        self.reporter.started(workspace.name, operation)
        try:
            with workspace_lock(self.terraform.settings.paths.work / "locks", workspace.name,
                                self.options.lock_timeout_seconds, operation.value):
                outcome = self._initialised_then(step, workspace)
        except WorkspaceBusyError as error:
            outcome = Outcome(workspace.name, Status.FAILED, error=f"{error.message}\n  hint: {error.hint}")
        if self.terraform.interrupted.is_set() and outcome.status is Status.FAILED:
            outcome.status = Status.INTERRUPTED
        outcome.diff = step.context.diffs.pop(workspace.name, outcome.diff)
        outcome.seconds = round(time.monotonic() - started, 1)
        return outcome

    def _initialised_then(self, step: Step, workspace: Workspace) -> Outcome:
        """Every step starts from an initialised workspace."""
        forget_moves(workspace.directory)  # an earlier plan's renames: a plan finds its own
        init = self.terraform.init(workspace)
        if init is not None and init.returncode != 0:
            return init_failed(workspace.name, init, self.terraform)
        return step.run(workspace)


def describe(operation: Operation, outcome: Outcome) -> str:
    if outcome.status is Status.SKIPPED:
        return f"skipped: {outcome.error}"
    if outcome.status in (Status.FAILED, Status.REFUSED, Status.INTERRUPTED, Status.STALE):
        log = f", log: {outcome.log_file}" if outcome.log_file else ""
        return f"{outcome.status.value.upper()}{log}\n{_indent(outcome.error or '')}"
    if outcome.status is Status.DRIFTED:
        return f"drifted: {len(outcome.drifted)} resource(s)"
    if outcome.status in (Status.NO_CHANGES,):
        return "no drift" if operation is Operation.DRIFT else "no changes"
    digest = f" (plan {outcome.plan_digest[:12]})" if outcome.plan_digest else ""
    return f"{outcome.status.value}: {outcome.changes.describe()}{digest}"


def _indent(text: str) -> str:
    return "\n".join(f"    | {line}" for line in text.splitlines())


def exit_code(operation: Operation, outcomes: list[Outcome], *, detailed: bool = False) -> ExitCode:
    """The worst outcome decides, as DESIGN.md's exit-code table says."""
    statuses = {outcome.status for outcome in outcomes}
    if Status.REFUSED in statuses:
        return ExitCode.VIOLATION
    if statuses & {Status.FAILED, Status.DECLINED, Status.INTERRUPTED}:
        return ExitCode.FAILED
    if Status.STALE in statuses:
        return ExitCode.STALE_PLANS  # what it skipped waits for the new review
    if Status.SKIPPED in statuses:
        return ExitCode.FAILED
    if operation is Operation.DRIFT and Status.DRIFTED in statuses:
        return ExitCode.CHANGES
    if operation is Operation.PLAN and detailed and Status.CHANGES in statuses:
        return ExitCode.CHANGES
    return ExitCode.OK
