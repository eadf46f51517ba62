"""Workspace names a regions.yaml defines, and turning command-line arguments into a selection.

A workspace is named by its name (a region code, `global`), by a jurisdiction of regions.yaml (`EU`: its
regions), or by a glob (`'eu-*'`); `--exclude` takes the same. The selection keeps regions.yaml's order.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import TYPE_CHECKING

from residency.errors import UsageError

if TYPE_CHECKING:
    from residency.config import Config

GLOB_CHARACTERS = frozenset("*?[")


def workspace_names(config: Config) -> list[str]:
    """Regions in file order, then `global`."""
    return list(config.workspaces)


def select(config: Config, names: list[str], all_workspaces: bool, exclude: Iterable[str] = ()) -> list[str]:
    valid = workspace_names(config)
    if not all_workspaces and not names:
        raise UsageError(
            "name one or more workspaces, or use --all",
            hint=f"workspaces: {', '.join(valid)} (or a jurisdiction such as {config.jurisdictions[0]}, "
                 f"or a glob such as 'eu-*')" if config.jurisdictions else f"workspaces: {', '.join(valid)}",
        )
    chosen = set(valid) if all_workspaces else {found for name in names for found in matching(config, name)}
    left_out = {found for name in exclude for found in matching(config, name, option="--exclude ")}
    selected = [name for name in valid if name in chosen - left_out]
    if not selected:
        raise UsageError("--exclude leaves out every workspace selected: nothing to run",
                         hint=f"selected: {', '.join(name for name in valid if name in chosen)}")
    return selected


def matching(config: Config, name: str, option: str = "") -> list[str]:
    """The workspaces `name` names: itself, a jurisdiction's regions, or a glob's matches; a usage error for none."""
    valid = workspace_names(config)
    if name in valid:
        return [name]
    jurisdiction = name.upper()
    if jurisdiction in config.jurisdictions:
        return [code for code, region in config.regions.items() if region.jurisdiction == jurisdiction]
    if GLOB_CHARACTERS & set(name):
        found = [workspace for workspace in valid if fnmatch.fnmatchcase(workspace, name)]
        if not found:
            raise UsageError(f"{option}{name!r} matches no workspace", hint=f"workspaces: {', '.join(valid)}")
        return found
    from residency.config.validation import suggest  # only on this error: the CLI starts without pydantic

    hint = suggest(name, [*valid, *config.jurisdictions])
    suggestion = f"{hint} " if hint else ""
    raise UsageError(f"{option}unknown workspace {name!r}",
                     hint=f"{suggestion}workspaces: {', '.join(valid)}; jurisdictions: "
                          f"{', '.join(config.jurisdictions)}")
