"""What in a string names a place: region codes, ARNs, URLs, regional AWS hosts, and values looked up
elsewhere (a data source that finds something existing, another workspace's state, a variable); each
with where it is. Literals inside expressions count, and so does what a function of literals spells."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from residency import naming
from residency.config import REGIONS
from residency.guard.placement import catalog
from residency.guard.placement.catalog.entries import Kind
from residency.guard.placement.outside_places import HOST_NAME, IPV4, IPV6, ip_place, is_email_domain, is_public_name
from residency.guard.placement.places import SOMEWHERE_UNKNOWN, Where, split_url
from residency.guard.terraform_json.constant_folding import constant
from residency.guard.terraform_json.expressions import (
    Call,
    Collection,
    Conditional,
    ExpressionError,
    For,
    Operation,
    Template,
    Traversal,
    address,
    is_template,
    literal_strings,
    parse_template,
    traversals,
    walk,
)
from residency.guard.terraform_json.file_contents import FILE_FUNCTIONS

if TYPE_CHECKING:
    from residency.guard.placement.placed_values import PlacementView

_REGION_CODE = re.compile(r"(?<![a-z0-9])((?:us-gov|us-isob?|[a-z]{2})-(?:north|south|east|west|central|northeast"
                          r"|northwest|southeast|southwest)-[0-9]{1,2})(?![0-9])")
_URL = re.compile(r"(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>`|\\]*")
_ARN = re.compile(r"arn:[a-z0-9-]*:[a-z0-9-]*:[^:\s\"'<>]*:[^:\s\"'<>]*:[^\s\"'<>,)\]}]*")
_AWS_HOST = re.compile(r"(?<![a-z0-9.\x00-])[a-z0-9\x00][a-z0-9.\x00-]*\.(?:amazonaws\.com(?:\.cn)?|on\.aws|api\.aws)"
                       r"(?![a-z0-9.-])", re.IGNORECASE)
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
# Looked-up values whose placement does not matter: the hosted zone a record is written into.
HARMLESS_LOOKUPS = {("aws_route53_zone", "zone_id"), ("aws_route53_zone", "name"), ("aws_route53_zone", "id")}


def places_in_text(context: PlacementView, text: str) -> dict[str, Where]:
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
    locals_ = context.workspace.document.get("locals", {})
    for node in walk(template):
        if isinstance(node, Call | Template):
            folded = constant(node, locals_)  # join("-", ["us", "east", "1"]) spells what it spells
            for piece in folded if isinstance(folded, list) else [folded]:
                if isinstance(piece, str):
                    found |= _literal_tokens(context, piece, [])
    for node in walk(template):
        if isinstance(node, Call) and node.name.split("::")[-1] in FILE_FUNCTIONS:
            found[f"{node.name}(...)"] = SOMEWHERE_UNKNOWN  # a file residency could not read or render
    found |= _unfolded(template, locals_)
    if "%{" in text.replace("%%{", ""):
        found["%{...}"] = SOMEWHERE_UNKNOWN  # a template directive (for, if): what it spells is not evaluated
    for part in nodes:
        for traversal in traversals(part):
            looked_up = _looked_up(context, traversal)
            if looked_up is not None:
                found[looked_up] = SOMEWHERE_UNKNOWN
    return found


# Functions that build a string, or a collection a string is built from: over literals only, what they spell must
# be known, or it could spell any host.
STRING_BUILDERS = frozenset({
    "join", "format", "formatlist", "replace", "regex", "regexall", "substr", "slice", "concat", "distinct",
    "compact", "flatten", "sort", "values", "keys", "toset", "tolist", "setproduct", "setunion", "setintersection",
    "reverse", "element", "lookup", "cidrhost", "cidrsubnet", "cidrsubnets", "strrev", "upper", "lower", "title",
    "trim", "trimprefix", "trimsuffix", "trimspace", "split", "chunklist", "merge", "zipmap", "coalesce",
    "coalescelist", "one", "tostring", "min", "max", "sum", "templatestring", "base64decode", "urldecode",
    "textdecodebase64", "jsondecode", "yamldecode", "csvdecode", "chomp", "indent", "range", "transpose"})


def _unfolded(node: Any, locals_: dict[str, Any]) -> dict[str, Where]:
    """Strings built from literals by an expression residency cannot evaluate (a `for`, arithmetic, a function it
    does not fold): they could spell any host, so they cannot be placed."""
    builds = isinstance(node, For | Operation) or (
        isinstance(node, Call) and node.name.split("::")[-1] in STRING_BUILDERS)
    if builds and not traversals(node) and constant(node, locals_) is None:
        return {"${...}": SOMEWHERE_UNKNOWN}
    found: dict[str, Where] = {}
    for child in _children_of(node):
        found |= _unfolded(child, locals_)
    return found


def _children_of(node: Any) -> list[Any]:
    if isinstance(node, Template):
        return [part for part in node.parts if not isinstance(part, str)]
    if isinstance(node, Call):
        return list(node.args)
    if isinstance(node, Collection):
        return [*node.keys, *node.items]
    if isinstance(node, Conditional):
        return [node.test, node.then, node.otherwise]
    return []


def _literal_tokens(context: PlacementView, text: str, nodes: list[Any]) -> dict[str, Where]:
    found: dict[str, Where] = {}
    placer = context.placer
    taken: list[tuple[int, int]] = []  # spans a URL or ARN already names: their hosts are judged with them
    for match in _ARN.finditer(text):
        taken.append(match.span())
        found[_shown(match.group())] = placer.template(_as_template(match.group(), nodes), Kind.ARN, None, 0)
    for match in _URL.finditer(text):
        taken.append((match.start(), _first_host_end(match)))  # the rest (path, query, more hosts) is read too
        if _project_host(context, match.group()):
            continue  # the product's own names (its front end); where they lead is RES005's to judge
        found[_shown(match.group())] = placer.template(_as_template(match.group(), nodes), Kind.HOST, None, 0)
    for match in _AWS_HOST.finditer(text):
        taken.append(match.span())
        found[_shown(match.group())] = placer.template(_as_template(match.group(), nodes), Kind.HOST, None, 0)
    found |= _outside_hosts(context, text, taken)
    decoded = _decoded(text)
    if decoded is not None:  # a place written in base64 is a place all the same
        found |= {f"base64:{token}": where for token, where in _literal_tokens(context, decoded, []).items()}
    for match in _REGION_CODE.finditer(text.lower()):
        if any(start <= match.start(1) and match.end(1) <= end for start, end in taken):
            continue  # the region field of an ARN, the region label of an endpoint: judged with them
        code = match.group(1)
        found[code] = frozenset({code}) if code in REGIONS else SOMEWHERE_UNKNOWN
    return found


_BASE64 = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")


def _decoded(text: str) -> str | None:
    """The text a base64 string holds, when it holds printable text (a hash or a key holds bytes: None). A
    `label:base64` string (an Elastic Cloud ID) is read after its label."""
    candidate = text.strip()
    label, colon, rest = candidate.partition(":")
    if colon and label and ":" not in rest and len(rest) % 4 == 0 and _BASE64.match(rest):
        candidate = rest
    if len(candidate) % 4 or not _BASE64.match(candidate):
        return None
    try:
        decoded = base64.b64decode(candidate, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return decoded if decoded.isprintable() else None


def _outside_hosts(context: PlacementView, text: str, taken: list[tuple[int, int]]) -> dict[str, Where]:
    """Host names under a public suffix (with or without a port) and IP addresses, outside URLs and ARNs."""
    found: dict[str, Where] = {}
    if "." not in text and ":" not in text:
        return found

    def free(span: tuple[int, int]) -> bool:
        return not any(start < span[1] and span[0] < end for start, end in taken)

    for match in HOST_NAME.finditer(text):
        name, port = match.group(1), match.group(2)
        if is_email_domain(text, match.start()):
            continue  # an email address (RES007 judges where they are allowed)
        if free(match.span()) and is_public_name(name, alone=port is None) and not _project_host(
                context, f"https://{name}"):
            found[match.group().lower()] = context.placer.host(name)
    for pattern in (IPV4, IPV6):
        for match in pattern.finditer(text):
            if match.group(2) or not free(match.span()):
                continue  # a network range (CIDR) is not a host data is sent to
            where = ip_place(match.group(1), context.placer.region)
            if where is not None:
                found[match.group()] = where
    return found


def _first_host_end(match: re.Match[str]) -> int:
    """Where a URL's first host (with its user information and port) ends, in the text."""
    scheme_end = match.group().index("://") + 3
    authority = re.split(r"[/?#\\,;]", match.group()[scheme_end:], maxsplit=1)[0]
    return match.start() + scheme_end + len(authority)


def _project_host(context: PlacementView, url: str) -> bool:
    """The names global serves (the routed API, the front end): where they lead is RES005's to judge."""
    domain = context.config.domain
    return domain is not None and split_url(url)[1] in (naming.global_api_host(domain), naming.frontend_host(domain))


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


def _looked_up(context: PlacementView, traversal: Traversal) -> str | None:
    """`data.x.y.attr` of a data source that finds something existing, another workspace's state, or a
    variable (given when Terraform runs, so nothing here says what it is)."""
    if traversal.root == "var":
        name = str(traversal.steps[0]) if traversal.steps else ""
        if context.config.profile.uses_emulator and name == naming.LOCAL_ENDPOINT_VARIABLE:
            return None
        return f"var.{name}"
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
