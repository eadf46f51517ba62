"""`output` and `tf`: one workspace's outputs, and any Terraform command in a workspace."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.cli.options import (
    AllOption,
    ExcludeOption,
    JsonOption,
    ProviderMirrorOption,
    WorkspacesArgument,
    complete_workspaces,
)
from residency.cli.selection import selected_workspaces
from residency.errors import UsageError


def output(ctx: typer.Context, names: WorkspacesArgument = None, all_: AllOption = False,
           exclude: ExcludeOption = None, as_json: JsonOption = False,
           provider_mirror: ProviderMirrorOption = None) -> None:
    """The root outputs of workspaces (read from their state; none before the first apply)."""
    from residency.flows.workspace_access import outputs

    app: Application = ctx.obj
    selected = selected_workspaces(app, names, all_, exclude)
    found = outputs(app.config, app.paths, selected, mirror=provider_mirror, progress=app.progress)
    if as_json:
        app.emit_json({"workspaces": found})
        return
    for name, values in found.items():
        app.say(f"{name}:" if values else f"{name}: no outputs (not applied yet)")
        for key, value in values.items():
            shown = value if isinstance(value, str) else json.dumps(value)
            app.say(f"  {key} = {shown}")


def tf(ctx: typer.Context,
       workspace: Annotated[str, typer.Argument(help="The workspace: a region code or `global`.", show_default=False,
                                                autocompletion=complete_workspaces)],
       args: Annotated[list[str] | None, typer.Argument(
           help="The Terraform command and its arguments, after `--`.", show_default=False)] = None,
       i_know: Annotated[bool, typer.Option(
           "--i-know", help="Allow `apply` and `destroy`, which skip residency's checks this way.")] = False,
       provider_mirror: ProviderMirrorOption = None) -> None:
    """Run a Terraform command in a workspace, as residency runs Terraform there (its state, data
    directory, provider mirror and, locally, the emulator): `residency tf eu-west-1 -- state list`."""
    from residency.flows.workspace_access import run_terraform

    app: Application = ctx.obj
    named = selected_workspaces(app, [workspace], False)
    if len(named) != 1:
        raise UsageError(f"{workspace!r} names {len(named)} workspaces; `tf` runs in one",
                         hint=f"name one of {', '.join(named)}")
    (name,) = named
    command = list(args or [])
    # What follows the workspace is not parsed (Terraform's own options pass through), so residency's flag given
    # there, before the `--` separator, is taken here; the separator arrives too.
    separator = command.index("--") if "--" in command else len(command)
    if "--i-know" in command[:separator]:
        i_know = True
        command.remove("--i-know")
    if command[:1] == ["--"]:
        command = command[1:]
    code = run_terraform(app.config, app.paths, name, command, mirror=provider_mirror,
                         progress=app.progress, allow_changes=i_know)
    raise typer.Exit(code)
