"""Which countries each jurisdiction's law covers, and what a jurisdiction's name stands for in `countries:`."""

from __future__ import annotations

from residency.config import COUNTRY_CODES, JURISDICTIONS, load_config
from residency.config.country_membership import (
    COUNTRY_JURISDICTION,
    EU_MEMBER_STATES,
    JURISDICTION_COUNTRIES,
    TERRITORIES,
    jurisdiction_of_country,
)
from tests.config.conftest import LoadError, WriteConfig
from tests.config.test_validation import rendered


def test_every_jurisdiction_residency_knows_has_its_countries_and_every_code_is_iso() -> None:
    assert set(JURISDICTION_COUNTRIES) == set(JURISDICTIONS)
    assert all(set(countries) <= COUNTRY_CODES for countries in JURISDICTION_COUNTRIES.values())
    assert len(set(EU_MEMBER_STATES)) == 27
    assert len(COUNTRY_JURISDICTION) == sum(len(countries) for countries in JURISDICTION_COUNTRIES.values())
    assert set(TERRITORIES) <= COUNTRY_CODES and not set(TERRITORIES) & set(COUNTRY_JURISDICTION)


def test_the_law_of_a_country() -> None:
    assert [jurisdiction_of_country(code) for code in ("DE", "NO", "RE", "GB", "CH", "PR", "AU", "NZ", "AR")] == [
        "EU", "EU", "EU", "UK", "CH", "US", "AU", "NZ", None]
    assert jurisdiction_of_country("CX") == "AU" and "CX" not in JURISDICTION_COUNTRIES["AU"]  # a territory


def test_a_jurisdictions_name_stands_for_the_countries_no_other_region_lists(write_config: WriteConfig) -> None:
    config = load_config(write_config("""
        project: acme
        regions:
          eu-central-1: {jurisdiction: EU, countries: [EU]}
          eu-west-1: {jurisdiction: EU, countries: [IE, FR]}
          us-east-1: {jurisdiction: US, countries: [US], default: true}
          us-west-2: {jurisdiction: US, countries: [PR]}
          ca-central-1: {jurisdiction: CA, countries: [CA]}
        """))
    central = config.countries_of("eu-central-1")
    assert "DE" in central and "NO" in central and "IE" not in central and "FR" not in central
    assert config.countries_of("eu-west-1") == ("IE", "FR")
    assert config.countries_of("us-east-1") == ("US",)  # a country code is the country; PR is us-west-2's
    assert config.region_of_country("RE") == "eu-central-1" and config.region_of_country("PR") == "us-west-2"
    assert config.region_of_country("AR") is None


def test_us_is_the_country_wherever_it_is_listed(write_config: WriteConfig) -> None:
    config = load_config(write_config("""
        project: acme
        regions:
          ca-central-1: {jurisdiction: CA, countries: [CA, US], default: true}
        """))
    assert config.countries_of("ca-central-1") == ("CA", "US")


def test_a_group_of_another_jurisdiction_is_refused_with_its_line(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  us-east-1:\n    jurisdiction: US\n    countries: [US, EU]\n    default: true\n"
    assert rendered(load_error, text) == (
        "regions.yaml:5: regions.us-east-1.countries[1]: EU stands for the countries of jurisdiction EU, but "
        "us-east-1 is in US: their users' data would leave EU\n"
        "  hint: list EU under a region of EU, or list countries by code")


def test_a_group_in_two_regions_is_refused(load_error: LoadError) -> None:
    text = ("project: acme\nregions:\n  eu-central-1:\n    jurisdiction: EU\n    countries: [EU]\n    default: true\n"
            "  eu-west-1:\n    jurisdiction: EU\n    countries: [EU]\n")
    assert "regions.eu-west-1.countries[0]: EU is already listed by eu-central-1" in rendered(load_error, text)
