"""What every step of one run shares: the Terraform runner, the workspaces and the caller's answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from residency.terraform.events import Changes
from residency.terraform.manifest import Workspace
from residency.terraform.reviewed_plans import PlanRecorder, ReviewedPlans
from residency.terraform.runner import Terraform
from residency.terraform.scheduler import Stop

# Starts residency's own remarks on a workspace's run, which reporters show whatever they filter.
NOTE = "Note: "

Confirm = Callable[[str, Changes], bool]
# Judges a saved plan (as `terraform show -json`): the violations found, none when it may be applied.
VetPlan = Callable[[str, dict[str, object]], list[str]]


@dataclass
class StepContext:
    terraform: Terraform
    workspaces: dict[str, Workspace]
    confirm: Confirm
    vet_plan: VetPlan | None
    stop: Stop
    recorder: PlanRecorder | None  # plan: keep each workspace's plan for `apply --plans`
    reviewed: ReviewedPlans | None  # apply: exactly these plans, once each is shown current
    # plan_diff.py of each plan read, by workspace: what changes, for its outcome
    diffs: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def note_for(self, name: str) -> Callable[[str], None]:
        return lambda text: self.terraform.on_line(name, f"{NOTE}{text}")

    def violations(self, workspace: Workspace, saved_plan: dict[str, object]) -> list[str]:
        """The residency rules' violations in the saved plan; none without rules. ResidencyError when the
        workspace cannot be read."""
        return self.vet_plan(workspace.name, saved_plan) if self.vet_plan is not None else []
