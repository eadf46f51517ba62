"""Which region the live deployment sends each country's users to, read from Route 53 as deployed, not from
the synthesized JSON: the record sets of `api.<domain>`, their failover pairs and their health checks,
evaluated the way Route 53 answers (a country's own record, else the default one; an unhealthy record falls
through to the less specific one; a failover pair answers with its primary while it is healthy).

Health: on AWS each health check's status as Route 53's checkers report it; on the local target the
emulator probes nothing, so a check is healthy unless it is inverted (which is how `residency drill`
takes a region out). What cannot be evaluated (a continent or subdivision record residency never writes,
an alias to a target that is no region's) answers `unknown`, which is never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from residency import naming

if TYPE_CHECKING:
    from residency.config import Config

ANY_COUNTRY = "*"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Record:
    identifier: str
    alias_target: str | None
    health_check: str | None
    evaluate_target_health: bool


@dataclass
class RoutingView:
    """The deployed routing of `api.<domain>`."""

    by_country: dict[str, Record] = field(default_factory=dict)  # country code or `*`
    failover: dict[str, dict[str, Record]] = field(default_factory=dict)  # failover host -> PRIMARY/SECONDARY
    region_of_target: dict[str, str] = field(default_factory=dict)  # an API's regional domain -> its region
    health: dict[str, bool] = field(default_factory=dict)  # health check id -> healthy
    check_of_region: dict[str, str] = field(default_factory=dict)  # region -> its API's health check id
    # region -> how its health check was changed from what residency deploys ("inverted", "disabled")
    altered_checks: dict[str, str] = field(default_factory=dict)
    unevaluable: list[str] = field(default_factory=list)  # records residency cannot evaluate, described


@dataclass(frozen=True)
class CountryAnswer:
    country: str  # a country code, or `*` for every country regions.yaml does not list
    expected: str  # the configured region
    answered: str  # the region Route 53 answers with, or `unknown`
    jurisdiction: str  # of the answered region (`unknown` if none)
    home_jurisdiction: str  # of the expected region: where the country's users' data belongs
    reason: str | None = None  # why it is wrong; None when it is right
    # On AWS, the region of Route 53's own DNS answer for a client in the country (`unknown` if it cannot be
    # placed), and for which client subnet; None where Route 53 cannot be asked (the local target).
    route53: str | None = None
    route53_jurisdiction: str | None = None
    route53_detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def leaves_jurisdiction(self) -> bool:
        """Answered outside the users' jurisdiction, or where residency cannot tell (never a pass), by either the
        evaluated records or Route 53's own answer."""
        return any(jurisdiction not in (None, self.home_jurisdiction)
                   for jurisdiction in (self.jurisdiction, self.route53_jurisdiction))

    def as_json(self) -> dict[str, object]:
        return {"country": self.country, "expected": self.expected, "answered": self.answered,
                "jurisdiction": self.jurisdiction, "home_jurisdiction": self.home_jurisdiction, "ok": self.ok,
                "reason": self.reason, "route53": self.route53, "route53_jurisdiction": self.route53_jurisdiction,
                "route53_detail": self.route53_detail}


def hosted_zone_id(route53: Any, domain: str) -> str | None:
    wanted = domain.rstrip(".") + "."
    zones = route53.list_hosted_zones_by_name(DNSName=wanted).get("HostedZones", [])
    return next((zone["Id"] for zone in zones if zone["Name"] == wanted and
                 not zone.get("Config", {}).get("PrivateZone")), None)


def read_routing(config: Config, route53: Any, *, emulated: bool) -> RoutingView:
    """The deployed routing of `api.<domain>` and what it depends on."""
    assert config.domain is not None
    view = RoutingView()
    zone = hosted_zone_id(route53, config.domain)
    if zone is None:
        view.unevaluable.append(f"no public hosted zone {config.domain}")
        return view
    api_host = _fqdn(naming.global_api_host(config.domain))
    region_hosts = {_fqdn(naming.region_api_host(region, config.domain)): region for region in config.regions}
    failover_hosts = {_fqdn(naming.failover_host(region, config.domain)) for region in config.regions}
    for record in _record_sets(route53, zone):
        name = record["Name"].lower()
        alias = record.get("AliasTarget") or {}
        parsed = Record(record.get("SetIdentifier", ""), _fqdn(alias["DNSName"]) if alias else None,
                        record.get("HealthCheckId"), bool(alias.get("EvaluateTargetHealth")))
        if name == api_host:
            location = record.get("GeoLocation") or {}
            if record.get("Type") != "A":  # residency writes A records only: an AAAA or CNAME may answer anyone
                view.unevaluable.append(f"{parsed.identifier or name}: a {record.get('Type')} record")
            elif "CountryCode" in location and "SubdivisionCode" not in location:
                view.by_country[location["CountryCode"]] = parsed
            else:
                view.unevaluable.append(f"{parsed.identifier or name}: a record by "
                                        f"{'/'.join(sorted(location)) or 'something other than country'}")
        elif name in failover_hosts and record.get("Failover") in ("PRIMARY", "SECONDARY"):
            view.failover.setdefault(name, {})[record["Failover"]] = parsed
        elif name in region_hosts and parsed.alias_target:
            view.region_of_target[parsed.alias_target] = region_hosts[name]
    if not view.by_country and not view.unevaluable:
        view.unevaluable.append(f"no record set answers for {api_host.rstrip('.')} (is global applied?)")
    for check in _health_checks(route53):
        check_id = check["Id"]
        settings = check.get("HealthCheckConfig", {})
        host = _fqdn(settings.get("FullyQualifiedDomainName") or "")
        inverted = bool(settings.get("Inverted"))
        if host in region_hosts:
            view.check_of_region[region_hosts[host]] = check_id
            altered = [what for what, on in (("inverted", inverted), ("disabled", settings.get("Disabled"))) if on]
            if altered:
                view.altered_checks[region_hosts[host]] = " and ".join(altered)
        view.health[check_id] = (not inverted) if emulated else _reported_healthy(route53, check_id) != inverted
    return view


def answers(config: Config, view: RoutingView) -> list[CountryAnswer]:
    """Every listed country's answer, and the default's (`*`), against what regions.yaml says."""
    found = []
    default = config.default_region
    wanted: list[tuple[str, str]] = [(country, code) for code in config.regions
                                     for country in config.countries_of(code)]
    if default is not None:
        wanted.append((ANY_COUNTRY, default))
    for country, expected in wanted:
        answered = _answer(view, country)
        found.append(_judged(config, view, country, expected, answered))
    return found


def _judged(config: Config, view: RoutingView, country: str, expected: str, answered: str) -> CountryAnswer:
    jurisdiction = config.regions[answered].jurisdiction if answered in config.regions else UNKNOWN
    home = config.regions[expected]
    reason = None
    if answered == UNKNOWN:
        reason = "Route 53's answer cannot be placed in a listed region" + (
            f" ({'; '.join(view.unevaluable)})" if view.unevaluable else "")
    elif jurisdiction != home.jurisdiction:
        reason = f"answered by {answered} ({jurisdiction}), outside {home.jurisdiction}"
    elif answered != expected:
        if not (answered == home.failover and not _region_healthy(view, expected)):
            reason = (f"answered by {answered}, not {expected}"
                      + ("" if home.failover != answered else f" while {expected} is healthy"))
    return CountryAnswer(country, expected, answered, jurisdiction, home.jurisdiction, reason)


def _answer(view: RoutingView, country: str) -> str:
    if view.unevaluable:
        return UNKNOWN  # a record residency cannot evaluate may answer for any country
    for candidate in (country, ANY_COUNTRY) if country != ANY_COUNTRY else (ANY_COUNTRY,):
        record = view.by_country.get(candidate)
        if record is not None and _healthy(view, record):
            return _follow(view, record)
    record = view.by_country.get(country) or view.by_country.get(ANY_COUNTRY)
    return _follow(view, record) if record is not None else UNKNOWN  # all unhealthy: Route 53 answers anyway


def _follow(view: RoutingView, record: Record) -> str:
    target = record.alias_target
    if target is None:
        return UNKNOWN
    pair = view.failover.get(target)
    if pair is not None:
        primary, secondary = pair.get("PRIMARY"), pair.get("SECONDARY")
        chosen = primary if primary is not None and _healthy(view, primary) else secondary or primary
        return _follow(view, chosen) if chosen is not None else UNKNOWN
    return view.region_of_target.get(target, UNKNOWN)


def _healthy(view: RoutingView, record: Record) -> bool:
    if record.health_check is not None and not view.health.get(record.health_check, False):
        return False
    if record.evaluate_target_health and record.alias_target in view.failover:
        return any(_healthy(view, member) for member in view.failover[record.alias_target].values())
    return True


def _region_healthy(view: RoutingView, region: str) -> bool:
    check = view.check_of_region.get(region)
    return check is None or view.health.get(check, False)


def _record_sets(route53: Any, zone: str) -> Iterable[dict[str, Any]]:
    for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone):
        yield from page.get("ResourceRecordSets", [])


def _health_checks(route53: Any) -> Iterable[dict[str, Any]]:
    for page in route53.get_paginator("list_health_checks").paginate():
        yield from page.get("HealthChecks", [])


def _reported_healthy(route53: Any, check_id: str) -> bool:
    """Healthy when most of Route 53's checkers last reported success (as Route 53 judges it)."""
    observations = route53.get_health_check_status(HealthCheckId=check_id).get("HealthCheckObservations", [])
    succeeded = sum(1 for o in observations if str(o.get("StatusReport", {}).get("Status", "")).startswith("Success"))
    return bool(observations) and succeeded * 2 > len(observations)


def _fqdn(name: str) -> str:
    return name.lower().rstrip(".") + "."

