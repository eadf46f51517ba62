"""Workspace names a regions.yaml defines, and turning command-line arguments into a selection."""

from __future__ import annotations

from typing import TYPE_CHECKING

from residency.errors import UsageError

if TYPE_CHECKING:
    from residency.config import Config


def workspace_names(config: Config) -> list[str]:
    """Regions in file order, then `global`."""
    return list(config.workspaces)


def select(config: Config, names: list[str], all_workspaces: bool) -> list[str]:
    valid = workspace_names(config)
    if all_workspaces:
        return valid
    if not names:
        raise UsageError(
            "name one or more workspaces, or use --all",
            hint=f"workspaces: {', '.join(valid)}",
        )
    for name in names:
        if name not in valid:
            from residency.config.validation import suggest  # only on this error: the CLI starts without pydantic

            hint = suggest(name, valid)
            suggestion = f"{hint} " if hint else ""
            raise UsageError(
                f"unknown workspace {name!r}",
                hint=f"{suggestion}workspaces: {', '.join(valid)}",
            )
    return [name for name in valid if name in set(names)]
