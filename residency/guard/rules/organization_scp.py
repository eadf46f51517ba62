"""RES008: the organization SCP, when the output holds one (or regions.yaml asks for it), still does what it must."""

from __future__ import annotations

from collections.abc import Iterator

from residency.guard.policies.organization_scp import SCP_FILE, scp_file_problems
from residency.guard.rules.context import Organization
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, Scope, rule


@rule("RES008", "The organization SCP keeps every account in the governed regions",
      why="The SCP is the backstop for what Terraform does not manage: consoles, scripts, other tools; and it keeps "
          "everyone but the deployer roles from invoking or changing the project's functions (a crafted event is a "
          "trigger).",
      fix="Regenerate it with `organization_scp: true` and `residency synth`, and review any change to it.",
      scope=Scope.ORGANIZATION)
def organization_scp_holds(organization: Organization, emit: Emit) -> Iterator[Finding | DataPath]:
    path = organization.scp_file
    if path is None:
        if organization.config.organization_scp:
            yield emit(SCP_FILE, "regions.yaml asks for the organization SCP (organization_scp: true), but the "
                       "output has none")
        return
    for problem in scp_file_problems(organization.config, path):
        yield emit(f"{path.name}{'#' + problem.statement if problem.statement else ''}", f"the SCP {problem.message}")
