"""Planning a workspace before the workspaces it reads are applied.

`global` reads outputs of region workspaces through `terraform_remote_state`. Right after a region
is added, that region has no state yet and Terraform cannot plan `global` at all. For a plan (never
an apply: `apply` runs the region first), residency plans a copy of the workspace whose lookups of
such regions read a stand-in state with placeholder outputs, the way Terragrunt's mock outputs
work: the plan shows what `global` will add, with placeholder values where the region's real ones
will go.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from residency.terraform.manifest import SYNTHESIZED, Workspace, read_synthesized


def runs_here(workspace: Workspace) -> bool:
    """Whether Terraform plans on this machine: not where the state's backend runs Terraform itself (HCP
    Terraform), where the stand-in states would not exist."""
    from residency.config.state import backend_for

    terraform = read_synthesized(workspace.directory).get("terraform", {})
    kinds = [*(["cloud"] if "cloud" in terraform else []), *terraform.get("backend", {})]  # `cloud`: its own block
    return not any(backend.runs_remotely for backend in map(backend_for, kinds) if backend is not None)


def placeholder(region: str) -> str:
    """A value no real output has and readable in a plan, short and plain enough to pass what the
    provider checks while planning (a DNS label; a Route 53 zone id has at most 32 characters)."""
    return f"pending-{region}"


def with_placeholders(workspace: Workspace, unapplied: dict[str, Workspace], where: Path) -> Workspace:
    """A copy of `workspace` in `where` whose remote-state lookups of `unapplied` workspaces read
    placeholder outputs instead of a state that does not exist yet."""
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(workspace.directory, where, ignore=shutil.ignore_patterns(".terraform"))
    document = read_synthesized(where)
    lookups = _absolute_lookups(document, workspace.directory)
    text = json.dumps(document)
    for name, dependency in unapplied.items():
        for lookup_id in _lookups_of(lookups, name, dependency):
            outputs = _outputs_read(text, lookup_id)
            stand_in = where / f"placeholder-{name}.tfstate"
            stand_in.write_text(json.dumps(_state_with(outputs, placeholder(name))))
            lookups[lookup_id] = {"backend": "local", "config": {"path": str(stand_in)}}
    (where / SYNTHESIZED).write_text(json.dumps(document, indent=2))
    return Workspace(workspace.name, where, workspace.depends_on)


def reads_from(workspace: Workspace, name: str, dependency: Workspace) -> bool:
    """Whether `workspace` reads outputs of `dependency` (named `name`), rather than only coming after it
    (a region after its jurisdiction's audit home, whose bucket must exist first)."""
    document = read_synthesized(workspace.directory)
    return bool(_lookups_of(_absolute_lookups(document, workspace.directory), name, dependency))


def _absolute_lookups(document: dict[str, Any], directory: Path) -> dict[str, Any]:
    """The document's remote-state lookups, with what their settings name relative to `directory` (local state
    paths) made absolute, as the backend's too: a copy of the workspace lives elsewhere."""
    from residency.config.state import absolute_settings

    lookups: dict[str, Any] = document.get("data", {}).get("terraform_remote_state", {})
    backends: dict[str, Any] = document.get("terraform", {}).get("backend", {})
    for kind, settings in backends.items():
        backends[kind] = absolute_settings(kind, settings, directory)
    for lookup in lookups.values():
        if "config" in lookup:
            lookup["config"] = absolute_settings(lookup.get("backend"), lookup["config"], directory)
    return lookups


def _lookups_of(lookups: dict[str, Any], name: str, dependency: Workspace) -> list[str]:
    # cdktf names a lookup after the stack it reads; the backend settings say the same.
    backend = _backend_of(dependency)
    return [lookup_id for lookup_id, lookup in lookups.items()
            if (lookup.get("backend"), lookup.get("config")) == backend or lookup_id.endswith(f"-{name}")]


def _backend_of(workspace: Workspace) -> tuple[str, dict[str, Any]] | None:
    """(type, config) of the workspace's backend, as a remote-state lookup of it spells them."""
    document = read_synthesized(workspace.directory)
    backends = document.get("terraform", {}).get("backend", {})
    if len(backends) != 1:
        return None
    from residency.config.state import absolute_settings

    ((kind, config),) = backends.items()
    return kind, absolute_settings(kind, config, workspace.directory)


def _outputs_read(text: str, lookup_id: str) -> list[str]:
    pattern = rf"data\.terraform_remote_state\.{re.escape(lookup_id)}\.outputs\.([A-Za-z0-9_-]+)"
    return sorted(set(re.findall(pattern, text)))


def _state_with(outputs: list[str], value: str) -> dict[str, Any]:
    return {
        "version": 4,
        "serial": 1,
        "lineage": "residency-placeholder",
        "terraform_version": "1.0.0",
        "outputs": {name: {"value": value, "type": "string"} for name in outputs},
        "resources": [],
    }
