"""Options shared by several commands; those of every command that runs Terraform declared once."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer


def complete_workspaces(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of workspace names, from the regions.yaml the command would read."""
    from residency.cli.application import nearest_config
    from residency.config import load_config
    from residency.errors import ResidencyError

    root = ctx.find_root()
    given = root.params.get("config") if root is not None else None
    try:
        config = load_config(Path(given) if given else nearest_config(Path.cwd()))
    except ResidencyError:
        return []  # no usable regions.yaml: nothing to offer
    return [name for name in config.workspaces if name.startswith(incomplete)]


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every workspace (all regions and global).")]
WorkspacesArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Workspaces: region codes or `global`.", show_default=False,
                   autocompletion=complete_workspaces),
]
AutoApproveOption = Annotated[
    bool, typer.Option("--auto-approve", help="Do not ask before changing a real AWS account."),
]
ProviderMirrorOption = Annotated[
    str | None,
    typer.Option(
        "--provider-mirror",
        envvar="RESIDENCY_PROVIDER_MIRROR",
        help="Directory of a Terraform provider filesystem mirror (for machines without a registry).",
        show_default=False,
    ),
]

ParallelismOption = Annotated[int | None, typer.Option(
    "--parallelism", min=1, show_default=False,
    help="Workspaces run at once (default: twice the CPU count, at most 8; applies and destroys one at a "
         "time on the local target).")]
FailFastOption = Annotated[bool, typer.Option("--fail-fast", help="Start nothing new after the first failure.")]
NoProgressOption = Annotated[bool, typer.Option(
    "--no-progress", help="Plain prefixed lines instead of the live view (the default when not a terminal).")]
VerboseOption = Annotated[bool, typer.Option(
    "--verbose", help="Also the notes that are not news (the local target's limitations, shown once per emulator "
                      "start otherwise).")]
LockTimeoutOption = Annotated[str, typer.Option(
    "--lock-timeout", help="How long to wait for a workspace another residency or Terraform holds (e.g. 30s, 10m).")]


@dataclass(frozen=True)
class Running:
    """The options every command that runs Terraform takes."""

    as_json: bool = False
    mirror: str | None = None
    parallelism: int | None = None
    fail_fast: bool = False
    no_progress: bool = False
    lock_timeout: str = "0s"
    verbose: bool = False


# (command-line parameter, Running field, option, default), in the order `--help` lists them.
RUN_OPTIONS: tuple[tuple[str, str, Any, Any], ...] = (
    ("as_json", "as_json", JsonOption, False),
    ("provider_mirror", "mirror", ProviderMirrorOption, None),
    ("parallelism", "parallelism", ParallelismOption, None),
    ("fail_fast", "fail_fast", FailFastOption, False),
    ("no_progress", "no_progress", NoProgressOption, False),
    ("lock_timeout", "lock_timeout", LockTimeoutOption, "0s"),
    ("verbose", "verbose", VerboseOption, False),
)


def with_run_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command(..., running: Running)` as a typer command that takes the run options as options."""
    own = [parameter for parameter in inspect.signature(command, eval_str=True).parameters.values()
           if parameter.name != "running"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=option)
              for name, _field, option, default in RUN_OPTIONS]

    @functools.wraps(command)
    def with_options(*args: Any, **kwargs: Any) -> None:
        running = Running(**{field: kwargs.pop(name) for name, field, _option, _default in RUN_OPTIONS})
        command(*args, running=running, **kwargs)

    with_options.__signature__ = inspect.Signature([*own, *shared])  # type: ignore[attr-defined]
    with_options.__annotations__ = {parameter.name: parameter.annotation for parameter in [*own, *shared]}
    return with_options
