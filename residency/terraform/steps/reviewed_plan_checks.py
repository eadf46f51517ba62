"""Whether a reviewed plan (`apply --plans`) may be applied now: the checks reviewed_plans.py lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from residency.terraform.change_set import ChangeSet
from residency.terraform.creation_adoption import read_record
from residency.terraform.manifest import Workspace, synthesized_document
from residency.terraform.outcome import Outcome
from residency.terraform.plan_archive import PlanArchive, UnreadablePlanFile, read_plan_archive
from residency.terraform.plan_prior_state import prior_state_mismatch
from residency.terraform.raw_state import read_state
from residency.terraform.reviewed_plans import (
    CHANGES,
    NOT_APPLIABLE,
    ReviewedPlans,
    inputs_digest,
    plan_configuration_mismatch,
    planned_against,
    state_identity,
    synth_digest,
)
from residency.terraform.steps.context import StepContext
from residency.terraform.steps.saved_plans import read_plan, refused


@dataclass
class ReviewedPlanChecks:
    context: StepContext
    reviewed: ReviewedPlans
    _reads: dict[str, tuple[dict[str, object], ChangeSet]] = field(default_factory=dict, init=False, repr=False)

    def read(self, workspace: Workspace, archive: PlanArchive | None = None) -> tuple[dict[str, object], ChangeSet]:
        """A reviewed plan read once per run (the staleness checks, the protection and the apply all judge it;
        its file was matched to the manifest's sha256 when the set was loaded)."""
        if workspace.name not in self._reads:
            self._reads[workspace.name] = read_plan(self.context, workspace, self.reviewed.plan_path(workspace.name),
                                                    archive)
        return self._reads[workspace.name]

    def refused(self, workspace: Workspace) -> Outcome | None:
        """REFUSED when the reviewed plan deletes what residency protects."""
        if self.reviewed.workspaces[workspace.name].status != CHANGES:
            return None
        plan_file = self.reviewed.plan_path(workspace.name)
        _saved, change_set = self.read(workspace)
        return refused(workspace, change_set, plan_file, log_file=None, spend=False)

    def stale_reason(self, workspace: Workspace) -> str | None:
        """Why the workspace's reviewed plan may not be applied now; None when it may."""
        terraform = self.context.terraform
        entry = self.reviewed.workspaces[workspace.name]
        if entry.status == NOT_APPLIABLE:
            return f"its plan cannot be applied: {entry.reason}"
        if synth_digest(workspace.directory) != entry.synth_digest:
            return ("it synthesizes differently from the reviewed plan (the configuration, the code or residency "
                    "changed since the plan was made)")
        if read_record(terraform.settings.paths.work, workspace.name):
            return "an earlier apply stopped while creating resources: the next plain `apply` adopts them first"
        current = state_identity(terraform, workspace)
        if current != entry.state:
            return (f"its state changed since the plan was made (planned against {entry.state.describe()}, now "
                    f"{current.describe()}): it was applied or changed since")
        if entry.status == CHANGES:
            try:
                archive = read_plan_archive(self.reviewed.plan_path(workspace.name))
            except UnreadablePlanFile as error:
                return error.message
            mismatch = plan_configuration_mismatch(archive, workspace.directory)
            if mismatch is not None:
                return mismatch
            if planned_against(archive) != entry.state:
                return "the plan file was made against another state than its manifest says"
            _saved, change_set = self.read(workspace, archive)
            if change_set.digest() != entry.change_digest:
                return (f"what the plan file does (change digest {change_set.digest()[:12]}) is not what was "
                        f"reviewed ({(entry.change_digest or 'none recorded')[:12]})")
            stored = read_state(terraform, workspace, synthesized_document(workspace))
            mismatch, left_out = prior_state_mismatch(archive, stored, change_set)
            if mismatch is not None:
                return mismatch
            still_there = left_out - self._gone_from_aws(workspace) if left_out else set()
            if still_there:
                return (f"the state inside the plan file leaves out {', '.join(sorted(still_there))}, which AWS "
                        "still has: applied, Terraform would forget it")
        if inputs_digest(terraform, workspace, self.context.workspaces) != entry.inputs_digest:
            return (f"what it reads from {', '.join(workspace.depends_on)} changed since the plan was made "
                    "(their apply changed their outputs): its plan is planned again for review")
        return None

    def _gone_from_aws(self, workspace: Workspace) -> set[str]:
        """The resources of the workspace's state that AWS no longer has, as a refresh of its own reports them
        (nothing shown gone when it fails: what a plan leaves out then stays a reason not to apply it)."""
        result = self.context.terraform.plan(workspace, refresh_only=True)
        if result.returncode not in (0, 2):
            return set()
        return {address for address, action in result.events.drifted if action == "delete"}
