"""`apply --plans DIR`: the reviewed plans applied as they are, without planning again.

Every plan is checked before any is applied (reviewed_plan_checks.py): if one is stale or refused, none
is. Each is checked again when its turn comes, since what it reads may have changed meanwhile; counts
and confirmation come from the plan file, never the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from residency.errors import ResidencyError
from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status, init_failed
from residency.terraform.reviewed_plans import NO_CHANGES
from residency.terraform.steps.reviewed_plan_checks import ReviewedPlanChecks
from residency.terraform.steps.saved_plans import apply_saved_plan, refused
from residency.terraform.steps.step import Schedule, Step, after_dependencies


@dataclass
class ApplyReviewed(Step):
    checks: ReviewedPlanChecks = field(init=False)

    needs_dependencies_applied = True

    def __post_init__(self) -> None:
        if self.context.reviewed is None:
            raise ValueError("applying reviewed plans needs the reviewed plans")
        self.checks = ReviewedPlanChecks(self.context, self.context.reviewed)

    def schedule(self, order: list[str]) -> Schedule:
        return after_dependencies(order, self.context.workspaces)

    def prepare(self, order: list[str]) -> list[Outcome]:
        """Every reviewed plan checked before any is applied: if one is stale, none is applied."""
        terraform = self.context.terraform
        reasons: dict[str, str] = {}
        refusals: dict[str, Outcome] = {}
        for name in order:
            workspace = self.context.workspaces[name]
            init = terraform.init(workspace)
            if init is not None and init.returncode != 0:
                return [init_failed(name, init, terraform)]
            try:
                reason = self.checks.stale_reason(workspace)
                refusal = self.checks.refused(workspace) if reason is None else None
            except ResidencyError as error:
                return [Outcome(name, Status.FAILED, error=error.message)]
            if reason is not None:
                reasons[name] = reason
            if refusal is not None:
                refusals[name] = refusal
        if not reasons and not refusals:
            return []
        return [refusals[name] if name in refusals else
                Outcome(name, Status.STALE, error=reasons[name]) if name in reasons else
                Outcome(name, Status.SKIPPED, error="not applied: " + ", ".join([*reasons, *refusals])
                        + " cannot be applied, and nothing of such a set of reviewed plans is applied")
                for name in order]

    def run(self, workspace: Workspace) -> Outcome:
        """Apply the reviewed plan once it is shown current, it deletes nothing protected and the residency
        rules pass again."""
        name = workspace.name
        entry = self.checks.reviewed.workspaces[name]
        try:
            reason = self.checks.stale_reason(workspace)
        except ResidencyError as error:
            return Outcome(name, Status.FAILED, error=error.message)
        if reason is not None:
            return Outcome(name, Status.STALE, error=reason)
        if entry.status == NO_CHANGES:
            return Outcome(name, Status.NO_CHANGES)
        plan_file = self.checks.reviewed.plan_path(name)
        try:
            saved_plan, change_set = self.checks.read(workspace)
            refusal = refused(workspace, change_set, plan_file, log_file=None, spend=False)
            if refusal is not None:
                return refusal
            violations = self.context.violations(workspace, saved_plan)
        except ResidencyError as error:
            return Outcome(name, Status.FAILED, error=error.message)
        changes = change_set.counts
        if violations:
            return Outcome(name, Status.REFUSED, changes, error="the reviewed plan breaks residency rules:\n"
                           + "\n".join(violations), plan_digest=change_set.digest())
        # The reviewed plans are the caller's: left as they are; what was reviewed is shown before it is confirmed.
        return apply_saved_plan(self.context, workspace, plan_file, changes, saved_plan,
                                what="terraform apply of the reviewed plan", log_file=None, spend=False,
                                digest=change_set.digest(), show_diff=True)
