"""RES009: a workspace holds only what the catalog lets its kind of workspace hold (fail closed).

RES012: a workspace reads the same to residency as it does to Terraform.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from residency.guard.placement import catalog
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.workspace import Resource

REVIEW_HINT = ("if it is needed, have it reviewed for residency and add an `exceptions:` entry (rule, resource, "
               "reason, expiry) to regions.yaml")
# Blocks inside a resource that run commands or code residency cannot see.
OPAQUE_BLOCKS = ("provisioner", "connection")


@rule("RES009", "Only reviewed resource types and constructs",
      why="residency can only vouch for what its catalog describes: the attributes of each type that name a "
          "place, and where data flows through them. Anything else (an unreviewed type, a module, a provisioner, "
          "another provider) may move personal data in ways no rule looks at.",
      fix="Use catalogued types, or record a reviewed, expiring exception for the one you need.")
def only_reviewed(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    kind = context.kind
    workspace = context.workspace
    for resource in chain(workspace.resources(), workspace.data_sources()):
        entry = catalog.data_source(resource.type) if resource.mode == "data" else catalog.entry(resource.type)
        if entry is None:
            yield emit(resource.address, f"{_what(resource)} {resource.type} is not in "
                       f"residency's catalog, so where it moves data is unknown; {REVIEW_HINT}",
                       context.region, "unknown")
        elif kind not in entry.workspaces:
            allowed = ", ".join(sorted(k.value for k in entry.workspaces))
            yield emit(resource.address, f"{_what(resource)} {resource.type} is reviewed for "
                       f"{allowed} workspaces only, not for a {kind.value} workspace; {REVIEW_HINT}",
                       context.region, "unknown")
        for block in OPAQUE_BLOCKS:
            if block in resource.body:
                yield emit(resource.address, f"a {block} runs commands residency cannot see "
                           f"(they could copy data anywhere); {REVIEW_HINT}", context.region, "unknown")
    for name in workspace.document.get("module", {}):
        yield emit(f"module.{name}", f"a module's contents are not checked; {REVIEW_HINT}",
                   context.region, "unknown")


def _what(resource: Resource) -> str:
    return "data source" if resource.mode == "data" else "resource type"


@rule("RES012", "The workspace reads the same to residency as to Terraform",
      why="residency judges the configuration Terraform will apply; a file it cannot read, or JSON that readers "
          "disagree on, could hide anything.",
      fix="Keep workspaces as residency writes them: Terraform JSON only, no duplicate keys, no other files.")
def readable(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    for problem in context.workspace.problems:
        yield emit(problem.location, problem.message, context.region, "unknown")
