"""Whether the states a reviewed plan file carries are the workspace's state, not edited ones.

A plan file holds the state it was made against (`tfstate-prev`, as stored), that state refreshed (`tfstate`,
which Terraform's apply starts from) and, per change, the resource's values before it (which say what a deletion
deletes). Serial and lineage match the manifest in any edited file, so the contents are checked too:

- the stored state the plan carries has the resources of the workspace's state, each with its `id`;
- each resource the plan deletes, changes or moves was that very resource (its `id`) in the workspace's state;
- what the refreshed state leaves out, AWS no longer has (the caller checks with a refresh of its own): a state
  that simply forgets a resource would leave it in AWS outside Terraform, and outside every retirement.
"""

from __future__ import annotations

from typing import Any

from residency.terraform.change_set import ChangeSet
from residency.terraform.plan_archive import PlanArchive
from residency.terraform.raw_state import managed_instances


def instance_ids(state: dict[str, Any]) -> dict[str, Any]:
    """Each managed resource instance of a raw state, with its `id` (None when it has none)."""
    found = {}
    for address, _base, instance in managed_instances(state, root_only=False):
        attributes = instance.get("attributes")
        found[address] = attributes.get("id") if isinstance(attributes, dict) else None
    return found


def prior_state_mismatch(archive: PlanArchive, stored: dict[str, Any],
                         change_set: ChangeSet) -> tuple[str | None, set[str]]:
    """Why the plan's states are not the workspace's (None when they are), and the addresses its refreshed state
    leaves out, which the caller must find gone from AWS."""
    current = instance_ids(stored)
    moves = {change.moved_from: change.address for change in change_set.changes if change.moved_from}
    # Terraform carries the stored state with the plan's `moved` blocks already applied.
    expected = {moves.get(address, address): known for address, known in current.items()}
    carried_ids = instance_ids(dict(archive.stored_state))
    if carried_ids != expected:
        differing = sorted(address for address in set(carried_ids) | set(expected)
                           if carried_ids.get(address, carried_ids) != expected.get(address, expected))
        return (f"the state inside the plan file is not the workspace's state ({', '.join(differing[:5])} "
                "differ)"), set()
    for change in change_set.changes:
        if not any(action in change.actions for action in ("delete", "update", "move", "forget")):
            continue
        was = change.moved_from or change.address
        before_id = change.before.get("id") if isinstance(change.before, dict) else None
        if was not in current or before_id != current[was]:
            return (f"the plan's {change.address} is not the workspace's {was} (its id in the plan is "
                    f"{before_id!r}, in the state {current.get(was)!r})"), set()
    return None, set(expected) - set(instance_ids(dict(archive.prior_state)))
