"""plan / apply / destroy / drift across workspaces, in dependency order, with a summary.

One loop for every operation: it prints a header per workspace, keeps going after a failure
(skipping what depends on the failed workspace) and returns one outcome per workspace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from residency.errors import ExitCode, ResidencyError
from residency.terraform.events import Changes
from residency.terraform.graph import Workspace, dependency_order, dependents_of
from residency.terraform.runner import RunResult, Terraform


class Operation(StrEnum):
    PLAN = "plan"
    APPLY = "apply"
    DESTROY = "destroy"
    DRIFT = "drift"


class Status(StrEnum):
    NO_CHANGES = "no changes"
    CHANGES = "changes"
    APPLIED = "applied"
    DESTROYED = "destroyed"
    DRIFTED = "drifted"
    DECLINED = "declined"
    REFUSED = "refused"  # the saved plan breaks a residency rule
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Outcome:
    workspace: str
    status: Status
    changes: Changes = field(default_factory=Changes)
    drifted: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    log_file: str | None = None

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


Confirm = Callable[[str, Changes], bool]
Announce = Callable[[str], None]
# Judges a saved plan (as `terraform show -json`): the violations found, none when it may be applied.
VetPlan = Callable[[str, dict[str, object]], list[str]]


@dataclass
class OperationRunner:
    terraform: Terraform
    workspaces: dict[str, Workspace]
    announce: Announce
    confirm: Confirm = lambda workspace, changes: True
    vet_plan: VetPlan | None = None

    def run(self, operation: Operation, names: list[str]) -> list[Outcome]:
        order = dependency_order(names, self.workspaces)
        if operation is Operation.DESTROY:
            order.reverse()
        outcomes: dict[str, Outcome] = {}
        blocked: dict[str, str] = {}
        for index, name in enumerate(order, start=1):
            self.announce(f"==> [{index}/{len(order)}] {name}: {operation.value}")
            if name in blocked:
                outcomes[name] = Outcome(name, Status.SKIPPED, error=blocked[name])
                self.announce(f"    skipped: {blocked[name]}")
                continue
            outcome = self._one(operation, self.workspaces[name])
            outcomes[name] = outcome
            self.announce(f"    {_describe(operation, outcome)} ({outcome.seconds:.1f}s)")
            stopped = outcome.status in (Status.FAILED, Status.REFUSED)
            if stopped and operation in (Operation.APPLY, Operation.DESTROY):
                for other in self._blocked_by(operation, name):
                    blocked.setdefault(other, f"{name} {outcome.status.value}")
        return [outcomes[name] for name in order]

    def _blocked_by(self, operation: Operation, failed: str) -> set[str]:
        if operation is Operation.DESTROY:
            # Destroying in reverse: what the failed workspace depends on must stay up.
            return set(self.workspaces[failed].depends_on)
        return dependents_of(failed, self.workspaces)

    def _init_hint(self, init: RunResult) -> str:
        unreachable_registry = "could not connect to registry" in init.tail(40)
        if unreachable_registry and self.terraform.settings.cli_config is None:
            return (" (the provider registry is unreachable: set RESIDENCY_PROVIDER_MIRROR or "
                    "--provider-mirror to a provider mirror directory)")
        return ""

    def _one(self, operation: Operation, workspace: Workspace) -> Outcome:
        started = time.monotonic()
        outcome = self._steps(operation, workspace)
        outcome.seconds = round(time.monotonic() - started, 1)
        return outcome

    def _steps(self, operation: Operation, workspace: Workspace) -> Outcome:
        name = workspace.name
        init = self.terraform.init(workspace)
        if init is not None and init.returncode != 0:
            return _failed(name, f"terraform init failed{self._init_hint(init)}", init)
        if operation is Operation.DESTROY:
            result = self.terraform.destroy(workspace)
            if result.returncode != 0:
                return _failed(name, "terraform destroy failed", result)
            return Outcome(name, Status.DESTROYED, result.events.changes, log_file=str(result.log_file))
        if operation is Operation.DRIFT:
            result = self.terraform.plan(workspace, refresh_only=True)
            if result.returncode not in (0, 2):
                return _failed(name, "terraform refresh-only plan failed", result)
            drifted = [{"address": address, "action": action} for address, action in result.events.drifted]
            status = Status.DRIFTED if drifted else Status.NO_CHANGES
            return Outcome(name, status, drifted=drifted, log_file=str(result.log_file))
        plan_file = self.terraform.settings.paths.plan_file(name)
        result = self.terraform.plan(workspace, plan_file=plan_file)
        if result.returncode not in (0, 2):
            return _failed(name, "terraform plan failed", result)
        changes = result.events.changes
        if not changes.any:
            return Outcome(name, Status.NO_CHANGES, changes, log_file=str(result.log_file))
        if self.vet_plan is not None:
            try:
                violations = self.vet_plan(name, self.terraform.show_plan(workspace, plan_file))
            except ResidencyError as error:  # an unreadable plan or workspace: this one fails, the run goes on
                return Outcome(name, Status.FAILED, changes, error=error.message, log_file=str(result.log_file))
            if violations:
                plan_file.unlink(missing_ok=True)  # a refused plan must not be applied by hand either
                return Outcome(name, Status.REFUSED, changes, error="the saved plan breaks residency rules:\n"
                               + "\n".join(violations), log_file=str(result.log_file))
        if operation is Operation.PLAN:
            return Outcome(name, Status.CHANGES, changes, log_file=str(result.log_file))
        if not self.confirm(name, changes):
            return Outcome(name, Status.DECLINED, changes, log_file=str(result.log_file))
        applied = self.terraform.apply(workspace, plan_file)
        if applied.returncode != 0:
            return _failed(name, "terraform apply failed", applied)
        refreshed = self.terraform.record_refreshed_state(workspace)
        if refreshed.returncode != 0:
            return _failed(name, "applied, but recording the refreshed state failed", refreshed)
        return Outcome(name, Status.APPLIED, applied.events.changes, log_file=str(applied.log_file))


def _failed(name: str, what: str, result: RunResult) -> Outcome:
    detail = "\n".join(result.events.errors) or result.tail()
    return Outcome(name, Status.FAILED, error=f"{what}:\n{detail}", log_file=str(result.log_file))


def _describe(operation: Operation, outcome: Outcome) -> str:
    if outcome.status in (Status.FAILED, Status.REFUSED):
        return f"{outcome.status.value.upper()}, log: {outcome.log_file}\n{_indent(outcome.error or '')}"
    if outcome.status is Status.DRIFTED:
        return f"drifted: {len(outcome.drifted)} resource(s)"
    if outcome.status in (Status.NO_CHANGES,):
        return "no drift" if operation is Operation.DRIFT else "no changes"
    return f"{outcome.status.value}: {outcome.changes.describe()}"


def _indent(text: str) -> str:
    return "\n".join(f"    | {line}" for line in text.splitlines())


def exit_code(operation: Operation, outcomes: list[Outcome], *, detailed: bool = False) -> ExitCode:
    """The worst outcome decides, as DESIGN.md's exit-code table says."""
    statuses = {outcome.status for outcome in outcomes}
    if Status.REFUSED in statuses:
        return ExitCode.VIOLATION
    if Status.FAILED in statuses or Status.SKIPPED in statuses or Status.DECLINED in statuses:
        return ExitCode.FAILED
    if operation is Operation.DRIFT and Status.DRIFTED in statuses:
        return ExitCode.CHANGES
    if operation is Operation.PLAN and detailed and Status.CHANGES in statuses:
        return ExitCode.CHANGES
    return ExitCode.OK
