"""The protected resources (`prevent_destroy`) a workspace's state holds: what `destroy` must not reach."""

from __future__ import annotations

from dataclasses import dataclass

from residency.terraform.manifest import Workspace, read_synthesized
from residency.terraform.raw_state import managed_instances, read_state
from residency.terraform.runner import Terraform
from residency.terraform.tainted_stores import protected_addresses

# The attribute that names a resource of each kind, for a message a person can act on.
NAME_ATTRIBUTES = ("bucket", "name", "function_name", "arn", "id")


@dataclass(frozen=True)
class ProtectedStore:
    address: str
    name: str


def protected_in_state(terraform: Terraform, workspace: Workspace) -> list[ProtectedStore]:
    """The workspace's protected resources that its state holds (state read as `read_state` does)."""
    synthesized = read_synthesized(workspace.directory)
    protected = protected_addresses(synthesized)
    if not protected:
        return []
    state = read_state(terraform, workspace, synthesized)
    found = []
    for address, base, instance in managed_instances(state):
        if base not in protected:
            continue
        attributes = instance.get("attributes")
        values = attributes if isinstance(attributes, dict) else {}
        name = next((str(values[key]) for key in NAME_ATTRIBUTES if values.get(key)), address)
        found.append(ProtectedStore(address, name))
    return found
