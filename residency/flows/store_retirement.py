"""`residency store retire WORKSPACE STORE`: remove one personal-data store an extension no longer declares.

No apply deletes a declared store (terraform/protection.py), also after the extension that declared it is gone.
A team that really retires one does it here, the way `region retire` removes a region: the store must have left
the configuration; the plan is made for it and its guards only (`-target`) and must delete nothing else that is
protected; its records are counted (refused unless exported first or `--force` is given); the user confirms by
typing the store's name; then it is exported, emptied of what Terraform cannot delete, and destroyed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency import naming
from residency.errors import ResidencyError, UsageError
from residency.flows import region_data
from residency.flows.region_data import refuse_if_stopped
from residency.flows.terraform_runs import RunOptions, RunReporter, synth, terraform_settings, terraform_tools
from residency.paths import ProjectPaths
from residency.personal_data import (
    STORE_GUARDS,
    DeclaredStore,
    MalformedDeclaration,
    state_resources,
    stores_in_state,
)
from residency.target import LOCAL_ENDPOINT_VARIABLE
from residency.terraform import protection
from residency.terraform.change_set import ChangeSet
from residency.terraform.interrupts import forwarding_interrupts
from residency.terraform.locks import OutputLock, workspace_lock
from residency.terraform.manifest import Workspace, read_manifest, synthesized_document
from residency.terraform.operations import init_failed
from residency.terraform.plan_archive import stored_outputs
from residency.terraform.plan_diff import diff_lines, plan_diff
from residency.terraform.renames import forget_moves
from residency.terraform.runner import Terraform
from residency.terraform.scheduler import Stop

if TYPE_CHECKING:
    from residency.config import Config

UNSAFE_IN_A_FILE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


class StoreRetirementRefused(ResidencyError):
    """The store still holds personal data and nothing says what to do with it."""


class _AlreadyGone(Exception):
    """The store was deleted outside residency: there is nothing left to retire."""


@dataclass(frozen=True)
class StoreRetirementPlan:
    workspace: str
    store: DeclaredStore
    addresses: tuple[str, ...]  # the store and its guards, all deleted
    data: region_data.Inventory
    diff: tuple[str, ...]  # the plan as a reviewer reads it


# Shown the plan, says whether to go on (the CLI asks the user to type the store's name).
ConfirmStoreRetirement = Callable[[StoreRetirementPlan], bool]


@dataclass
class StoreRetirementResult:
    workspace: str
    store: DeclaredStore
    destroyed: int = 0
    exported: region_data.ExportReport | None = None
    already_gone: bool = False  # deleted outside residency: nothing was exported or destroyed


def retire_store(config: Config, paths: ProjectPaths, workspace_name: str, store_ref: str, *, mirror: str | None,
                 reporter: RunReporter, confirm: ConfirmStoreRetirement, options: RunOptions,
                 export_dir: Path | None, force: bool) -> StoreRetirementResult:
    lock_timeout_seconds = options.lock_timeout_seconds
    tools = terraform_tools(paths, mirror)
    with OutputLock(paths.work / "locks", "store retire", lock_timeout_seconds) as output:
        synth(config, paths, reporter.say, output)
        workspaces = read_manifest(paths.out)
        if workspace_name not in workspaces:
            raise UsageError(f"{workspace_name} is not a workspace of {config.project}",
                             hint=f"workspaces: {', '.join(sorted(workspaces))}")
        workspace = workspaces[workspace_name]
        settings = terraform_settings(config, paths, tools, options, reporter.say)
        terraform = Terraform(settings, on_line=reporter.line)
        stop = Stop()
        with workspace_lock(paths.work / "locks", workspace_name, lock_timeout_seconds, "store retire"), \
                forwarding_interrupts(terraform, stop, reporter.say):
            clients = region_data.clients(_aws_region(config, workspace_name),
                                          settings.variables.get(LOCAL_ENDPOINT_VARIABLE))
            try:
                plan = _plan(terraform, workspace, store_ref, clients, paths, export_dir, force)
            except _AlreadyGone as gone:
                return StoreRetirementResult(workspace_name, gone.args[0], already_gone=True)
            for line in plan.diff:
                reporter.say(f"{workspace_name}: {line}")
            reporter.say(f"{workspace_name}: retiring {plan.store.describe()} deletes {len(plan.addresses)} "
                         f"resource(s); it holds {'no personal data' if plan.data.empty else plan.data.describe()}")
            if not confirm(plan):
                raise ResidencyError(f"{workspace_name}: {plan.store.describe()} not retired (not confirmed)")
            return _export_and_destroy(terraform, workspace, plan, paths, clients, export_dir, force, reporter, stop)


def _plan(terraform: Terraform, workspace: Workspace, store_ref: str, clients: region_data.Clients,
          paths: ProjectPaths, export_dir: Path | None, force: bool) -> StoreRetirementPlan:
    name = workspace.name
    init = terraform.init(workspace)
    if init is not None and init.returncode != 0:
        raise ResidencyError(init_failed(name, init, terraform).error or "terraform init failed")
    state = terraform.state_document(workspace)
    store = find_store(name, state, store_ref)
    synthesized = synthesized_document(workspace)
    if _configured(synthesized, store.address):
        raise UsageError(f"{name}: {store.address} ({store.describe()}) is still in the configuration",
                         hint="remove it from the extension first: `store retire` removes a store the "
                              "configuration no longer has")
    addresses = (store.address, *_guards(state, store))
    forget_moves(workspace.directory)
    plan_file = paths.plan_file(f"retire-store-{name}")
    planned = terraform.plan(workspace, plan_file=plan_file, targets=addresses)
    if planned.returncode not in (0, 2):
        raise ResidencyError(f"{name}: planning the store's removal failed:\n" + "\n".join(planned.events.errors),
                             hint=f"full output: {planned.log_file}")
    saved_plan = terraform.show_plan(workspace, plan_file)
    change_set = ChangeSet.from_plan(saved_plan, stored_outputs=stored_outputs(plan_file))
    deleted = {change.address for change in change_set.changes if change.actions == ("delete",)}
    if store.address not in deleted:
        plan_file.unlink(missing_ok=True)
        if store.address not in _refreshed_addresses(saved_plan):
            raise _AlreadyGone(store)
        raise UsageError(f"{name}: the plan does not delete {store.address}",
                         hint="is it still in the configuration under another address (a rename)? "
                              "`residency plan` shows what happens to it")
    refused = protection.refusals(change_set, synthesized, retiring=frozenset(addresses))
    if refused:
        plan_file.unlink(missing_ok=True)
        raise ResidencyError(f"{name}: {protection.describe_refusals(refused)}")
    label = UNSAFE_IN_A_FILE_NAME.sub("_", f"{name}.{store.address}")
    data = region_data.RegionData(region=label, stores=(store,))
    if export_dir is not None:
        region_data.check_export_target(export_dir, label)
    inventory = region_data.inventory(data, clients)
    _refuse_unless_data_is_handled(name, inventory, export_dir, force)
    return StoreRetirementPlan(name, store, tuple(sorted(deleted)), inventory,
                               tuple(diff_lines(plan_diff(change_set, synthesized))))


def _export_and_destroy(terraform: Terraform, workspace: Workspace, plan: StoreRetirementPlan, paths: ProjectPaths,
                        clients: region_data.Clients, export_dir: Path | None, force: bool,
                        reporter: RunReporter, stop: Stop) -> StoreRetirementResult:
    result = StoreRetirementResult(workspace.name, plan.store)
    refuse_if_stopped(stop, workspace.name, None)
    inventory = region_data.inventory(plan.data.data, clients)  # counted again: it may have been written since
    _refuse_unless_data_is_handled(workspace.name, inventory, export_dir, force)
    if export_dir is not None and not inventory.empty:
        result.exported = region_data.export(plan.data.data, clients, export_dir)
        reporter.say(f"{workspace.name}: exported {result.exported.inventory.describe()} to {result.exported.path}")
    refuse_if_stopped(stop, workspace.name, result.exported)  # the last moment a stop keeps everything
    region_data.empty_for_destroy(plan.data.data, clients)
    plan_file = paths.plan_file(f"retire-store-{workspace.name}")
    applied = terraform.apply(workspace, plan_file)
    plan_file.unlink(missing_ok=True)
    if applied.returncode != 0:
        raise ResidencyError(f"{workspace.name}: removing {plan.store.describe()} failed:\n"
                             + "\n".join(applied.events.errors),
                             hint=f"full output: {applied.log_file}; run the same command again to resume")
    result.destroyed = applied.events.changes.destroy
    reporter.say(f"{workspace.name}: destroyed {result.destroyed} resource(s): {plan.store.describe()} is retired")
    return result


def _aws_region(config: Config, workspace: str) -> str:
    """Where the workspace's stores are: a region workspace is named after its region."""
    return config.global_.region if workspace == naming.GLOBAL_WORKSPACE else workspace


def find_store(name: str, state: dict[str, Any], store_ref: str) -> DeclaredStore:
    """The store `store_ref` names: by its address (which wins), else by its name (a queue also by the last part
    of its URL). Only stores the state still has count: a retired one stays in the declaration until the next
    apply."""
    try:
        present = {str(resource.get("address")) for resource in state_resources(state)}
        stores = [store for store in stores_in_state(state) if store.address in present]
    except MalformedDeclaration as error:
        raise ResidencyError(f"{name}: its state's declaration of personal data cannot be read: {error}",
                             hint="store retire refuses to guess which store to export") from error
    found = [store for store in stores if store.address == store_ref] or [
        store for store in stores if store_ref in (store.name, store.name.rstrip("/").rsplit("/", 1)[-1])]
    if len(found) != 1:
        listed = "; ".join(f"{store.address} ({store.describe()})" for store in stores) or "none"
        raise UsageError(f"{name}: its state {'declares no' if not found else 'has more than one'} personal-data "
                         f"store {store_ref!r}", hint=f"name one by its address or its name; stores: {listed}")
    return found[0]


def _refreshed_addresses(saved_plan: dict[str, object]) -> set[str]:
    """The resources the plan found in AWS when it refreshed the state."""
    prior = saved_plan.get("prior_state")
    return {str(resource.get("address")) for resource in state_resources(prior if isinstance(prior, dict) else {})}


def _configured(synthesized: dict[str, object], address: str) -> bool:
    type_, _, rest = address.partition(".")
    resources = synthesized.get("resource")
    of_type = resources.get(type_) if isinstance(resources, dict) else None
    return isinstance(of_type, dict) and rest.split("[", 1)[0] in of_type


def _guards(state: dict[str, Any], store: DeclaredStore) -> list[str]:
    """The state's resources that guard `store` (its encryption, public-access block, versioning...)."""
    found = []
    for resource in state_resources(state):
        attribute = STORE_GUARDS.get(str(resource.get("type")))
        values = resource.get("values")
        if attribute and isinstance(values, dict) and values.get(attribute) == store.name:
            found.append(str(resource.get("address")))
    return found


def _refuse_unless_data_is_handled(name: str, inventory: region_data.Inventory, export_dir: Path | None,
                                   force: bool) -> None:
    if not inventory.empty and export_dir is None and not force:
        raise StoreRetirementRefused(f"{name}: the store still holds personal data: {inventory.describe()}",
                                     hint="write it out first with `--export DIR`, or pass --force to destroy it")
