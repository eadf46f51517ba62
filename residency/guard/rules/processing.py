"""RES010: personal data is processed only inside its jurisdiction.

Where a request, a message, an event or a sign-up goes to be handled (API integrations and
authorizers, CloudFront origins, DNS answers, Cognito triggers and senders, event targets and
destinations, subscriptions) is the catalog's to say; this rule judges where each points. Computing a
directory key sends the normalized email to KMS, so that too is processing: in the caller's
jurisdiction only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from residency import naming
from residency.guard.placement.catalog.entries import Flow, Kind, PolicyKind
from residency.guard.placement.placed_values import PlacedValue, with_flow
from residency.guard.placement.places import LOOPBACK, UNKNOWN
from residency.guard.placement.tokens import places_in_text
from residency.guard.policies.documents import policy_documents
from residency.guard.rules.context import Context
from residency.guard.rules.copies import data_paths
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, rule
from residency.guard.terraform_json.attributes import at_path, dotted, strings
from residency.guard.terraform_json.values import sole_resource_reference

MAC_ACTIONS = ("kms:generatemac", "kms:verifymac")
# The module CloudFront Functions import to change origins (or anything else of a distribution).
_CLOUDFRONT_MODULE = re.compile(r"""(require\s*\(\s*|from\s+|import\s*\(\s*)['"`]cloudfront['"`]""")
# What CloudFront Functions call to send a request to another origin than the behaviour's.
ORIGIN_CHANGES = ("updateRequestOrigin", "selectRequestOriginById", "createRequestOriginGroup")
# What global serves at the edge: its strings are read for any place they name.
EDGE_TYPES = ("aws_cloudfront_function", "aws_cloudfront_distribution", "aws_cloudfront_origin_request_policy",
              "aws_cloudfront_response_headers_policy")


@rule("RES010", "Personal data is processed only inside its jurisdiction",
      why="An integration, origin, DNS answer, trigger, sender, event target or subscription decides where "
          "requests and messages carrying personal data are handled; computing a directory key sends the "
          "normalized email to KMS. Anywhere else, or anywhere that cannot be established, is a transfer.",
      fix="Point integrations, origins, records, triggers and targets at resources of this region (or its "
          "jurisdiction), and compute directory keys with the HMAC key replica in the function's own region.")
def processed_at_home(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if context.is_region:
        for placed in with_flow(context, Flow.PROCESS):
            yield from data_paths(context, placed)
            outside = context.outside(placed.where)
            if outside:
                yield from emit.per_destination(placed.resource.address,
                                                f"{placed.attribute} sends personal data to be processed in "
                                                f"{context.describe(outside)}, outside {context.jurisdiction}",
                                                outside, placed.value)
        yield from _user_keys(context, emit)
    elif context.workspace.name == naming.GLOBAL_WORKSPACE:
        for placed in with_flow(context, Flow.PROCESS):
            if placed.resource.type != "aws_route53_record" and not _global_target(context, placed):
                yield emit(placed.resource.address,
                           f"{placed.attribute} sends every user's requests to {placed.value!r}, "
                           "whatever their country (only this workspace's own resources may be "
                           "behind the global entry points; users reach their region's API through DNS)",
                           context.region, ",".join(sorted(placed.where)) or UNKNOWN)
        yield from _edge_code(context, emit)


def _edge_code(context: Context, emit: Emit) -> Iterator[Finding]:
    """What CloudFront runs or is told at the edge (functions, behaviours) may name no region, regional
    host or unknown place: it would send every country's requests there."""
    for function in context.workspace.resources("aws_cloudfront_function"):
        code = str(function.body.get("code", ""))
        if any(call in code for call in ORIGIN_CHANGES) or _CLOUDFRONT_MODULE.search(code):
            yield emit(function.address, "the function changes where a request goes at the edge "
                       "(the origin it picks is code residency cannot read)", context.region, UNKNOWN)
    for resource in context.workspace.resources(*EDGE_TYPES):
        for location, text in strings(resource.body):
            named = places_in_text(context, text)
            elsewhere = sorted({place for where in named.values() for place in where if place != LOOPBACK})
            if elsewhere:
                yield emit(resource.address, f"{dotted(location)} names "
                           f"{', '.join(sorted(named)[:3])} ({context.describe(elsewhere)}): the edge "
                           "would send every country's requests there", context.region,
                           ",".join(elsewhere))


def _global_target(context: Context, placed: PlacedValue) -> bool:
    """A global entry point may lead only to a resource global creates. Not to the country-routed API host: an
    edge ends TLS wherever the user connects, and the edge's resolver, not the user's country, picks the region."""
    reference = sole_resource_reference(placed.value)
    return reference is not None and context.workspace.resource(reference) is not None and UNKNOWN not in placed.where


def _user_keys(context: Context, emit: Emit) -> Iterator[Finding]:
    """Where the triggers compute directory keys: their setting, and what their policies let them call."""
    for function in context.workspace.resources("aws_lambda_function"):
        for location, value in at_path(function.body, f"environment.variables.{naming.HMAC_REGION_SETTING}"):
            outside = context.outside(context.placer.region_value(value))
            if outside:
                yield emit(function.address,
                           f"{dotted(location)} computes directory keys in {context.describe(outside)}: "
                           "every sign-up and sign-in sends the normalized email there",
                           context.region, ",".join(outside))
    for grant in context.workspace.resources("aws_kms_grant"):
        operations = [str(op).lower() for op in (grant.body.get("operations") or [])]
        if any(op in ("generatemac", "verifymac") for op in operations):
            outside = context.outside(context.placer.place(grant.body.get("key_id"), Kind.NAME_OR_ARN, grant))
            if outside:
                yield emit(grant.address, f"grants computing directory keys (GenerateMac) with "
                           f"a key in {context.describe(outside)}: the normalized email would be sent "
                           "there", context.region, ",".join(outside))
    for document in policy_documents(context):
        if document.policy.kind != PolicyKind.IDENTITY or document.document is None:
            continue
        for index, statement in enumerate(document.statements()):
            if str(statement.get("Effect", "")).lower() != "allow" or not _grants_mac(statement.get("Action")):
                continue
            reached = _mac_regions(context, statement)
            outside = context.outside(reached)
            if outside:
                yield emit(document.resource.address,
                           f"policy statement {index} lets it compute directory keys (kms:GenerateMac) "
                           f"in {context.describe(outside)}: the normalized email would be sent there",
                           context.region, ",".join(outside))


def _grants_mac(actions: Any) -> bool:
    listed = actions if isinstance(actions, list) else [actions]
    return any(fnmatchcase(mac, str(action).lower()) for action in listed for mac in MAC_ACTIONS)


def _mac_regions(context: Context, statement: dict[str, Any]) -> frozenset[str]:
    resources = statement.get("Resource")
    where: set[str] = set()
    for resource in resources if isinstance(resources, list) else [resources]:
        where |= {UNKNOWN} if resource == "*" else context.placer.place(resource, Kind.ARN)
    for operator, conditions in (statement.get("Condition") or {}).items():
        if "equals" in operator.lower() and "not" not in operator.lower() and isinstance(conditions, dict):
            for key, values in conditions.items():
                if key.lower() == "aws:requestedregion":
                    for value in values if isinstance(values, list) else [values]:
                        where |= context.placer.region_value(value)
    return frozenset(where)
