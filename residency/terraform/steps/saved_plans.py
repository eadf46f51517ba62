"""A saved plan file read, judged against what residency protects, and applied once confirmed."""

from __future__ import annotations

from pathlib import Path

from residency.errors import ResidencyError
from residency.terraform import protection
from residency.terraform.change_set import ChangeSet
from residency.terraform.creation_adoption import unfinished, write_down
from residency.terraform.events import Changes
from residency.terraform.manifest import Workspace, synthesized_document
from residency.terraform.outcome import Outcome, Status, failed
from residency.terraform.plan_archive import PlanArchive, stored_outputs
from residency.terraform.plan_diff import diff_lines, plan_diff
from residency.terraform.runner import RunResult
from residency.terraform.steps.context import StepContext

MAX_SHOWN_LINES = 60  # of a reviewed plan's diff, before it is confirmed (the --json output has it all)


def read_plan(context: StepContext, workspace: Workspace, plan_file: Path,
              archive: PlanArchive | None = None) -> tuple[dict[str, object], ChangeSet]:
    """The plan file as `terraform show -json` reads it, and what it does (its diff kept for the outcome);
    `archive` when it was read already. ResidencyError when unreadable."""
    saved_plan = context.terraform.show_plan(workspace, plan_file)
    outputs = archive.stored_outputs if archive is not None else stored_outputs(plan_file)
    change_set = ChangeSet.from_plan(saved_plan, stored_outputs=outputs)
    context.diffs[workspace.name] = plan_diff(change_set, synthesized_document(workspace))
    return saved_plan, change_set


def refused(workspace: Workspace, change_set: ChangeSet, plan_file: Path, *, log_file: str | None,
            spend: bool = True) -> Outcome | None:
    """REFUSED when the plan deletes what residency protects (the plan file is removed, when it is ours)."""
    found = protection.refusals(change_set, synthesized_document(workspace))
    if not found:
        return None
    if spend:
        plan_file.unlink(missing_ok=True)
    return Outcome(workspace.name, Status.REFUSED, change_set.counts, error=protection.describe_refusals(found),
                   log_file=log_file, plan_digest=change_set.digest())


def apply_saved_plan(context: StepContext, workspace: Workspace, plan_file: Path, changes: Changes,
                     saved_plan: dict[str, object] | None, *, what: str, log_file: str | None,
                     spend: bool, digest: str, show_diff: bool) -> Outcome:
    """Apply a saved plan once confirmed: what an interrupted apply was creating is written down, and the
    state is refreshed after it. With `spend`, the plan file is removed once applied or failed; with
    `show_diff`, what it changes is shown before it is confirmed."""
    name = workspace.name
    if context.stop.requested:
        return Outcome(name, Status.INTERRUPTED, changes, error=f"not applied: {context.stop.reason}",
                       log_file=log_file, plan_digest=digest)
    if show_diff:
        for line in diff_lines(context.diffs.get(name, []))[:MAX_SHOWN_LINES]:
            context.note_for(name)(line)
    if not context.confirm(name, changes):
        return Outcome(name, Status.DECLINED, changes, log_file=log_file, plan_digest=digest)
    applied = context.terraform.apply(workspace, plan_file)
    if applied.returncode != 0:
        _write_down_unfinished(context, workspace, applied, plan_file, saved_plan)
    if spend:
        plan_file.unlink(missing_ok=True)
    if applied.returncode != 0:
        return failed(name, f"{what} failed", applied)
    refreshed = context.terraform.record_refreshed_state(workspace)
    if refreshed.returncode != 0:
        return failed(name, "applied, but recording the refreshed state failed", refreshed)
    return Outcome(name, Status.APPLIED, changes, log_file=str(applied.log_file), plan_digest=digest)


def _write_down_unfinished(context: StepContext, workspace: Workspace, applied: RunResult, plan_file: Path,
                           saved_plan: dict[str, object] | None) -> None:
    """Write down the creations this failed apply never saw finish, for the next apply to adopt."""
    addresses = applied.events.unfinished_creations()
    if not addresses:
        return
    if saved_plan is None:
        try:
            saved_plan = context.terraform.show_plan(workspace, plan_file)
        except ResidencyError:
            saved_plan = None  # without the plan's names, nothing can be adopted by name
    creations = unfinished(addresses, saved_plan)
    write_down(context.terraform.settings.paths.work, workspace.name, creations)
    if creations:
        context.note_for(workspace.name)(
            "the apply stopped while creating " + ", ".join(c.address for c in creations)
            + ": AWS may have made them; the next apply adopts those it made")
