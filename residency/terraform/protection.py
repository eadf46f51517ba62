"""What no plan may delete, whichever way it was made (fresh, reviewed, tainted, crafted): judged on the change
set of the plan file about to be applied, before anything is applied.

A plan is refused when it deletes or replaces
- a resource the configuration marks `prevent_destroy`, or one whose deletion protection is on;
- a personal-data store: declared by the configuration or by the state the plan was made against (so removing
  the extension that declared it does not drop it), or any resource of a store's type (fail closed);
- a KMS key (what it encrypted could never be read again);
- what guards a store (its encryption, public-access block, versioning, policy...), unless the same plan puts
  one of the same type on the same store.

`region retire` is the way a region's stores are removed, `store retire` the way one store an extension no longer
declares is (exported, counted, confirmed by its name); a removed resource can be kept out of Terraform
without deleting it (a `removed` block with `destroy = false`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from residency.personal_data import (
    KEY_TYPES,
    OUTPUT,
    STORE_GUARDS,
    STORE_TYPES,
    MalformedDeclaration,
    parse_declaration,
)
from residency.terraform.change_set import UNKNOWN, ChangeSet, ResourceChange
from residency.terraform.tainted_stores import protected_addresses

INSTANCE_KEY = re.compile(r"\[[^\]]*\]$")
WAY_OUT = ("nothing was applied. To keep a resource that leaves the configuration without deleting it, give it a "
           "`removed` block with `lifecycle { destroy = false }`; a region's stores are removed only by "
           "`residency region retire`, a store an extension no longer declares by `residency store retire`; "
           "a rename keeps the resource with a `moved` block")


@dataclass(frozen=True)
class Refusal:
    address: str
    why: str

    def describe(self) -> str:
        return f"{self.address}: {self.why}"


def refusals(change_set: ChangeSet, synthesized: Mapping[str, Any], *,
             retiring: frozenset[str] = frozenset()) -> list[Refusal]:
    """What the plan would delete that must not be deleted (none: it may be applied). `retiring`: the addresses of
    a store and its guards that `residency store retire` removes on purpose (deleted, never replaced)."""
    protected = protected_addresses(dict(synthesized))
    declared = _declared_addresses(synthesized, change_set.prior_outputs)
    found = []
    for change in change_set.changes:
        if not change.deletes or (change.actions == ("delete",) and change.address in retiring):
            continue
        why = _why_protected(change, protected, declared, change_set.changes)
        if why:
            found.append(Refusal(change.address, f"{change.describe_action()}, but {why}"))
    return found


def what_it_protects(change: ResourceChange, synthesized: Mapping[str, Any], prior_outputs: Mapping[str, Any]) -> str:
    """What residency protects in this resource, for a reader of the diff ("" for nothing)."""
    base = INSTANCE_KEY.sub("", change.address)
    if change.type in STORE_TYPES or base in _declared_addresses(synthesized, prior_outputs):
        return "personal-data store"
    if change.type in KEY_TYPES:
        return "KMS key"
    if change.type in STORE_GUARDS:
        return "guards a store"
    if base in protected_addresses(dict(synthesized)) or _deletion_protected(change.before):
        return "protected"
    return ""


def describe_refusals(found: Iterable[Refusal]) -> str:
    lines = [f"  {refusal.describe()}" for refusal in found]
    return "the plan deletes what residency protects:\n" + "\n".join(lines) + f"\n  {WAY_OUT}"


def _why_protected(change: ResourceChange, protected: set[str], declared: set[str],
                   changes: Iterable[ResourceChange]) -> str:
    base = INSTANCE_KEY.sub("", change.address)
    if base in protected:
        return "the configuration marks it prevent_destroy"
    if _deletion_protected(change.before):
        return "its deletion protection is on"
    if change.address in declared or base in declared:
        return "it is a declared personal-data store"
    if change.type in STORE_TYPES:
        return f"it is a data store ({change.type}), which may hold personal data"
    if change.type in KEY_TYPES:
        return "it is a KMS key: what it encrypted could never be read again"
    attribute = STORE_GUARDS.get(change.type)
    if attribute is not None:
        # A replacement is the guard put back on its store, unless it moves to another one (or one not known).
        store = change.before.get(attribute) if isinstance(change.before, dict) else None
        if not _replaced_in_same_plan(change.type, attribute, store, changes):
            return (f"it guards the store {store or '(unknown)'} and nothing in the plan puts another "
                    f"{change.type} on it")
    return ""


def _deletion_protected(before: Any) -> bool:
    if not isinstance(before, dict):
        return False
    return any(key.startswith("deletion_protection") and value in (True, "ACTIVE", "ENABLED", "true")
               for key, value in before.items())


def _replaced_in_same_plan(type_: str, attribute: str, store: Any, changes: Iterable[ResourceChange]) -> bool:
    if store in (None, "", UNKNOWN):
        return False
    return any(other.type == type_ and other.creates and isinstance(other.after, dict)
               and other.after.get(attribute) == store for other in changes)


def _declared_addresses(synthesized: Mapping[str, Any], prior_outputs: Mapping[str, Any]) -> set[str]:
    """The addresses the configuration declares as personal-data stores, and those the prior state declared.
    A declaration that cannot be read protects nothing by address (every store type is protected anyway)."""
    found: set[str] = set()
    output = synthesized.get("output")
    configured = output.get(OUTPUT) if isinstance(output, dict) else None
    for value in (configured.get("value") if isinstance(configured, dict) else None, prior_outputs.get(OUTPUT)):
        if value is None:
            continue
        try:
            found |= {store.address for store in parse_declaration(value)}
        except MalformedDeclaration:
            continue
    return found
