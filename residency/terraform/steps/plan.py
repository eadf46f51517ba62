"""`plan`: what each workspace would change, judged by the rules; with `--save-plans`, each plan kept for review.

A workspace whose dependencies were never applied is planned with placeholder values for what it reads
(placeholders.py); such a plan is shown, never kept to be applied.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from residency.errors import ResidencyError
from residency.terraform.change_set import ChangeSet
from residency.terraform.events import Changes
from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status
from residency.terraform.placeholders import placeholder, reads_from, runs_here, with_placeholders
from residency.terraform.plan_archive import read_plan_archive
from residency.terraform.reviewed_plans import (
    CHANGES,
    NO_CHANGES,
    NOT_APPLIABLE,
    ReviewedWorkspace,
    inputs_digest,
    planned_against,
    state_identity,
    synth_digest,
)
from residency.terraform.steps.context import NOTE
from residency.terraform.steps.planning import Unchanged, plan_and_judge
from residency.terraform.steps.step import Step
from residency.terraform.unapplied_dependencies import applied


@dataclass
class Plan(Step):
    stand_ins: dict[str, Workspace] = field(default_factory=dict)  # by workspace: what is planned instead

    def prepare(self, order: list[str]) -> list[Outcome]:
        # Decided before anything runs in parallel: telling whether a dependency was applied inits it.
        self.stand_ins = {name: self._with_placeholders(self.context.workspaces[name]) for name in order}
        return []

    def run(self, workspace: Workspace) -> Outcome:
        name = workspace.name
        planned = self.stand_ins.get(name, workspace)
        judged = plan_and_judge(self.context, workspace, planned)
        if isinstance(judged, Outcome):
            return judged
        if isinstance(judged, Unchanged):
            changes = judged.result.events.changes
            failure = self._record(workspace, planned, NO_CHANGES, changes, None)
            return failure or Outcome(name, Status.NO_CHANGES, changes, log_file=str(judged.result.log_file))
        changes = judged.change_set.counts
        failure = self._record(workspace, planned, CHANGES, changes, judged.plan_file, judged.change_set)
        if failure is not None:
            return failure
        if planned is not workspace:
            judged.plan_file.unlink(missing_ok=True)  # planned with placeholders: never to be applied
        return Outcome(name, Status.CHANGES, changes, log_file=judged.log_file, plan_digest=judged.change_set.digest())

    def _with_placeholders(self, workspace: Workspace) -> Workspace:
        """The workspace with placeholder outputs for dependencies never applied."""
        if not workspace.depends_on or not runs_here(workspace):
            return workspace
        workspaces, terraform = self.context.workspaces, self.context.terraform
        unapplied = {name: workspaces[name] for name in workspace.depends_on
                     if name in workspaces and reads_from(workspace, name, workspaces[name])
                     and not applied(terraform, workspaces[name])}
        if not unapplied:
            return workspace
        names = ", ".join(unapplied)
        terraform.on_line(workspace.name, f"{NOTE}{names} not applied yet: planned with placeholder values "
                                          f"({placeholder('REGION')}) for what it reads from {names}; "
                                          "`apply` plans it again after them, with the real values")
        where = terraform.settings.paths.work / "placeholders" / workspace.name
        return with_placeholders(workspace, unapplied, where)

    def _record(self, workspace: Workspace, planned: Workspace, status: str, changes: Changes,
                plan_file: Path | None, change_set: ChangeSet | None = None) -> Outcome | None:
        """With `--save-plans`, keep this workspace's plan for `apply --plans`, with what it was made from; a
        FAILED outcome when that cannot be told."""
        recorder, terraform = self.context.recorder, self.context.terraform
        if recorder is None:
            return None
        reason = None
        if planned is not workspace:
            status, plan_file = NOT_APPLIABLE, None
            reason = (f"planned before {', '.join(workspace.depends_on)} had been applied, with placeholder values: "
                      "it is planned again, for real, after them")
        try:
            state = (planned_against(read_plan_archive(plan_file)) if plan_file is not None
                     else state_identity(terraform, workspace))
            entry = ReviewedWorkspace(workspace.name, status, synth_digest(workspace.directory), state,
                                      inputs_digest(terraform, workspace, self.context.workspaces),
                                      changes=asdict(changes), reason=reason,
                                      change_digest=change_set.digest() if change_set and plan_file else None)
            recorder.record(entry, plan_file)
        except (ResidencyError, OSError) as error:
            message = error.message if isinstance(error, ResidencyError) else str(error)
            return Outcome(workspace.name, Status.FAILED, changes, error=f"cannot keep the plan for review: {message}")
        return None
