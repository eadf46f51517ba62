"""regions.yaml: load it into a frozen Config, or fail with every problem located by line.

The names below are read from their modules when first used (PEP 562), so that importing a light module of this
package (the AWS region table, the starter) does not load pydantic and the model: the CLI starts without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from residency.config.aws_regions import JURISDICTIONS, REGIONS, AwsRegion
    from residency.config.countries import COUNTRY_CODES
    from residency.config.loader import load_config
    from residency.config.model import Config, DirectoryConfig, GlobalConfig, GuardException, RegionConfig
    from residency.config.state import CloudState, LocalState, S3State, StateConfig

_HOMES = {
    "residency.config.aws_regions": ("JURISDICTIONS", "REGIONS", "AwsRegion"),
    "residency.config.countries": ("COUNTRY_CODES",),
    "residency.config.loader": ("load_config",),
    "residency.config.model": ("Config", "DirectoryConfig", "GlobalConfig", "GuardException", "RegionConfig"),
    "residency.config.state": ("CloudState", "LocalState", "S3State", "StateConfig"),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

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


def __getattr__(name: str) -> Any:
    if name not in _HOME_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME_OF[name]), name)
    globals()[name] = value
    return value


def config_json_schema() -> dict[str, Any]:
    """The JSON Schema of regions.yaml, keyed by the names written in the file (`global`, not `global_`)."""
    from residency.config.model import Config

    schema = Config.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": _SCHEMA_DIALECT, **schema}
