"""One workspace, the way residency runs Terraform in it: its outputs, or any Terraform command.

A workspace's data directory, CLI configuration (the provider mirror), state backend settings and,
on the local target, the emulator's endpoint are residency's own, so `cd cdktf.out/stacks/<ws>` and
plain `terraform` do not work there. These run Terraform with exactly that environment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from residency import processes
from residency.errors import ExitCode, TerraformError, UsageError
from residency.flows.terraform_runs import RunOptions, synth, terraform_settings, terraform_tools
from residency.paths import ProjectPaths
from residency.terraform.manifest import Workspace, read_manifest
from residency.terraform.runner import Terraform

if TYPE_CHECKING:
    from residency.config import Config

Progress = Callable[[str], None]
# What `residency tf` runs freely: Terraform's commands that change no state, no infrastructure and no file of
# residency's (a command with a subcommand is named with it). Everything else (apply, destroy, import, refresh,
# taint, `state rm`, `providers lock`, `fmt`, `-chdir=...`) skips what residency's own commands check, and runs
# only with --i-know.
READ_ONLY = frozenset({"show", "output", "plan", "graph", "validate", "version", "console", "providers",
                       "providers schema", "state list", "state show", "state pull", "workspace list",
                       "workspace show", "metadata functions"})
SENSITIVE = "(sensitive: `residency tf WORKSPACE -- output NAME` shows it)"


def ready_workspaces(config: Config, paths: ProjectPaths, names: list[str], *, mirror: str | None,
                     progress: Progress) -> tuple[Terraform, list[Workspace]]:
    """Terraform for `names`, synthesized and initialized (the emulator running on the local target)."""
    tools = terraform_tools(paths, mirror)
    synth(config, paths, progress)
    terraform = Terraform(terraform_settings(config, paths, tools, RunOptions(), progress))
    manifest = read_manifest(paths.out)
    ready = []
    for name in names:
        workspace = manifest[name]
        init = terraform.init(workspace)
        if init is not None and init.returncode != 0:
            raise TerraformError(f"{name}: terraform init failed:\n{init.tail()}",
                                 hint=f"full output: {init.log_file}")
        ready.append(workspace)
    return terraform, ready


def outputs(config: Config, paths: ProjectPaths, names: list[str], *, mirror: str | None,
            progress: Progress) -> dict[str, dict[str, object]]:
    """Each workspace's root outputs (none before its first apply); sensitive values are not shown."""
    terraform, ready = ready_workspaces(config, paths, names, mirror=mirror, progress=progress)
    found: dict[str, dict[str, object]] = {}
    for workspace in ready:
        found[workspace.name] = shown_outputs(terraform.output_document(workspace))
    return found


def shown_outputs(document: dict[str, object]) -> dict[str, object]:
    """`terraform output -json` as residency shows it: name -> value, a sensitive value never printed."""
    return {output: SENSITIVE if entry.get("sensitive") else entry.get("value")
            for output, entry in document.items() if isinstance(entry, dict)}


def _instead(command: str, name: str) -> str:
    """residency's own command for what a Terraform command would do, where there is one."""
    own = {"apply": f"residency apply {name}", "destroy": f"residency destroy {name}",
           "plan": f"residency plan {name}", "state rm": f"residency store retire {name} STORE"}.get(command)
    return f"use `{own}`; " if own else ""


def _command(args: list[str]) -> str:
    """The Terraform command `args` run, with its subcommand where it has one (`state rm`); "" when a global option
    comes first that changes where or how Terraform runs (`-chdir=...`)."""
    words = [arg for arg in args if not arg.startswith("-")]
    if not words or any(arg.startswith("-") for arg in args[:args.index(words[0])] if arg not in ("-help", "-version")):
        return ""
    if words[0] in ("state", "providers", "workspace", "metadata") and len(words) > 1:
        return f"{words[0]} {words[1]}"
    return words[0]


def run_terraform(config: Config, paths: ProjectPaths, name: str, args: list[str], *, mirror: str | None,
                  progress: Progress, allow_changes: bool) -> int:
    """`terraform ARGS` in workspace `name`, on this terminal; its exit code."""
    if not args:
        raise UsageError("no Terraform command given",
                         hint=f"for example `residency tf {name} -- state list`")
    command = _command(args)
    if command not in READ_ONLY and not allow_changes:
        raise UsageError(
            f"`terraform {command or ' '.join(args)}` through `residency tf` may change state, infrastructure or "
            "residency's files, and skips the residency rules on the plan, the protection of data stores and the "
            "adoption of unfinished creations",
            hint=f"{_instead(command, name)}read-only commands run freely ({', '.join(sorted(READ_ONLY))}); "
                 "add --i-know to run it anyway")
    terraform, (workspace,) = ready_workspaces(config, paths, [name], mirror=mirror, progress=progress)
    try:
        returncode = processes.run_on_terminal([str(terraform.settings.binary), *args], cwd=workspace.directory,
                                               env=terraform.environment(workspace))
    except processes.CouldNotRun as error:
        raise TerraformError(str(error)) from error
    return returncode if returncode >= 0 else int(ExitCode.FAILED)  # killed by a signal: a failure


