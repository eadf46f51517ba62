"""Route 53's own DNS answer per country, beside the evaluation of the deployed records (AWS only).

moto implements no TestDNSAnswer, so Route 53's answers here come from a small fake: moto's Route 53 (the
deployed record sets, in process) with a `test_dns_answer` that answers from a table the test writes, the
addresses of each region's own name fixed and the global name's chosen per client subnet. What this proves is
how residency asks and how it places and judges the answer; that the real Route 53 answers as the fake does is
for the AWS end-to-end run. One test sends the request through botocore's Stubber, which checks it against
Route 53's API model.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from residency.config import load_config
from residency.errors import ResidencyError
from residency.flows import country_subnets
from residency.flows.dns_answer_proof import cross_checked, dns_answers
from residency.flows.routing_proof import answers, read_routing
from tests.flows.test_routing_proof import CONFIG, Deployed, config, deployed  # noqa: F401 - fixtures

ADDRESSES = {"eu-central-1": ["192.0.2.10", "192.0.2.11"], "eu-west-1": ["192.0.2.20"],
             "us-east-1": ["192.0.2.30"]}
HOME = {"DE": "eu-central-1", "AT": "eu-central-1", "IE": "eu-west-1", "US": "us-east-1"}


class AnsweringRoute53:
    """moto's Route 53 plus the DNS-answer test it lacks, answering from `answers` (subnet -> addresses)."""

    def __init__(self, route53: Any) -> None:
        self.route53 = route53
        self.answers = {country_subnets.SUBNETS[country]: ADDRESSES[region] for country, region in HOME.items()}
        self.answers[country_subnets.SUBNETS["BR"]] = ADDRESSES["us-east-1"]
        self.codes: dict[str, str] = {}
        self.asked: list[dict[str, str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.route53, name)

    def test_dns_answer(self, **params: str) -> dict[str, Any]:
        self.asked.append(params)
        name, subnet = params["RecordName"], params["EDNS0ClientSubnetIP"]
        if name == "api.example.org":
            data, code = self.answers.get(subnet, []), self.codes.get(subnet, "NOERROR")
        else:
            data, code = ADDRESSES.get(name.removesuffix(".example.org"), []), "NOERROR"
        return {"Nameserver": "ns-1.awsdns.com", "RecordName": name, "RecordType": "A",
                "RecordData": data if code == "NOERROR" else [], "ResponseCode": code, "Protocol": "UDP"}


@pytest.fixture
def route53(deployed):  # type: ignore[no-untyped-def]  # noqa: F811
    return AnsweringRoute53(deployed.route53)


def checked(config, route53):  # type: ignore[no-untyped-def]  # noqa: F811
    found = answers(config, read_routing(config, route53, emulated=True))
    return {a.country: a for a in cross_checked(config, found, dns_answers(config, route53,
                                                                           [a.country for a in found]))}


def test_route53_agrees_with_the_evaluation_for_every_country(config, route53):  # noqa: F811
    found = checked(config, route53)
    assert {country: (a.answered, a.route53, a.reason) for country, a in found.items()} == {
        "DE": ("eu-central-1", "eu-central-1", None), "AT": ("eu-central-1", "eu-central-1", None),
        "IE": ("eu-west-1", "eu-west-1", None), "US": ("us-east-1", "us-east-1", None),
        "*": ("us-east-1", "us-east-1", None)}
    asked = {(q["RecordName"], q["EDNS0ClientSubnetIP"]) for q in route53.asked}
    assert ("api.example.org", country_subnets.SUBNETS["IE"]) in asked
    assert ("eu-west-1.example.org", country_subnets.SUBNETS["IE"]) in asked  # placed by the same client
    assert ("api.example.org", country_subnets.SUBNETS["BR"]) in asked  # an unlisted country stands for `*`
    assert {(q["RecordType"], q["EDNS0ClientSubnetMask"]) for q in route53.asked} == {("A", "24")}
    assert "a client in BR (" in str(found["*"].route53_detail) and "does not list" in str(found["*"].route53_detail)


def test_a_disagreement_fails_the_country_naming_both_answers(config, route53):  # noqa: F811
    route53.answers[country_subnets.SUBNETS["IE"]] = ADDRESSES["us-east-1"]
    route53.answers[country_subnets.SUBNETS["AT"]] = ADDRESSES["eu-west-1"]
    found = checked(config, route53)
    ireland, austria = found["IE"], found["AT"]
    assert (ireland.answered, ireland.route53, ireland.route53_jurisdiction) == ("eu-west-1", "us-east-1", "US")
    assert not ireland.ok and ireland.leaves_jurisdiction  # abroad by Route 53's own answer: a violation
    assert "Route 53 answers us-east-1 (US) for a client in IE" in str(ireland.reason)
    assert "the deployed records evaluate to eu-west-1" in str(ireland.reason)
    assert not austria.ok and not austria.leaves_jurisdiction  # the other EU region: wrong, inside EU
    assert found["DE"].ok


def test_an_answer_that_cannot_be_placed_is_unknown_never_a_pass(config, route53):  # noqa: F811
    route53.answers[country_subnets.SUBNETS["DE"]] = ["203.0.113.9"]
    route53.answers[country_subnets.SUBNETS["AT"]] = [*ADDRESSES["eu-central-1"], *ADDRESSES["us-east-1"]]
    found = checked(config, route53)
    assert found["DE"].route53 == "unknown" and found["DE"].leaves_jurisdiction
    assert "203.0.113.9, the addresses of no region's own name" in str(found["DE"].reason)
    assert found["AT"].route53 == "unknown" and "the addresses of eu-central-1, us-east-1" in str(found["AT"].reason)


def test_a_country_missing_from_the_table_is_unknown_and_route53_is_not_asked(config, route53, monkeypatch):  # noqa: F811
    ireland = country_subnets.SUBNETS["IE"]
    monkeypatch.delitem(country_subnets.SUBNETS, "IE")
    found = checked(config, route53)
    assert found["IE"].route53 == "unknown" and found["IE"].leaves_jurisdiction
    assert "no client subnet for IE in residency's table, so Route 53 was not asked" in str(found["IE"].reason)
    assert ireland not in {q["EDNS0ClientSubnetIP"] for q in route53.asked}
    assert found["DE"].ok


def test_the_table_has_no_subnet_where_no_registry_delegated_one():
    assert country_subnets.subnet_of("AQ") is None and country_subnets.subnet_of("DE") == "2.160.0.0"
    assert country_subnets.stand_in({"BR", "JP"}) == "AU"


def test_nxdomain_or_another_failed_answer_is_unknown(config, route53):  # noqa: F811
    route53.codes[country_subnets.SUBNETS["US"]] = "NXDOMAIN"
    route53.codes[country_subnets.SUBNETS["DE"]] = "SERVFAIL"
    found = checked(config, route53)
    assert found["US"].route53 == "unknown" and "Route 53 answered NXDOMAIN with no address" in str(found["US"].reason)
    assert found["DE"].route53 == "unknown" and "SERVFAIL" in str(found["DE"].reason)


def test_a_refused_dns_answer_test_is_one_error_with_a_hint(config, route53, monkeypatch):  # noqa: F811
    def refuse(**params: str) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "TestDNSAnswer")

    monkeypatch.setattr(route53, "test_dns_answer", refuse)
    with pytest.raises(ResidencyError, match="DNS answer test for api.example.org failed") as raised:
        checked(config, route53)
    assert "route53:TestDNSAnswer" in str(raised.value.hint)


def test_the_request_is_what_route53s_api_accepts(tmp_path):
    """Through botocore's Stubber, which validates each request against Route 53's model."""
    (tmp_path / "regions.yaml").write_text("project: acme-dns\ndomain: example.org\nregions:\n"
                                           "  eu-central-1: {jurisdiction: EU, countries: [DE], default: true}\n")
    one = load_config(tmp_path / "regions.yaml")
    client = boto3.client("route53", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("list_hosted_zones_by_name", {
            "HostedZones": [{"Id": "/hostedzone/Z1", "Name": "example.org.", "CallerReference": "r"}],
            "IsTruncated": False, "MaxItems": "100"}, {"DNSName": "example.org."})
        for country in ("DE", "BR"):
            for name in ("api.example.org", "eu-central-1.example.org"):
                stub.add_response("test_dns_answer", {
                    "Nameserver": "ns", "RecordName": name, "RecordType": "A", "RecordData": ["192.0.2.10"],
                    "ResponseCode": "NOERROR", "Protocol": "UDP"}, {
                    "HostedZoneId": "/hostedzone/Z1", "RecordName": name, "RecordType": "A",
                    "EDNS0ClientSubnetIP": country_subnets.SUBNETS[country], "EDNS0ClientSubnetMask": "24"})
        found = dns_answers(one, client, ["DE", "*"])
        stub.assert_no_pending_responses()
    assert {country: answer.region for country, answer in found.items()} == {"DE": "eu-central-1",
                                                                            "*": "eu-central-1"}
