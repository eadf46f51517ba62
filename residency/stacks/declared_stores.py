"""Declaring a personal-data store: the one call a construct makes for a resource that keeps people's data.

A declared store is protected (no plan may destroy or replace it) and listed in its workspace's output
`personal_data_stores` (see `residency/personal_data.py`), which `region retire` counts, exports and
empties from, and which residency rule RES013 holds every store of the workspace to.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformResource, TerraformStack

from residency.personal_data import OUTPUT, DeclaredStore, StoreKind

_DECLARED = "_residency_personal_data"


def protect(*resources: TerraformResource) -> None:
    """No plan may destroy (or replace) these: Terraform refuses such a plan before changing anything."""
    for resource in resources:
        resource.add_override("lifecycle.prevent_destroy", True)


def declare_personal_data(resource: TerraformResource, kind: StoreKind) -> None:
    """`resource` keeps personal data: protect it and list it in its workspace's declaration."""
    if resource.terraform_resource_type != kind.terraform_type:
        raise ValueError(f"a {kind.value} store must be a {kind.terraform_type}, "
                         f"not {resource.terraform_resource_type}")
    protect(resource)
    stack = TerraformStack.of(resource)
    declared: list[tuple[TerraformResource, StoreKind]] = getattr(stack, _DECLARED, [])
    declared.append((resource, kind))
    setattr(stack, _DECLARED, declared)


def declarations(stack: TerraformStack) -> tuple[tuple[TerraformResource, StoreKind], ...]:
    """The stores declared in `stack` so far, in the order they were declared."""
    return tuple(getattr(stack, _DECLARED, []))


def output_declaration(stack: TerraformStack) -> None:
    """The workspace's output listing every store declared in it (call once, after every construct)."""
    declared: list[tuple[TerraformResource, StoreKind]] = getattr(stack, _DECLARED, [])
    stores = [DeclaredStore(f"{resource.terraform_resource_type}.{resource.friendly_unique_id}", kind,
                            resource.get_string_attribute(kind.name_attribute)) for resource, kind in declared]
    TerraformOutput(stack, OUTPUT, value=[store.record() for store in sorted(stores)],
                    description="The stores of this workspace that keep personal data (residency region retire "
                                "counts, exports and empties them)")
