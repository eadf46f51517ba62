"""Extension addresses that survive a rename: they derive from the construct ids the extension chooses.

Terraform keeps a resource's state by its address, and CDKTF derives an address from every construct id on the
way to the resource. The scope residency hands an extension is left out of that path, so a queue the extension
creates as `SqsQueue(scope, "invoices")` is `aws_sqs_queue.invoices`, and a table inside its own construct
`Documents(scope, "documents")` is `aws_dynamodb_table.documents_table_<hash>`, whatever the callable or its
module is called. Renaming the callable or moving it to another module plans nothing; renaming a construct id
is a new address (for that, a `moved` block: `resource.move_from_id("aws_sqs_queue.old_id")`).

The scope is named after the callable (so messages name it). Addresses written by residency before this (the
callable's name first, `region_resources_invoices_<hash>`)
are moved to the new ones by `moved` blocks, so an applied workspace plans no destroy on upgrade.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from cdktf import TerraformDataSource, TerraformElement, TerraformResource, TerraformStack
from constructs import Construct, Node

from residency.errors import ExtensionRefused

# CDKTF's own rules for a logical id (makeUniqueId): the hidden `Default` id, at most 240 characters of the
# readable part, an 8-character hash of the whole path.
HIDDEN_ID, HIDDEN_FROM_HUMAN_ID = "Default", "Resource"
MAX_HUMAN_LENGTH, MAX_ID_LENGTH, HASH_LENGTH = 240, 255, 8
NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]")
SCOPES = "_residency_extension_scopes"  # on a stack: the ids of the scopes its extensions were handed


def unique_id(components: Iterable[str]) -> str:
    """The logical id CDKTF gives a construct at this path below its stack (tests hold it equal to CDKTF's)."""
    parts = [component for component in components if component != HIDDEN_ID]
    if len(parts) == 1:
        alone = NOT_ALLOWED.sub("", parts[0])
        if len(alone) <= MAX_ID_LENGTH:
            return alone
    digest = hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()[:HASH_LENGTH].upper()
    readable: list[str] = []
    for part in parts:
        if not readable or not readable[-1].endswith(part):
            readable.append(part)
    human = "_".join(NOT_ALLOWED.sub("", part) for part in readable if part != HIDDEN_FROM_HUMAN_ID)
    return f"{human[:MAX_HUMAN_LENGTH]}_{digest}"


def extension_scope(stack: TerraformStack, id_: str) -> Construct:
    """The scope an extension is handed (named after its callable, for messages): never part of an address."""
    scopes: set[str] = getattr(stack, SCOPES, set())
    scopes.add(id_)
    setattr(stack, SCOPES, scopes)
    return Construct(stack, id_)


def own_path(node: Node) -> list[str] | None:
    """The construct ids below the extension scope that holds the construct; None when no extension made it."""
    scopes = node.scopes  # the app, the stack, then the constructs down to this one
    if len(scopes) < 3 or scopes[2].node.id not in getattr(scopes[1], SCOPES, ()):
        return None
    return [scope.node.id for scope in scopes[3:]]


class ExtensionAddressing(TerraformStack):
    """A stack whose extensions' resources are addressed by the construct ids they chose."""

    def _allocate_logical_id(self, tf_element: Node | TerraformElement) -> str:
        parts = own_path(tf_element.node if isinstance(tf_element, TerraformElement) else tf_element)
        if parts:
            return unique_id(parts)
        return super()._allocate_logical_id(tf_element)


def move_from_earlier_addresses(stack: TerraformStack, scope: Construct, where: str) -> None:
    """A `moved` block from each resource's address under the earlier scheme (the callable's name first) to its
    address now; and ExtensionRefused (65) when two resources of the workspace would share an address."""
    taken: dict[str, str] = {}
    inside = scope.node.path + "/"
    for child in stack.node.find_all():
        if isinstance(child, TerraformElement) and not child.node.path.startswith(inside):
            taken[_address(stack, child)] = child.node.path
    for child in scope.node.find_all():
        if not isinstance(child, TerraformElement):
            continue
        address = _address(stack, child)
        if address in taken:
            raise ExtensionRefused(f"{where}: {child.node.path} would have the address {address}, which "
                                   f"{taken[address]} already has",
                                   hint="give the construct another id (ids are the addresses of an extension's "
                                        "resources)")
        taken[address] = child.node.path
        parts = own_path(child.node)
        if isinstance(child, TerraformResource) and parts:
            earlier = unique_id([scope.node.id, *parts])
            if earlier != unique_id(parts):
                child.move_from_id(f"{child.terraform_resource_type}.{earlier}")


def _address(stack: TerraformStack, element: TerraformElement) -> str:
    kind = getattr(element, "terraform_resource_type", None) or type(element).__name__
    mode = "data." if isinstance(element, TerraformDataSource) else ""
    return f"{mode}{kind}.{stack.get_logical_id(element)}"
