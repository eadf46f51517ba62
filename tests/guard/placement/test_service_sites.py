"""The reviewed table of well-known services' regional sites: every row sourced and well formed, the most specific
host pattern wins, and whatever the table does not know (or knows two ways) stays unplaceable."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from residency.config.aws_regions import JURISDICTIONS
from residency.guard.placement import service_sites
from residency.guard.placement.service_sites import (
    AZURE_REGIONS,
    AZURE_REGIONS_SOURCE,
    CLOUD_REGIONS,
    GOOGLE_CLOUD_REGIONS,
    GOOGLE_CLOUD_REGIONS_SOURCE,
    SITE_SETTINGS,
    SITES,
    alternatives,
    settings_service,
    site_for_host,
    site_for_token,
)

HOST_PATTERN = re.compile(r"^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def where(host: str) -> tuple[str, str] | None:
    site = site_for_host(host)
    return (site.service, site.jurisdiction) if site else None


# The table itself ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("site", SITES, ids=lambda site: f"{site.service}-{site.jurisdiction}")
def test_every_site_is_sourced_placed_and_named(site):
    assert site.service.strip() == site.service and site.service
    assert site.jurisdiction in JURISDICTIONS
    assert site.source.startswith("https://") and " " not in site.source
    assert site.hosts or site.tokens
    assert all(token.strip() == token and token for token in site.tokens)


@pytest.mark.parametrize("site", SITES, ids=lambda site: f"{site.service}-{site.jurisdiction}")
def test_host_patterns_are_exact_names_or_leading_wildcards(site):
    for pattern in site.hosts:
        assert HOST_PATTERN.match(pattern), pattern  # lowercase, no scheme, port, path or inner wildcard
    for expression in site.excludes:
        re.compile(expression)
    if site.excludes:
        assert any(pattern.startswith("*.") for pattern in site.hosts)  # an exclude fences a wildcard, or nothing


def test_no_host_pattern_is_in_two_jurisdictions() -> None:
    jurisdictions: dict[str, set[str]] = defaultdict(set)
    for site in SITES:
        for pattern in site.hosts:
            jurisdictions[pattern].add(site.jurisdiction)
    assert {pattern: found for pattern, found in jurisdictions.items() if len(found) > 1} == {}


def test_no_token_names_two_jurisdictions_of_one_service() -> None:
    jurisdictions: dict[tuple[str, str], set[str]] = defaultdict(set)
    for site in SITES:
        for token in site.tokens:
            jurisdictions[(site.service.lower(), token.lower())].add(site.jurisdiction)
    assert {key: found for key, found in jurisdictions.items() if len(found) > 1} == {}


def test_every_listed_host_is_placed_where_its_row_says():
    """No row is shadowed: each exact host, and a name under each wildcard, is placed in its own row's jurisdiction."""
    for site in SITES:
        for pattern in site.hosts:
            host = "x1." + pattern[2:] if pattern.startswith("*.") else pattern
            found = site_for_host(host)
            assert found is not None and (found.service, found.jurisdiction) == (site.service, site.jurisdiction), \
                (pattern, found)


def test_every_token_is_found_for_its_service():
    for site in SITES:
        for token in site.tokens:
            found = site_for_token(site.service, token)
            assert found is not None and found.jurisdiction == site.jurisdiction, (site.service, token)


def test_the_module_is_standard_library_only():
    tree = ast.parse(Path(service_sites.__file__).read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert imported <= {"__future__", "re", "collections", "dataclasses", "fnmatch", "functools", "types"}


# Host lookups -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "expected"), [
    ("o123.ingest.de.sentry.io", ("Sentry", "EU")),
    ("o123.ingest.sentry.io", ("Sentry", "US")),
    ("o123.ingest.us.sentry.io", ("Sentry", "US")),
    ("o123.us.ingest.sentry.io", ("Sentry", "US")),
    ("sentry.io", ("Sentry", "US")),
    ("de.sentry.io", ("Sentry", "EU")),
    ("http-intake.logs.datadoghq.eu", ("Datadog", "EU")),
    ("datadoghq.com", ("Datadog", "US")),
    ("us5.datadoghq.com", ("Datadog", "US")),
    ("trace.agent.datadoghq.com", ("Datadog", "US")),
    ("7-50-0-app.agent.us3.datadoghq.com", ("Datadog", "US")),
    ("http-intake.logs.ap1.datadoghq.com", ("Datadog", "JP")),
    ("api.ap2.datadoghq.com", ("Datadog", "AU")),
    ("browser-intake-datadoghq.eu", ("Datadog", "EU")),
    ("app.ddog-gov.com", ("Datadog", "US")),
    ("collector.eu01.nr-data.net", ("New Relic", "EU")),
    ("log-api.newrelic.com", ("New Relic", "US")),
    ("api.eu1.honeycomb.io", ("Honeycomb", "EU")),
    ("endpoint4.collection.sumologic.com", ("Sumo Logic", "US")),
    ("endpoint4.collection.eu.sumologic.com", ("Sumo Logic", "EU")),
    ("api.ch.sumologic.com", ("Sumo Logic", "CH")),
    ("listener-nl.logz.io", ("Logz.io", "EU")),
    ("api.eu.mailgun.net", ("Mailgun", "EU")),
    ("api.mailgun.net", ("Mailgun", "US")),
    ("api.eu.sendgrid.com", ("SendGrid", "EU")),
    ("api-in.mixpanel.com", ("Mixpanel", "IN")),
    ("api.eu.amplitude.com", ("Amplitude", "EU")),
    ("events.eu1.segmentapis.com", ("Segment", "EU")),
    ("eu.i.posthog.com", ("PostHog", "EU")),
    ("api.au.intercom.io", ("Intercom", "AU")),
    ("my-tenant.uk.auth0.com", ("Auth0", "UK")),
    ("my-tenant.guardian.jp.auth0.com", ("Auth0", "JP")),
    ("rest.fra-02.braze.eu", ("Braze", "EU")),
    ("sdk.id-01.braze.com", ("Braze", "ID")),
    ("api.sydney.au1.twilio.com", ("Twilio", "AU")),
    ("api.dublin.ie1.twilio.com", ("Twilio", "EU")),
    ("api.twilio.com", ("Twilio", "US")),
    ("eu.api.openai.com", ("OpenAI", "EU")),
])
def test_the_most_specific_pattern_wins(host, expected):
    assert where(host) == expected


@pytest.mark.parametrize("host", [
    "o1.de.ingest.sentry.io",  # an ingest location the table does not name: fenced off the US's wildcard
    "o1.jp.ingest.sentry.io",
    "my-org.sentry.io",  # an organization's own subdomain: its data can be in either location
    "api.ap3.datadoghq.com",  # a Datadog site the table does not know yet is not US1's
    "saffron.oncall.datadoghq.com",
    "datadoghq.eu.attacker.example",  # look-alikes
    "notdatadoghq.eu",
    "evil-sentry.io",
    "api.openai.com",  # global endpoints, documented as processing anywhere
    "api.anthropic.com",
    "api.sendgrid.com",
    "manage.auth0.com",
    "my-tenant.auth0.com",
    "eu.auth0.com",  # a wildcard covers subdomains, not the name itself
    "",
    "   ",
])
def test_what_the_table_does_not_know_is_unplaceable(host):
    assert site_for_host(host) is None


def test_host_lookups_ignore_case_and_a_trailing_dot():
    assert where("HTTP-INTAKE.LOGS.DATADOGHQ.EU.") == ("Datadog", "EU")
    assert where(" O123.Ingest.DE.Sentry.io ") == ("Sentry", "EU")


# Token and setting lookups -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("service", "token", "jurisdiction"), [
    ("Datadog", "datadoghq.eu", "EU"),
    ("Datadog", "us5.datadoghq.com", "US"),
    ("Datadog", "datadoghq.com", "US"),
    ("Datadog", "ap1.datadoghq.com", "JP"),
    ("datadog", "DATADOGHQ.EU", "EU"),
    ("BigQuery", "EU", "EU"),
    ("BigQuery", "US", "US"),
    ("BigQuery", "eu", "EU"),
    ("BigQuery", "europe-west3", "EU"),
    ("BigQuery", "us-central1", "US"),
    ("BigQuery", "europe-west2", "UK"),
    ("BigQuery", "europe-west6", "CH"),
    ("BigQuery", "australia-southeast1", "AU"),
    ("Intercom", "EU", "EU"),
    ("Twilio", "ie1", "EU"),
])
def test_tokens_name_a_site_of_their_service(service, token, jurisdiction):
    site = site_for_token(service, token)
    assert site is not None and site.jurisdiction == jurisdiction


@pytest.mark.parametrize(("service", "token"), [
    ("Datadog", "datadoghq.io"),
    ("Datadog", "EU"),  # another service's token
    ("BigQuery", "datadoghq.eu"),
    ("BigQuery", "southamerica-west1"),  # Santiago: in no jurisdiction of residency's
    ("BigQuery", "me-central1"),
    ("Nobody", "EU"),
    ("BigQuery", ""),
])
def test_unknown_tokens_name_no_site(service, token):
    assert site_for_token(service, token) is None


@pytest.mark.parametrize(("key", "service"), [
    ("DD_SITE", "Datadog"),
    ("dd_site", "Datadog"),
    ("BIGQUERY_LOCATION", "BigQuery"),
    ("BIGQUERY_DATASET_LOCATION", "BigQuery"),
    ("ANALYTICS_BQ_LOCATION", "BigQuery"),
    ("IntercomRegion", "Intercom"),
    ("TWILIO_REGION", "Twilio"),
    ("DD_API_KEY", None),
    ("SUBQUERY_LOCATION", None),
    ("location", None),
    ("site", None),
])
def test_settings_name_the_service_whose_tokens_they_take(key, service):
    assert settings_service(key) == service


def test_every_setting_is_sourced_and_takes_tokens_the_table_has():
    with_tokens = {site.service for site in SITES if site.tokens}
    for setting in SITE_SETTINGS:
        assert setting.source.startswith("https://")
        assert setting.service in with_tokens


# Alternatives -------------------------------------------------------------------------------------------------------


def test_alternatives_are_the_services_sites_in_a_jurisdiction_usual_first():
    assert [site.tokens[0] for site in alternatives("Datadog", "EU")] == ["datadoghq.eu"]
    assert alternatives("Datadog", "US")[0].tokens[0] == "datadoghq.com"
    assert [site.hosts[0] for site in alternatives("sentry", "EU")] == ["de.sentry.io"]
    assert alternatives("BigQuery", "EU")[0].tokens[0] == "EU"
    assert all(site.service == "Datadog" and site.jurisdiction == "US" for site in alternatives("Datadog", "US"))


def test_a_service_without_a_site_in_a_jurisdiction_has_no_alternative():
    assert alternatives("SendGrid", "US") == ()
    assert alternatives("Datadog", "CH") == ()
    assert alternatives("Nobody", "EU") == ()


# Cloud regions ------------------------------------------------------------------------------------------------------


def test_cloud_regions_are_placed_in_known_jurisdictions_and_sourced():
    assert set(CLOUD_REGIONS.values()) <= set(JURISDICTIONS)
    assert not set(GOOGLE_CLOUD_REGIONS) & set(AZURE_REGIONS)
    assert len(CLOUD_REGIONS) == len(GOOGLE_CLOUD_REGIONS) + len(AZURE_REGIONS)
    assert GOOGLE_CLOUD_REGIONS_SOURCE.startswith("https://") and AZURE_REGIONS_SOURCE.startswith("https://")


@pytest.mark.parametrize(("region", "jurisdiction"), [
    ("europe-west3", "EU"), ("us-central1", "US"), ("westeurope", "EU"), ("eastus", "US"), ("australiaeast", "AU"),
    ("europe-west2", "UK"), ("uksouth", "UK"), ("ukwest", "UK"),
    ("europe-west6", "CH"), ("switzerlandnorth", "CH"),
    ("asia-east1", "TW"), ("eastasia", "HK"), ("southeastasia", "SG"), ("northamerica-northeast1", "CA"),
])
def test_cloud_regions_are_in_their_country(region, jurisdiction):
    assert CLOUD_REGIONS[region] == jurisdiction


@pytest.mark.parametrize("region", ["norwayeast", "qatarcentral", "southamerica-west1", "europe", "us-east-1"])
def test_cloud_regions_outside_residencys_jurisdictions_are_not_placed(region):
    assert region not in CLOUD_REGIONS
