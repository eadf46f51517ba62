"""What the deployment still serves that regions.yaml no longer says: removed regions whose
workspace still exists (orphans), and countries now routed to another region.

Both come from what `global` recorded at its last apply (its `regions_served` output, readable
from any state backend), and for the local state backend also from the state files on disk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from residency import naming
from residency.errors import ResidencyError
from residency.files import read_handed_text
from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config
    from residency.terraform.manifest import Workspace
    from residency.terraform.runner import Terraform

# region -> its countries, as global's last apply recorded them
Served = dict[str, list[str]]


@dataclass(frozen=True)
class Orphan:
    region: str
    evidence: str  # how residency knows the workspace still exists

    def describe(self) -> str:
        return (f"{self.region} is no longer in regions.yaml but its workspace still exists ({self.evidence}): "
                f"`residency region retire {self.region}` removes it")


@dataclass(frozen=True)
class MovedCountry:
    country: str
    old_region: str
    new_region: str


def last_served(terraform: Terraform, global_workspace: Workspace) -> Served | None:
    """What global's last apply served; None when global was never applied (or cannot be read)."""
    init = terraform.init(global_workspace)
    if init is not None and init.returncode != 0:
        return None
    try:
        value = terraform.outputs(global_workspace).get(naming.REGIONS_OUTPUT)
    except ResidencyError:
        return None
    if not isinstance(value, dict):
        return None
    return {str(region): [str(c) for c in countries] for region, countries in value.items()
            if isinstance(countries, list)}


def find_orphans(config: Config, paths: ProjectPaths, served: Served | None) -> list[Orphan]:
    found: dict[str, Orphan] = {}
    for region in served or {}:
        if region not in config.regions:
            found[region] = Orphan(region, "global's last apply still routes to it")
    for state_file in sorted(paths.work.glob("state/*/terraform.tfstate")):
        name = state_file.parent.name
        if name in config.workspaces or name.startswith(naming.BOOTSTRAP_WORKSPACE_PREFIX) or name in found:
            continue
        count = resource_count(state_file)
        if count:
            found[name] = Orphan(name, f"its local state lists {count} resources")
    return sorted(found.values(), key=lambda orphan: orphan.region)


def moved_countries(config: Config, served: Served | None) -> list[MovedCountry]:
    before = {country: region for region, countries in (served or {}).items() for country in countries}
    return [MovedCountry(country, before[country], code)
            for code in config.regions for country in config.countries_of(code)
            if country in before and before[country] != code]


def describe_move(config: Config, move: MovedCountry) -> str:
    directory = naming.directory_table_name(config.project)
    return (f"{move.country} moves from {move.old_region} to {move.new_region}: only routing changes. Users who "
            f"signed up from {move.country} before stay in {move.old_region} with their data (nothing is "
            f"moved); the directory ({directory} in {config.global_.region}) keeps sending each of them there. "
            f"Their directory entries have home_region = {move.old_region}.")


def resource_count(state_file: Path) -> int:
    try:
        return len(json.loads(read_handed_text(state_file)).get("resources", []))
    except (OSError, ValueError, AttributeError):
        return 0
