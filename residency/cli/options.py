"""Options shared by several commands."""

from __future__ import annotations

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every workspace (all regions and global).")]
WorkspacesArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Workspaces: region codes or `global`.", show_default=False),
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
LockTimeoutOption = Annotated[str, typer.Option(
    "--lock-timeout", help="How long to wait for a workspace another residency or Terraform holds (e.g. 30s, 10m).")]
