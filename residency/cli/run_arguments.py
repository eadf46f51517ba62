"""The options of every command that runs Terraform, declared once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from residency.cli.options import JsonOption, LockTimeoutOption, ProviderMirrorOption
from residency.flows.terraform_runs import RunOptions, default_parallelism

ParallelismOption = Annotated[int | None, typer.Option(
    "--parallelism", min=1, show_default=False,
    help="Workspaces run at once (default: twice the CPU count, at most 8).")]
FailFastOption = Annotated[bool, typer.Option("--fail-fast", help="Start nothing new after the first failure.")]
NoProgressOption = Annotated[bool, typer.Option(
    "--no-progress", help="Plain prefixed lines instead of the live view (the default when not a terminal).")]
VerboseOption = Annotated[bool, typer.Option(
    "--verbose", help="Also the notes that are not news (the local target's limitations, shown once per emulator "
                      "start otherwise).")]

@dataclass(frozen=True)
class RunArguments:
    """What the command line said about a run: how to run it (the one RunOptions that reaches each workspace's
    runner), where the provider mirror is, and how to show it."""

    options: RunOptions
    mirror: str | None = None
    as_json: bool = False
    no_progress: bool = False


# (command-line parameter, option, default), in the order `--help` lists them.
RUN_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("as_json", JsonOption, False),
    ("provider_mirror", ProviderMirrorOption, None),
    ("parallelism", ParallelismOption, None),
    ("fail_fast", FailFastOption, False),
    ("no_progress", NoProgressOption, False),
    ("lock_timeout", LockTimeoutOption, "0s"),
    ("verbose", VerboseOption, False),
)


def _arguments(given: dict[str, Any]) -> RunArguments:
    options = RunOptions(parallelism=given["parallelism"] or default_parallelism(), fail_fast=given["fail_fast"],
                         lock_timeout=given["lock_timeout"], verbose=given["verbose"])
    return RunArguments(options, mirror=given["provider_mirror"], as_json=given["as_json"],
                        no_progress=given["no_progress"])


def with_run_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command(..., running: RunArguments)` as a typer command that takes the run options as options."""
    own = [parameter for parameter in inspect.signature(command, eval_str=True).parameters.values()
           if parameter.name != "running"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
              for name, option, default in RUN_OPTIONS]

    @functools.wraps(command)
    def with_options(*args: Any, **kwargs: Any) -> None:
        running = _arguments({name: kwargs.pop(name) for name, _option, _default in RUN_OPTIONS})
        command(*args, running=running, **kwargs)

    with_options.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    with_options.__annotations__ = {parameter.name: parameter.annotation for parameter in [*own, *shared]}
    return with_options
