"""`residency`: the typer application and the one place that turns errors into exit codes."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from residency import processes
from residency.cli.application import CONFIG_ENV, DEFAULT_CONFIG, Application, nearest_config, package_version
from residency.cli.registry import LazyCommands
from residency.errors import ExitCode, ResidencyError

app = typer.Typer(
    name="residency",
    cls=LazyCommands,
    help="One product in several AWS regions, each user's personal data kept in its jurisdiction.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(asked: bool) -> None:
    if asked:
        print(f"residency {package_version()}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar=CONFIG_ENV, show_default=False,
        help=f"Path of regions.yaml (default: the nearest {DEFAULT_CONFIG} in this directory or above it; "
             f"also ${CONFIG_ENV}).")] = None,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print residency's version and exit.")] = False,
) -> None:
    ctx.obj = Application(config_path=config or nearest_config(Path.cwd()))


# The parser's usage errors exit 2 in click; DESIGN.md reserves 2 for "changes" and wants 64.
CLICK_USAGE_EXIT = 2


def main(argv: list[str] | None = None) -> int:
    with _noticing_interrupts() as interrupted:
        return _main(argv, interrupted)


def _main(argv: list[str] | None, interrupted: threading.Event) -> int:
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="residency", standalone_mode=False)
        if interrupted.is_set():
            # typer turns a KeyboardInterrupt into a plain exit code (130); say what happened instead.
            print("interrupted", file=sys.stderr)
            return int(ExitCode.FAILED)
    except ResidencyError as error:
        print(error.render(), file=sys.stderr)
        return int(error.exit_code)
    except typer.TyperException as error:  # the parser's own errors (unknown option, ...)
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {error}", file=sys.stderr)
        code = getattr(error, "exit_code", ExitCode.FAILED)
        return int(ExitCode.USAGE if code == CLICK_USAGE_EXIT else code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return int(ExitCode.FAILED)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.FAILED)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


@contextmanager
def _noticing_interrupts() -> Iterator[threading.Event]:
    """Ctrl-C and SIGTERM still raise KeyboardInterrupt where they land, and are remembered.

    Runs of Terraform put their own handler in place for their duration (residency.terraform
    .interrupts); this one covers everything else, such as synth.
    """
    noticed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield noticed
        return

    def notice(signum: int, frame: object) -> None:
        noticed.set()
        raise KeyboardInterrupt

    with processes.interrupts_handled_by(notice):
        yield noticed


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
