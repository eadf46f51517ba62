"""What a catalog entry says about one Terraform resource type or data source.

The catalog is the reviewed list of everything residency lets a workspace contain. For each type it
records in which kinds of workspace it may appear, whether it can hold personal data, and every
attribute that names a place (a region, an ARN, a URL or host, a bucket, a key, an account): where
the data goes or comes from, or where it is processed or kept. The rules read nothing else to
decide what a type does; a type that is not here is a violation of its own (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Workspace(StrEnum):
    """The kinds of workspace residency writes."""

    REGION = "region"  # one region's silo: everything personal
    GLOBAL = "global"  # the directory and routing, nothing personal
    BOOTSTRAP = "bootstrap"  # the state buckets and keys of `state: {backend: s3}`
    RETIREMENT = "retirement"  # provider and backend only; destroys a retired region from its state


class Flow(StrEnum):
    """What happens at the place an attribute names."""

    OUT = "out"  # data is copied there (replication, export, delivery, subscription, backup copy)
    IN = "in"  # data is copied from there into this workspace (read replica, restore, import, snapshot copy)
    PROCESS = "process"  # personal data is sent there to be handled (integration, origin, trigger, target)
    KEEP = "keep"  # the resource keeps or protects its own data there (encryption key, logs, state)
    ACCESS = "access"  # who may act on the data (principals, policies)


class Kind(StrEnum):
    """How to read an attribute's value to find the place it names."""

    ARN = "arn"  # an ARN (its region field; region-less ARNs must name something this workspace creates)
    NAME_OR_ARN = "name-or-arn"  # a bare name or id is looked up in the resource's own region; else an ARN
    BUCKET = "bucket"  # an S3 bucket name, bucket ARN or s3:// URL (names are global: must be a known bucket)
    HOST = "host"  # a URL or host name (regional AWS endpoints, the project's domain)
    REGION = "region"  # a region code
    ACCOUNT = "account"  # an AWS account id: only this workspace's own account can be placed
    PRINCIPAL = "principal"  # a principal: a service, an account, an ARN or `*`
    POLICY_ARN = "policy-arn"  # a managed policy: only one this workspace creates can be checked
    ANY = "any"  # read from the value itself: an ARN, a URL, an s3:// URL or a region code; else unknown
    UNPLACEABLE = "unplaceable"  # any value set means data can reach places nobody can list (a global cluster)


@dataclass(frozen=True)
class Place:
    """An attribute that names a place.

    `path` walks nested blocks and maps with dots (`rule.destination.bucket`); `*` is any one key,
    `**` any depth. `attr#json.path` reads a string attribute as JSON and walks into it.
    """

    path: str
    kind: Kind
    flow: Flow
    # (sibling attribute, values): the place applies only when the attribute beside the value has one
    # of these values (or a value only known when Terraform runs), e.g. a DNS record's `type`.
    when: tuple[str, tuple[str, ...]] | None = None
    # The sibling's value when it is left out, where AWS gives it one (else a sibling left out is judged as unknown).
    when_left_out: str | None = None
    # What AWS does when the attribute is left out, where that matters (a top-level attribute only):
    # a CloudTrail event data store is multi-Region unless told otherwise.
    default: object = None


class PolicyKind(StrEnum):
    IDENTITY = "identity"  # attached to a role, user or group: what it may do, where
    RESOURCE = "resource"  # attached to the data store itself: who may reach it
    TRUST = "trust"  # who may assume a role


@dataclass(frozen=True)
class Policy:
    """An attribute holding an IAM policy document (JSON text, or a policy document data source)."""

    path: str
    kind: PolicyKind


@dataclass(frozen=True)
class Entry:
    type: str
    workspaces: frozenset[Workspace]
    personal: bool  # can hold personal data (a store, a queue, a log, a stream...)
    places: tuple[Place, ...] = ()
    policies: tuple[Policy, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DataSource:
    type: str
    workspaces: frozenset[Workspace]
    # True: it finds something that already exists (by name, ARN, parameter...), so what it returns
    # is of unknown placement. False: it only describes this workspace's own context (its account,
    # region, partition) or builds a value from its arguments.
    lookup: bool
    places: tuple[Place, ...] = ()
    policies: tuple[Policy, ...] = ()
    note: str = ""


REGION = frozenset({Workspace.REGION})
GLOBAL = frozenset({Workspace.GLOBAL})
REGION_AND_GLOBAL = frozenset({Workspace.REGION, Workspace.GLOBAL})
REGION_GLOBAL_AND_BOOTSTRAP = frozenset({Workspace.REGION, Workspace.GLOBAL, Workspace.BOOTSTRAP})


# The parameters of an AWS API call made for you (a Step Functions task, a universal scheduler target) that
# name where it sends or fetches data.
SERVICE_CALL_TARGETS = (
    ("FunctionName", Kind.NAME_OR_ARN), ("QueueUrl", Kind.HOST), ("TopicArn", Kind.ARN),
    ("TableName", Kind.NAME_OR_ARN), ("StateMachineArn", Kind.ARN), ("ApiEndpoint", Kind.HOST),
    ("Bucket", Kind.BUCKET), ("CopySource", Kind.BUCKET), ("EventBusName", Kind.NAME_OR_ARN),
    ("Endpoint", Kind.HOST), ("Url", Kind.HOST), ("DeliveryStreamName", Kind.NAME_OR_ARN),
    ("StreamName", Kind.NAME_OR_ARN), ("SecretId", Kind.NAME_OR_ARN), ("Name", Kind.NAME_OR_ARN),
)


def entry(type_: str, *places: Place, personal: bool = False, policies: tuple[Policy, ...] = (), note: str = "",
          ws: frozenset[Workspace] = REGION) -> Entry:
    """One catalog entry, written the way the family modules write them."""
    return Entry(type_, ws, personal, places, policies, note)


def out(path: str, kind: Kind = Kind.ARN) -> Place:
    return Place(path, kind, Flow.OUT)


def into(path: str, kind: Kind = Kind.ARN) -> Place:
    return Place(path, kind, Flow.IN)


def process(path: str, kind: Kind = Kind.ARN) -> Place:
    return Place(path, kind, Flow.PROCESS)


def keep(path: str, kind: Kind = Kind.NAME_OR_ARN) -> Place:
    return Place(path, kind, Flow.KEEP)


def access(path: str, kind: Kind = Kind.ARN) -> Place:
    return Place(path, kind, Flow.ACCESS)


# Canned ACLs that let anyone (or any AWS account) read or write: a grant to everyone, from anywhere.
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read", "aws-exec-read", "log-delivery-write")


def public_acl(path: str = "acl") -> Place:
    return Place(path, Kind.UNPLACEABLE, Flow.ACCESS, when=(path.rsplit(".", 1)[-1], PUBLIC_ACLS))


def identity_policy(path: str = "policy") -> Policy:
    return Policy(path, PolicyKind.IDENTITY)


def resource_policy(path: str = "policy") -> Policy:
    return Policy(path, PolicyKind.RESOURCE)


def trust_policy(path: str = "assume_role_policy") -> Policy:
    return Policy(path, PolicyKind.TRUST)
