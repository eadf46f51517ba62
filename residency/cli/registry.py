"""Every command of `residency`, in the order `--help` lists them, loaded only when it is asked for.

A command is `module:attribute`: a function (one command) or a typer app (a group of subcommands). Its module,
and what that module imports, is read when the command runs or `--help` describes it, so starting residency
costs the same however many commands there are (Hatch's lazy group, for typer).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_group
from typer.models import CommandInfo


@dataclass(frozen=True)
class LazyCommand:
    target: str  # module:attribute
    context_settings: dict[str, Any] = field(default_factory=dict)

    def load(self, name: str) -> Any:
        module, _, attribute = self.target.partition(":")
        found = getattr(importlib.import_module(module), attribute)
        if isinstance(found, typer.Typer):
            return get_group(found)
        info = CommandInfo(name=name, callback=found, context_settings=self.context_settings or None)
        return get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None)


COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand("residency.cli.init_command:init"),
    "validate": LazyCommand("residency.cli.config_commands:validate"),
    "schema": LazyCommand("residency.cli.config_commands:schema"),
    "completion": LazyCommand("residency.cli.config_commands:completion"),
    "list": LazyCommand("residency.cli.config_commands:list_workspaces"),
    "synth": LazyCommand("residency.cli.terraform_commands:synth"),
    "plan": LazyCommand("residency.cli.terraform_commands:plan"),
    "apply": LazyCommand("residency.cli.terraform_commands:apply"),
    "destroy": LazyCommand("residency.cli.terraform_commands:destroy"),
    "drift": LazyCommand("residency.cli.terraform_commands:drift"),
    "output": LazyCommand("residency.cli.workspace_commands:output"),
    "tf": LazyCommand("residency.cli.workspace_commands:tf", {"allow_interspersed_args": False}),
    "bootstrap": LazyCommand("residency.cli.terraform_commands:bootstrap"),
    "verify": LazyCommand("residency.cli.verify_commands:verify"),
    "drill": LazyCommand("residency.cli.verify_commands:drill"),
    "check": LazyCommand("residency.cli.guard_commands:check"),
    "baseline": LazyCommand("residency.cli.guard_commands:baseline"),
    "tfc": LazyCommand("residency.cli.ci_commands:tfc"),
    "region": LazyCommand("residency.cli.region_commands:region_app"),
    "store": LazyCommand("residency.cli.store_commands:store_app"),
    "local": LazyCommand("residency.cli.local_commands:local_app"),
    "ci": LazyCommand("residency.cli.ci_commands:ci_app"),
}


# What people type for a command residency names otherwise, and what to run instead.
MEANT = {
    "diff": "`residency plan` (it shows each workspace's changes; `residency drift` shows what changed outside "
            "residency)",
    "deploy": "`residency apply`", "up": "`residency apply` (`residency local up` starts the emulator)",
    "show": "`residency output`", "outputs": "`residency output`", "ls": "`residency list`",
    "status": "`residency list` (`residency local status` for the emulator)", "lint": "`residency check`",
    "add": "`residency region add`", "remove": "`residency region remove`", "retire": "`residency region retire`",
}


class LazyCommands(TyperGroup):
    """The root group: its commands come from COMMANDS, each built the first time it is needed."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except typer.TyperException as error:
            typed = args[0] if args else ""
            if typed and typed not in COMMANDS and hasattr(error, "message"):
                error.message = f"No such command {typed!r}. {_suggestion(typed)}"
            raise

    def list_commands(self, ctx: Any) -> list[str]:
        return [*COMMANDS, *(name for name in super().list_commands(ctx) if name not in COMMANDS)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = COMMANDS[cmd_name].load(cmd_name)
        return super().get_command(ctx, cmd_name)


def _suggestion(typed: str) -> str:
    if typed.lower() in MEANT:
        return f"To do that, run {MEANT[typed.lower()]}."
    close = get_close_matches(typed, list(COMMANDS))
    return f"Did you mean {', '.join(repr(name) for name in close)}?" if close else "`residency --help` lists them."
