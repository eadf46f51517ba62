"""plan / apply / destroy / drift across workspaces: the steps of one workspace, and the run of many.

Every operation runs over the dependency graph (scheduler.py): independent workspaces in parallel,
a failure skips only what depends on it, and there is one outcome per workspace.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from residency.errors import ExitCode, ResidencyError
from residency.terraform import protection
from residency.terraform.change_set import ChangeSet, drifted_attributes
from residency.terraform.creation_adoption import (
    adopt_unfinished_creations,
    read_record,
    unfinished,
    write_down,
)
from residency.terraform.events import Changes
from residency.terraform.locks import WorkspaceBusyError, workspace_lock
from residency.terraform.manifest import Workspace, dependency_order, synthesized_document
from residency.terraform.placeholders import placeholder, reads_from, runs_here, with_placeholders
from residency.terraform.plan_archive import PlanArchive, UnreadablePlanFile, read_plan_archive, stored_outputs
from residency.terraform.plan_diff import diff_lines, plan_diff
from residency.terraform.plan_prior_state import prior_state_mismatch
from residency.terraform.raw_state import read_state
from residency.terraform.renames import MAX_ROUNDS, Move, forget_moves, renames, write_moves
from residency.terraform.reviewed_plans import (
    CHANGES,
    NO_CHANGES,
    NOT_APPLIABLE,
    PlanRecorder,
    ReviewedPlans,
    ReviewedWorkspace,
    inputs_digest,
    plan_configuration_mismatch,
    planned_against,
    state_identity,
    synth_digest,
)
from residency.terraform.runner import RunResult, Terraform
from residency.terraform.scheduler import Stop, run_graph
from residency.terraform.tainted_stores import keep_interrupted_creations


class Operation(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY = "destroy"
    DRIFT = "drift"


# Starts residency's own remarks on a workspace's run, which reporters show whatever they filter.
NOTE = "Note: "
MAX_SHOWN_LINES = 60  # of a reviewed plan's diff, before it is confirmed (the --json output has it all)
# How `terraform init` reports an s3 backend whose bucket is missing.
MISSING_STATE_BUCKET = re.compile(r'S3 bucket "[^"]+" does not exist')


class Status(StrEnum):
    NO_CHANGES = "no changes"
    CHANGES = "changes"
    APPLIED = "applied"
    DESTROYED = "destroyed"
    DRIFTED = "drifted"
    DECLINED = "declined"
    REFUSED = "refused"  # the saved plan breaks a residency rule
    STALE = "stale"  # `apply --plans`: the reviewed plan is not current; not applied
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Outcome:
    workspace: str
    status: Status
    changes: Changes = field(default_factory=Changes)
    drifted: list[dict[str, Any]] = field(default_factory=list)  # address, action, attributes (before -> after)
    seconds: float = 0.0
    error: str | None = None
    log_file: str | None = None
    plan_digest: str | None = None  # of the change set planned (and applied): what a review saw
    diff: list[dict[str, object]] = field(default_factory=list)  # plan_diff.py: what changes, attribute by attribute

    @property
    def succeeded(self) -> bool:
        return self.status in (Status.NO_CHANGES, Status.CHANGES, Status.APPLIED, Status.DESTROYED, Status.DRIFTED)

    @property
    def summary(self) -> str:
        return f"{self.workspace} {self.status.value}"

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


Confirm = Callable[[str, Changes], bool]
# Judges a saved plan (as `terraform show -json`): the violations found, none when it may be applied.
VetPlan = Callable[[str, dict[str, object]], list[str]]


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
    parallelism: int = 1
    fail_fast: bool = False
    lock_timeout_seconds: float = 0.0
    stop: Stop = field(default_factory=Stop)
    recorder: PlanRecorder | None = None  # plan: keep each workspace's plan for `apply --plans`
    reviewed: ReviewedPlans | None = None  # apply: exactly these plans, once each is shown current
    _stand_ins: dict[str, Workspace] = field(default_factory=dict, init=False, repr=False)
    _diffs: dict[str, list[dict[str, object]]] = field(default_factory=dict, init=False, repr=False)
    _reviewed_reads: dict[str, tuple[dict[str, object], ChangeSet]] = field(default_factory=dict, init=False,
                                                                             repr=False)

    def run(self, operation: Operation, names: list[str]) -> list[Outcome]:
        order = dependency_order(names, self.workspaces)
        # Decided before anything runs in parallel: telling whether a dependency was applied inits it.
        self._stand_ins = {name: self._with_placeholders(self.workspaces[name])
                           for name in order} if operation is Operation.PLAN else {}
        selected = set(order)
        waiting = self._unapplied_dependencies(order, selected) if operation is Operation.APPLY else {}
        if operation is Operation.APPLY and self.reviewed is not None:
            stale = self._stale_before_anything(order)
            if stale:
                return stale
        if operation is Operation.DESTROY:
            order.reverse()
            depends_on = {name: [other for other in selected if name in self.workspaces[other].depends_on]
                          for name in order}
        elif operation is Operation.APPLY:
            depends_on = {name: [dep for dep in self.workspaces[name].depends_on if dep in selected] for name in order}
        else:
            depends_on = {}  # plans and drift checks are read-only: nothing waits, nothing is skipped
        results = run_graph(
            order, depends_on,
            lambda name: self._needs_first(name, waiting[name]) if name in waiting
            else self._one(operation, self.workspaces[name]),
            lambda name, reason: Outcome(name, Status.SKIPPED, error=reason),
            parallelism=self.parallelism, fail_fast=self.fail_fast, stop=self.stop,
            on_done=lambda outcome: self.reporter.finished(outcome, operation),
        )
        return list(results.values())

    def _unapplied_dependencies(self, order: list[str], selected: set[str]) -> dict[str, list[str]]:
        """For an apply: the selected workspaces that need a workspace left out of the selection and never applied
        (a region after its jurisdiction's audit home; global after the regions it reads)."""
        applied: dict[str, bool] = {}
        waiting: dict[str, list[str]] = {}
        for name in order:
            for dependency in self.workspaces[name].depends_on:
                if dependency in selected or dependency not in self.workspaces:
                    continue
                if dependency not in applied:
                    applied[dependency] = self._applied(self.workspaces[dependency])
                if not applied[dependency]:
                    waiting.setdefault(name, []).append(dependency)
        return waiting

    def _needs_first(self, name: str, dependencies: list[str]) -> Outcome:
        needed = ", ".join(dependencies)
        return Outcome(name, Status.FAILED, error=(
            f"not applied: it needs what {needed} creates, and {needed} was never applied; apply it first, or "
            f"both together: `residency apply {' '.join([*dependencies, name])}`"))

    def _one(self, operation: Operation, workspace: Workspace) -> Outcome:
        started = time.monotonic()
        self.reporter.started(workspace.name, operation)
        try:
            with workspace_lock(self.terraform.settings.paths.work / "locks", workspace.name,
                                self.lock_timeout_seconds, operation.value):
                outcome = self._steps(operation, workspace)
        except WorkspaceBusyError as error:
            outcome = Outcome(workspace.name, Status.FAILED, error=f"{error.message}\n  hint: {error.hint}")
        if self.terraform.interrupted.is_set() and outcome.status is Status.FAILED:
            outcome.status = Status.INTERRUPTED
        outcome.diff = self._diffs.pop(workspace.name, outcome.diff)
        outcome.seconds = round(time.monotonic() - started, 1)
        return outcome

    def _steps(self, operation: Operation, workspace: Workspace) -> Outcome:
        name = workspace.name
        forget_moves(workspace.directory)  # an earlier plan's renames: a plan finds its own
        init = self.terraform.init(workspace)
        if init is not None and init.returncode != 0:
            return init_failed(name, init, self.terraform)
        if operation is Operation.DESTROY:
            result = self.terraform.destroy(workspace)
            if result.returncode != 0:
                return _failed(name, "terraform destroy failed", result)
            return Outcome(name, Status.DESTROYED, result.events.changes, log_file=str(result.log_file))
        if operation is Operation.DRIFT:
            drift_file = self.terraform.settings.paths.plan_file(f"{name}.drift")
            result = self.terraform.plan(workspace, refresh_only=True, plan_file=drift_file)
            if result.returncode not in (0, 2):
                drift_file.unlink(missing_ok=True)
                return _failed(name, "terraform refresh-only plan failed", result)
            drifted = [{"address": address, "action": action, "attributes": []}
                       for address, action in result.events.drifted]
            if drifted:
                self._name_drifted_attributes(workspace, drift_file, drifted)
            drift_file.unlink(missing_ok=True)
            status = Status.DRIFTED if drifted else Status.NO_CHANGES
            return Outcome(name, status, drifted=drifted, log_file=str(result.log_file))
        if operation is Operation.APPLY and self.reviewed is not None:
            return self._apply_reviewed(workspace)
        if operation is Operation.APPLY:
            adoption = adopt_unfinished_creations(self.terraform, workspace, self._note_for(name))
            if adoption.failed is not None:
                return _failed(name, "could not adopt what an earlier, stopped apply was creating", adoption.failed)
            repair = keep_interrupted_creations(self.terraform, workspace, self._note_for(name))
            if repair.failed is not None:
                return _failed(name, "could not keep the protected resources an earlier run was creating",
                               repair.failed)
        planned = self._stand_ins.get(name, workspace)
        if planned is not workspace:
            init = self.terraform.init(planned)
            if init is not None and init.returncode != 0:
                return init_failed(name, init, self.terraform)
        plan_file = self.terraform.settings.paths.plan_file(name)
        if planned is not workspace:
            forget_moves(planned.directory)  # a stand-in's own directory (the workspace's was cleared above)
        result = self.terraform.plan(planned, plan_file=plan_file)
        if result.returncode not in (0, 2):
            return _failed(name, "terraform plan failed", result)
        if result.events.changes.destroy:
            kept = self._keep_renamed(planned, plan_file, result)
            if isinstance(kept, Outcome):
                return kept
            result = kept
        if not result.events.changes.any and not result.events.outputs_change and not result.events.state_changes:
            changes = result.events.changes
            if self.recorder is not None and operation is Operation.PLAN:
                failed = self._record(workspace, planned, NO_CHANGES, changes, None)
                if failed is not None:
                    return failed
            return Outcome(name, Status.NO_CHANGES, changes, log_file=str(result.log_file))
        # From here on, what the plan does is read from the plan file itself, never from the log.
        try:
            saved_plan, change_set = self._read_plan(planned, plan_file)
        except ResidencyError as error:  # an unreadable plan: this one fails, the run goes on
            plan_file.unlink(missing_ok=True)
            return Outcome(name, Status.FAILED, result.events.changes, error=error.message,
                           log_file=str(result.log_file))
        changes = change_set.counts
        refused = self._refused(workspace, change_set, plan_file, log_file=str(result.log_file))
        if refused is not None:
            return refused
        # A plan with placeholders holds made-up values and is never applied: the rules judge the
        # real one when `apply` plans this workspace after what it reads.
        if planned is workspace:
            try:
                violations = self._violations(workspace, saved_plan)
            except ResidencyError as error:  # an unreadable workspace: this one fails, the run goes on
                return Outcome(name, Status.FAILED, changes, error=error.message, log_file=str(result.log_file))
            if violations:
                plan_file.unlink(missing_ok=True)  # a refused plan must not be applied by hand either
                return Outcome(name, Status.REFUSED, changes, error="the saved plan breaks residency rules:\n"
                               + "\n".join(violations), log_file=str(result.log_file))
        if operation is Operation.PLAN:
            if self.recorder is not None:
                failed = self._record(workspace, planned, CHANGES, changes, plan_file, change_set)
                if failed is not None:
                    return failed
            if planned is not workspace:
                plan_file.unlink(missing_ok=True)  # planned with placeholders: never to be applied
            return Outcome(name, Status.CHANGES, changes, log_file=str(result.log_file),
                           plan_digest=change_set.digest())
        # Applied or failed, the plan is spent: it holds the workspace's values.
        return self._apply_plan(workspace, plan_file, changes, saved_plan, what="terraform apply",
                                log_file=str(result.log_file), spend=True, digest=change_set.digest())

    def _keep_renamed(self, planned: Workspace, plan_file: Path, result: RunResult) -> RunResult | Outcome:
        """Plan again with a `moved` block for each resource the plan deletes and creates anew under another
        address (renames.py), until no new rename appears; the last plan's result, or the failure."""
        moves: dict[str, Move] = {}
        # Each round keeps one more resource at least; a chain of renames needs a round per link.
        for round_ in range(MAX_ROUNDS + 1):
            try:
                _saved, change_set = self._read_plan(planned, plan_file)
            except ResidencyError:
                return result  # judged (and failed) by the caller, which reads the plan again
            found = [move for move in renames(change_set) if move.from_address not in moves]
            if not found:
                break
            if round_ == MAX_ROUNDS:
                self._note_for(planned.name)(f"stopped looking for renames after {MAX_ROUNDS + 1} plans, "
                                             f"{len(found)} more found: write their `moved` blocks")
                break
            moves |= {move.from_address: move for move in found}
            written = write_moves(planned.directory, moves.values(), synthesized_document(planned))
            note = self._note_for(planned.name)
            for move in found:
                note(f"renamed in the configuration, kept with a `moved` block: {move.describe()}")
            note(f"planning again with the `moved` blocks in {written}")
            result = self.terraform.plan(planned, plan_file=plan_file)
            if result.returncode not in (0, 2):
                return _failed(planned.name, "terraform plan with the renames' `moved` blocks failed", result)
        return result

    def _name_drifted_attributes(self, workspace: Workspace, drift_file: Path, drifted: list[dict[str, Any]]) -> None:
        """Add to each drifted resource the attributes that drifted (state before -> AWS now), from the plan."""
        try:
            found = drifted_attributes(self.terraform.show_plan(workspace, drift_file))
        except ResidencyError as error:  # the addresses are still reported
            self._note_for(workspace.name)(f"the drifted attributes cannot be named: {error.message}")
            return
        for resource in drifted:
            resource["attributes"] = [change.as_json() for change in found.get(resource["address"], [])]

    def _read_reviewed(self, workspace: Workspace,
                       archive: PlanArchive | None = None) -> tuple[dict[str, object], ChangeSet]:
        """A reviewed plan read once per run (the staleness checks, the protection and the apply all judge it;
        its file was matched to the manifest's sha256 when the set was loaded)."""
        assert self.reviewed is not None
        if workspace.name not in self._reviewed_reads:
            self._reviewed_reads[workspace.name] = self._read_plan(
                workspace, self.reviewed.plan_path(workspace.name), archive)
        return self._reviewed_reads[workspace.name]

    def _read_plan(self, workspace: Workspace, plan_file: Path,
                   archive: PlanArchive | None = None) -> tuple[dict[str, object], ChangeSet]:
        """The plan file as `terraform show -json` reads it, and what it does (its diff kept for the outcome);
        `archive` when it was read already. ResidencyError when unreadable."""
        saved_plan = self.terraform.show_plan(workspace, plan_file)
        outputs = archive.stored_outputs if archive is not None else stored_outputs(plan_file)
        change_set = ChangeSet.from_plan(saved_plan, stored_outputs=outputs)
        self._diffs[workspace.name] = plan_diff(change_set, synthesized_document(workspace))
        return saved_plan, change_set

    def _refused(self, workspace: Workspace, change_set: ChangeSet, plan_file: Path, *, log_file: str | None,
                 spend: bool = True) -> Outcome | None:
        """REFUSED when the plan deletes what residency protects (the plan file is removed, when it is ours)."""
        found = protection.refusals(change_set, synthesized_document(workspace))
        if not found:
            return None
        if spend:
            plan_file.unlink(missing_ok=True)
        return Outcome(workspace.name, Status.REFUSED, change_set.counts, error=protection.describe_refusals(found),
                       log_file=log_file, plan_digest=change_set.digest())

    def _violations(self, workspace: Workspace, saved_plan: dict[str, object]) -> list[str]:
        """The residency rules' violations in the saved plan; none without rules. ResidencyError when the
        workspace cannot be read."""
        return self.vet_plan(workspace.name, saved_plan) if self.vet_plan is not None else []

    def _apply_plan(self, workspace: Workspace, plan_file: Path, changes: Changes,
                    saved_plan: dict[str, object] | None, *, what: str, log_file: str | None,
                    spend: bool, digest: str) -> Outcome:
        """Apply a saved plan once confirmed: what an interrupted apply was creating is written down, and the
        state is refreshed after it. With `spend`, the plan file is removed once applied or failed."""
        name = workspace.name
        if self.stop.requested:
            return Outcome(name, Status.INTERRUPTED, changes, error=f"not applied: {self.stop.reason}",
                           log_file=log_file, plan_digest=digest)
        if self.reviewed is not None:  # what was reviewed, shown before it is confirmed and applied
            for line in diff_lines(self._diffs.get(name, []))[:MAX_SHOWN_LINES]:
                self._note_for(name)(line)
        if not self.confirm(name, changes):
            return Outcome(name, Status.DECLINED, changes, log_file=log_file, plan_digest=digest)
        applied = self.terraform.apply(workspace, plan_file)
        if applied.returncode != 0:
            self._write_down_unfinished(workspace, applied, plan_file, saved_plan)
        if spend:
            plan_file.unlink(missing_ok=True)
        if applied.returncode != 0:
            return _failed(name, f"{what} failed", applied)
        refreshed = self.terraform.record_refreshed_state(workspace)
        if refreshed.returncode != 0:
            return _failed(name, "applied, but recording the refreshed state failed", refreshed)
        return Outcome(name, Status.APPLIED, changes, log_file=str(applied.log_file), plan_digest=digest)

    def _record(self, workspace: Workspace, planned: Workspace, status: str, changes: Changes,
                plan_file: Path | None, change_set: ChangeSet | None = None) -> Outcome | None:
        """Keep this workspace's plan for `apply --plans`, with what it was made from; a FAILED outcome when
        that cannot be told."""
        assert self.recorder is not None
        reason = None
        if planned is not workspace:
            status, plan_file = NOT_APPLIABLE, None
            reason = (f"planned before {', '.join(workspace.depends_on)} had been applied, with placeholder values: "
                      "it is planned again, for real, after them")
        try:
            state = (planned_against(read_plan_archive(plan_file)) if plan_file is not None
                     else state_identity(self.terraform, workspace))
            entry = ReviewedWorkspace(workspace.name, status, synth_digest(workspace.directory), state,
                                      inputs_digest(self.terraform, workspace, self.workspaces),
                                      changes=asdict(changes), reason=reason,
                                      change_digest=change_set.digest() if change_set and plan_file else None)
            self.recorder.record(entry, plan_file)
        except (ResidencyError, OSError) as error:
            message = error.message if isinstance(error, ResidencyError) else str(error)
            return Outcome(workspace.name, Status.FAILED, changes, error=f"cannot keep the plan for review: {message}")
        return None

    def _stale_before_anything(self, order: list[str]) -> list[Outcome]:
        """Every reviewed plan checked before any is applied: if one is stale, none is applied."""
        assert self.reviewed is not None
        reasons: dict[str, str] = {}
        refusals: dict[str, Outcome] = {}
        for name in order:
            workspace = self.workspaces[name]
            init = self.terraform.init(workspace)
            if init is not None and init.returncode != 0:
                return [init_failed(name, init, self.terraform)]
            try:
                reason = self._stale_reason(workspace)
                refused = self._refused_reviewed(workspace) if reason is None else None
            except ResidencyError as error:
                return [Outcome(name, Status.FAILED, error=error.message)]
            if reason is not None:
                reasons[name] = reason
            if refused is not None:
                refusals[name] = refused
        if not reasons and not refusals:
            return []
        outcomes = [refusals[name] if name in refusals else
                    Outcome(name, Status.STALE, error=reasons[name]) if name in reasons else
                    Outcome(name, Status.SKIPPED, error="not applied: " + ", ".join([*reasons, *refusals])
                            + " cannot be applied, and nothing of such a set of reviewed plans is applied")
                    for name in order]
        for outcome in outcomes:
            self.reporter.finished(outcome, Operation.APPLY)
        return outcomes

    def _refused_reviewed(self, workspace: Workspace) -> Outcome | None:
        """REFUSED when the reviewed plan deletes what residency protects."""
        assert self.reviewed is not None
        if self.reviewed.workspaces[workspace.name].status != CHANGES:
            return None
        plan_file = self.reviewed.plan_path(workspace.name)
        _saved, change_set = self._read_reviewed(workspace)
        return self._refused(workspace, change_set, plan_file, log_file=None, spend=False)

    def _stale_reason(self, workspace: Workspace) -> str | None:
        """Why the workspace's reviewed plan may not be applied now; None when it may."""
        assert self.reviewed is not None
        entry = self.reviewed.workspaces[workspace.name]
        if entry.status == NOT_APPLIABLE:
            return f"its plan cannot be applied: {entry.reason}"
        if synth_digest(workspace.directory) != entry.synth_digest:
            return ("it synthesizes differently from the reviewed plan (the configuration, the code or residency "
                    "changed since the plan was made)")
        if read_record(self.terraform.settings.paths.work, workspace.name):
            return "an earlier apply stopped while creating resources: the next plain `apply` adopts them first"
        current = state_identity(self.terraform, workspace)
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
            _saved, change_set = self._read_reviewed(workspace, archive)
            if change_set.digest() != entry.change_digest:
                return (f"what the plan file does (change digest {change_set.digest()[:12]}) is not what was "
                        f"reviewed ({(entry.change_digest or 'none recorded')[:12]})")
            stored = read_state(self.terraform, workspace, synthesized_document(workspace))
            mismatch, left_out = prior_state_mismatch(archive, stored, change_set)
            if mismatch is not None:
                return mismatch
            still_there = left_out - self._gone_from_aws(workspace) if left_out else set()
            if still_there:
                return (f"the state inside the plan file leaves out {', '.join(sorted(still_there))}, which AWS "
                        "still has: applied, Terraform would forget it")
        if inputs_digest(self.terraform, workspace, self.workspaces) != entry.inputs_digest:
            return (f"what it reads from {', '.join(workspace.depends_on)} changed since the plan was made "
                    "(their apply changed their outputs): its plan is planned again for review")
        return None

    def _gone_from_aws(self, workspace: Workspace) -> set[str]:
        """The resources of the workspace's state that AWS no longer has, as a refresh of its own reports them
        (nothing shown gone when it fails: what a plan leaves out then stays a reason not to apply it)."""
        result = self.terraform.plan(workspace, refresh_only=True)
        if result.returncode not in (0, 2):
            return set()
        return {address for address, action in result.events.drifted if action == "delete"}

    def _apply_reviewed(self, workspace: Workspace) -> Outcome:
        """Apply the reviewed plan as it is, once it is shown current, it deletes nothing protected and the
        residency rules pass again. Counts and confirmation come from the plan file, never the manifest."""
        assert self.reviewed is not None
        name = workspace.name
        entry = self.reviewed.workspaces[name]
        try:
            reason = self._stale_reason(workspace)
        except ResidencyError as error:
            return Outcome(name, Status.FAILED, error=error.message)
        if reason is not None:
            return Outcome(name, Status.STALE, error=reason)
        if entry.status == NO_CHANGES:
            return Outcome(name, Status.NO_CHANGES)
        plan_file = self.reviewed.plan_path(name)
        try:
            saved_plan, change_set = self._read_reviewed(workspace)
            refused = self._refused(workspace, change_set, plan_file, log_file=None, spend=False)
            if refused is not None:
                return refused
            violations = self._violations(workspace, saved_plan)
        except ResidencyError as error:
            return Outcome(name, Status.FAILED, error=error.message)
        changes = change_set.counts
        if violations:
            return Outcome(name, Status.REFUSED, changes, error="the reviewed plan breaks residency rules:\n"
                           + "\n".join(violations), plan_digest=change_set.digest())
        # The reviewed plans are the caller's: left as they are.
        return self._apply_plan(workspace, plan_file, changes, saved_plan,
                                what="terraform apply of the reviewed plan", log_file=None, spend=False,
                                digest=change_set.digest())

    def _note_for(self, name: str) -> Callable[[str], None]:
        return lambda text: self.terraform.on_line(name, f"{NOTE}{text}")

    def _write_down_unfinished(self, workspace: Workspace, applied: RunResult, plan_file: Path,
                               saved_plan: dict[str, object] | None) -> None:
        """Write down the creations this failed apply never saw finish, for the next apply to adopt."""
        addresses = applied.events.unfinished_creations()
        if not addresses:
            return
        if saved_plan is None:
            try:
                saved_plan = self.terraform.show_plan(workspace, plan_file)
            except ResidencyError:
                saved_plan = None  # without the plan's names, nothing can be adopted by name
        creations = unfinished(addresses, saved_plan)
        write_down(self.terraform.settings.paths.work, workspace.name, creations)
        if creations:
            self._note_for(workspace.name)(
                "the apply stopped while creating " + ", ".join(c.address for c in creations)
                + ": AWS may have made them; the next apply adopts those it made")

    def _with_placeholders(self, workspace: Workspace) -> Workspace:
        """For a plan, the workspace with placeholder outputs for dependencies never applied."""
        if not workspace.depends_on or not runs_here(workspace):
            return workspace
        unapplied = {name: self.workspaces[name] for name in workspace.depends_on
                     if name in self.workspaces and reads_from(workspace, name, self.workspaces[name])
                     and not self._applied(self.workspaces[name])}
        if not unapplied:
            return workspace
        names = ", ".join(unapplied)
        self.terraform.on_line(workspace.name, f"{NOTE}{names} not applied yet: planned with placeholder values "
                                               f"({placeholder('REGION')}) for what it reads from {names}; "
                                               "`apply` plans it again after them, with the real values")
        where = self.terraform.settings.paths.work / "placeholders" / workspace.name
        return with_placeholders(workspace, unapplied, where)

    def _applied(self, workspace: Workspace) -> bool:
        """Whether the workspace's state has outputs; when that cannot be told, assume it has."""
        init = self.terraform.init(workspace)
        if init is not None and init.returncode != 0:
            return True
        try:
            return bool(self.terraform.outputs(workspace))
        except ResidencyError:
            return True


def state_bucket_missing(init: RunResult) -> bool:
    """Whether `terraform init` failed because an s3 backend's bucket does not exist."""
    return MISSING_STATE_BUCKET.search(init.tail(60)) is not None


def init_failed(name: str, init: RunResult, terraform: Terraform) -> Outcome:
    unreachable_registry = "could not connect to registry" in init.tail(40)
    hint = ""
    if unreachable_registry and terraform.settings.cli_config is None:
        hint = (" (the provider registry is unreachable: set RESIDENCY_PROVIDER_MIRROR or "
                "--provider-mirror to a provider mirror directory)")
    elif state_bucket_missing(init):
        hint = " (its state bucket does not exist: run `residency bootstrap` first)"
    return _failed(name, f"terraform init failed{hint}", init)


def _failed(name: str, what: str, result: RunResult) -> Outcome:
    detail = "\n".join(result.events.errors) or result.tail()
    return Outcome(name, Status.FAILED, error=f"{what}:\n{detail}", log_file=str(result.log_file))


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
