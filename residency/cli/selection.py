"""Workspace names from the command line, checked against regions.yaml."""

from __future__ import annotations

from residency.cli.application import Application
from residency.flows import project


def selected_workspaces(app: Application, names: list[str] | None, all_: bool) -> list[str]:
    """The workspaces named (or all of them), in regions.yaml's order; a usage error for any other name."""
    return project.select(app.config, app.config_path, names, all_)
