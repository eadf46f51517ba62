"""`destroy`: each workspace destroyed after the workspaces that depend on it."""

from __future__ import annotations

from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status, failed
from residency.terraform.steps.step import Schedule, Step, after_dependents


class Destroy(Step):
    def schedule(self, order: list[str]) -> Schedule:
        return after_dependents(order, self.context.workspaces)

    def run(self, workspace: Workspace) -> Outcome:
        result = self.context.terraform.destroy(workspace)
        if result.returncode != 0:
            return failed(workspace.name, "terraform destroy failed", result)
        return Outcome(workspace.name, Status.DESTROYED, result.events.changes, log_file=str(result.log_file))
