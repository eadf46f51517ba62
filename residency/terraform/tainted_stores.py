"""Protected stores whose creation was interrupted: kept, not replaced.

When an apply is interrupted (Ctrl-C) while the provider waits for a new resource to settle, such
as a KMS key's policy to propagate, the resource already exists but Terraform records it as
*tainted*: the next plan replaces it. For a store residency protects (`prevent_destroy`) that plan
is refused, and the workspace could never be applied again without a manual `terraform untaint`.
A store that exists is not broken, so before an apply residency refreshes the state (which drops
what does not exist) and untaints the protected ones that remain; the plan then completes their
settings in place. One that no longer exists is simply created anew.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from residency.errors import TerraformError
from residency.terraform.manifest import Workspace, read_synthesized
from residency.terraform.raw_state import managed_instances, read_state
from residency.terraform.runner import RunResult, Terraform


@dataclass(frozen=True)
class Repair:
    kept: list[str]
    recreated: list[str]
    failed: RunResult | None = None


def protected_addresses(synthesized: dict[str, object]) -> set[str]:
    """`type.name` of every resource the workspace marks `prevent_destroy`."""
    resources = synthesized.get("resource")
    found = set()
    for kind, blocks in (resources.items() if isinstance(resources, dict) else ()):
        for name, body in (blocks.items() if isinstance(blocks, dict) else ()):
            lifecycle = body.get("lifecycle") if isinstance(body, dict) else None
            if isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy") is True:
                found.add(f"{kind}.{name}")
    return found


def tainted_addresses(state: dict[str, object]) -> set[str]:
    """Addresses of the managed resource instances a raw state marks tainted."""
    return {address for address, _, instance in managed_instances(state) if instance.get("status") == "tainted"}


def keep_interrupted_creations(terraform: Terraform, workspace: Workspace, note: Callable[[str], None]) -> Repair:
    """Untaint the protected resources that exist; report those that will be created anew."""
    synthesized = read_synthesized(workspace.directory)
    protected = protected_addresses(synthesized)

    def tainted_protected() -> set[str]:
        return {address for address in tainted_addresses(read_state(terraform, workspace, synthesized))
                if address.split("[", 1)[0] in protected}

    if not protected:
        return Repair([], [])
    try:
        interrupted = tainted_protected()
    except TerraformError:
        return Repair([], [])  # an unreadable state: the plan that follows says what is wrong with it
    if not interrupted:
        return Repair([], [])
    refreshed = terraform.record_refreshed_state(workspace)  # drops what no longer exists
    if refreshed.returncode != 0:
        return Repair([], [], failed=refreshed)
    existing = tainted_protected()
    for address in sorted(existing):
        untainted = terraform.untaint(workspace, address)
        if untainted.returncode != 0:
            return Repair(sorted(existing), [], failed=untainted)
        note(f"{address} was being created when an earlier run stopped (interrupted or failed); it "
             "exists, so it is kept (untainted) and this apply completes its settings instead of replacing it")
    gone = sorted(interrupted - existing)
    for address in gone:
        note(f"{address} was being created when an earlier run stopped; it does not exist, so it is created anew")
    return Repair(sorted(existing), gone)
