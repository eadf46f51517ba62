"""`local up|down|status|reset`: the embedded AWS emulator."""

from __future__ import annotations

import shutil

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption

local_app = typer.Typer(help="The embedded local AWS emulator (target: local).", no_args_is_help=True)


def _emulator(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from residency.local.emulator import Emulator

    app: Application = ctx.obj
    return app, Emulator(app.paths)


@local_app.command()
def up(ctx: typer.Context) -> None:
    """Start the emulator (or report the one already running)."""
    app, emulator = _emulator(ctx)
    record, _ = emulator.ensure_running(app.progress)
    app.say(f"local AWS emulator: {record.url} (pid {record.pid})")


@local_app.command()
def down(ctx: typer.Context) -> None:
    """Stop the emulator. Its resources are lost; state under .residency/ is kept."""
    app, emulator = _emulator(ctx)
    app.say("local AWS emulator stopped" if emulator.stop() else "no local AWS emulator was running")


@local_app.command()
def status(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Is the emulator running, and where."""
    app, emulator = _emulator(ctx)
    current = emulator.status()
    if as_json:
        app.emit_json(current.as_json())
    elif current.running and current.record:
        app.say(f"running: {current.record.url} (pid {current.record.pid})")
    elif current.lost:
        app.say("not running: the recorded emulator is gone (its resources with it); "
                "the next apply recreates them")
    else:
        app.say("not running")
    if not as_json:
        _say_limitations(app)


def _say_limitations(app: Application) -> None:
    """What the local target leaves out for this regions.yaml (none when it cannot be read)."""
    from residency.errors import ResidencyError

    try:
        limitations = app.config.local_limitations() if app.config.profile.uses_emulator else ()
    except ResidencyError:
        return
    if limitations:
        app.say("what the local target leaves out or changes for this regions.yaml:")
        for text in limitations:
            app.say(f"  - {text}")


@local_app.command()
def reset(ctx: typer.Context) -> None:
    """Stop the emulator and wipe local Terraform state and saved plans."""
    app, emulator = _emulator(ctx)
    emulator.stop()
    for directory in (app.paths.work / "state", app.paths.work / "plans"):
        shutil.rmtree(directory, ignore_errors=True)
    app.say("local target reset: emulator stopped, local state and plans removed")
