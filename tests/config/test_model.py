"""model: strict, frozen, hashable models, their helpers, the tables and the JSON Schema."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from pydantic import ValidationError

from residency.config import (
    COUNTRY_CODES,
    JURISDICTIONS,
    REGIONS,
    AwsRegion,
    Config,
    GlobalConfig,
    LocalState,
    RegionConfig,
    config_json_schema,
)
from residency.config.countries import COMMON_MISTAKES


def config_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "project": "acme-health",
        "regions": {
            "eu-central-1": {"jurisdiction": "EU", "countries": ["DE", "FR"]},
            "us-east-1": {"jurisdiction": "US", "countries": ["US"], "default": True},
        },
    }
    return {**data, **overrides}


def test_defaults_match_the_design() -> None:
    config = Config.model_validate(config_data())
    assert config.target == "local"
    assert config.domain is None
    assert config.state == LocalState()
    assert config.global_ == GlobalConfig(region="us-east-1", routing="geolocation", frontend=False)
    assert config.tags == {}
    assert config.regions["eu-central-1"] == RegionConfig(jurisdiction="EU", countries=("DE", "FR"))
    assert RegionConfig(jurisdiction="EU").countries == ()
    assert RegionConfig(jurisdiction="EU").failover is None
    assert RegionConfig(jurisdiction="EU").default is False


def test_helpers() -> None:
    config = Config.model_validate(config_data())
    assert config.region_codes == ("eu-central-1", "us-east-1")
    assert config.default_region == "us-east-1"
    assert config.jurisdictions == ("EU", "US")
    assert config.workspaces == ("eu-central-1", "us-east-1", "global")


def test_default_region_is_none_without_a_default() -> None:
    data = config_data(regions={"eu-west-1": {"jurisdiction": "EU"}})
    assert Config.model_validate(data).default_region is None


def test_models_are_frozen_and_hashable() -> None:
    config = Config.model_validate(config_data(tags={"team": "core"}))
    with pytest.raises(ValidationError):
        config.project = "other"
    with pytest.raises(TypeError, match="read-only"):
        config.regions["ap-southeast-2"] = RegionConfig(jurisdiction="AU")  # type: ignore[index]
    with pytest.raises(TypeError, match="read-only"):
        config.tags.update({"x": "y"})  # type: ignore[attr-defined]
    assert isinstance(config.regions["eu-central-1"].countries, tuple)
    assert hash(config) == hash(Config.model_validate(config_data(tags={"team": "core"})))


def test_models_survive_copy_and_pickle() -> None:
    config = Config.model_validate(config_data(tags={"team": "core"}))
    assert copy.deepcopy(config) == config
    assert pickle.loads(pickle.dumps(config)) == config


def test_global_is_written_global_and_read_as_global_() -> None:
    config = Config.model_validate(config_data(**{"global": {"frontend": True}}))
    assert config.global_.frontend is True
    dumped = config.model_dump()
    assert "global" in dumped and "global_" not in dumped
    assert dumped["global"] == {"region": "us-east-1", "routing": "geolocation", "frontend": True}


@pytest.mark.parametrize(
    ("overrides", "loc", "kind"),
    [
        ({"global": {"frontend": "yes"}}, ("global", "frontend"), "bool_type"),
        (
            {"regions": {"us-east-1": {"jurisdiction": "US", "countries": "US"}}},
            ("regions", "us-east-1", "countries"),
            "tuple_type",
        ),
        (
            {"regions": {"us-east-1": {"jurisdiction": "US", "countries": [1]}}},
            ("regions", "us-east-1", "countries", 0),
            "string_type",
        ),
        ({"project": 12}, ("project",), "string_type"),
        ({"target": "AWS"}, ("target",), "literal_error"),
        ({"tags": {"team": 1}}, ("tags", "team"), "string_type"),
        ({"regions": {}}, ("regions",), "too_short"),
        ({"global_": {}}, ("global_",), "extra_forbidden"),
    ],
)
def test_models_are_strict(overrides: dict[str, Any], loc: tuple[str | int, ...], kind: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Config.model_validate(config_data(**overrides))
    assert [(error["loc"], error["type"]) for error in caught.value.errors()] == [(loc, kind)]


def test_json_schema_uses_the_file_names() -> None:
    schema = config_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "regions.yaml"
    assert set(schema["properties"]) == {"project", "target", "domain", "state", "global", "regions", "directory",
                                         "identity", "limits", "exceptions", "processors", "organization_scp", "tags",
                                         "extensions", "ci", "features", "alerts", "audit", "tracing"}
    assert schema["required"] == ["project", "regions"]
    assert schema["additionalProperties"] is False
    extensions = schema["$defs"]["ExtensionsConfig"]["properties"]
    assert set(extensions) == {"region", "global"}
    assert extensions["region"]["items"]["pattern"].startswith("^")
    assert schema["properties"]["regions"]["minProperties"] == 1
    assert schema["properties"]["regions"]["propertyNames"]["enum"] == sorted(REGIONS)
    region = schema["$defs"]["RegionConfig"]
    assert region["required"] == ["jurisdiction"]
    assert region["properties"]["jurisdiction"]["enum"] == list(JURISDICTIONS)
    assert region["properties"]["countries"]["items"]["enum"] == sorted({*COUNTRY_CODES, "EU", "UK"})


def test_region_table() -> None:
    assert REGIONS["eu-central-1"] == AwsRegion("eu-central-1", "EU", "Frankfurt")
    assert REGIONS["eu-west-2"] == AwsRegion("eu-west-2", "UK", "London")
    assert REGIONS["eu-central-2"] == AwsRegion("eu-central-2", "CH", "Zurich")
    assert REGIONS["sa-east-1"].city == "São Paulo"
    assert all(code == region.code for code, region in REGIONS.items())
    assert list(JURISDICTIONS) == sorted({region.jurisdiction for region in REGIONS.values()})
    assert {"EU", "UK", "CH", "US", "AU", "JP"} <= set(JURISDICTIONS)


def test_country_table_is_the_full_iso_set() -> None:
    assert len(COUNTRY_CODES) == 249
    assert all(len(code) == 2 and code.isupper() for code in COUNTRY_CODES)
    assert {"GB", "GR", "NO", "US", "DE", "AX", "SS", "XK"} & COUNTRY_CODES == {
        "GB",
        "GR",
        "NO",
        "US",
        "DE",
        "AX",
        "SS",
    }
    assert "UK" not in COUNTRY_CODES and "EL" not in COUNTRY_CODES
    assert all(correction.code in COUNTRY_CODES for correction in COMMON_MISTAKES.values())
    assert COMMON_MISTAKES["UK"].code == "GB"
