"""The sub-processor list a privacy officer asks for: per jurisdiction, who receives personal data."""

from __future__ import annotations

from residency.config import Config
from residency.guard.placement.outside_places import place_jurisdiction, place_label, processors_by_jurisdiction
from residency.guard.rules.findings import DataPath


def sub_processors(config: Config, paths: list[DataPath]) -> dict[str, list[dict[str, object]]]:
    """Per jurisdiction, the declared processors and the well-known service sites the workspaces send to, with
    the workspaces that do: the list a privacy officer asks for."""
    listed = processors_by_jurisdiction(config)
    used: dict[str, set[str]] = {}
    for path in paths:
        if path.kind == "processor":
            used.setdefault(path.destination, set()).add(path.workspace)
    for entries in listed.values():
        for entry in entries:
            entry["used_by"] = sorted(workspace for place, workspaces in used.items()
                                      if place.startswith(f"processor:{entry['name']}:") for workspace in workspaces)
    for place, workspaces in sorted(used.items()):
        jurisdiction = place_jurisdiction(place)
        if place.startswith("site:") and jurisdiction is not None:
            listed.setdefault(jurisdiction, []).append({"name": place_label(place), "well_known_site": True,
                                                        "used_by": sorted(workspaces)})
    return listed
