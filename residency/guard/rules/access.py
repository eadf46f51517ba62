"""RES006: a region's workloads act only in their region, and only its own principals reach its data.

Every policy the catalog knows of is judged: identity policies (roles, users, groups, managed
policies), trust policies and resource policies (buckets, keys, queues, topics, secrets...), whether
written as JSON, `jsonencode` or an `aws_iam_policy_document`; and every principal, managed policy
and grant the catalog marks as access.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from residency import naming
from residency.guard.placement.catalog.entries import Flow, Kind, PolicyKind
from residency.guard.placement.placed_values import with_flow
from residency.guard.placement.places import NOWHERE, SOMEWHERE_UNKNOWN, UNKNOWN, Where
from residency.guard.policies.documents import PolicyDocument, policy_documents
from residency.guard.rules.context import Context
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.rule import Emit, destination_of, rule
from residency.guard.terraform_json.expressions import ExpressionError, Traversal, address, is_template, parse_template
from residency.guard.terraform_json.values import sole_resource_reference

REQUESTED_REGION = "aws:requestedregion"
# Actions AWS grants only on `*` (no resource-level permissions) that touch no personal data.
ACTIONS_ON_EVERYTHING = frozenset({
    "cloudwatch:putmetricdata", "xray:puttracesegments", "xray:puttelemetryrecords", "xray:getsamplingrules",
    "xray:getsamplingtargets", "ec2:createnetworkinterface", "ec2:describenetworkinterfaces",
    "ec2:deletenetworkinterface", "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
    "sts:getcalleridentity",
    # Vended log deliveries (Step Functions, API Gateway, EventBridge Pipes logging): AWS requires `*` for them.
    "logs:createlogdelivery", "logs:getlogdelivery", "logs:updatelogdelivery", "logs:deletelogdelivery",
    "logs:listlogdeliveries", "logs:putresourcepolicy", "logs:describeresourcepolicies", "logs:describeloggroups",
})
# Every CloudWatch Logs action (the service authorization reference): a wildcard such as `logs:*LogDelivery` is
# granted on `*` only when every action it matches is one AWS grants only on `*` and holds nothing personal.
LOGS_ACTIONS = frozenset(f"logs:{action}".lower() for action in (
    "AssociateKmsKey CancelExportTask CreateDelivery CreateExportTask CreateLogAnomalyDetector CreateLogDelivery "
    "CreateLogGroup CreateLogStream DeleteAccountPolicy DeleteDataProtectionPolicy DeleteDelivery "
    "DeleteDeliveryDestination DeleteDeliveryDestinationPolicy DeleteDeliverySource DeleteDestination "
    "DeleteIndexPolicy DeleteIntegration DeleteLogAnomalyDetector DeleteLogDelivery DeleteLogGroup DeleteLogStream "
    "DeleteMetricFilter DeleteQueryDefinition DeleteResourcePolicy DeleteRetentionPolicy DeleteSubscriptionFilter "
    "DeleteTransformer DescribeAccountPolicies DescribeConfigurationTemplates DescribeDeliveries "
    "DescribeDeliveryDestinations DescribeDeliverySources DescribeDestinations DescribeExportTasks "
    "DescribeFieldIndexes DescribeIndexPolicies DescribeLogGroups DescribeLogStreams DescribeMetricFilters "
    "DescribeQueries DescribeQueryDefinitions DescribeResourcePolicies DescribeSubscriptionFilters "
    "DisassociateKmsKey FilterLogEvents GetDataProtectionPolicy GetDelivery GetDeliveryDestination "
    "GetDeliveryDestinationPolicy GetDeliverySource GetIntegration GetLogAnomalyDetector GetLogDelivery "
    "GetLogEvents GetLogGroupFields GetLogRecord GetQueryResults GetTransformer Link ListAnomalies "
    "ListIntegrations ListLogAnomalyDetectors ListLogDeliveries ListLogGroupsForQuery ListTagsForResource "
    "ListTagsLogGroup PutAccountPolicy PutDataProtectionPolicy PutDeliveryDestination PutDeliveryDestinationPolicy "
    "PutDeliverySource PutDestination PutDestinationPolicy PutIndexPolicy PutIntegration PutLogEvents "
    "PutMetricFilter PutQueryDefinition PutResourcePolicy PutRetentionPolicy PutSubscriptionFilter PutTransformer "
    "StartLiveTail StartQuery StopLiveTail StopQuery TagLogGroup TagResource TestMetricFilter TestTransformer "
    "Unmask UntagLogGroup UntagResource UpdateAnomaly UpdateDeliveryConfiguration UpdateLogAnomalyDetector "
    "UpdateLogDelivery").split())
KNOWN_ACTIONS = {"logs": LOGS_ACTIONS}
# What the residency functions do to the directory: items named by their pseudonymous key (one, or a
# batch of them), never a query or a scan.
DIRECTORY_ACTIONS = frozenset({"dynamodb:getitem", "dynamodb:batchgetitem", "dynamodb:putitem", "dynamodb:updateitem",
                               "dynamodb:deleteitem", "dynamodb:conditioncheckitem"})
# Actions that copy data to a region the call does not name (aws:RequestedRegion cannot hold them back).
REPLICATION_ACTIONS = frozenset({
    "s3:putreplicationconfiguration", "s3:replicateobject", "s3:replicatedelete", "s3:replicatetags",
    "s3:createmultiregionaccesspoint", "s3:createjob", "dynamodb:createtablereplica", "dynamodb:createglobaltable",
    "dynamodb:updateglobaltable", "dynamodb:exporttabletopointintime", "dynamodb:enablekinesisstreamingdestination",
    "backup:startcopyjob", "kms:replicatekey", "secretsmanager:replicatesecrettoregions",
    "ecr:putreplicationconfiguration", "rds:createdbinstancereadreplica", "rds:copydbsnapshot",
    "rds:copydbclustersnapshot", "rds:createglobalcluster", "rds:startdbinstanceautomatedbackupsreplication",
    "rds:startexporttask", "elasticache:createglobalreplicationgroup", "ec2:copysnapshot", "ec2:copyimage",
    "logs:putsubscriptionfilter", "logs:createexporttask", "firehose:createdeliverystream", "datasync:createtask",
    "dms:createreplicationtask", "es:createoutboundconnection", "events:puttargets", "sns:subscribe",
    "lambda:createeventsourcemapping", "glue:createjob", "scheduler:createschedule", "pipes:createpipe",
})
KEY_TYPES = ("aws_kms_key", "aws_kms_replica_key", "aws_kms_key_policy", "aws_kms_external_key",
             "aws_kms_replica_external_key")
# Principals that act at edge locations in every country (CloudFront, Lambda@Edge).
EDGE_PRINCIPALS = frozenset({"cloudfront.amazonaws.com", "edgelambda.amazonaws.com"})
IDENTITY_POOLS = "cognito-identity.amazonaws.com"
# Conditions that pin a resource policy's `*` principal to the workspace's own account.
OWN_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:sourceaccount", "kms:calleraccount",
                              "aws:resourceaccount"})
_REGION_PREFIX = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-[0-9]+):[0-9a-f-]{36}$")
_LITERAL_DIRECTORY_ARN = re.compile(
    r"^arn:aws:dynamodb:(?P<region>[a-z0-9-]+):(?P<account>[0-9]+):table/(?P<table>.+)$")
_DIRECTORY_ARN = re.compile(
    r"^arn:aws:dynamodb:(?P<region>[a-z0-9-]+):\x00(?P<account>[0-9]+)\x00:table/(?P<table>.+)$")


@rule("RES006", "A region's workloads act only in their region; only its own principals reach its data",
      why="A role that can call another region's APIs or read another region's stores, a trust or resource policy "
          "that lets another account (or anyone) in, or a managed policy whose reach cannot be read, is a path "
          "for personal data across the border whatever the resources say.",
      fix="Give every Allow statement of a region's identity policies an `aws:RequestedRegion` condition for its "
          "own region (the directory's regions for directory statements), name only this workspace's stores, "
          "roles and account in policies, and attach only policies this workspace writes.")
def region_bound_access(context: Context, emit: Emit) -> Iterator[Finding | DataPath]:
    if context.workspace.name == naming.GLOBAL_WORKSPACE:
        yield from _global_principals(context, emit)
    if not context.is_region:
        return
    directory_roles = _directory_roles(context)
    for document in policy_documents(context):
        what = f"{document.resource.address}"
        if document.document is None:
            yield emit(what, f"the policy in {'.'.join(map(str, document.location))} cannot be "
                       "read, so its reach cannot be established", context.region, UNKNOWN)
            continue
        may_use_directory = _role_of(document) in directory_roles
        for index, statement in enumerate(document.statements()):
            if str(statement.get("Effect", "")).lower() != "allow":
                continue  # a Deny only takes away
            for problem, destination in _problems(context, document, statement, may_use_directory):
                yield emit(what, f"policy statement {index}: {problem}", context.region,
                           destination)
    for placed in with_flow(context, Flow.ACCESS):
        outside = context.outside(placed.where)
        if outside:
            reach = f"{placed.attribute} {_reach(placed.place.kind)} {context.describe(outside)}"
            yield from emit.per_destination(placed.resource.address, reach, outside, placed.value)
    for permission in context.workspace.resources("aws_lambda_permission"):
        principal = permission.body.get("principal")
        if isinstance(principal, str) and ".amazonaws.com" in principal and \
                not permission.body.get("source_arn") and not permission.body.get("source_account"):
            yield emit(permission.address, f"lets {principal} invoke the function for any "
                       "account's resources (no source_arn or source_account)", context.region, UNKNOWN)


def _global_principals(context: Context, emit: Emit) -> Iterator[Finding]:
    """global's keys and buckets: only this account, its roles and AWS services may be let in."""
    for document in policy_documents(context):
        if document.policy.kind == PolicyKind.IDENTITY:
            continue
        if document.document is None:
            yield emit(document.resource.address, "its policy cannot be read, so who it lets "
                       "in cannot be established", context.region, UNKNOWN)
            continue
        for index, statement in enumerate(document.statements()):
            if str(statement.get("Effect", "")).lower() != "allow":
                continue
            for problem, destination in _principals(context, statement, document.policy.kind,
                                                    document.resource.type in KEY_TYPES):
                if destination == UNKNOWN:
                    yield emit(document.resource.address, f"policy statement {index}: {problem}",
                               context.region, destination)


def _directory_roles(context: Context) -> set[str]:
    """Addresses of the roles only residency's triggers run as: the one identity that may use the directory."""
    names = {naming.function_name(context.config.project, context.region, purpose): purpose
             for purpose in naming.DIRECTORY_USERS}
    users: dict[str, set[bool]] = {}
    for function in context.workspace.resources("aws_lambda_function"):
        role = sole_resource_reference(function.body.get("role"))
        if role is not None:
            users.setdefault(role, set()).add(function.body.get("function_name") in names)
    return {role for role, triggers in users.items() if triggers == {True}}


def _role_of(document: PolicyDocument) -> str | None:
    resource = document.resource
    if resource.type == "aws_iam_role":
        return f"{resource.type}.{resource.name}"
    if resource.type == "aws_iam_role_policy":
        return sole_resource_reference(resource.body.get("role"))
    return None


def _reach(kind: Kind) -> str:
    if kind == Kind.POLICY_ARN:
        return "attaches a policy residency cannot read, whose reach is"
    if kind == Kind.PRINCIPAL:
        return "lets in a principal from"
    return "grants access to or from"


def _problems(context: Context, document: PolicyDocument, statement: dict[str, Any],
              may_use_directory: bool) -> Iterator[tuple[str, str]]:
    for element in ("NotAction", "NotResource", "NotPrincipal"):
        if element in statement:
            yield f"Allow with {element} reaches everything it does not name", UNKNOWN
            return
    kind = document.policy.kind
    if kind == PolicyKind.IDENTITY:
        yield from _identity(context, statement, may_use_directory)
    else:
        yield from _principals(context, statement, kind, document.resource.type in KEY_TYPES)
    yield from _condition_values(context, statement)


def _identity(context: Context, statement: dict[str, Any], may_use_directory: bool) -> Iterator[tuple[str, str]]:
    actions = [str(action).lower() for action in _list(statement.get("Action"))]
    resources = _list(statement.get("Resource"))
    copying = sorted({copy for copy in REPLICATION_ACTIONS for action in actions if fnmatchcase(copy, action)})
    if copying:
        yield (f"lets the workload copy data to any region at run time ({', '.join(copying[:4])}"
               f"{', ...' if len(copying) > 4 else ''})", UNKNOWN)
    directory = _directory_regions(context, statement, actions, resources) if may_use_directory else None
    allowed = {context.region} | (directory or set())
    regions = _requested_regions(context, statement)
    if regions is None:
        yield "no aws:RequestedRegion condition: it can act in any region", UNKNOWN
    else:
        for region in sorted(region for region in regions - allowed if not context.same_jurisdiction(region)):
            yield f"aws:RequestedRegion allows {region}", region
    if directory is not None:
        return
    for resource in resources:
        if resource == "*":
            broad = [action for action in actions if not _only_on_everything(action)]
            if broad:
                yield f"grants {', '.join(broad)} on every resource", UNKNOWN
            continue
        if _assumes_roles(actions):
            where = context.placer.place(resource, Kind.PRINCIPAL)
            if UNKNOWN in where:
                yield f"may assume {resource}, which is not a role this workspace creates", UNKNOWN
                continue
        where = _bounded(context.placer.place(resource, Kind.ARN), resource, regions)
        outside = context.outside(where)
        if outside:
            yield f"names {resource}, in {context.describe(outside)}", destination_of(outside[0], resource)


def _only_on_everything(action: str) -> bool:
    """An action (or a wildcard whose every match is known) that AWS grants only on `*` and that holds nothing
    personal; a wildcard over a service whose actions residency does not list is not."""
    if action in ACTIONS_ON_EVERYTHING:
        return True
    service, _, name = action.partition(":")
    known = KNOWN_ACTIONS.get(service)
    if known is None or not name or name == "*" or not any(ch in name for ch in "*?"):
        return False
    matched = [candidate for candidate in known if fnmatchcase(candidate, action)]
    return bool(matched) and all(candidate in ACTIONS_ON_EVERYTHING for candidate in matched)


def _bounded(where: Where, resource: Any, regions: set[str] | None) -> Where:
    """An ARN whose region is a wildcard (`arn:aws:bedrock:*::foundation-model/x`, a cross-region inference
    profile's models) reaches only the regions the statement's aws:RequestedRegion lets the call name."""
    parts = resource.split(":", 5) if isinstance(resource, str) else []
    if UNKNOWN not in where or regions is None or len(parts) < 6 or not any(ch in parts[3] for ch in "*?"):
        return where
    matched = {region for region in regions if fnmatchcase(region, parts[3])}
    return frozenset(matched) if matched and not any(ch in parts[4] for ch in "*?") else where


def _assumes_roles(actions: list[str]) -> bool:
    return any(fnmatchcase("sts:assumerole", action) or fnmatchcase("sts:assumerolewithwebidentity", action)
               for action in actions)


def _directory_regions(context: Context, statement: dict[str, Any], actions: list[str],
                       resources: list[Any]) -> set[str] | None:
    """The regions a statement reaches when it only reads or writes single items of the residency
    directory in this account (the one store that may be outside the jurisdiction), else None."""
    if not resources or not actions or not set(actions) <= DIRECTORY_ACTIONS:
        return None
    allowed = {context.config.global_.region, *context.config.directory_replica_regions}
    table = naming.directory_table_name(context.config.project)
    found: set[str] = set()
    for resource in resources:
        region = _directory_table_region(context, resource, table)
        if region is None or region not in allowed | {context.region}:
            return None
        found.add(region)
    return found


def _directory_table_region(context: Context, arn: Any, table: str) -> str | None:
    if not isinstance(arn, str):
        return None
    if not is_template(arn):  # a saved plan spells this account out; otherwise it cannot be checked
        literal = _LITERAL_DIRECTORY_ARN.match(arn)
        ok = literal and literal["account"] in context.placer.own_accounts and literal["table"] == table
        return literal["region"] if ok and literal else None
    try:
        template = parse_template(arn)
    except ExpressionError:
        return None
    nodes = [part for part in template.parts if not isinstance(part, str)]
    if len(nodes) != 1 or not context.placer.is_own_account(nodes[0]):
        return None
    rendered = "".join(part if isinstance(part, str) else "\x000\x00" for part in template.parts)
    match = _DIRECTORY_ARN.match(rendered)
    return match["region"] if match and match["table"] == table else None


def _requested_regions(context: Context, statement: dict[str, Any]) -> set[str] | None:
    for operator, conditions in _dict(statement.get("Condition")).items():
        lowered = operator.lower()
        if "equals" not in lowered or "not" in lowered or lowered.startswith("forallvalues"):
            continue
        for key, values in _dict(conditions).items():
            if key.lower() == REQUESTED_REGION:
                regions: set[str] = set()
                for value in _list(values):
                    where = context.placer.region_value(value)
                    regions |= set(where) if where else {str(value)}
                return regions
    return None


def _principals(context: Context, statement: dict[str, Any], kind: PolicyKind,
                key_policy: bool = False) -> Iterator[tuple[str, str]]:
    """`key_policy`: a KMS key can only be used in its own region, so a service using it acts there."""
    principal = statement.get("Principal")
    if principal is None:
        yield "an Allow without a principal", UNKNOWN
        return
    entries = [("AWS", "*")] if principal == "*" else [
        (str(type_), value) for type_, values in _dict(principal).items() for value in _list(values)]
    for type_, value in entries:
        if value == "*" or type_ == "CanonicalUser":
            if kind == PolicyKind.RESOURCE and type_ == "AWS" and _pinned_to_own_account(context, statement):
                continue
            yield f"lets in {type_} principal {value!r}: anyone, from anywhere", UNKNOWN
            continue
        name = value.lower() if isinstance(value, str) else ""
        if context.is_region and name in EDGE_PRINCIPALS:
            yield f"lets in {value}, which serves from edge locations in every country", UNKNOWN
            continue
        if type_ == "Federated" and name == IDENTITY_POOLS:
            if not _identity_pool_pinned(context, statement):
                yield (f"lets in users of any identity pool, of any account (no {IDENTITY_POOLS}:aud condition "
                       "naming one of this jurisdiction)"), UNKNOWN
            continue
        where = context.placer.place(value, Kind.PRINCIPAL)
        outside = context.outside(where)
        if outside:
            yield f"lets in {type_} principal {value}, from {context.describe(outside)}", ",".join(outside)
        elif type_ == "Service" and kind == PolicyKind.RESOURCE and \
                not _pinned_source(context, statement, regional=bool(where) or key_policy):
            alternative = ", or aws:SourceAccount of this account" if where else ""
            yield (f"lets in {value} acting for resources residency cannot place (it needs an aws:SourceArn "
                   f"of this jurisdiction's resources{alternative})", UNKNOWN)


def _pinned_to_own_account(context: Context, statement: dict[str, Any]) -> bool:
    for operator, conditions in _dict(statement.get("Condition")).items():
        if operator.lower() not in ("stringequals", "forallvalues:stringequals"):
            continue
        for key, values in _dict(conditions).items():
            if key.lower() in OWN_ACCOUNT_KEYS and _list(values) and all(
                    _own_account_value(context, value) for value in _list(values)):
                return True
    return False


def _identity_pool_pinned(context: Context, statement: dict[str, Any]) -> bool:
    for operator, conditions in _dict(statement.get("Condition")).items():
        if operator.lower() not in ("stringequals", "forallvalues:stringequals", "foranyvalue:stringequals"):
            continue
        for key, values in _dict(conditions).items():
            if key.lower() == f"{IDENTITY_POOLS}:aud" and _list(values) and all(
                    not context.outside(_condition_place(context, value) or SOMEWHERE_UNKNOWN)
                    for value in _list(values)):
                return True
    return False


def _pinned_source(context: Context, statement: dict[str, Any], *, regional: bool) -> bool:
    """A condition that ties a service's access to this account's resources of this jurisdiction. A
    regional service principal acts in its region, so the account is enough; a global one (S3, CloudFront,
    SNS...) needs the source resource itself."""
    for operator, conditions in _dict(statement.get("Condition")).items():
        if "not" in operator.lower() or "ifexists" in operator.lower():
            continue
        for key, values in _dict(conditions).items():
            lowered, listed = key.lower(), _list(values)
            if not listed:
                continue
            if regional and lowered in ("aws:sourceaccount", "aws:sourceowner") and \
                    all(_own_account_value(context, value) for value in listed):
                return True
            if (lowered in ("aws:sourcearn",) or lowered.startswith("kms:encryptioncontext:")) and \
                    all(_own_arn(context, value) for value in listed):
                return True
    return False


def _own_arn(context: Context, value: Any) -> bool:
    """An ARN of this account in this jurisdiction (a reference to this workspace's resource, or this account
    spelled out)."""
    if isinstance(value, Traversal):  # inside a jsonencode'd policy: `aws_sns_topic.events.arn`
        found = address(value)
        return found is not None and found[0] == "resource" and \
            context.workspace.resource(f"{found[1]}.{found[2]}") is not None and \
            not context.outside(context.placer.place(value, Kind.ARN))
    if not isinstance(value, str) or context.outside(context.placer.place(value, Kind.ARN)):
        return False
    if sole_resource_reference(value) is not None:
        return True
    parts = value.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or "*" in parts[3]:
        return False
    account = parts[4]
    if account in context.placer.own_accounts:
        return True
    try:
        template = parse_template(account) if is_template(account) else None
    except ExpressionError:
        return False
    return template is not None and len(template.parts) == 1 and isinstance(template.parts[0], Traversal) and \
        context.placer.is_own_account(template.parts[0])


def _own_account_value(context: Context, value: Any) -> bool:
    if isinstance(value, str) and value in context.placer.own_accounts:
        return True
    if not isinstance(value, str) or not is_template(value):
        return False
    try:
        template = parse_template(value)
    except ExpressionError:
        return False
    return len(template.parts) == 1 and isinstance(template.parts[0], Traversal) and \
        context.placer.is_own_account(template.parts[0])


def _condition_values(context: Context, statement: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """ARNs and regions a condition names (a source ARN, a source account's resource): the data reaching
    the resource through this statement comes from there."""
    for operator, conditions in _dict(statement.get("Condition")).items():
        for key, values in _dict(conditions).items():
            if key.lower() == REQUESTED_REGION or "not" in operator.lower():
                continue
            for value in _list(values):
                where = _condition_place(context, value)
                outside = context.outside(where)
                if outside:
                    yield f"condition {key} names {value}, in {context.describe(outside)}", ",".join(outside)


def _condition_place(context: Context, value: Any) -> Where:
    if not isinstance(value, str):
        return NOWHERE
    text = value.strip()
    if is_template(text):
        try:
            template = parse_template(text)
        except ExpressionError:
            return SOMEWHERE_UNKNOWN
        sole = template.parts[0] if len(template.parts) == 1 and not isinstance(template.parts[0], str) else None
        if isinstance(sole, Traversal) and context.placer.is_own_account(sole):
            return NOWHERE
        if text.startswith("arn:") or (isinstance(sole, Traversal) and address(sole) is not None):
            return context.placer.place(text, Kind.ARN)
        return NOWHERE
    if text.startswith("arn:"):
        return context.placer.arn(text)
    pool = _REGION_PREFIX.match(text)  # an identity pool id: eu-central-1:0a1b...
    if pool:
        return context.placer.region_value(pool.group(1))
    where = context.placer.region_value(text)
    return where if UNKNOWN not in where else NOWHERE


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
