"""Workspaces of a synthesized cdktf.out and the order their dependencies impose."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from residency.errors import ResidencyError


@dataclass(frozen=True)
class Workspace:
    name: str
    directory: Path
    depends_on: tuple[str, ...]


def read_manifest(out_dir: Path) -> dict[str, Workspace]:
    manifest_file = out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_file.read_text())
    except (OSError, ValueError) as error:
        raise ResidencyError(
            f"cannot read {manifest_file}: {error}", hint="run `residency synth` first",
        ) from error
    return {
        name: Workspace(
            name=name,
            directory=out_dir / stack["workingDirectory"],
            depends_on=tuple(stack.get("dependencies", ())),
        )
        for name, stack in manifest["stacks"].items()
    }


def dependency_order(names: list[str], workspaces: dict[str, Workspace]) -> list[str]:
    """`names` sorted so every workspace comes after the ones it depends on.

    Ties keep the order of `names` (regions.yaml order, `global` last), so output is stable.
    """
    selected = set(names)
    ordered: list[str] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        if name in visiting:
            raise ResidencyError(f"workspace dependency cycle through {name!r}")
        visiting.add(name)
        for dependency in workspaces[name].depends_on:
            if dependency in selected:
                place(dependency)
        visiting.discard(name)
        placed.add(name)
        ordered.append(name)

    for name in names:
        place(name)
    return ordered


def dependents_of(name: str, workspaces: dict[str, Workspace]) -> set[str]:
    """Every workspace that depends on `name`, directly or not."""
    found: set[str] = set()
    frontier = [name]
    while frontier:
        current = frontier.pop()
        for workspace in workspaces.values():
            if current in workspace.depends_on and workspace.name not in found:
                found.add(workspace.name)
                frontier.append(workspace.name)
    return found
