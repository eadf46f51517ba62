"""The path every Terraform command takes: synth, prepare Terraform and the target, run."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from residency import naming
from residency.errors import ExitCode, TerraformError, ViolationError
from residency.flows.orphans import Orphan, describe_move, find_orphans, last_served, moved_countries, resource_count
from residency.paths import ProjectPaths
from residency.target import LOCAL_ENDPOINT_VARIABLE, S3_ENDPOINT_ENVIRONMENT
from residency.terraform import reviewed_plans
from residency.terraform.binary import find_terraform
from residency.terraform.change_set import AttributeChange
from residency.terraform.cli_config import check_mirror, write_cli_config
from residency.terraform.events import Changes
from residency.terraform.interrupts import forwarding_interrupts, remaining_locks
from residency.terraform.locks import OutputLock
from residency.terraform.manifest import Workspace, dependency_order, read_manifest
from residency.terraform.operations import (
    NOTE,
    Confirm,
    Operation,
    OperationRunner,
    Outcome,
    Reporter,
    Status,
    VetPlan,
    describe,
    exit_code,
)
from residency.terraform.plan_diff import diff_lines
from residency.terraform.plan_time_code import refuse_plan_time_code
from residency.terraform.run_options import RunOptions
from residency.terraform.runner import Terraform, TerraformSettings
from residency.terraform.synthesized_bundle import Bundle, forget_dependency_locks

if TYPE_CHECKING:
    from residency.config import Config

# What the commands render of a run: its outcomes, their statuses and changes, and how to word them.
__all__ = ["NOTE", "AttributeChange", "Bundle", "Changes", "Confirm", "Operation", "Outcome", "RunOptions",
           "RunReporter", "RunResult", "Status", "default_parallelism", "describe", "diff_lines", "run",
           "run_command", "synth"]

Progress = Callable[[str], None]
DEFAULT_OPTIONS = RunOptions()


def synth(config: Config, paths: ProjectPaths, progress: Progress, output: OutputLock | None = None) -> list[str]:
    """Synthesize into cdktf.out; with `output` (held by a run), coordinated with other processes."""
    if output is None:
        with OutputLock(paths.work / "locks", "synth", 0, can_wait=False) as held:
            return synth(config, paths, progress, held)
    with output.one_synth_at_a_time():
        return _synth(config, paths, progress, output)


def _synth(config: Config, paths: ProjectPaths, progress: Progress, output: OutputLock) -> list[str]:
    from residency.stacks import synthesize
    from residency.synth import cache

    started = time.monotonic()
    extra_files = {}
    if config.organization_scp:
        from residency.guard.policies.organization_scp import SCP_FILE, scp_text

        extra_files[SCP_FILE] = scp_text(config)
    key = cache.synth_key(config, extra_files, paths.root)
    if cache.is_current(paths.synth_record, paths.out, key):
        progress(f"{paths.out.name} is up to date (regions.yaml, handlers and residency unchanged)")
        return sorted(read_manifest(paths.out))
    progress(f"synthesizing {len(config.regions) + 1} workspaces into {paths.out} ...")
    names = synthesize(config, paths.out, extra_files, exclusive=output.exclusive, project_dir=paths.root)
    cache.remember(paths.synth_record, paths.out, key)
    progress(f"synthesized in {time.monotonic() - started:.1f}s")
    return names


def default_parallelism() -> int:
    """Twice the CPU count (Terraform mostly waits on AWS or on the provider's own timers), at most 8.

    The same on the local target: its emulator answers one request at a time
    (residency.local.moto_server), so workspaces writing at once are as safe there as on AWS.
    """
    return max(1, min(8, 2 * (os.cpu_count() or 1)))


class RunReporter(Reporter, Protocol):
    def say(self, text: str) -> None: ...

    def line(self, name: str, text: str) -> None: ...


@dataclass(frozen=True)
class RunResult:
    """A command's run over its workspaces: one outcome each, and the exit code they come to."""

    operation: Operation
    target: str
    outcomes: list[Outcome]
    detailed: bool = False  # plan --detailed-exitcode: changes exit 2

    @property
    def exit_code(self) -> ExitCode:
        return exit_code(self.operation, self.outcomes, detailed=self.detailed)

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status in (
            Status.FAILED, Status.REFUSED, Status.INTERRUPTED, Status.STALE, Status.SKIPPED)]

    def as_json(self) -> dict[str, object]:
        return {"command": self.operation.value, "target": self.target, "exit_code": int(self.exit_code),
                "workspaces": [outcome.as_json() for outcome in self.outcomes]}


def run_command(operation: Operation, config: Config, paths: ProjectPaths, names: list[str], *,
                mirror: str | None, reporter: RunReporter, confirm: Confirm, options: RunOptions,
                detailed: bool = False) -> RunResult:
    """`plan`, `apply`, `destroy` or `drift` as a command runs it: `run`, and what it comes to."""
    outcomes = run(operation, config, paths, names, mirror=mirror, reporter=reporter, confirm=confirm,
                   options=options)
    return RunResult(operation, config.target, outcomes, detailed)


def reviewed_workspaces(directory: Path) -> list[str]:
    """The workspaces a set of reviewed plans (`plan --save-plans DIR`) is for."""
    return list(reviewed_plans.load_reviewed_plans(directory).workspaces)


def run(operation: Operation, config: Config, paths: ProjectPaths, names: list[str], *,
        mirror: str | None, reporter: RunReporter, confirm: Confirm,
        options: RunOptions = DEFAULT_OPTIONS, retiring: frozenset[str] = frozenset()) -> list[Outcome]:
    """Synth, check, and run `operation` over `names`, holding cdktf.out (shared) throughout.

    `apply` leaves `global` alone while a removed region still has its workspace, except the
    regions being `retiring` right now (whose workspace was just destroyed)."""
    with OutputLock(paths.work / "locks", operation.value, options.lock_timeout_seconds) as output:
        return _run(operation, config, paths, names, mirror=mirror, reporter=reporter, confirm=confirm,
                    options=options, output=output, retiring=retiring)


def _run(operation: Operation, config: Config, paths: ProjectPaths, names: list[str], *,
         mirror: str | None, reporter: RunReporter, confirm: Confirm, options: RunOptions,
         output: OutputLock, retiring: frozenset[str]) -> list[Outcome]:
    progress = reporter.say
    # Bad input is refused before any work: an unreadable set of plans, or a directory already used.
    reviewed = reviewed_plans.load_reviewed_plans(options.reviewed_plans) if options.reviewed_plans else None
    if options.save_plans is not None:
        reviewed_plans.refuse_existing(options.save_plans.resolve())
    tools = terraform_tools(paths, mirror)  # a missing terraform or mirror fails before the synth
    if options.bundle is None:
        synth(config, paths, progress, output)
    else:  # written by a job that ran the project's code: what would run code while planning is refused
        refuse_plan_time_code(paths.out, emulated=config.profile.uses_emulator)
        forget_dependency_locks(options.bundle.directory)
    vet_plan = None
    if operation in (Operation.PLAN, Operation.APPLY):
        guard(config, paths, progress)
        vet_plan = _plan_vetter(config, paths)
    settings = terraform_settings(config, paths, tools, options, progress,
                                  show_limitations=operation in (Operation.PLAN, Operation.APPLY))
    terraform = Terraform(settings, on_line=reporter.line)
    workspaces = read_manifest(paths.out)
    decided: list[Outcome] = []  # decided here, without a Terraform run
    if reviewed is not None:
        _refuse_other_versions(reviewed, terraform.version())
        gone = [name for name in reviewed.workspaces if name not in workspaces]
        if gone:
            raise reviewed_plans.StalePlans(
                f"the reviewed plans are stale: {', '.join(gone)} is no longer a workspace of {config.project}",
                hint="plan again (`residency plan --save-plans DIR`) and have it reviewed")
        unreviewed = [name for name in names if name not in reviewed.workspaces]
        names = [name for name in names if name in reviewed.workspaces]
        progress(f"applying the reviewed plans in {reviewed.directory} (made {reviewed.created}"
                 f"{f' at commit {reviewed.commit[:12]}' if reviewed.commit else ''}): {', '.join(names) or 'none'}")
        for name in unreviewed:  # the reviewed change did not affect it (`plan --affected-since`)
            outcome = Outcome(name, Status.NO_CHANGES, error=None)
            reporter.finished(outcome, operation)
            progress(f"{name}: not in the reviewed plans (the change did not affect it): nothing to apply")
            decided.append(outcome)
    if operation is Operation.DESTROY:
        _refuse_destroying_protected_stores(config, terraform, workspaces, names)
    if operation in (Operation.PLAN, Operation.APPLY):
        orphans = _report_removed_and_moved(config, paths, terraform, workspaces, progress, retiring)
        if operation is Operation.APPLY and orphans and naming.GLOBAL_WORKSPACE in names:
            names = [name for name in names if name != naming.GLOBAL_WORKSPACE]
            decided.append(_global_waits_for_retirement(orphans))
            reporter.finished(decided[-1], operation)
    recorder = None
    if options.save_plans is not None:
        commit = options.bundle.commit if options.bundle else project_commit(paths.root)
        recorder = reviewed_plans.PlanRecorder(options.save_plans, residency_version=residency_version(),
                                               terraform_version=terraform.version(), commit=commit)
    try:
        outcomes = run_workspaces(operation, terraform, workspaces, names, reporter=reporter, confirm=confirm,
                                  options=options, vet_plan=vet_plan,
                                  recorder=recorder, reviewed=reviewed)
    except BaseException:
        if recorder is not None:
            recorder.discard()
        raise
    if recorder is not None:
        _finish_saved_plans(recorder, outcomes, dependency_order(names, workspaces), progress)
    return outcomes + decided


def _refuse_other_versions(reviewed: reviewed_plans.ReviewedPlans, terraform_version: str) -> None:
    for tool, planned, now in (("residency", reviewed.residency_version, residency_version()),
                               ("Terraform", reviewed.terraform_version, terraform_version)):
        if planned != now:
            raise reviewed_plans.StalePlans(
                f"the reviewed plans are stale: they were made with {tool} {planned}, this is {now}",
                hint=f"plan again with {tool} {now} (`residency plan --save-plans DIR`), or apply "
                     f"with {tool} {planned}")


def _finish_saved_plans(recorder: reviewed_plans.PlanRecorder, outcomes: list[Outcome], order: list[str],
                        progress: Progress) -> None:
    """The plans go into place only when every workspace was planned; otherwise nothing is written."""
    unplanned = [o.workspace for o in outcomes if o.status not in (Status.CHANGES, Status.NO_CHANGES)]
    if unplanned:
        recorder.discard()
        progress(f"no plans saved in {recorder.directory}: {', '.join(unplanned)} not planned")
        return
    written = recorder.finish(order)
    if written is None:
        progress(f"no plans saved in {recorder.directory}: the run did not plan every workspace")
        return
    with_changes = sum(1 for o in outcomes if o.status is Status.CHANGES)
    progress(f"saved the plans of {len(order)} workspace(s) ({with_changes} with changes) for review in "
             f"{written}; `residency apply --plans {written}` applies exactly these")


def residency_version() -> str:
    from importlib.metadata import version

    return version("residency")


def project_commit(root: Path) -> str | None:
    """The git commit the project is at, for the record; None outside git."""
    from residency import processes

    try:
        found = processes.capture(["git", "rev-parse", "HEAD"], cwd=root, timeout=30)
    except processes.CouldNotRun:
        return None
    commit = found.stdout.strip()
    return commit if found.returncode == 0 and commit else None


def _refuse_destroying_protected_stores(config: Config, terraform: Terraform, workspaces: dict[str, Workspace],
                                        names: list[str]) -> None:
    """Stop before Terraform runs when a workspace still holds a protected data store: Terraform would
    refuse the plan anyway, with errors that advise `-target`, and destroy nothing."""
    from residency.terraform.protected_stores import protected_in_state

    holding: list[str] = []
    for name in names:
        init = terraform.init(workspaces[name])
        if init is not None and init.returncode != 0:
            continue  # the destroy run reports the failed init for this workspace
        stores = protected_in_state(terraform, workspaces[name])
        if stores:
            holding.append(f"  {name}: " + ", ".join(f"{store.name} ({store.address})" for store in stores))
    if not holding:
        return
    regions = [name for name in names if name in config.regions]
    ways = []
    if config.profile.uses_emulator:
        ways.append("on the local target, `residency local reset` removes everything the emulator holds")
    if regions:
        ways.append(f"to take a region out of service with its data exported, remove it from regions.yaml and run "
                    f"`residency region retire {regions[0]}`")
    raise TerraformError(
        "not destroyed: these workspaces hold protected data stores (prevent_destroy), which hold personal data "
        "and are never destroyed by `destroy`:\n" + "\n".join(holding),
        hint="; ".join(ways) or "the directory in global lives as long as the deployment")


def _report_removed_and_moved(config: Config, paths: ProjectPaths, terraform: Terraform,
                              workspaces: dict[str, Workspace], progress: Progress,
                              retiring: frozenset[str]) -> list[Orphan]:
    """Say which removed regions still have a workspace, and which countries now route elsewhere."""
    served = last_served(terraform, workspaces[naming.GLOBAL_WORKSPACE])
    found = [orphan for orphan in find_orphans(config, paths, served) if orphan.region not in retiring]
    for orphan in found:
        progress(f"orphan: {orphan.describe()}")
    for move in moved_countries(config, served):
        progress(f"warning: {describe_move(config, move)}")
    return found


def _global_waits_for_retirement(orphans: list[Orphan]) -> Outcome:
    regions = ", ".join(orphan.region for orphan in orphans)
    return Outcome(naming.GLOBAL_WORKSPACE, Status.REFUSED, error=(
        f"not applied: it would stop serving {regions}, removed from regions.yaml, whose workspace still holds "
        f"its resources and data. Retire it first: "
        + "; ".join(f"`residency region retire {orphan.region}`" for orphan in orphans)))


def run_workspaces(operation: Operation, terraform: Terraform, workspaces: dict[str, Workspace], names: list[str],
                   *, reporter: RunReporter, confirm: Confirm, options: RunOptions,
                   vet_plan: VetPlan | None = None, recorder: reviewed_plans.PlanRecorder | None = None,
                   reviewed: reviewed_plans.ReviewedPlans | None = None) -> list[Outcome]:
    """`operation` over `names` as a dependency graph, forwarding Ctrl-C; any lock left is reported."""
    runner = OperationRunner(terraform, workspaces, reporter, confirm=confirm, vet_plan=vet_plan,
                             options=options, recorder=recorder, reviewed=reviewed)
    with forwarding_interrupts(terraform, runner.stop, reporter.say) as interrupts:
        outcomes = runner.run(operation, names)
    for note in remaining_locks(terraform, interrupts.killed):
        reporter.say(note)
    return outcomes


@dataclass(frozen=True)
class TerraformTools:
    binary: Path
    cli_config: Path | None  # points Terraform at the provider mirror, if one was given


def terraform_tools(paths: ProjectPaths, mirror: str | None) -> TerraformTools:
    return TerraformTools(find_terraform(), _cli_config(paths, mirror))


def terraform_settings(config: Config, paths: ProjectPaths, tools: TerraformTools, options: RunOptions,
                       progress: Progress, *, show_limitations: bool = False) -> TerraformSettings:
    """How Terraform runs for this project: binary, provider mirror, logs, and on the local target
    the emulator (started if needed) that every workspace and state backend talks to."""
    variables: dict[str, str] = {}
    environment: dict[str, str] = {}
    target = config.profile
    if target.uses_emulator:
        from residency.local.emulator import Emulator, ensure_hosted_zone

        record, started = Emulator(paths).ensure_running(progress)
        variables[LOCAL_ENDPOINT_VARIABLE] = record.url
        # The s3 state backend (and remote-state lookups) read the endpoint from here.
        environment[S3_ENDPOINT_ENVIRONMENT] = record.url
        if started:
            _report_lost_resources(paths, progress)
        if config.domain and ensure_hosted_zone(record.url, config.domain):
            progress(f"local target: created the hosted zone {config.domain} in the emulator "
                     "(on AWS it must already exist)")
        if show_limitations and (started or options.verbose):  # news once per emulator, or when asked
            for text in config.local_limitations():
                progress(f"local target: {text}")
            if not options.verbose:
                progress("local target: these notes come once per emulator start (`--verbose` shows them "
                         "always, `residency local status` too)")
    return TerraformSettings(
        binary=tools.binary,
        paths=paths,
        cli_config=tools.cli_config,
        variables=variables,
        base_env={**os.environ, **environment},
        log_dir=paths.logs / time.strftime("%Y%m%d-%H%M%S"),
        lock_timeout=options.lock_timeout,
    )


def guard(config: Config, paths: ProjectPaths, progress: Progress) -> None:
    """The residency rules over what was just synthesized; nothing reaches Terraform past a violation."""
    from residency.guard.check import check_synthesized
    from residency.guard.reports.formats import text_lines

    report = check_synthesized(config, paths.out)
    if not report.clean:
        raise ViolationError("\n".join(text_lines(report)),
                             hint="fix the configuration, or add a reviewed exception (see `residency check`)")
    progress(f"residency rules: {text_lines(report)[-1]}")


def _plan_vetter(config: Config, paths: ProjectPaths) -> VetPlan:
    from residency.guard.check import check_plan

    def vet(workspace: str, plan: dict[str, object]) -> list[str]:
        return check_plan(config, paths.out, workspace, plan)

    return vet


def _report_lost_resources(paths: ProjectPaths, progress: Progress) -> None:
    """A new emulator starts empty: say so when local state still lists resources."""
    stale = [state.parent.name for state in sorted(paths.work.glob("state/*/terraform.tfstate"))
             if resource_count(state)]
    if stale:
        progress(f"local state of {', '.join(stale)} lists resources of an earlier emulator that are "
                 "gone now; Terraform will plan to create them again (`residency local reset` "
                 "forgets that state instead)")


def _cli_config(paths: ProjectPaths, mirror: str | None) -> Path | None:
    if not mirror:
        return None
    plugin_cache = Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or paths.plugin_cache)
    return write_cli_config(paths.cli_config, check_mirror(Path(mirror)), plugin_cache)
