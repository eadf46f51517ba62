"""Whether a workspace was ever applied, and the selected workspaces that need one that never was."""

from __future__ import annotations

from residency.errors import ResidencyError
from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome, Status
from residency.terraform.runner import Terraform


def applied(terraform: Terraform, workspace: Workspace) -> bool:
    """Whether the workspace's state has outputs; when that cannot be told, assume it has."""
    init = terraform.init(workspace)
    if init is not None and init.returncode != 0:
        return True
    try:
        return bool(terraform.outputs(workspace))
    except ResidencyError:
        return True


def unapplied_dependencies(terraform: Terraform, workspaces: dict[str, Workspace],
                           order: list[str]) -> dict[str, list[str]]:
    """The selected workspaces that need a workspace left out of the selection and never applied (a region
    after its jurisdiction's audit home; global after the regions it reads), with those workspaces."""
    selected = set(order)
    known: dict[str, bool] = {}
    waiting: dict[str, list[str]] = {}
    for name in order:
        for dependency in workspaces[name].depends_on:
            if dependency in selected or dependency not in workspaces:
                continue
            if dependency not in known:
                known[dependency] = applied(terraform, workspaces[dependency])
            if not known[dependency]:
                waiting.setdefault(name, []).append(dependency)
    return waiting


def needs_first(name: str, dependencies: list[str]) -> Outcome:
    needed = ", ".join(dependencies)
    return Outcome(name, Status.FAILED, error=(
        f"not applied: it needs what {needed} creates, and {needed} was never applied; apply it first, or "
        f"both together: `residency apply {' '.join([*dependencies, name])}`"))
