"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def complete_workspaces(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of workspace names, from the regions.yaml the command would read."""
    from residency.cli.application import nearest_config
    from residency.errors import ResidencyError
    from residency.flows import project

    root = ctx.find_root()
    given = root.params.get("config") if root is not None else None
    try:
        config = project.load(Path(given) if given else nearest_config(Path.cwd()))
    except ResidencyError:
        return []  # no usable regions.yaml: nothing to offer
    return [name for name in config.workspaces if name.startswith(incomplete)]


JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
AllOption = Annotated[bool, typer.Option("--all", help="Every workspace (all regions and global).")]
WorkspacesArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Workspaces: region codes, `global`, jurisdictions (EU: its regions) or globs ('eu-*').",
                   show_default=False, autocompletion=complete_workspaces),
]
ExcludeOption = Annotated[list[str] | None, typer.Option(
    "--exclude", metavar="WORKSPACES", show_default=False,
    help="Leave these out (names, jurisdictions or globs, as for the workspaces); repeatable.")]
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

LockTimeoutOption = Annotated[str, typer.Option(
    "--lock-timeout", help="How long to wait for a workspace another residency or Terraform holds (e.g. 30s, 10m).")]
