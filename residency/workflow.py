"""The path every Terraform command takes: synth, prepare Terraform and the target, run."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from residency.config import Config
from residency.paths import ProjectPaths
from residency.stacks.target import LOCAL_ENDPOINT_VARIABLE, profile_for
from residency.terraform.binary import find_terraform
from residency.terraform.cli_config import check_mirror, write_cli_config
from residency.terraform.graph import read_manifest
from residency.terraform.operations import Confirm, Operation, OperationRunner, Outcome
from residency.terraform.runner import Terraform, TerraformSettings

Progress = Callable[[str], None]
PROGRESS_WORDS = ("Creation complete", "Modifications complete", "Destruction complete", "Still ")


def synth(config: Config, paths: ProjectPaths, progress: Progress) -> list[str]:
    from residency.stacks import synthesize

    started = time.monotonic()
    progress(f"synthesizing {len(config.regions) + 1} workspaces into {paths.out} ...")
    names = synthesize(config, paths.out)
    progress(f"synthesized in {time.monotonic() - started:.1f}s")
    return names


def run(operation: Operation, config: Config, paths: ProjectPaths, names: list[str], *,
        mirror: str | None, progress: Progress, confirm: Confirm) -> list[Outcome]:
    terraform_binary = find_terraform()
    cli_config = _cli_config(paths, mirror)
    synth(config, paths, progress)
    variables: dict[str, str] = {}
    target = profile_for(config.target)
    if target.uses_emulator:
        from residency.local.emulator import Emulator, ensure_hosted_zone

        record, started = Emulator(paths).ensure_running(progress)
        variables[LOCAL_ENDPOINT_VARIABLE] = record.url
        if started:
            _report_lost_resources(paths, progress)
        if config.domain and ensure_hosted_zone(record.url, config.domain):
            progress(f"local target: created the hosted zone {config.domain} in the emulator "
                     "(on AWS it must already exist)")
        if operation in (Operation.PLAN, Operation.APPLY):
            for limitation in target.limitations:
                progress(f"local target: {limitation}")
    settings = TerraformSettings(
        binary=terraform_binary,
        paths=paths,
        cli_config=cli_config,
        variables=variables,
        base_env=dict(os.environ),
        log_dir=paths.logs / time.strftime("%Y%m%d-%H%M%S"),
    )
    terraform = Terraform(settings, on_line=_echo_apply_progress(operation, progress))
    runner = OperationRunner(terraform, read_manifest(paths.out), announce=progress, confirm=confirm)
    return runner.run(operation, names)


def _report_lost_resources(paths: ProjectPaths, progress: Progress) -> None:
    """A new emulator starts empty: say so when local state still lists resources."""
    stale = [state.parent.name for state in sorted(paths.work.glob("state/*/terraform.tfstate"))
             if _resource_count(state)]
    if stale:
        progress(f"local state of {', '.join(stale)} lists resources of an earlier emulator that are "
                 "gone now; Terraform will plan to create them again (`residency local reset` "
                 "forgets that state instead)")


def _resource_count(state_file: Path) -> int:
    try:
        return len(json.loads(state_file.read_text()).get("resources", []))
    except (OSError, ValueError):
        return 0


def _cli_config(paths: ProjectPaths, mirror: str | None) -> Path | None:
    if not mirror:
        return None
    plugin_cache = Path(os.environ.get("TF_PLUGIN_CACHE_DIR") or paths.plugin_cache)
    return write_cli_config(paths.cli_config, check_mirror(Path(mirror)), plugin_cache)


def _echo_apply_progress(operation: Operation, progress: Progress) -> Callable[[str, str], None]:
    """Show resource-level progress of changes; plans and refreshes stay quiet."""
    if operation not in (Operation.APPLY, Operation.DESTROY):
        return lambda workspace, text: None

    def echo(workspace: str, text: str) -> None:
        if text.startswith("Error") or text.split(": ", 1)[-1].startswith(PROGRESS_WORDS):
            progress(f"    {workspace}: {text.splitlines()[0]}")

    return echo
