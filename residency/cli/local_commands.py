"""`local up|down|status|reset`: the embedded AWS emulator."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.errors import UsageError
from residency.flows import local_target

SHELLS = {"sh": "export {name}={value}", "fish": "set -gx {name} {value}"}

local_app = typer.Typer(help="The embedded local AWS emulator (target: local).",
                        no_args_is_help=True, rich_markup_mode=None)


@local_app.command()
def up(ctx: typer.Context) -> None:
    """Start the emulator (or report the one already running)."""
    app: Application = ctx.obj
    record = local_target.start(app.paths, app.progress)
    app.say(f"local AWS emulator: {record.url} (pid {record.pid})")


@local_app.command()
def env(
    ctx: typer.Context,
    region: Annotated[str | None, typer.Option(
        "--region", help="The AWS region the SDK uses (default: regions.yaml's global region).",
        show_default=False)] = None,
    shell: Annotated[str, typer.Option("--shell", help="sh (bash, zsh) | fish")] = "sh",
) -> None:
    """The emulator's endpoint and credentials as shell exports (started if need be):
    `eval "$(residency local env)"`, then `aws dynamodb list-tables` talks to it."""
    app: Application = ctx.obj
    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}", hint=" or ".join(SHELLS))
    chosen = region or app.config.global_.region
    for name, value in local_target.environment(app.paths, app.progress, chosen).items():
        app.say(SHELLS[shell].format(name=name, value=shlex.quote(value)))


@local_app.command()
def down(ctx: typer.Context) -> None:
    """Stop the emulator. Its resources are lost; state under .residency/ is kept."""
    app: Application = ctx.obj
    app.say("local AWS emulator stopped" if local_target.stop(app.paths) else "no local AWS emulator was running")


@local_app.command()
def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Is the emulator running, and where."""
    app: Application = ctx.obj
    current = local_target.status(app.paths)
    if as_json:
        app.emit_json(current.as_json())
        return
    if current.running and current.record:
        app.say(f"running: {current.record.url} (pid {current.record.pid})")
    elif current.lost:
        app.say("not running: the recorded emulator is gone (its resources with it); "
                "the next apply recreates them")
    else:
        app.say("not running")
    limitations = local_target.limitations(lambda: app.config)
    if limitations:
        app.say("what the local target leaves out or changes for this regions.yaml:")
        for text in limitations:
            app.say(f"  - {text}")


@local_app.command()
def reset(ctx: typer.Context) -> None:
    """Stop the emulator and wipe local Terraform state and saved plans."""
    app: Application = ctx.obj
    local_target.reset(app.paths)
    app.say("local target reset: emulator stopped, local state and plans removed")
