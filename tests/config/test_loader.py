"""loader: the sample loads, schema errors read well, and no input ever ends in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency.config import Config, GlobalConfig, LocalState, RegionConfig, load_config
from residency.config.loader import show_value
from residency.errors import ConfigError
from tests.config.conftest import LoadError, WriteConfig
from tests.conftest import SAMPLE

SAMPLE_TEXT = """
project: acme-health
target: local
global:
  region: us-east-1
  routing: geolocation
  frontend: false
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE, FR, NL, AT, BE, IE, IT, ES]
  us-east-1:
    jurisdiction: US
    countries: [US]
    default: true
  ap-southeast-2:
    jurisdiction: AU
    countries: [AU, NZ]
tags: {}
"""

REGION_US = "\n  us-east-1:\n    jurisdiction: US\n    countries: [US]\n    default: true\n"


def rendered(load_error: LoadError, text: str) -> str:
    path, error = load_error(text)
    return error.render().replace(str(path), "regions.yaml")


def test_the_sample_loads_into_the_expected_model(write_config: WriteConfig) -> None:
    config = load_config(write_config(SAMPLE_TEXT))
    assert config.project == "acme-health"
    assert config.target == "local"
    assert config.domain is None
    assert config.state == LocalState()
    assert config.global_ == GlobalConfig(region="us-east-1", routing="geolocation", frontend=False)
    assert dict(config.regions) == {
        "eu-central-1": RegionConfig(jurisdiction="EU", countries=("DE", "FR", "NL", "AT", "BE", "IE", "IT", "ES")),
        "us-east-1": RegionConfig(jurisdiction="US", countries=("US",), default=True),
        "ap-southeast-2": RegionConfig(jurisdiction="AU", countries=("AU", "NZ")),
    }
    assert config.tags == {}
    assert config.region_codes == ("eu-central-1", "us-east-1", "ap-southeast-2")
    assert config.default_region == "us-east-1"


def test_the_shipped_sample_loads() -> None:
    assert isinstance(load_config(SAMPLE), Config)


def test_anchors_and_aliases_work(write_config: WriteConfig) -> None:
    text = (
        "project: acme\nregions:\n  eu-central-1: &eu\n    jurisdiction: EU\n    countries: [DE]\n"
        "    default: true\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE]\n"
        "    failover: eu-central-1\ntags:\n  team: &team core\n  owner: *team\n"
    )
    config = load_config(write_config(text))
    assert config.regions["eu-west-1"].failover == "eu-central-1"
    assert dict(config.tags) == {"team": "core", "owner": "core"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"project: acme\nglobal:\n  frontend: yes\nregions:{REGION_US}",
            "regions.yaml:3: global.frontend: expected true or false, got 'yes'\n"
            "  hint: write true: YAML 1.2 reads yes as text",
        ),
        (
            f"project: acme\nglobal:\n  frontend: 'no'\nregions:{REGION_US}",
            "regions.yaml:3: global.frontend: expected true or false, got 'no'\n"
            "  hint: write false: YAML 1.2 reads no as text",
        ),
        (
            "project: acme\nregions:\n  us-east-1:\n    jurisdiction: US\n    countries: US\n    default: true\n",
            "regions.yaml:5: regions.us-east-1.countries: expected a list, got 'US'\n  hint: write countries: [US]",
        ),
        (
            "project: acme\nregions:\n  us-east-1:\n    jurisdiction: US\n    countries: [US, 1]\n    default: true\n",
            "regions.yaml:5: regions.us-east-1.countries[1]: expected text, got 1",
        ),
        (
            f"project: acme\ntarget: AWS\nregions:{REGION_US}",
            "regions.yaml:2: target: expected 'local' or 'aws', got 'AWS'\n  hint: did you mean 'aws'?",
        ),
        (
            f"project: acme\nglobal:\n  routing: geo\nregions:{REGION_US}",
            "regions.yaml:3: global.routing: expected 'geolocation' or 'latency', got 'geo'",
        ),
        (
            f"project: acme\nstate:\n  backend: S3\nregions:{REGION_US}",
            "regions.yaml:3: state.backend: expected 'local', 's3' or 'cloud', got 'S3'\n  hint: did you mean 's3'?",
        ),
        (
            "project: acme\nregions:\n  eu-west-1:\n    countries: [IE]\n    default: true\n",
            "regions.yaml:3: regions.eu-west-1.jurisdiction: required key 'jurisdiction' is missing\n"
            "  hint: jurisdiction: EU",
        ),
        (
            f"target: aws\nregions:{REGION_US}",
            "regions.yaml:1: project: required key 'project' is missing\n"
            "  hint: project: NAME (3-24 lowercase letters, digits and '-')",
        ),
        (
            "project: acme\n",
            "regions.yaml:1: regions: required key 'regions' is missing\n"
            "  hint: regions: {us-east-1: {jurisdiction: US, countries: [US], default: true}}",
        ),
        (
            "project: acme\nregions: {}\n",
            "regions.yaml:2: regions: at least one region is required\n"
            "  hint: regions: {us-east-1: {jurisdiction: US, countries: [US], default: true}}",
        ),
        (
            "project: acme\nregions: [us-east-1]\n",
            "regions.yaml:2: regions: expected a mapping, got ['us-east-1']\n"
            "  hint: regions maps region codes to settings, e.g. us-east-1: {jurisdiction: US, countries: [US], "
            "default: true}",
        ),
        (
            "project: acme\nregions:\n  us-east-1:\n",
            "regions.yaml:3: regions.us-east-1: expected a mapping, got null\n"
            "  hint: give the region its settings, e.g. {jurisdiction: US}",
        ),
        (
            f"project:\nregions:{REGION_US}",
            "regions.yaml:1: project: expected text, got null\n  hint: the value is empty",
        ),
        (
            f"project: acme\nstate: s3\nregions:{REGION_US}",
            "regions.yaml:2: state: expected a mapping, got 's3'",
        ),
        (
            f"project: acme\nregions:{REGION_US}tags:\n  team: 7\n",
            "regions.yaml:8: tags.team: expected text, got 7",
        ),
        (
            f"project: acme\nregions:{REGION_US}tags: [team]\n",
            "regions.yaml:7: tags: expected a mapping, got ['team']",
        ),
    ],
)
def test_schema_errors_read_well(load_error: LoadError, text: str, expected: str) -> None:
    assert rendered(load_error, text) == expected


def test_every_problem_is_reported_in_line_order(load_error: LoadError) -> None:
    text = "project: acme\ntarget: cloud\nglobal:\n  frontend: on\nregions:\n  us-east-1:\n    countries: DE\n"
    assert rendered(load_error, text) == (
        "regions.yaml:2: target: expected 'local' or 'aws', got 'cloud'\n"
        "regions.yaml:4: global.frontend: expected true or false, got 'on'\n"
        "  hint: write true: YAML 1.2 reads on as text\n"
        "regions.yaml:6: regions.us-east-1.jurisdiction: required key 'jurisdiction' is missing\n"
        "  hint: jurisdiction: US\n"
        "regions.yaml:7: regions.us-east-1.countries: expected a list, got 'DE'\n"
        "  hint: write countries: [DE]"
    )


@pytest.mark.parametrize(
    "text",
    [
        "regions: {1: x}\n",
        "? [a]\n: b\n",
        "project: !!binary aGk=\n",
        "a: b: c\n",
        "\tproject: acme\n",
        "project: acme\nregions:\n  us-east-1: {jurisdiction: [US]}\n",
        "project: acme\nregions:\n  us-east-1: {jurisdiction: US, countries: [[US]], default: {}}\n",
        "project: acme\nregions:\n  us-east-1: {jurisdiction: US, failover: 12, default: true}\n",
        "project: .nan\ndomain: .inf\nregions: ~\ntags: {a: ~}\n",
        "project: acme\nregions:\n  '': {jurisdiction: ''}\n",
        "&a project: *a\n",
        "project: acme\ntags: {team: !!float 1e400}\n",
        "\x00\x00\x00",
        "{{{{{{{{{{",
        "- - - - -\n",
        "'unterminated\n",
        "project: acme\n...\n---\n",
    ],
)
def test_no_input_ends_in_a_traceback(load_error: LoadError, text: str) -> None:
    _, error = load_error(text)
    assert error.problems
    assert all(problem.message for problem in error.problems)


def test_an_unexpected_failure_still_becomes_a_config_error(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(data: object) -> Config:
        raise RuntimeError("boom")

    monkeypatch.setattr(Config, "model_validate", explode)
    path = write_config(SAMPLE_TEXT)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.exit_code == 65
    assert caught.value.render() == f"{path}: could not be read: RuntimeError: boom"


def test_load_config_accepts_a_relative_path(write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(SAMPLE_TEXT)
    monkeypatch.chdir(path.parent)
    assert load_config(Path("regions.yaml")).project == "acme-health"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        ("DE", "'DE'"),
        (12, "12"),
        (["DE", None, {"a": False}], "['DE', null, {a: false}]"),
        ("x" * 100, "'" + "x" * 56 + "..."),
    ],
)
def test_show_value(value: object, shown: str) -> None:
    assert show_value(value) == shown
