"""Workspace names from the command line, checked against regions.yaml."""

from __future__ import annotations

from residency import workspaces
from residency.cli.application import Application
from residency.errors import UsageError


def selected_workspaces(app: Application, names: list[str] | None, all_: bool) -> list[str]:
    """The workspaces named (or all of them), in regions.yaml's order; a usage error for any other name.

    An AWS region that regions.yaml does not list is not a typo: the hint says how to add it."""
    from residency.config.aws_regions import REGIONS

    config = app.config
    for name in names or []:
        region = REGIONS.get(name)
        if name not in config.workspaces and region is not None:
            raise UsageError(
                f"{name} ({region.city}, jurisdiction {region.jurisdiction}) is not a region in {app.config_path}",
                hint=f"add it: `residency region add {name} --jurisdiction {region.jurisdiction} --countries "
                     f"CC[,CC...]`; workspaces now: {', '.join(config.workspaces)}")
    return workspaces.select(config, names or [], all_)
