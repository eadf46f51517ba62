"""A project's regions.yaml as the commands see it: loaded, summarized, its workspaces chosen by name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency import workspaces
from residency.errors import UsageError

if TYPE_CHECKING:
    from residency.config import Config

__all__ = ["WorkspaceRow", "config_schema", "dump", "load", "select", "workspace_rows"]


def load(config_path: Path) -> Config:
    """regions.yaml, validated (pydantic is imported here, not when the CLI starts)."""
    from residency.config import load_config

    return load_config(config_path)


def config_schema() -> dict[str, Any]:
    from residency.config import config_json_schema

    return config_json_schema()


def dump(config: Config) -> dict[str, Any]:
    """The configuration as its JSON document, keyed as the file is (`global`)."""
    return config.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class WorkspaceRow:
    workspace: str
    region: str
    jurisdiction: str
    countries: tuple[str, ...]
    default: bool
    state: str

    def as_json(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "region": self.region, "jurisdiction": self.jurisdiction,
                "countries": list(self.countries), "default": self.default, "state": self.state}


def workspace_rows(config: Config) -> list[WorkspaceRow]:
    """Every workspace with its region, jurisdiction, countries and where its state lives."""
    rows = []
    for name in workspaces.workspace_names(config):
        region = config.regions.get(name)
        rows.append(WorkspaceRow(
            workspace=name,
            region=name if region else config.global_.region,
            jurisdiction=config.jurisdiction_of(name),
            countries=tuple(config.countries_of(name)) if region else (),
            default=bool(region and region.default),
            state=config.state_location(name)))
    return rows


def select(config: Config, config_path: Path, names: list[str] | None, all_: bool,
           exclude: list[str] | None = None) -> list[str]:
    """The workspaces named (by name, jurisdiction or glob; or all of them) less those excluded, in regions.yaml's
    order; a usage error for a name that names none.

    An AWS region that regions.yaml does not list is not a typo: the hint says how to add it."""
    from residency.config.aws_regions import REGIONS

    for name in names or []:
        region = REGIONS.get(name)
        if name not in config.workspaces and region is not None:
            raise UsageError(
                f"{name} ({region.city}, jurisdiction {region.jurisdiction}) is not a region in {config_path}",
                hint=f"add it: `residency region add {name} --countries "
                     f"CC[,CC...]`; workspaces now: {', '.join(config.workspaces)}")
    return workspaces.select(config, names or [], all_, exclude or [])
