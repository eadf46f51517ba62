"""RES005: DNS sends each country only to its region; failover and health checks stay in a jurisdiction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency import naming
from residency.config.country_membership import COUNTRY_JURISDICTION, GROUP_COUNTRIES, TERRITORIES
from residency.guard.placement.catalog.entries import Kind
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.expressions import ExpressionError, address, parse_template, traversals
from residency.guard.terraform_json.values import GLOBAL, UNKNOWN, blocks, is_expression, sole_resource_reference
from residency.guard.terraform_json.workspace import Resource

MAX_ALIAS_DEPTH = 5
# Policies that ignore where the user is (or, for geoproximity and CIDR, do not follow regions.yaml).
UNCOUNTRIED_POLICIES = ("weighted_routing_policy", "geoproximity_routing_policy", "cidr_routing_policy",
                        "multivalue_answer_routing_policy")
# Record types that send a user's requests somewhere (the others describe the domain: TXT, CAA, MX, SPF...).
USER_ROUTING_TYPES = ("A", "AAAA", "CNAME", "HTTPS", "SVCB")
ROUTING_POLICIES = ("geolocation_routing_policy", "latency_routing_policy", "failover_routing_policy",
                    "weighted_routing_policy", "geoproximity_routing_policy", "cidr_routing_policy",
                    "multivalue_answer_routing_policy")


@rule("RES005", "Routing sends users only to their own region, and fails over within the jurisdiction",
      why="DNS decides where a user's requests, and the personal data in them, are processed: a country "
          "served by another jurisdiction's region (listed there, or left to its default region), latency routing "
          "across jurisdictions, or a failover or health check that falls back across a border, moves that "
          "processing out of the jurisdiction whose law protects the user.",
      fix="List each country under a region of its jurisdiction (`countries: [EU]` for all of the EU's); route "
          "each listed country to the region that lists it; fail over only to a region of the same "
          "jurisdiction; gate each record on the health of the region it points at.")
def routing_stays_home(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if context.is_region:
        yield from _region_records(context, emit)
        return
    if context.workspace.name != GLOBAL:
        return
    yield from _countries_at_home(context, emit)
    yield from _delegations(context, emit)
    resolver = _Resolver(context)
    yield from _geolocation(context, emit, resolver)
    yield from _failover(context, emit, resolver)
    for record in resolver.records:
        if "latency_routing_policy" in record.body:
            for destination in resolver.destinations(record):
                yield context.path("routing", record.address, destination, source=GLOBAL)
            if context.config.global_.routing != "latency":
                yield emit(record.address, "a latency record sends users to the nearest "
                           "region, not to their country's (regions.yaml routes by country)", GLOBAL,
                           ",".join(sorted(resolver.destinations(record))))
        for policy in UNCOUNTRIED_POLICIES:
            if _has_policy(record.body, policy):
                yield emit(record.address, f"a {policy.removesuffix('_routing_policy')} record "
                           "sends users to a region whatever their country", GLOBAL,
                           ",".join(sorted(resolver.destinations(record))))
        yield from _health_check(context, emit, resolver, record)
        yield from _plain_record(context, emit, resolver, record)


def _countries_at_home(context: Context, emit: Emit) -> Iterator[Finding]:
    """regions.yaml itself: a country whose jurisdiction has a region listed is served by one of that
    jurisdiction's regions, never listed under another's nor left to another's default; and latency routing
    (the nearest region, not the user's country) only within one jurisdiction."""
    config = context.config
    present = {region.jurisdiction for region in config.regions.values()}
    for country, jurisdiction in sorted({**TERRITORIES, **COUNTRY_JURISDICTION}.items()):
        if jurisdiction not in present:
            continue  # no region of its law: the default region takes it
        region = config.region_of_country(country)
        if region is not None:
            address = f"regions.{region}.countries"
        elif country in TERRITORIES:
            continue  # a territory may be left to the default region
        elif config.global_.routing == "geolocation" and config.default_region is not None:
            region, address = config.default_region, f"regions.{config.default_region}.default"
        else:
            continue
        served_in = context.jurisdiction_of(region)
        if served_in != jurisdiction:
            how = "lists" if address.endswith("countries") else "takes, as the default region,"
            group = f" (or {jurisdiction})" if jurisdiction in GROUP_COUNTRIES else ""
            yield emit(address, f"{region} ({served_in}) {how} {country}, whose users are "
                       f"protected by {jurisdiction} law: list {country}{group} under a {jurisdiction} "
                       "region", GLOBAL, country)
    if config.global_.routing == "latency" and len(present) > 1:
        yield emit("global.routing", "latency routing sends each user to the nearest region, "
                   f"whatever their country, across {', '.join(sorted(present))}: route by country "
                   "(geolocation)", GLOBAL, "latency")


def _region_records(context: Context, emit: Emit) -> Iterator[Finding]:
    """A region may name itself; only global routes users (a record for a name global serves, another region's
    name, or a routing policy, in a region workspace would send other users there)."""
    domain = context.config.domain
    for record in context.workspace.resources("aws_route53_record"):
        name = str(record.body.get("name", "")).rstrip(".").lower()
        policies = [policy for policy in ROUTING_POLICIES if blocks(record.body.get(policy))]
        others = _names_of_others(context, domain, context.region) if domain else set()
        theirs = name in others or any(name.endswith(f".{other}") for other in others if other != domain)
        if policies or theirs:
            yield emit(record.address, f"a region workspace routes {name or 'a name'} "
                       f"({', '.join(policies) or 'a name global or another region serves'}): only global "
                       "routes users, and a region names only itself", context.region, name or UNKNOWN)


def _names_of_others(context: Context, domain: str, region: str | None) -> set[str]:
    """The names global serves (the apex, the routed API, the front end, failover pairs) and every region's but
    `region`'s own."""
    config = context.config
    names = {domain, naming.global_api_host(domain), naming.frontend_host(domain), f"failover.{domain}"}
    names |= {naming.region_api_host(code, domain) for code in config.regions if code != region}
    return names


def _delegations(context: Context, emit: Emit) -> Iterator[Finding]:
    """global may not hand a name residency routes to another name server (NS, DS): whoever answers for it
    decides where every country's users go."""
    domain = context.config.domain
    if not domain:
        return
    routed = _names_of_others(context, domain, None) - {domain}
    for record in context.workspace.resources("aws_route53_record"):
        kind = str(record.body.get("type", "")).upper()
        name = str(record.body.get("name", "")).rstrip(".").lower()
        if kind in ("NS", "DS") and (name in routed or any(name.endswith(f".{other}") for other in routed)):
            yield emit(record.address, f"an {kind} record hands {name}, which residency routes "
                       "by country, to other name servers", GLOBAL, name)


class _Resolver:
    """Which regions a DNS record sends users to, following aliases to other records of the zone."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self.records = list(context.workspace.resources("aws_route53_record"))

    def destinations(self, record: Resource, depth: int = 0) -> set[str]:
        aliases = [alias.get("name") for alias in blocks(record.body.get("alias"))]
        targets = aliases + list(record.body.get("records") or [])
        found: set[str] = set()
        for target in targets:
            found |= self._target(target, depth)
        return found or {UNKNOWN}

    def _target(self, target: object, depth: int) -> set[str]:
        if not isinstance(target, str):
            return {UNKNOWN}
        address = sole_resource_reference(target)
        if address and address.startswith("aws_cloudfront_distribution."):
            return {GLOBAL}
        record = self.context.workspace.resource(address) if address else None
        if record is not None and record.type == "aws_route53_record" and target.endswith((".fqdn}", ".name}")):
            target = str(record.body.get("name"))  # an alias of another record of the zone, by its name
        if not is_expression(target):
            behind = [r for r in self.records if r.body.get("name") == target.rstrip(".")]
            if behind and depth < MAX_ALIAS_DEPTH:
                return set().union(*(self.destinations(r, depth + 1) for r in behind))
        return _listed(self.context, self.context.placer.place(target, Kind.HOST))


def _listed(context: Context, where: frozenset[str]) -> set[str]:
    """The listed regions a placement names; unknown unless it names exactly listed regions."""
    if not where or any(place not in context.config.regions for place in where):
        return {UNKNOWN}
    return set(where)


def _geolocation(context: Context, emit: Emit, resolver: _Resolver) -> Iterator[Finding | DataPath]:
    home = {country: code for code in context.config.regions for country in context.config.countries_of(code)}
    routed: set[str] = set()
    for record in resolver.records:
        for policy in blocks(record.body.get("geolocation_routing_policy")):
            destinations = resolver.destinations(record)
            for destination in destinations:
                yield context.path("routing", record.address, destination, source=GLOBAL)
            country = policy.get("country")
            if policy.get("continent") or not isinstance(country, str):
                yield emit(record.address, "a continent (or unreadable) location cannot be "
                           "checked against the countries in regions.yaml", GLOBAL, UNKNOWN)
                continue
            if not policy.get("subdivision"):
                routed.add(country)  # a record for one state or region leaves the rest of the country unrouted
            expected = context.config.default_region if country == "*" else home.get(country)
            yield from _country(context, emit, record, country, expected, destinations)
    if context.config.domain and context.config.global_.routing == "geolocation" and resolver.records:
        for country in sorted(set(home) - routed):
            yield emit("aws_route53_record", f"{country} is listed for {home[country]} but no "
                       "record routes it there; its users would get the default region", GLOBAL, UNKNOWN)


def _country(context: Context, emit: Emit, record: Resource, country: str, expected: str | None,
             destinations: set[str]) -> Iterator[Finding]:
    label = "unlisted countries" if country == "*" else country
    if expected is None:
        yield emit(record.address, f"{label} has a record but no region in regions.yaml",
                   GLOBAL, ",".join(sorted(destinations)))
        return
    jurisdiction = context.jurisdiction_of(expected)
    for destination in sorted(destinations):
        if destination == UNKNOWN or context.jurisdiction_of(destination) != jurisdiction:
            yield emit(record.address, f"sends {label} to {destination}, not to {expected} "
                       f"({jurisdiction})", GLOBAL, destination)
    if expected not in destinations:
        yield emit(record.address, f"does not send {label} to its region {expected}",
                   GLOBAL, ",".join(sorted(destinations)))


def _failover(context: Context, emit: Emit, resolver: _Resolver) -> Iterator[Finding | DataPath]:
    pairs: dict[tuple[str, str], dict[str, list[Resource]]] = {}
    for record in resolver.records:
        for policy in blocks(record.body.get("failover_routing_policy")):
            key = (str(record.body.get("name")), str(record.body.get("type")))
            pairs.setdefault(key, {}).setdefault(str(policy.get("type")), []).append(record)
    for roles in pairs.values():
        primaries = set().union(*(resolver.destinations(r) for r in roles.get("PRIMARY", [])))
        for secondary in roles.get("SECONDARY", []):
            for destination in resolver.destinations(secondary):
                for primary in sorted(primaries) or [UNKNOWN]:
                    yield context.path("failover", secondary.address, destination, source=primary)
                    if destination == UNKNOWN or primary == UNKNOWN or \
                            context.jurisdiction_of(primary) != context.jurisdiction_of(destination):
                        yield emit(secondary.address, f"fails over from {primary} to "
                                   f"{destination}, across jurisdictions", primary, destination)


def _health_check(context: Context, emit: Emit, resolver: _Resolver, record: Resource) -> Iterator[Finding]:
    reference = record.body.get("health_check_id")
    if not reference:
        return
    address = sole_resource_reference(reference)
    check = context.workspace.resource(address) if address else None
    probed = check.body.get("ip_address") or check.body.get("fqdn") if check else None  # an address is nowhere
    checked_in = _listed(context, context.placer.place(probed, Kind.HOST)) if check else {UNKNOWN}
    checked = next(iter(checked_in)) if len(checked_in) == 1 else UNKNOWN
    for destination in sorted(resolver.destinations(record)):
        if checked == UNKNOWN or destination == UNKNOWN or \
                context.jurisdiction_of(checked) != context.jurisdiction_of(destination):
            yield emit(record.address, f"routes to {destination} on the health of {checked}",
                       destination, checked)


def _plain_record(context: Context, emit: Emit, resolver: _Resolver, record: Resource) -> Iterator[Finding]:
    """A record without a routing policy answers every country alike: it may lead only to what global
    itself serves (the front end), never to one region's API."""
    body = record.body
    name = str(body.get("name", "")).rstrip(".").lower()
    if any(label.startswith("_") for label in name.split(".")):
        return  # an underscore name (DKIM, ACM validation, SRV): a service record no user's browser visits
    policies = {policy for policy in ROUTING_POLICIES if _has_policy(body, policy)}
    if policies == {"failover_routing_policy"} and name not in _failover_hosts(context):
        policies = set()  # a failover pair of its own answers every country alike: judged as a plain record
    if policies or _validates_certificate(context, body):
        return
    kind = body.get("type")
    if not blocks(body.get("alias")) and isinstance(kind, str) and not is_expression(kind) and \
            kind.upper() not in USER_ROUTING_TYPES:
        return  # TXT, CAA, MX, DMARC...: they name no host a user's requests are sent to
    for destination in sorted(resolver.destinations(record)):
        if destination != GLOBAL:
            where = "a place residency cannot establish" if destination == UNKNOWN else destination
            yield emit(record.address, f"sends every user, whatever their country, to {where}",
                       GLOBAL, destination)


def _has_policy(body: dict[str, Any], policy: str) -> bool:
    """Whether a record has this routing policy (a block, or `multivalue_answer_routing_policy = true`)."""
    value = body.get(policy)
    return value is True or (isinstance(value, str) and value.lower() == "true") or bool(blocks(value))


def _failover_hosts(context: Context) -> set[str]:
    """The failover pairs residency writes: reached only through the geolocation records, which are judged."""
    domain = context.config.domain
    return {naming.failover_host(code, domain) for code in context.config.regions} if domain else set()


def _validates_certificate(context: Context, body: dict[str, Any]) -> bool:
    """An ACM validation record: its name and value are built only from a certificate of this workspace."""
    values = [body.get("name"), *(body.get("records") or [])]
    for value in values:
        if not isinstance(value, str) or not is_expression(value) or \
                UNKNOWN in context.placer.place(value, Kind.HOST):
            return False
        try:
            found = [address(t) for t in traversals(parse_template(value))]
        except ExpressionError:
            return False
        if not found or any(f is None or f[:2] != ("resource", "aws_acm_certificate") for f in found):
            return False
    return True
