"""`apply`: plan each workspace again, judge the plan, and apply it once confirmed.

What an earlier, stopped apply was creating is adopted first, and the protected resources it left
tainted are kept; the plan is spent once applied or failed (it holds the workspace's values).
"""

from __future__ import annotations

from residency.terraform.creation_adoption import adopt_unfinished_creations
from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status, failed
from residency.terraform.steps.planning import Unchanged, plan_and_judge
from residency.terraform.steps.saved_plans import apply_saved_plan
from residency.terraform.steps.step import Schedule, Step, after_dependencies
from residency.terraform.tainted_stores import keep_interrupted_creations


class Apply(Step):
    needs_dependencies_applied = True

    def schedule(self, order: list[str]) -> Schedule:
        return after_dependencies(order, self.context.workspaces)

    def run(self, workspace: Workspace) -> Outcome:
        name, terraform, note = workspace.name, self.context.terraform, self.context.note_for(workspace.name)
        adoption = adopt_unfinished_creations(terraform, workspace, note)
        if adoption.failed is not None:
            return failed(name, "could not adopt what an earlier, stopped apply was creating", adoption.failed)
        repair = keep_interrupted_creations(terraform, workspace, note)
        if repair.failed is not None:
            return failed(name, "could not keep the protected resources an earlier run was creating", repair.failed)
        judged = plan_and_judge(self.context, workspace, workspace)
        if isinstance(judged, Outcome):
            return judged
        if isinstance(judged, Unchanged):
            return Outcome(name, Status.NO_CHANGES, judged.result.events.changes, log_file=str(judged.result.log_file))
        return apply_saved_plan(self.context, workspace, judged.plan_file, judged.change_set.counts,
                                judged.saved_plan, what="terraform apply", log_file=judged.log_file, spend=True,
                                digest=judged.change_set.digest(), show_diff=False)
