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

from collections.abc import Iterator
from itertools import chain
from typing import Any

from residency import naming
from residency.guard.attributes import Location, at_path, covered, dotted, strings
from residency.guard.catalog.entries import Kind
from residency.guard.placed import entry_of
from residency.guard.places import UNKNOWN
from residency.guard.registry import Context, rule
from residency.guard.tfjson import strict_json
from residency.guard.tokens import places_in_text
from residency.guard.workspace_model import DataPath, Finding, Resource

# Keys of JSON documents whose values name the document's own kind, never a place data goes.
IDENTIFIER_KEYS = frozenset({"$schema", "$id"})
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
        if resource.type == "aws_iam_policy_document":
            continue  # a policy: RES006 reads it where a policy attribute uses it
        skip = _judged(context, resource)
        for location, text in _strings_within_json(resource.body):
            if not covered(location, skip):
                yield from _judge(context, resource.address, location, text, resource)
    for index, provider in enumerate(context.workspace.providers()):
        for location, text in strings(provider, ("provider", "aws", index), keys=True):
            if location[3] not in PROVIDER_SETTINGS_JUDGED:
                yield from _judge(context, "provider.aws", location, text, None)
    for section in TOP_LEVEL:
        value = context.workspace.document.get(section)
        if value is None:
            continue
        for location, text in _strings_within_json(value):
            yield from _judge(context, section, location, text, None)


def _strings_within_json(body: Any) -> Iterator[tuple[Location, str]]:
    """Every string and map key, and inside a JSON document held as a string, every string and key of the
    document (one with duplicate keys is read as text: readers disagree on it)."""
    for location, text in strings(body, keys=True):
        if text.lstrip()[:1] in ("{", "["):
            try:
                document = strict_json(text)
            except ValueError:
                document = None
            if isinstance(document, dict | list):
                yield from strings(document, (*location, "#"), keys=True)
                continue
        yield location, text


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
    if len(location) >= 2 and location[-2] == "#" and location[-1] in IDENTIFIER_KEYS and text != location[-1]:
        return  # a JSON schema's own name ($schema, $id) is an identifier, not a place anything is sent
    if location and location[-1] in naming.DIRECTORY_REGION_SETTINGS and text != location[-1] and at is not None \
            and at.type == "aws_lambda_function":
        yield from _directory_setting(context, address_, location, text)
        return
    tokens = places_in_text(context, text)
    if not tokens:
        return
    if len(tokens) == 1:  # one place named: judged as the whole value (a reference, a template) names it
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


