"""Places outside AWS: which strings are hosts, where addresses are, and integrations' default sites."""

from __future__ import annotations

import pytest

from residency.guard.placement.outside_places import defaulted_site, ip_place, is_public_name


@pytest.mark.parametrize("name", ["datadoghq.com", "smtp.sendgrid.net", "db.partner-bank.de", "logs.partner.example",
                                  "kafka-3.vendor.io", "API.Partner.COM", "o1.ingest.de.sentry.io"])
def test_names_under_a_public_suffix_are_hosts(name: str) -> None:
    assert is_public_name(name, alone=True)


@pytest.mark.parametrize("name", ["index.handler", "python3.12", "nodejs20.x", "handler.py", "main.tf", "app.zip",
                                  "db.internal", "redis.local", "1.2", "States.TaskFailed"])
def test_files_versions_and_private_names_are_not(name: str) -> None:
    assert not is_public_name(name, alone=True)


def test_a_file_like_name_with_a_port_is_a_host() -> None:
    assert is_public_name("relay.sh", alone=False)


@pytest.mark.parametrize(("address", "where"), [
    ("10.0.1.5", {"eu-central-1"}), ("172.20.0.1", {"eu-central-1"}), ("192.168.1.1", {"eu-central-1"}),
    ("169.254.169.254", {"eu-central-1"}), ("fd00::1", {"eu-central-1"}), ("127.0.0.1", {"loopback"}),
    ("0.0.0.0", set()), ("203.0.113.7", {"unknown"}), ("8.8.8.8", {"unknown"}), ("2001:db8::1", {"unknown"}),
])
def test_where_an_address_is(address: str, where: set[str]) -> None:
    assert ip_place(address, "eu-central-1") == frozenset(where)


def test_not_an_address() -> None:
    assert ip_place("12:30:00", "eu-central-1") is None


def test_an_integration_switched_on_without_its_site_sends_to_its_default() -> None:
    assert defaulted_site({"DD_API_KEY_SECRET_ARN": "arn", "DD_ENV": "prod"})[1] == "datadoghq.com"  # type: ignore[index]
    assert defaulted_site({"DD_API_KEY": "k", "DD_SITE": "datadoghq.eu"}) is None
    assert defaulted_site({"Name": "datadog", "dd_service": "web"})[1] == "http-intake.logs.datadoghq.com"  # type: ignore[index]
    assert defaulted_site({"Name": "datadog", "Host": "http-intake.logs.datadoghq.eu"}) is None
    assert defaulted_site({"Name": "cloudwatch_logs", "region": "eu-central-1"}) is None


def test_the_top_level_domains_are_the_public_suffix_lists() -> None:
    """The set is every last label of the ICANN section of the list the pinned package carries."""
    import os

    import publicsuffixlist

    from residency.guard.placement.top_level_domains import TOP_LEVEL_DOMAINS

    listed = set()
    with open(os.path.join(os.path.dirname(publicsuffixlist.__file__), "public_suffix_list.dat"),
              encoding="utf-8") as rules:
        for line in rules:
            line = line.strip()
            if "===BEGIN PRIVATE DOMAINS===" in line:
                break
            if line and not line.startswith("//"):
                listed.add(line.lstrip("!*.").split(".")[-1].encode("idna").decode("ascii").lower())
    assert TOP_LEVEL_DOMAINS == listed
