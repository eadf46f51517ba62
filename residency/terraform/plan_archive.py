"""What a saved plan file carries besides its changes (Terraform writes it as a zip), read once: the root module's
configuration files it applies, and the state it was made against, refreshed (`tfstate`: the apply starts from it,
its outputs already evaluated with the new configuration) and as it was stored (`tfstate-prev`, the plan's `moved`
blocks applied). reviewed_plans.py and plan_prior_state.py judge them; ChangeSet takes the stored outputs."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError
from residency.files import open_handed_file

CONFIG_PREFIX = "tfconfig/m-/"
PRIOR_STATE, STORED_STATE = "tfstate", "tfstate-prev"


class UnreadablePlanFile(ResidencyError):
    """The file is not a Terraform plan residency can read."""


@dataclass(frozen=True)
class PlanArchive:
    configuration: Mapping[str, bytes]  # the root module's files, by name
    prior_state: Mapping[str, Any]  # {} when the plan was made without a state
    stored_state: Mapping[str, Any]

    @property
    def stored_outputs(self) -> dict[str, Any]:
        """The root outputs as the state stored them (a store whose declaration the change removes is still there)."""
        outputs = self.stored_state.get("outputs")
        if not isinstance(outputs, dict):
            return {}
        return {name: entry.get("value") for name, entry in outputs.items() if isinstance(entry, dict)}


def read_plan_archive(plan_file: Path) -> PlanArchive:
    """UnreadablePlanFile when the file is no zip or a state in it is no JSON object (or no regular file: zipfile
    would wait on a FIFO)."""
    try:
        with open_handed_file(plan_file) as file, zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            configuration = {name[len(CONFIG_PREFIX):]: archive.read(name) for name in names
                             if name.startswith(CONFIG_PREFIX) and not name.endswith("/")}
            states = [json.loads(archive.read(name)) if name in names else {} for name in (PRIOR_STATE, STORED_STATE)]
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadablePlanFile(f"the plan file cannot be read as a Terraform plan ({error})") from error
    if not all(isinstance(state, dict) for state in states):
        raise UnreadablePlanFile("the plan file cannot be read as a Terraform plan (a state in it is not an object)")
    return PlanArchive(configuration, states[0], states[1])


def stored_outputs(plan_file: Path) -> dict[str, Any] | None:
    """The root outputs as the state a plan was made against stored them; None when the file cannot be read (the
    caller then has only Terraform's view of them)."""
    try:
        return read_plan_archive(plan_file).stored_outputs
    except UnreadablePlanFile:
        return None
