"""regions.yaml: load it into a frozen Config, or fail with every problem located by line."""

from __future__ import annotations

from typing import Any

from residency.config.aws_regions import JURISDICTIONS, REGIONS, AwsRegion
from residency.config.countries import COUNTRY_CODES
from residency.config.loader import load_config
from residency.config.model import Config, DirectoryConfig, GlobalConfig, GuardException, RegionConfig
from residency.config.state import CloudState, LocalState, S3State, StateConfig

__all__ = [
    "COUNTRY_CODES",
    "JURISDICTIONS",
    "REGIONS",
    "AwsRegion",
    "CloudState",
    "Config",
    "DirectoryConfig",
    "GlobalConfig",
    "GuardException",
    "LocalState",
    "RegionConfig",
    "S3State",
    "StateConfig",
    "config_json_schema",
    "load_config",
]

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of regions.yaml, keyed by the names written in the file (`global`, not `global_`)."""
    schema = Config.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": _SCHEMA_DIALECT, **schema}
