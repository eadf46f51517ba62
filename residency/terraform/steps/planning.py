"""Plan a workspace into its plan file, keep what was renamed, and judge the plan: what `plan` and `apply`
share. What the plan does is read from the plan file itself, never from the log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from residency.errors import ResidencyError
from residency.terraform.change_set import ChangeSet
from residency.terraform.manifest import Workspace, synthesized_document
from residency.terraform.outcome import Outcome, Status, failed, init_failed
from residency.terraform.renames import MAX_ROUNDS, Move, forget_moves, renames, write_moves
from residency.terraform.runner import RunResult
from residency.terraform.steps.context import StepContext
from residency.terraform.steps.saved_plans import read_plan, refused


@dataclass(frozen=True)
class Unchanged:
    """The plan changes nothing: no resource, no output, no state."""

    result: RunResult


@dataclass(frozen=True)
class Planned:
    """A plan that deletes nothing protected and, unless planned with placeholders, passes the rules."""

    result: RunResult
    plan_file: Path
    saved_plan: dict[str, object]
    change_set: ChangeSet

    @property
    def log_file(self) -> str:
        return str(self.result.log_file)


def plan_and_judge(context: StepContext, workspace: Workspace, planned: Workspace) -> Planned | Unchanged | Outcome:
    """Plan `planned` (the workspace, or its stand-in with placeholders) into the workspace's plan file; the
    outcome when that fails or the plan is refused."""
    name = workspace.name
    terraform = context.terraform
    if planned is not workspace:
        init = terraform.init(planned)
        if init is not None and init.returncode != 0:
            return init_failed(name, init, terraform)
    plan_file = terraform.settings.paths.plan_file(name)
    if planned is not workspace:
        forget_moves(planned.directory)  # a stand-in's own directory (the workspace's was cleared already)
    result = terraform.plan(planned, plan_file=plan_file)
    if result.returncode not in (0, 2):
        return failed(name, "terraform plan failed", result)
    if result.events.changes.destroy:
        kept = _keep_renamed(context, planned, plan_file, result)
        if isinstance(kept, Outcome):
            return kept
        result = kept
    if not result.events.changes.any and not result.events.outputs_change and not result.events.state_changes:
        return Unchanged(result)
    try:
        saved_plan, change_set = read_plan(context, planned, plan_file)
    except ResidencyError as error:  # an unreadable plan: this one fails, the run goes on
        plan_file.unlink(missing_ok=True)
        return Outcome(name, Status.FAILED, result.events.changes, error=error.message,
                       log_file=str(result.log_file))
    changes = change_set.counts
    refusal = refused(workspace, change_set, plan_file, log_file=str(result.log_file))
    if refusal is not None:
        return refusal
    # A plan with placeholders holds made-up values and is never applied: the rules judge the
    # real one when `apply` plans this workspace after what it reads.
    if planned is workspace:
        try:
            violations = context.violations(workspace, saved_plan)
        except ResidencyError as error:  # an unreadable workspace: this one fails, the run goes on
            return Outcome(name, Status.FAILED, changes, error=error.message, log_file=str(result.log_file))
        if violations:
            plan_file.unlink(missing_ok=True)  # a refused plan must not be applied by hand either
            return Outcome(name, Status.REFUSED, changes, error="the saved plan breaks residency rules:\n"
                           + "\n".join(violations), log_file=str(result.log_file))
    return Planned(result, plan_file, saved_plan, change_set)


def _keep_renamed(context: StepContext, planned: Workspace, plan_file: Path,
                  result: RunResult) -> RunResult | Outcome:
    """Plan again with a `moved` block for each resource the plan deletes and creates anew under another
    address (renames.py), until no new rename appears; the last plan's result, or the failure."""
    moves: dict[str, Move] = {}
    note = context.note_for(planned.name)
    # Each round keeps one more resource at least; a chain of renames needs a round per link.
    for round_ in range(MAX_ROUNDS + 1):
        try:
            _saved, change_set = read_plan(context, planned, plan_file)
        except ResidencyError:
            return result  # judged (and failed) by the caller, which reads the plan again
        found = [move for move in renames(change_set) if move.from_address not in moves]
        if not found:
            break
        if round_ == MAX_ROUNDS:
            note(f"stopped looking for renames after {MAX_ROUNDS + 1} plans, "
                 f"{len(found)} more found: write their `moved` blocks")
            break
        moves |= {move.from_address: move for move in found}
        written = write_moves(planned.directory, moves.values(), synthesized_document(planned))
        for move in found:
            note(f"renamed in the configuration, kept with a `moved` block: {move.describe()}")
        note(f"planning again with the `moved` blocks in {written}")
        result = context.terraform.plan(planned, plan_file=plan_file)
        if result.returncode not in (0, 2):
            return failed(planned.name, "terraform plan with the renames' `moved` blocks failed", result)
    return result
