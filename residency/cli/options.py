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
