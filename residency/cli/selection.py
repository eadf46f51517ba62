"""Workspace names from the command line, checked against regions.yaml."""

from __future__ import annotations

from residency.cli.application import Application
from residency.flows import project


def selected_workspaces(app: Application, names: list[str] | None, all_: bool,
                        exclude: list[str] | None = None) -> list[str]:
    """The workspaces named (by name, jurisdiction or glob; or all of them) less those excluded, in regions.yaml's
    order; a usage error for a name that names none."""
    return project.select(app.config, app.config_path, names, all_, exclude)
