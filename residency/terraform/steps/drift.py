"""`drift`: what changed in AWS behind Terraform's back, by a refresh-only plan, attribute by attribute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from residency.errors import ResidencyError
from residency.terraform.change_set import drifted_attributes
from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status, failed
from residency.terraform.steps.step import Step


class Drift(Step):
    def run(self, workspace: Workspace) -> Outcome:
        name, terraform = workspace.name, self.context.terraform
        drift_file = terraform.settings.paths.plan_file(f"{name}.drift")
        result = terraform.plan(workspace, refresh_only=True, plan_file=drift_file)
        if result.returncode not in (0, 2):
            drift_file.unlink(missing_ok=True)
            return failed(name, "terraform refresh-only plan failed", result)
        drifted = [{"address": address, "action": action, "attributes": []}
                   for address, action in result.events.drifted]
        if drifted:
            self._name_drifted_attributes(workspace, drift_file, drifted)
        drift_file.unlink(missing_ok=True)
        status = Status.DRIFTED if drifted else Status.NO_CHANGES
        return Outcome(name, status, drifted=drifted, log_file=str(result.log_file))

    def _name_drifted_attributes(self, workspace: Workspace, drift_file: Path, drifted: list[dict[str, Any]]) -> None:
        """Add to each drifted resource the attributes that drifted (state before -> AWS now), from the plan."""
        try:
            found = drifted_attributes(self.context.terraform.show_plan(workspace, drift_file))
        except ResidencyError as error:  # the addresses are still reported
            self.context.note_for(workspace.name)(f"the drifted attributes cannot be named: {error.message}")
            return
        for resource in drifted:
            resource["attributes"] = [change.as_json() for change in found.get(resource["address"], [])]
