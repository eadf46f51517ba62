"""On AWS, Route 53's own answer per country, beside residency's evaluation of the deployed record sets.

Route 53's DNS-answer test (TestDNSAnswer) answers `api.<domain>` as it would for a resolver passing a client
subnet (EDNS0): one /24 per country from `country_subnets`. It returns the answer's addresses (an alias is
resolved to the target's), not the record that gave them, so an answer is placed in a region by asking the same
for every region's own name (`<region>.<domain>`) with the same subnet: the region whose addresses it shares, if
exactly one does. Anything else (no subnet for the country, NXDOMAIN or another failed answer, addresses of no
region or of several) is `unknown`, never a pass. A country whose Route 53 answer and evaluation disagree fails,
naming both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from residency import naming
from residency.errors import ResidencyError
from residency.flows import country_subnets
from residency.flows.routing_proof import ANY_COUNTRY, UNKNOWN, CountryAnswer, hosted_zone_id

if TYPE_CHECKING:
    from residency.config import Config


@dataclass(frozen=True)
class DnsAnswer:
    country: str
    region: str  # the region Route 53's answer is placed in, or `unknown`
    detail: str  # for which client, and why `unknown`


def dns_answers(config: Config, route53: Any, countries: list[str]) -> dict[str, DnsAnswer]:
    """Route 53's answer for `api.<domain>` for a client in each of `countries` (`*`: an unlisted one)."""
    assert config.domain is not None
    zone = hosted_zone_id(route53, config.domain)
    listed = {country for region in config.regions for country in config.countries_of(region)}
    found = {}
    for country in countries:
        client = country_subnets.stand_in(listed) if country == ANY_COUNTRY else country
        subnet = country_subnets.subnet_of(client) if client else None
        if zone is None:
            found[country] = DnsAnswer(country, UNKNOWN, f"no public hosted zone {config.domain}")
        elif client is None or subnet is None:
            found[country] = DnsAnswer(country, UNKNOWN, f"no client subnet for {client or 'an unlisted country'} "
                                                         "in residency's table, so Route 53 was not asked")
        else:
            found[country] = _placed(config, route53, zone, country, client, subnet)
    return found


def cross_checked(config: Config, found: list[CountryAnswer], dns: dict[str, DnsAnswer]) -> list[CountryAnswer]:
    """Each evaluated answer with Route 53's own beside it; where they disagree, or Route 53's cannot be placed,
    the country fails, naming both."""
    checked = []
    for answer in found:
        own = dns[answer.country]
        jurisdiction = config.regions[own.region].jurisdiction if own.region in config.regions else UNKNOWN
        problem = None
        if own.region == UNKNOWN:
            problem = f"Route 53's own answer cannot be placed in a listed region ({own.detail})"
        elif own.region != answer.answered:
            problem = (f"Route 53 answers {own.region} ({jurisdiction}) for {own.detail}, but the deployed "
                       f"records evaluate to {answer.answered}")
        reason = "; ".join(text for text in (answer.reason, problem) if text) or None
        checked.append(replace(answer, route53=own.region, route53_jurisdiction=jurisdiction,
                               route53_detail=own.detail, reason=reason))
    return checked


def _placed(config: Config, route53: Any, zone: str, country: str, client: str, subnet: str) -> DnsAnswer:
    assert config.domain is not None
    who = f"a client in {client} ({subnet}/{country_subnets.MASK}"
    who += ", a country regions.yaml does not list)" if country == ANY_COUNTRY else ")"
    code, addresses = _test(route53, zone, naming.global_api_host(config.domain), subnet)
    if code != "NOERROR" or not addresses:
        return DnsAnswer(country, UNKNOWN, f"{who}: Route 53 answered {code} with "
                                           f"{', '.join(sorted(addresses)) or 'no address'}")
    regions = [region for region in config.regions
               if addresses & _test(route53, zone, naming.region_api_host(region, config.domain), subnet)[1]]
    if len(regions) != 1:
        shared = f"the addresses of {', '.join(regions)}" if regions else "the addresses of no region's own name"
        return DnsAnswer(country, UNKNOWN, f"{who}: Route 53 answered {', '.join(sorted(addresses))}, {shared}")
    return DnsAnswer(country, regions[0], who)


def _test(route53: Any, zone: str, name: str, subnet: str) -> tuple[str, set[str]]:
    """Route 53's response code and addresses for an A query of `name` from a client in `subnet`."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = route53.test_dns_answer(HostedZoneId=zone, RecordName=name, RecordType="A",
                                           EDNS0ClientSubnetIP=subnet, EDNS0ClientSubnetMask=str(country_subnets.MASK))
    except (ClientError, BotoCoreError) as error:
        raise ResidencyError(f"Route 53's DNS answer test for {name} failed: {error}",
                             hint="verify needs route53:TestDNSAnswer on the hosted zone") from error
    return str(response.get("ResponseCode", "")), set(response.get("RecordData") or [])
