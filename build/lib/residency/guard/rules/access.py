"""RES006: a region's workloads can act only in their region, and read no other region's data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from residency import naming
from residency.guard.model import DataPath, Finding, Resource
from residency.guard.registry import Context, rule
from residency.guard.values import UNKNOWN, as_list, blocks, known_region, sole_resource_reference

REQUESTED_REGION = "aws:requestedregion"
DATA_SERVICES = ("dynamodb:", "s3:", "kms:", "logs:", "cognito-idp:", "backup:", "secretsmanager:")
_ARN = re.compile(r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<region>[^:]*):[^:]*:(?P<rest>.*)$")


@rule("RES006", "A region's workloads act only in their region and read no other region's data",
      why="A role that can call another region's APIs, or read another region's tables, buckets or keys, "
          "is a path for personal data across the border, whatever the resources say.",
      fix="Give every Allow statement of a region workspace an `aws:RequestedRegion` condition for its "
          "own region (the directory's regions for directory statements) and name only its own data stores.")
def region_bound_access(context: Context) -> Iterator[Finding | DataPath]:
    if not context.is_region:
        return
    for resource, policy in _policies(context):
        if policy is None:
            yield context.finding("RES006", resource.address, "its policy cannot be read, so its reach cannot "
                                  "be established", context.region, UNKNOWN)
            continue
        for index, statement in enumerate(blocks(policy.get("Statement"))):
            if statement.get("Effect") == "Allow":
                for problem, destination in _statement_problems(context, statement):
                    yield context.finding("RES006", resource.address, f"statement {index}: {problem}",
                                          context.region, destination)
    for attachment in context.workspace.resources("aws_iam_role_policy_attachment", "aws_iam_policy_attachment"):
        arn = attachment.body.get("policy_arn")
        if not (sole_resource_reference(arn) or "").startswith("aws_iam_policy."):
            yield context.finding("RES006", attachment.address, f"attaches {arn}, whose reach residency cannot "
                                  "check", context.region, UNKNOWN)


def _policies(context: Context) -> Iterator[tuple[Resource, dict[str, Any] | None]]:
    for resource in context.workspace.resources("aws_iam_role_policy", "aws_iam_policy"):
        yield resource, _document(resource.body.get("policy"))
    for role in context.workspace.resources("aws_iam_role"):
        for inline in blocks(role.body.get("inline_policy")):
            yield role, _document(inline.get("policy"))


def _document(text: Any) -> dict[str, Any] | None:
    try:
        document = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _statement_problems(context: Context, statement: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if "NotAction" in statement or "NotResource" in statement:
        yield "Allow with NotAction or NotResource reaches everything else", UNKNOWN
        return
    actions = [str(action).lower() for action in as_list(statement.get("Action"))]
    resources = [str(resource) for resource in as_list(statement.get("Resource"))]
    directory = bool(resources) and all(_is_directory(context, statement, arn) for arn in resources)
    allowed = {context.region}
    if directory:
        allowed |= {context.config.global_.region, *context.config.directory_replica_regions}
    regions = _requested_regions(statement)
    if regions is None:
        yield "no aws:RequestedRegion condition: it can act in any region", UNKNOWN
    else:
        for region in sorted(set(regions) - allowed):
            yield f"aws:RequestedRegion allows {region}", region
    for arn in resources:
        if directory:
            continue
        reach = _reach(context, arn, actions)
        if reach is not None:
            yield reach


def _requested_regions(statement: dict[str, Any]) -> list[str] | None:
    for operator, conditions in (statement.get("Condition") or {}).items():
        if "equals" not in operator.lower() or "not" in operator.lower():
            continue
        for key, values in (conditions or {}).items():
            if key.lower() == REQUESTED_REGION:
                return [str(value) for value in as_list(values)]
    return None


def _is_directory(context: Context, statement: dict[str, Any], arn: str) -> bool:
    project = context.config.project
    match = _ARN.match(arn)
    if match is None:
        return False
    if match["service"] == "dynamodb":
        return match["rest"] == f"table/{naming.directory_table_name(project)}"
    if match["service"] == "kms":
        aliases = [str(alias) for conditions in (statement.get("Condition") or {}).values()
                   for key, alias_values in (conditions or {}).items() if key.lower() == "kms:resourcealiases"
                   for alias in as_list(alias_values)]
        return aliases == [naming.directory_hmac_alias(project)]
    return False


def _reach(context: Context, arn: str, actions: list[str]) -> tuple[str, str] | None:
    """A problem when the resource is another region's data store, or could be."""
    if sole_resource_reference(arn.removesuffix(":*")) is not None:
        region = context.region_of(arn.removesuffix(":*"))
        return None if region == context.region else (f"names {arn}, in {region}", region)
    if arn == "*":
        if any(action.startswith(DATA_SERVICES) or action == "*" for action in actions):
            return "grants data actions on every resource", UNKNOWN
        return None
    match = _ARN.match(arn)
    if match is None:
        return f"names {arn}, which residency cannot place", UNKNOWN
    if match["service"] == "s3":
        region = context.bucket_region(match["rest"].split("/", 1)[0])
        return None if region in (context.region, UNKNOWN) else (f"names another region's bucket {arn}", region)
    region = match["region"]
    if region in ("", context.region):
        return None
    return f"names {arn}, outside {context.region}", known_region(region)
