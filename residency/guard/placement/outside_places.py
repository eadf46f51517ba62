"""Places outside AWS: host names under a public suffix, IP addresses, processors and well-known service sites.

A host is a place. residency places the ones it knows (AWS endpoints elsewhere; this module for the rest):
a processor regions.yaml declares (in its jurisdiction, from the regions it allows), a site of a well-known
service (Datadog's datadoghq.eu is in the EU), an address of a private network (the VPC's own, whose routes
RES002 judges). Every other host can be anywhere: unplaceable, a violation where a place is needed.

A place outside AWS is written as `jurisdiction:EU` (a service that processes somewhere in the EU, with no
region to name) or `processor:NAME` (a declared processor used from a region it is not declared for).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from residency.config import Config
from residency.config.model import Processor
from residency.guard.placement import service_sites
from residency.guard.placement.top_level_domains import TOP_LEVEL_DOMAINS
from residency.guard.terraform_json.values import UNKNOWN

JURISDICTION_PREFIX = "jurisdiction:"
PROCESSOR_PREFIX = "processor:"
SITE_PREFIX = "site:"
SOMEWHERE_UNKNOWN = frozenset({UNKNOWN})
# Top-level domains that are also common file extensions: `handler.py`, `main.tf` are files, not hosts, when
# they stand alone (two labels, no port, no scheme).
FILE_EXTENSIONS = frozenset({"py", "sh", "md", "zip", "rs", "pl", "mov", "ps", "tf", "java", "properties", "map",
                             "pm", "mk", "fish", "pub", "run", "so", "cc", "mm", "ml", "app", "dev"})
# A dotted name, anywhere but inside a longer name or word (after `/`, `//`, `@`, `\\`, `*.` too: a path, a
# protocol-relative URL, a wildcard); an email address's domain is left to RES007 (see email_domain).
HOST_NAME = re.compile(
    r"(?<![A-Za-z0-9_$-])(?<![^*]\.)((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{1,62})"
    r"(?::([0-9]{1,5}))?(?![A-Za-z0-9_-]|\.[A-Za-z0-9])")
EMAIL_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+-]+@$")
# Names a VPC resolves itself (private zones, resolver rules, service discovery): the VPC's own, whose resolver
# rules the catalog judges.
PRIVATE_NAME = re.compile(r"(^|\.)(internal|local|localdomain|lan|corp|intranet|private|consul|svc|home\.arpa)$")
# First labels of reverse-DNS identifiers (Java packages, app bundle ids): `com.acme.app` is no host.
REVERSED_DNS_ROOTS = frozenset({"com", "org", "net", "io", "edu", "gov"})
# EventBridge and AWS event sources (`aws.events`, `aws.health`): names of services, not hosts.
EVENT_SOURCE = re.compile(r"^aws\.[a-z0-9-]+$")
IPV4 = re.compile(r"(?<![A-Za-z0-9_.:/-])([0-9]{1,3}(?:\.[0-9]{1,3}){3})(/[0-9]{1,2})?(?::[0-9]{1,5})?"
                  r"(?![A-Za-z0-9_.-])")
IPV6 = re.compile(r"(?<![A-Za-z0-9_:.-])\[?((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})\]?(/[0-9]{1,3})?"
                  r"(?![A-Za-z0-9_:.-])")


# Networks a VPC's own addresses come from (RFC 1918, shared address space, link-local, unique local): an address
# there is the workspace's own network. Documentation ranges (203.0.113.0/24, 2001:db8::/32) are someone's hosts.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"))
# Names reserved for examples and tests: they stand for somebody's host, so they are hosts like any other.
EXAMPLE_SUFFIXES = ("example", "test", "invalid")


def jurisdiction_place(jurisdiction: str, who: str = "") -> str:
    """A place outside AWS: `jurisdiction:EU` for a site token, `processor:NAME:EU` for a declared processor,
    `site:SERVICE:EU` for a well-known service's site."""
    return f"{who}:{jurisdiction}" if who else f"{JURISDICTION_PREFIX}{jurisdiction}"


def place_jurisdiction(place: str) -> str | None:
    """The jurisdiction a place outside AWS is in (None for a processor used where it is not declared)."""
    if place.startswith(JURISDICTION_PREFIX):
        return place.removeprefix(JURISDICTION_PREFIX)
    if place.startswith((PROCESSOR_PREFIX, SITE_PREFIX)) and place.count(":") == 2:
        return place.rsplit(":", 1)[1]
    return None


def place_label(place: str) -> str:
    """How a person reads a place outside AWS: `processor datadog-eu`, `Datadog's EU site`."""
    if place.startswith(PROCESSOR_PREFIX):
        return f"processor {place.split(':')[1]}"
    if place.startswith(SITE_PREFIX):
        _prefix, service, jurisdiction = place.split(":")
        return f"{service}'s {jurisdiction} site"
    return place


@lru_cache(maxsize=65536)
def is_public_name(name: str, *, alone: bool) -> bool:
    """Whether a dotted name is a host on the internet: it ends in a top-level domain (the public suffix list's
    ICANN section), and is not a file name standing alone (two labels ending in a file extension)."""
    name = name.lower().rstrip(".")
    if EVENT_SOURCE.match(name):
        return False
    labels = name.split(".")
    if len(labels) >= 3 and labels[0] in REVERSED_DNS_ROOTS:
        return False  # com.acme.app: a package or bundle id, written in reverse
    if len(labels) < 2 or all(label.isdigit() for label in labels[:-1]) and len(labels) == 2:
        return False
    if labels[-1] not in TOP_LEVEL_DOMAINS and labels[-1] not in EXAMPLE_SUFFIXES:
        return False
    return not (alone and len(labels) == 2 and labels[-1] in FILE_EXTENSIONS)


def private_name_place(host: str, region: str) -> frozenset[str] | None:
    """A name the VPC resolves itself (`collector.internal`, `redis`, a service-discovery name): its own."""
    host = host.lower().rstrip(".")
    if "." not in host and re.fullmatch(r"[a-z0-9-]+", host) or PRIVATE_NAME.search(host):
        return frozenset({region})
    return None


def ip_place(text: str, region: str) -> frozenset[str] | None:
    """Where an IP address is: a private, loopback or link-local one is in this workspace's own network (its
    routes are judged), the unspecified one nowhere; a public one anywhere. None: not an address."""
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None
    if address.is_unspecified:
        return frozenset()
    if address.is_loopback:
        return frozenset({"loopback"})
    if any(address in network for network in PRIVATE_NETWORKS):
        return frozenset({region})
    return SOMEWHERE_UNKNOWN


def processor_for(config: Config, host: str) -> Processor | None:
    return next((processor for processor in config.processors if processor.serves(host)), None)


def is_email_domain(text: str, start: int) -> bool:
    """Whether the name starting at `start` is the domain of an email address (`ops@partner.example`)."""
    return bool(EMAIL_LOCAL_PART.search(text[max(0, start - 65):start]))


def outside_host(config: Config, host: str, region: str) -> frozenset[str] | None:
    """Where a host that is not AWS's is: a declared processor, a known service site; None when neither."""
    site = service_sites.site_for_host(host)
    processor = processor_for(config, host)
    if processor is not None and (site is None or site.jurisdiction == processor.jurisdiction):
        if processor.regions and region not in processor.regions:
            return frozenset({f"{PROCESSOR_PREFIX}{processor.name}"})
        return frozenset({jurisdiction_place(processor.jurisdiction, f"{PROCESSOR_PREFIX}{processor.name}")})
    if site is not None:  # the reviewed table wins over a declaration that says otherwise
        return frozenset({jurisdiction_place(site.jurisdiction, f"{SITE_PREFIX}{site.service}")})
    return None


def site_token_place(service: str, token: str) -> frozenset[str]:
    """A site named without a host (`DD_SITE=datadoghq.eu`, a dataset location `EU`): the table's, else unknown."""
    site = service_sites.site_for_token(service, token.strip())
    if site is None:
        return SOMEWHERE_UNKNOWN
    return frozenset({jurisdiction_place(site.jurisdiction, f"{SITE_PREFIX}{site.service}")})


def advice(token: str, jurisdiction: str, service: str | None = None) -> str:
    """For a well-known service's site of another jurisdiction: which site of this one to use instead."""
    site = service_sites.site_for_token(service, token) if service else service_sites.site_for_host(token)
    if site is None or site.jurisdiction == jurisdiction:
        return ""
    better = service_sites.alternatives(site.service, jurisdiction)
    named = better[0].tokens[0] if better and better[0].tokens else (better[0].hosts[0] if better else "")
    instead = f": use {named.removeprefix('*.')}" if named else f"; {site.service} has no {jurisdiction} site"
    return f" ({token} is {site.service}'s {site.jurisdiction} site; this workspace is {jurisdiction}{instead})"


def processors_by_jurisdiction(config: Config) -> dict[str, list[dict[str, object]]]:
    """The sub-processor list a privacy officer asks for: per jurisdiction, each processor and what it is for."""
    listed: dict[str, list[dict[str, object]]] = {}
    for processor in config.processors:
        listed.setdefault(processor.jurisdiction, []).append({
            "name": processor.name, "hosts": list(processor.hosts), "purpose": processor.purpose,
            "regions": list(processor.regions) or [code for code, region in config.regions.items()
                                                   if region.jurisdiction == processor.jurisdiction]})
    return listed


# Integrations that send somewhere when a setting is left out: switched on by one of `triggers` (keys of one
# settings map: environment variables, a log router's options; none: the map itself, by `when`), they use
# `default` unless one of `choosers` is set.
@dataclass(frozen=True)
class DefaultSite:
    service: str
    triggers: tuple[str, ...]
    choosers: tuple[str, ...]
    default: str
    when: tuple[str, str] | None = None  # (key, value): only a map where this key has this value
    source: str = ""


DEFAULT_SITES = (
    DefaultSite("Datadog", ("DD_API_KEY", "DD_API_KEY_SECRET_ARN", "DD_API_KEY_SSM_NAME", "DD_KMS_API_KEY"),
                ("DD_SITE", "DD_DD_URL", "DD_URL", "DD_LOGS_CONFIG_LOGS_DD_URL"), "datadoghq.com",
                source="https://docs.datadoghq.com/serverless/libraries_integrations/extension/ (DD_SITE, "
                       "default datadoghq.com)"),
    DefaultSite("Datadog", (), ("Host",), "http-intake.logs.datadoghq.com",
                when=("Name", "datadog"),
                source="https://docs.fluentbit.io/manual/pipeline/outputs/datadog (Host default)"),
    DefaultSite("New Relic", (), ("endpoint",),
                "log-api.newrelic.com", when=("Name", "newrelic"),
                source="https://github.com/newrelic/newrelic-fluent-bit-output (endpoint default)"),
    DefaultSite("Datadog", ("DATADOG_API_KEY",), ("DD_SITE", "DATADOG_HOST", "DATADOG_SITE"), "datadoghq.com",
                source="https://docs.datadoghq.com/getting_started/site/ (US1 unless a site is chosen)"),
    DefaultSite("New Relic", ("NEW_RELIC_LICENSE_KEY",), ("NEW_RELIC_HOST", "NEW_RELIC_COLLECTOR_HOST"),
                "collector.newrelic.com",
                source="https://docs.newrelic.com/docs/apm/agents/manage-apm-agents/configuration/ (host default)"),
    DefaultSite("Segment", ("SEGMENT_WRITE_KEY",), ("SEGMENT_HOST", "SEGMENT_ENDPOINT", "SEGMENT_API_HOST"),
                "api.segment.io", source="https://segment.com/docs/connections/sources/catalog/libraries/server/"),
    DefaultSite("Honeycomb", ("HONEYCOMB_API_KEY",), ("HONEYCOMB_API_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"),
                "api.honeycomb.io", source="https://docs.honeycomb.io/api/introduction"),
    DefaultSite("Mixpanel", ("MIXPANEL_TOKEN",), ("MIXPANEL_API_HOST", "MIXPANEL_HOST"), "api.mixpanel.com",
                source="https://developer.mixpanel.com/docs/privacy-security"),
    DefaultSite("PostHog", ("POSTHOG_API_KEY", "POSTHOG_PROJECT_API_KEY", "POSTHOG_KEY"),
                ("POSTHOG_HOST", "POSTHOG_API_HOST"), "us.i.posthog.com",
                source="https://posthog.com/docs/libraries/python (host defaults to the US cloud)"),
    DefaultSite("SendGrid", ("SENDGRID_API_KEY",), ("SENDGRID_HOST", "SENDGRID_API_HOST", "SENDGRID_BASE_URL"),
                "api.sendgrid.com",
                source="https://www.twilio.com/docs/sendgrid/for-developers/sending-email/data-residency (the EU "
                       "needs api.eu.sendgrid.com)"),
    DefaultSite("OpenAI", ("OPENAI_API_KEY",), ("OPENAI_BASE_URL", "OPENAI_API_BASE", "OPENAI_HOST"),
                "us.api.openai.com",
                source="https://platform.openai.com/docs/guides/your-data (regional endpoints for data residency)"),
    DefaultSite("Twilio", ("TWILIO_ACCOUNT_SID", "TWILIO_API_KEY"), ("TWILIO_REGION", "TWILIO_EDGE"),
                "api.twilio.com",
                source="https://www.twilio.com/docs/global-infrastructure/using-the-twilio-rest-api-in-a-non-us-region "
                       "(us1 unless a region is chosen)"),
)
# A New Relic licence key names its region in its first characters (`eu01xx...` sends to the EU data center).
NEW_RELIC_REGION_KEYS = (("eu01xx", "collector.eu01.nr-data.net"),)


_TRIGGERS = frozenset(trigger.lower() for site in DEFAULT_SITES for trigger in site.triggers)
_WHEN_KEYS = frozenset(site.when[0] for site in DEFAULT_SITES if site.when is not None)


def _default_of(site: DefaultSite, keys: dict[str, object]) -> str:
    """The site a switched-on integration sends to: its default, unless its key names its region itself."""
    for trigger in site.triggers:
        value = keys.get(trigger.lower())
        if site.service == "New Relic" and isinstance(value, str):
            for prefix, host in NEW_RELIC_REGION_KEYS:
                if value.lower().startswith(prefix):
                    return host
    return site.default


def defaulted_site(settings: dict[str, object]) -> tuple[DefaultSite, str] | None:
    """The integration a settings map switches on without saying where it sends, and its default site."""
    if not any(key in settings for key in _WHEN_KEYS) and not any(
            isinstance(key, str) and key.lower() in _TRIGGERS for key in settings):
        return None
    keys = {str(key).lower(): value for key, value in settings.items()}
    for site in DEFAULT_SITES:
        if site.when is not None and str(settings.get(site.when[0], "")).lower() != site.when[1]:
            continue  # FireLens writes `Name` so; a Firehose endpoint's `name` is a label
        if (not site.triggers or any(trigger.lower() in keys for trigger in site.triggers)) and \
                not any(chooser.lower() in keys for chooser in site.choosers):
            return site, _default_of(site, keys)
    return None
