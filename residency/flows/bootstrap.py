"""`residency bootstrap`: each region's state bucket and key, created by Terraform like everything else.

A bootstrap workspace keeps its own state in the bucket it creates, so any clone can run it again
(it is idempotent: a second run changes nothing). On the first run that bucket does not exist yet:
the workspace is then applied from a seed copy that keeps its state locally, and that state is
pushed into the new bucket afterwards. The local copy stays beside it as `terraform.tfstate.pushed`.
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

from residency import naming
from residency.errors import UsageError
from residency.flows.terraform_runs import (
    RunOptions,
    RunReporter,
    RunResult,
    run_workspaces,
    terraform_settings,
    terraform_tools,
)
from residency.paths import ProjectPaths
from residency.terraform.locks import workspace_lock
from residency.terraform.manifest import SYNTHESIZED, Workspace, read_manifest, read_synthesized
from residency.terraform.operations import (
    Confirm,
    Operation,
    Outcome,
    Status,
    init_failed,
    state_bucket_missing,
)
from residency.terraform.runner import Terraform

if TYPE_CHECKING:
    from residency.config import Config
    from residency.config.state import StateStore

PUSHED_SUFFIX = ".pushed"


def require_s3(config: Config) -> tuple[StateStore, ...]:
    """The bucket and key per state region that bootstrap makes: only a backend that keeps state in the account
    (s3) has any."""
    stores = config.state.state_stores(config.project, config.state_regions)
    if not stores:
        raise UsageError(
            f"bootstrap creates the state buckets of `state: {{backend: s3}}`; this regions.yaml uses "
            f"backend: {config.state.backend}",
            hint="set `state: {backend: s3}` in regions.yaml (local and cloud state need no bootstrap)",
        )
    return stores


def workspaces(config: Config) -> list[str]:
    """The bootstrap workspaces, one per state region (refused for a backend with nothing to make)."""
    require_s3(config)
    return [naming.bootstrap_workspace(region) for region in config.state_regions]


def bootstrap_command(config: Config, paths: ProjectPaths, *, mirror: str | None, reporter: RunReporter,
                      confirm: Confirm, options: RunOptions) -> RunResult:
    """`residency bootstrap`: `bootstrap`, and the exit code its outcomes come to."""
    outcomes = bootstrap(config, paths, mirror=mirror, reporter=reporter, confirm=confirm, options=options)
    return RunResult(Operation.APPLY, config.target, outcomes)


def bootstrap(config: Config, paths: ProjectPaths, *, mirror: str | None, reporter: RunReporter,
              confirm: Confirm, options: RunOptions) -> list[Outcome]:
    """Plan and apply every state region's bootstrap workspace; one bootstrap per project at a time."""
    require_s3(config)
    with workspace_lock(paths.work / "locks", "bootstrap", options.lock_timeout_seconds, "bootstrap"):
        return _bootstrap(config, paths, mirror=mirror, reporter=reporter, confirm=confirm, options=options)


def _bootstrap(config: Config, paths: ProjectPaths, *, mirror: str | None, reporter: RunReporter,
               confirm: Confirm, options: RunOptions) -> list[Outcome]:
    from residency.stacks import synthesize_state_stores

    buckets = {store.region: f"s3://{store.bucket}" for store in require_s3(config)}

    progress = reporter.say
    tools = terraform_tools(paths, mirror)
    progress(f"synthesizing the state stores of {len(config.state_regions)} region(s) into {paths.bootstrap_out} ...")
    names = synthesize_state_stores(config, paths.bootstrap_out)
    terraform = Terraform(terraform_settings(config, paths, tools, options, progress), on_line=reporter.line)
    workspaces = read_manifest(paths.bootstrap_out)

    failed: list[Outcome] = []
    seeded: dict[str, Workspace] = {}
    for name in names:
        region = config.workspace_region(name.removeprefix(naming.BOOTSTRAP_WORKSPACE_PREFIX))
        bucket = buckets[region]
        if paths.state_file(name).exists():
            progress(f"{name}: an earlier run left this workspace's state in {paths.state_file(name)}; "
                     f"finishing it, then moving that state into {bucket}")
            seeded[name] = _seed_workspace(workspaces[name], paths)
            continue
        init = terraform.init(workspaces[name])
        if init is None or init.returncode == 0:
            continue
        if state_bucket_missing(init):
            progress(f"{name}: {bucket} does not exist yet: creating it with local state, then moving that "
                     "state into it")
            seeded[name] = _seed_workspace(workspaces[name], paths)
        else:
            failed.append(init_failed(name, init, terraform))

    runnable = {name: seeded.get(name, workspace) for name, workspace in workspaces.items()
                if name not in {outcome.workspace for outcome in failed}}
    outcomes = run_workspaces(Operation.APPLY, terraform, runnable, list(runnable), reporter=reporter,
                              confirm=confirm, options=options)
    for outcome in outcomes:
        if outcome.workspace in seeded and outcome.status in (Status.APPLIED, Status.NO_CHANGES):
            _push_seed_state(terraform, paths, workspaces[outcome.workspace], outcome)
            if outcome.status is not Status.FAILED:
                progress(f"{outcome.workspace}: its state now lives in {config.state_location(outcome.workspace)}")
    by_name = {outcome.workspace: outcome for outcome in [*failed, *outcomes]}
    return [by_name[name] for name in names]


def _seed_workspace(workspace: Workspace, paths: ProjectPaths) -> Workspace:
    """A copy of the workspace whose state is a local file, for the run that creates its bucket."""
    seed = paths.bootstrap_seed(workspace.name)
    shutil.rmtree(seed, ignore_errors=True)
    shutil.copytree(workspace.directory, seed)
    document = read_synthesized(seed)
    document["terraform"]["backend"] = {"local": {"path": str(paths.state_file(workspace.name))}}
    (seed / SYNTHESIZED).write_text(json.dumps(document, indent=2))
    return Workspace(workspace.name, seed, workspace.depends_on)


def _push_seed_state(terraform: Terraform, paths: ProjectPaths, workspace: Workspace, outcome: Outcome) -> None:
    local_state = paths.state_file(workspace.name)
    init = terraform.init(workspace)
    pushed = init if init is not None and init.returncode != 0 else terraform.push_state(workspace, local_state)
    if pushed.returncode != 0:
        outcome.status = Status.FAILED
        outcome.error = (f"the bucket was created, but moving this workspace's state into it failed; the state is "
                         f"kept at {local_state} and the next `residency bootstrap` moves it\n{pushed.tail()}")
        outcome.log_file = str(pushed.log_file)
        return
    local_state.rename(local_state.with_name(local_state.name + PUSHED_SUFFIX))
    shutil.rmtree(paths.bootstrap_seed(workspace.name), ignore_errors=True)
