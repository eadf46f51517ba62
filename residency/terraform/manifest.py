"""Workspaces of a synthesized cdktf.out and the order their dependencies impose."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError
from residency.files import read_handed_text

SYNTHESIZED = "cdk.tf.json"


@dataclass(frozen=True)
class Workspace:
    name: str
    directory: Path
    depends_on: tuple[str, ...]


def synthesized_document(workspace: Workspace) -> dict[str, object]:
    """The workspace's synthesized cdk.tf.json; {} when it cannot be read."""
    try:
        return read_synthesized(workspace.directory)
    except ResidencyError:
        return {}


def read_synthesized(directory: Path) -> dict[str, Any]:
    """The cdk.tf.json of a workspace directory; ResidencyError saying why when it is not a JSON object in a
    regular file (a FIFO or a device is refused at once)."""
    path = directory / SYNTHESIZED
    hint = "run `residency synth` to write it again"
    try:
        document = json.loads(read_handed_text(path))
    except OSError as error:
        raise ResidencyError(str(error), hint=hint) from None
    except ValueError as error:
        raise ResidencyError(f"{path} is not JSON ({error})", hint=hint) from None
    if not isinstance(document, dict):
        raise ResidencyError(f"{path} is not a Terraform JSON document", hint=hint)
    return document


def read_manifest(out_dir: Path) -> dict[str, Workspace]:
    manifest_file = out_dir / "manifest.json"
    try:
        manifest = json.loads(read_handed_text(manifest_file))
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
