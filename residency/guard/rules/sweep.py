"""RES011: every place a region workspace names, anywhere in it, is inside its jurisdiction.

The catalog rules judge the attributes they know. This sweep does not need the catalog: it reads every
string of a region workspace (resources, data sources, providers, locals, outputs, variables, other
blocks) and finds what names a place in it: a region code, an ARN, a regional AWS endpoint host, any
URL, and values looked up elsewhere (a data source that finds something existing, another workspace's
state). Each must place inside the jurisdiction; what cannot be placed is a violation. Values a
catalog rule already judged, and policy documents (RES006 reads them statement by statement), are left
to those rules. The directory settings of the residency triggers may name the directory's regions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import Any

from residency import naming
from residency.config import REGIONS
from residency.guard import catalog
from residency.guard.attributes import Location, at_path, covered, dotted, strings
from residency.guard.catalog.model import Kind
from residency.guard.expressions import (
    ExpressionError,
    Template,
    Traversal,
    address,
    is_template,
    literal_strings,
    parse_template,
    traversals,
)
from residency.guard.model import DataPath, Finding, Resource
from residency.guard.placed import entry_of
from residency.guard.places import SOMEWHERE_UNKNOWN, UNKNOWN, Where
from residency.guard.registry import Context, rule

_REGION_CODE = re.compile(r"(?<![a-z0-9])((?:us-gov|us-isob?|[a-z]{2})-(?:north|south|east|west|central|northeast"
                          r"|northwest|southeast|southwest)-[0-9]{1,2})(?![0-9])")
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>`|\\]*")
_ARN = re.compile(r"arn:[a-z0-9-]*:[a-z0-9-]*:[^:\s\"'<>]*:[^:\s\"'<>]*:[^\s\"'<>,)\]}]*")
_AWS_HOST = re.compile(r"(?<![a-z0-9.\x00-])[a-z0-9\x00][a-z0-9.\x00-]*\.(?:amazonaws\.com(?:\.cn)?|on\.aws|api\.aws)"
                       r"(?![a-z0-9.-])", re.IGNORECASE)
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
# Looked-up values whose placement does not matter: the hosted zone a record is written into.
HARMLESS_LOOKUPS = {("aws_route53_zone", "zone_id"), ("aws_route53_zone", "name"), ("aws_route53_zone", "id")}
TOP_LEVEL = ("locals", "output", "variable", "import", "moved", "removed", "check")
# Provider settings RES001 judges (it also refuses every provider but `aws`).
PROVIDER_SETTINGS_JUDGED = frozenset({"region", "alias", "endpoints", "http_proxy", "https_proxy",
                                      "ec2_metadata_service_endpoint", "sts_region", "assume_role",
                                      "assume_role_with_web_identity"})


@rule("RES011", "Every place a region workspace names is inside its jurisdiction",
      why="A region code, ARN, endpoint or URL anywhere in a region's configuration (an environment variable, a "
          "task definition, a script, a local value) is where some code will send or fetch data; the catalog "
          "cannot know every free-form attribute, so every string is read.",
      fix="Name only places of this region's jurisdiction (resources of this workspace, its regional endpoints); "
          "for anything else, a reviewed and expiring exception.")
def every_place_at_home(context: Context) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    for resource in chain(context.workspace.resources(), context.workspace.data_sources()):
        skip = _judged(context, resource)
        for location, text in strings(resource.body):
            if not covered(location, skip):
                yield from _judge(context, resource.address, location, text, resource)
    for index, provider in enumerate(context.workspace.providers()):
        for location, text in strings(provider, ("provider", "aws", index)):
            if location[3] not in PROVIDER_SETTINGS_JUDGED:
                yield from _judge(context, "provider.aws", location, text, None)
    for section in TOP_LEVEL:
        value = context.workspace.document.get(section)
        if value is None:
            continue
        for location, text in strings(value):
            yield from _judge(context, section, location, text, None)


def _judged(context: Context, resource: Resource) -> set[Location]:
    skip = set(context.judged.get(resource.address, set()))
    entry = entry_of(resource)
    for policy in entry.policies if entry is not None else ():
        skip |= {location for location, _value in at_path(resource.body, policy.path)}
    if resource.type == "aws_lambda_function":
        skip |= {location for location, _value in
                 at_path(resource.body, f"environment.variables.{naming.HMAC_REGION_SETTING}")}  # RES010's
    return skip


def _judge(context: Context, address_: str, location: Location, text: str, at: Resource | None) -> Iterator[Finding]:
    if location and location[-1] in naming.DIRECTORY_REGION_SETTINGS and at is not None \
            and at.type == "aws_lambda_function":
        yield from _directory_setting(context, address_, location, text)
        return
    tokens = _tokens(context, text)
    if not tokens:
        return
    whole = context.placer.place(text, Kind.ANY, at)
    if whole and not context.outside(whole):
        return
    outside = sorted({place for where in tokens.values() for place in context.outside(where)})
    if outside:
        names = ", ".join(sorted(tokens)[:3])
        yield context.finding("RES011", address_, f"{dotted(location)} names {names}: "
                              f"{context.describe(outside)}, outside {context.jurisdiction}",
                              context.region, ",".join(outside))


def _directory_setting(context: Context, address_: str, location: Location, text: str) -> Iterator[Finding]:
    allowed = {context.region, context.config.global_.region, *context.config.directory_replica_regions}
    where = context.placer.region_value(text)
    if not where or not where <= allowed:
        yield context.finding("RES011", address_, f"{dotted(location)} names {text!r}, which is not one of the "
                              f"directory's regions ({', '.join(sorted(allowed))})", context.region,
                              ",".join(sorted(where)) or UNKNOWN)


def _tokens(context: Context, text: str) -> dict[str, Where]:
    """What in a string names a place, and where each one is."""
    if not is_template(text):
        return _literal_tokens(context, text, [])
    try:
        template = parse_template(text)
    except ExpressionError:
        return {text[:60]: SOMEWHERE_UNKNOWN}  # Terraform would not read it either; nothing to vouch for
    nodes = [part for part in template.parts if not isinstance(part, str)]
    rendered = "".join(part if isinstance(part, str) else f"\x00{nodes.index(part)}\x00" for part in template.parts)
    found = _literal_tokens(context, rendered, nodes)
    for literal in literal_strings(template):
        if literal not in template.parts:
            found |= _literal_tokens(context, literal, [])
    for part in nodes:
        for traversal in traversals(part):
            looked_up = _looked_up(context, traversal)
            if looked_up is not None:
                found[looked_up] = SOMEWHERE_UNKNOWN
    return found


def _literal_tokens(context: Context, text: str, nodes: list[Any]) -> dict[str, Where]:
    found: dict[str, Where] = {}
    placer = context.placer
    for match in _ARN.finditer(text):
        found[_shown(match.group())] = placer.template(_as_template(match.group(), nodes), Kind.ARN, None, 0)
    for match in _URL.finditer(text):
        if _project_host(context, match.group()):
            continue  # the product's own names (its front end); where they lead is RES005's to judge
        found[_shown(match.group())] = placer.template(_as_template(match.group(), nodes), Kind.HOST, None, 0)
    for match in _AWS_HOST.finditer(text):
        found[_shown(match.group())] = placer.host(_PLACEHOLDER.sub("x", match.group()))
    for match in _REGION_CODE.finditer(text):
        code = match.group(1)
        found[code] = frozenset({code}) if code in REGIONS else SOMEWHERE_UNKNOWN
    return found


def _project_host(context: Context, url: str) -> bool:
    domain = context.config.domain
    host = url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0].lower().rstrip(".")
    if not domain or "\x00" in host or not (host == domain or host.endswith(f".{domain}")):
        return False
    return host.removesuffix(f".{domain}").split(".")[-1] not in REGIONS


def _as_template(text: str, nodes: list[Any]) -> Template:
    parts: list[Any] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append(nodes[int(match.group(1))])
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return Template(tuple(parts))


def _shown(text: str) -> str:
    return _PLACEHOLDER.sub("${...}", text)


def _looked_up(context: Context, traversal: Traversal) -> str | None:
    """`data.x.y.attr` of a data source that finds something existing, or another workspace's state."""
    found = address(traversal)
    if found is None or found[0] != "data":
        return None
    _mode, type_, name, rest = found
    entry = catalog.data_source(type_)
    attribute = next((step for step in rest if isinstance(step, str)), "")
    if type_ != "terraform_remote_state" and entry is not None and not entry.lookup:
        return None
    if (type_, attribute) in HARMLESS_LOOKUPS:
        return None
    return f"data.{type_}.{name}.{attribute}".rstrip(".")
