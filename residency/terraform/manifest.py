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


def synthesized_document(workspace: Workspace) -> dict[str, object]:
    """The workspace's synthesized cdk.tf.json; {} when it cannot be read."""
    try:
        document = json.loads((workspace.directory / "cdk.tf.json").read_text())
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


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
    """`names` sorted so every workspace comes after the selected ones it depends on.

    Among workspaces that are ready, the one earlier in `names` goes first (regions.yaml order,
    `global` last), so the order is stable and predictable.
    """
    pending = list(dict.fromkeys(names))
    selected = set(pending)
    ordered: list[str] = []
    while pending:
        ready = next((name for name in pending
                      if all(dep in ordered or dep not in selected for dep in workspaces[name].depends_on)),
                     None)
        if ready is None:
            raise ResidencyError(f"workspace dependency cycle among {', '.join(pending)}")
        ordered.append(ready)
        pending.remove(ready)
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
