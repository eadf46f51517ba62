"""Where a value of a workspace points: the regions it names, or that nobody can tell (fail closed).

A value names a place by itself (an ARN's region field, a regional AWS endpoint host, a region code,
one of residency's own bucket names) or through a reference. A reference is in a region only when it
names a resource this workspace creates, and then it is in that resource's region (its provider's, or
its own `region`). A data source that finds something existing (by name, ARN or parameter), a
variable, a module output, an iterator or a computed string is of unknown placement. A bucket name
is global across AWS, so a bucket is placed only when this workspace creates it (or it is one of
residency's data buckets, whose name carries its region).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from residency import naming
from residency.config import REGIONS, Config
from residency.config.state import reads_residency_state
from residency.guard.placement.catalog import data_source as catalog_data_source
from residency.guard.placement.catalog.entries import Kind
from residency.guard.placement.outside_places import ip_place, outside_host, private_name_place
from residency.guard.terraform_json.constant_folding import constant
from residency.guard.terraform_json.expressions import (
    Call,
    Collection,
    Conditional,
    ExpressionError,
    For,
    Literal,
    Node,
    Template,
    Traversal,
    address,
    is_template,
    parse_template,
    sole_expression,
)
from residency.guard.terraform_json.plan_document import CALLER_ACCOUNTS
from residency.guard.terraform_json.values import UNKNOWN
from residency.guard.terraform_json.workspace import Resource, SynthesizedWorkspace

LOOPBACK = "loopback"  # the local emulator on this machine; only the local target accepts it
Where = frozenset[str]
NOWHERE: Where = frozenset()  # names no place: empty, a global service principal, the own account
SOMEWHERE_UNKNOWN: Where = frozenset({UNKNOWN})

MAX_DEPTH = 8
# Attributes that identify the resource itself: a reference to them is the resource, wherever its
# configuration says other things are.
IDENTITY_ATTRIBUTES = frozenset({
    "id", "arn", "name", "bucket", "function_name", "key_id", "url", "invoke_arn", "qualified_arn",
    "qualified_invoke_arn", "fqdn", "domain_name", "api_endpoint", "execution_arn", "zone_id",
    "hosted_zone_id", "stream_arn", "bucket_regional_domain_name", "bucket_domain_name", "repository_url",
    "target_key_arn", "target_key_id", "address", "reader_endpoint", "configuration_endpoint_address",
    "primary_endpoint_address", "table_arn", "topic_arn", "queue_url", "secret_arn", "identifier",
    "cluster_identifier", "arn_suffix", "dns_name", "user_pool_id", "client_id", "table_name", "key_arn",
    "alias_arn", "layer_arn", "version", "registry_id", "repository_name", "log_group_name", "api_id",
    "stage_name", "db_name", "resource_id", "invoke_url", "function_arn", "state_machine_arn", "bus_name",
    "event_bus_name", "domain_endpoint", "kibana_endpoint", "dashboard_endpoint", "connection_arn",
})
# Values that switch an unplaceable feature off (a multi-Region trail, acceleration, replication).
OFF = frozenset({"", "false", "disabled", "suspended", "none", "off"})
# Arguments that cannot change which host or resource a string names (a scheme, a slash).
NEUTRAL_ARGUMENTS = frozenset({"", "https://", "http://", "/", ".", "s3://"})
PRESERVING_FUNCTIONS = frozenset({"replace", "trimprefix", "trimsuffix", "trimspace", "trim", "lower", "tostring",
                                  "chomp", "trimright", "trimleft"})
COLLECTING_FUNCTIONS = frozenset({"concat", "flatten", "compact", "distinct", "tolist", "toset", "sort",
                                  "coalesce", "coalescelist", "one", "try", "values", "jsonencode", "tomap"})
_PLACEHOLDER = re.compile("\x00([0-9]+)\x00")
_SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9-]+(\.(?P<region>[a-z0-9-]+))?\.amazonaws\.com(\.cn)?$")
_AWS_HOST = re.compile(r"(^|\.)(amazonaws\.com(\.cn)?|on\.aws|api\.aws|amazonwebservices\.com|amazonses\.com)$")
_SERVICE_NAME = re.compile(r"^(?:com|cn|aws)\.(?:amazonaws\.|sagemaker\.)?([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.")
_BUCKET_HOST = re.compile(
    r"^(?P<bucket>.+?)\.s3(?:-website)?(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")
# Legacy regional endpoint labels: s3-eu-west-1, s3-website-eu-west-1.
_LEGACY_LABEL = re.compile(r"^(?:s3|s3-website|s3-fips)-(?P<region>[a-z]{2}(?:-[a-z]+)+-[0-9]+)$")
_SAFE_SUFFIX = re.compile(r"^[:/][A-Za-z0-9*/:._=$-]*$")
# AWS host names that receive nothing personal: DNS verification targets (SES DKIM, ACM validation).
_DATA_FREE_HOSTS = re.compile(r"(^|\.)(dkim\.amazonses\.com|acm-validations\.aws)$")
_LOOPBACK_HOSTS = re.compile(r"^(localhost|127(\.[0-9]{1,3}){3}|\[?::1\]?|host\.docker\.internal)$")


@dataclass
class Placer:
    config: Config
    workspace: SynthesizedWorkspace
    _own_buckets: dict[str, Resource] = field(default_factory=dict)
    _own_roles: set[str] = field(default_factory=set)
    _locals_placed: dict[tuple[Any, ...], Where] = field(default_factory=dict)
    _resolving: set[str] = field(default_factory=set)
    own_accounts: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        accounts = self.workspace.document.get(CALLER_ACCOUNTS) or []
        self.own_accounts = frozenset(str(account) for account in accounts if str(account).isdigit())
        for bucket in self.workspace.resources("aws_s3_bucket"):
            name = bucket.body.get("bucket")
            if isinstance(name, str) and not is_template(name):
                self._own_buckets[name] = bucket
        for role in self.workspace.resources("aws_iam_role"):
            name = role.body.get("name")
            if isinstance(name, str) and not is_template(name):
                self._own_roles.add(name)

    # ------------------------------------------------------------------------------------ resources

    def resource_region(self, resource: Resource | None, depth: int = 0) -> str:
        """Where a resource or data source of this workspace lives: its own `region` (AWS provider 6),
        else its provider's region; unknown when either is not a literal region code."""
        if resource is None or resource.provider_name != "aws":
            return UNKNOWN  # another provider's resource (terraform_data, awscc...): no AWS region vouches for it
        own = resource.body.get("region")
        if own is not None:
            found = self.region_value(own, depth + 1)
            return next(iter(found)) if len(found) == 1 else UNKNOWN
        region = self.workspace.provider_region(resource.provider)
        return region if isinstance(region, str) and region in REGIONS else UNKNOWN

    # ---------------------------------------------------------------------------------------- values

    def place(self, value: Any, kind: Kind, at: Resource | None = None, depth: int = 0) -> Where:
        """The regions `value` names (UNKNOWN among them when any part cannot be placed)."""
        if depth > MAX_DEPTH:
            return SOMEWHERE_UNKNOWN
        if isinstance(value, Node):  # a computed part of a jsonencode'd document
            return self.expression(value, kind, at, depth + 1)
        if kind == Kind.UNPLACEABLE:
            off = value in (None, False, [], {}) or (isinstance(value, str) and value.strip().lower() in OFF)
            return NOWHERE if off else SOMEWHERE_UNKNOWN
        if value is None or isinstance(value, bool | int | float):
            return NOWHERE
        if isinstance(value, list):
            return _union(self.place(item, kind, at, depth) for item in value)
        if isinstance(value, dict):  # (in an expression, `//` is an ordinary key)
            return _union(self.place(item, kind, at, depth) for item in value.values())
        if not isinstance(value, str):
            return SOMEWHERE_UNKNOWN
        if not is_template(value):
            return self.literal(value, kind, at)
        try:
            template = parse_template(value)
        except ExpressionError:
            return SOMEWHERE_UNKNOWN
        return self.template(template, kind, at, depth)

    def literal(self, text: str, kind: Kind, at: Resource | None) -> Where:
        text = text.strip()
        if not text:
            return NOWHERE
        if "{%" in text or text.startswith("$."):
            return SOMEWHERE_UNKNOWN  # a Step Functions expression: named only at run time
        if kind == Kind.ACCOUNT and text in self.own_accounts:
            return NOWHERE
        if kind in (Kind.POLICY_ARN, Kind.ACCOUNT):
            return SOMEWHERE_UNKNOWN  # only this workspace's own policies and account can be placed
        if kind == Kind.PRINCIPAL:
            return self.principal(text)
        if text.startswith("arn:"):
            return self.arn(text)
        service = _SERVICE_NAME.match(text)
        if service:  # com.amazonaws.eu-central-1.s3: a VPC endpoint service
            return frozenset({service.group(1)}) if service.group(1) in REGIONS else SOMEWHERE_UNKNOWN
        if "://" in text:
            scheme = text.split("://", 1)[0].lower()
            if kind == Kind.NAME_OR_ARN and scheme not in ("http", "https", "s3") and at is not None:
                return frozenset({self.resource_region(at)})  # ssm-parameter://name: looked up at home
            return self.url(text)
        if kind == Kind.BUCKET:
            return self.bucket(text)
        if kind == Kind.HOST:
            return self.host(text)
        if kind == Kind.NAME_OR_ARN and at is not None:
            return frozenset({self.resource_region(at)})
        if kind == Kind.ANY:  # a private address is the VPC's own (the catalog says where it is not)
            address = ip_place(text, self.region)
            if address is not None:
                return address
        return frozenset({text}) if text in REGIONS else SOMEWHERE_UNKNOWN

    def principal(self, text: str) -> Where:
        if text.startswith("arn:"):
            return self.arn(text)
        service = _SERVICE_PRINCIPAL.match(text.lower())
        if service is None:
            return SOMEWHERE_UNKNOWN  # `*`, an account id, a federated provider
        region = service.group("region")
        if region is None:
            return NOWHERE  # a service as a whole (lambda.amazonaws.com): it acts where it is called
        return frozenset({region}) if region in REGIONS else SOMEWHERE_UNKNOWN

    def arn(self, text: str) -> Where:
        parts = text.split(":", 5)
        if len(parts) < 6:
            return SOMEWHERE_UNKNOWN
        _arn, _partition, service, region, account, rest = parts
        if region:
            return frozenset({region}) if region in REGIONS else SOMEWHERE_UNKNOWN
        if service == "s3":
            return self.bucket(rest.split("/", 1)[0])
        if service in ("states", "scheduler") and not account:
            return NOWHERE  # arn:aws:states:::lambda:invoke names an integration, not a place (its target does)
        if service == "iam" and account in self.own_accounts and (
                rest == "root" or (rest.startswith("role/") and rest.removeprefix("role/") in self._own_roles)):
            return NOWHERE  # this account (or a role this workspace creates), as a saved plan spells it
        return SOMEWHERE_UNKNOWN

    def url(self, text: str) -> Where:
        scheme, host = split_url(text)
        if scheme == "s3":
            return self.bucket(host)
        if scheme in OTHER_CLOUDS_STORAGE:  # gs://bucket/...: a bucket of another cloud, of unknown owner and place
            return SOMEWHERE_UNKNOWN
        numeric = _numeric_ipv4(host)
        if numeric is not None:  # http://0x36d20a14/ and http://919734804/ are 54.210.10.20 to a resolver
            return ip_place(numeric, self.region) or SOMEWHERE_UNKNOWN
        authority = re.split(r"[/?#\\]", text.strip().partition("://")[2], maxsplit=1)[0]
        if "," in authority:  # mongodb://a:27017,b:27017/db: every host of the list
            return _union(self.host(_authority(part)) for part in authority.split(",") if part.strip())
        return self.host(host)

    def host(self, text: str) -> Where:
        host = text.strip()
        if not host:
            return NOWHERE
        if "," in host:  # a list of brokers or servers: every one of them
            return _union(self.host(part) for part in host.split(",") if part.strip()) or SOMEWHERE_UNKNOWN
        if "://" in host:
            return self.url(host)
        host = _authority(host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0])
        if not host:
            return SOMEWHERE_UNKNOWN  # `jdbc:oracle:thin:@//db.partner.example/...`: not read, not placed
        if _DATA_FREE_HOSTS.search(host):
            return NOWHERE
        if _LOOPBACK_HOSTS.match(host):
            return frozenset({LOOPBACK})
        bucket = _BUCKET_HOST.match(host)
        if bucket:  # bucket.s3.<region>.amazonaws.com: the bucket is where it is, whatever the endpoint says
            return self.bucket(bucket.group("bucket"))
        if _AWS_HOST.search(host):
            regions = {_region_label(label) for label in host.split(".")} - {None}
            return frozenset(str(r) for r in regions) if len(regions) == 1 else SOMEWHERE_UNKNOWN
        domain = self.config.domain
        if domain and host.endswith(f".{domain}"):
            label = host.removesuffix(f".{domain}")
            if label in self.config.regions:
                return frozenset({label})
            if host in (naming.global_api_host(domain), naming.frontend_host(domain)):
                return NOWHERE  # the names global serves; where they lead is judged there (RES005)
            routed = self._own_record(host)
            if routed is not None:
                return routed
        address = ip_place(host, self.region) or private_name_place(host, self.region)
        if address is not None:
            return address
        return outside_host(self.config, host, self.region) or SOMEWHERE_UNKNOWN

    def _own_record(self, host: str) -> Where | None:
        """A name of the product's domain that this workspace's own DNS records answer: where they lead."""
        if host in self._resolving:
            return SOMEWHERE_UNKNOWN
        targets = []
        for record in self.workspace.resources("aws_route53_record"):
            name = record.body.get("name")
            if isinstance(name, str) and name.rstrip(".").lower() == host:
                aliases = record.body.get("alias")
                for alias in aliases if isinstance(aliases, list) else [aliases]:
                    if isinstance(alias, dict):
                        targets.append(alias.get("name"))
                targets.extend(record.body.get("records") or [])
        if not targets:
            return None
        self._resolving.add(host)
        try:
            return _union(self.place(target, Kind.HOST) for target in targets) or SOMEWHERE_UNKNOWN
        finally:
            self._resolving.discard(host)

    @property
    def region(self) -> str:
        """The workspace's own region (global's configured region for `global`)."""
        name = self.workspace.name
        return name if name in self.config.regions else self.config.global_.region

    def bucket(self, name: str) -> Where:
        """A bucket is placed only when this workspace creates it: names are global, anyone may own one."""
        name = name.strip().split("/", 1)[0]  # `bucket/key` names the bucket too
        host = _BUCKET_HOST.match(name)
        if host:
            name = host.group("bucket")
        if not name or "*" in name or "?" in name:
            return SOMEWHERE_UNKNOWN
        own = self._own_buckets.get(name)
        if own is not None:
            return frozenset({self.resource_region(own)})
        return self._data_bucket(name, lambda account: account in self.own_accounts)

    def _data_bucket(self, name: str, ours: Any) -> Where:
        """residency's data bucket of a listed region, or the audit bucket of a jurisdiction's audit home: its
        name ends in this account's id, and that region's workspace creates it, so nobody else can hold it."""
        for region in self.config.regions:
            prefixes = [naming.data_table_name(self.config.project, region) + "-"]
            if self.config.audit_home(self.config.regions[region].jurisdiction) == region:
                prefixes.append(naming.audit_bucket_name(self.config.project, region, ""))
            if any(name.startswith(prefix) and ours(name.removeprefix(prefix)) for prefix in prefixes):
                return frozenset({region})
        return SOMEWHERE_UNKNOWN

    # ----------------------------------------------------------------------------------- expressions

    def template(self, template: Template, kind: Kind, at: Resource | None, depth: int) -> Where:
        sole = sole_expression(template)
        if sole is not None:
            return self.expression(sole, kind, at, depth + 1)
        nodes = [part for part in template.parts if not isinstance(part, str)]
        folded = constant(template, self.workspace.document.get("locals", {}))
        if isinstance(folded, str):  # "us-east-${1}": what it spells
            return self.literal(folded, kind, at)
        rendered = "".join(part if isinstance(part, str) else f"\x00{nodes.index(part)}\x00"
                           for part in template.parts)
        if rendered.startswith("arn:"):
            return self._arn_template(rendered, nodes, at, depth)
        if "://" in rendered.split("\x00", 1)[0]:
            scheme, _, rest = rendered.partition("://")
            host = _authority(re.split(r"[/?#\\]", rest, maxsplit=1)[0])
            if scheme.lower() == "s3":
                return self._field(host, nodes, Kind.BUCKET, at, depth)
            return self._field(host, nodes, Kind.HOST, at, depth)
        whole = _PLACEHOLDER.match(rendered)
        if whole and _SAFE_SUFFIX.match(rendered[whole.end():]) and not _names_region(rendered[whole.end():]):
            return self.expression(nodes[int(whole.group(1))], kind, at, depth + 1)
        if kind in (Kind.BUCKET, Kind.HOST):  # a bucket named after this account; a host in a literal domain
            return self._field(rendered, nodes, kind, at, depth)
        return SOMEWHERE_UNKNOWN

    def _arn_template(self, rendered: str, nodes: list[Node], at: Resource | None, depth: int) -> Where:
        parts = rendered.split(":", 5)
        if len(parts) < 6:
            return SOMEWHERE_UNKNOWN
        _arn, _partition, service, region, account, rest = parts
        if region:
            only = _PLACEHOLDER.fullmatch(region)
            if only:
                return self.region_value(nodes[int(only.group(1))], depth + 1)
            return frozenset({region}) if region in REGIONS else SOMEWHERE_UNKNOWN
        if service == "s3":
            return self._field(rest.split("/", 1)[0], nodes, Kind.BUCKET, at, depth)
        if service == "iam" and (self._is_own_account(account, nodes) or account in self.own_accounts):
            if rest == "root":
                return NOWHERE
            if rest.startswith("role/"):
                return self._field(rest.removeprefix("role/"), nodes, Kind.NAME_OR_ARN, at, depth) \
                    if _PLACEHOLDER.fullmatch(rest.removeprefix("role/")) else \
                    (NOWHERE if rest.removeprefix("role/") in self._own_roles else SOMEWHERE_UNKNOWN)
        return SOMEWHERE_UNKNOWN

    def _is_own_account(self, text: str, nodes: list[Node]) -> bool:
        only = _PLACEHOLDER.fullmatch(text)
        return only is not None and self.is_own_account(nodes[int(only.group(1))])

    def is_own_account(self, node: Node) -> bool:
        """`data.aws_caller_identity.<name>.account_id`: the account the workspace runs in."""
        if not isinstance(node, Traversal):
            return False
        found = address(node)
        return (found is not None and found[0] == "data" and found[1] == "aws_caller_identity"
                and found[3][:1] == ("account_id",) and self.workspace.data_source(found[1], found[2]) is not None)

    def _field(self, text: str, nodes: list[Node], kind: Kind, at: Resource | None, depth: int) -> Where:
        """A part of an ARN or URL: literal, or exactly one interpolation."""
        only = _PLACEHOLDER.fullmatch(text)
        if only:
            return self.expression(nodes[int(only.group(1))], kind, at, depth + 1)
        if "\x00" in text:
            if kind == Kind.HOST:  # `${api_id}.execute-api.eu-central-1.amazonaws.com`: the region is literal
                spelled = self._spell(text, nodes, depth)
                return self.host(spelled) if spelled is not None else SOMEWHERE_UNKNOWN
            if kind == Kind.BUCKET:  # acme-eu-west-1-data-${data.aws_caller_identity.account.account_id}
                return self._data_bucket(text, lambda rest: self._is_own_account(rest, nodes))
            return SOMEWHERE_UNKNOWN
        return self.literal(text, kind, at)

    def _spell(self, text: str, nodes: list[Node], depth: int) -> str | None:
        """A host with interpolations, as far as it can be spelled: what an interpolation is when that is
        known (a constant, a region, a configured value), a harmless label for an id AWS generates for a
        resource of this workspace; None when any interpolation could be anything (it could hold `/` or `@`
        and move the host elsewhere)."""
        def one(match: re.Match[str]) -> str:
            node = nodes[int(match.group(1))]
            folded = constant(node, self.workspace.document.get("locals", {}))
            if isinstance(folded, str | int) and not isinstance(folded, bool):
                return str(folded)
            region = self.region_value(node, depth + 1)
            if len(region) == 1 and UNKNOWN not in region:
                return next(iter(region))
            found = address(node) if isinstance(node, Traversal) else None
            resource = self.workspace.resource(f"{found[1]}.{found[2]}") if found and found[0] == "resource" else None
            if resource is not None:
                configured = _configured(resource.body, found[3]) if found else _COMPUTED
                if configured is _COMPUTED:
                    return "generated-id"
                if isinstance(configured, str) and not is_template(configured):
                    return configured
            raise _Unspellable

        try:
            return _PLACEHOLDER.sub(one, text)
        except _Unspellable:
            return None

    def expression(self, node: Node, kind: Kind, at: Resource | None, depth: int) -> Where:
        if depth > MAX_DEPTH:
            return SOMEWHERE_UNKNOWN
        if isinstance(node, Literal):
            return self.place(node.value, kind, at, depth)
        if isinstance(node, Template):
            return self.template(node, kind, at, depth)
        if isinstance(node, Traversal):
            return self.traversal(node, kind, at, depth)
        if isinstance(node, Call):
            return self.call(node, kind, at, depth)
        if isinstance(node, Conditional):
            return self.expression(node.then, kind, at, depth + 1) | self.expression(node.otherwise, kind, at,
                                                                                       depth + 1)
        if isinstance(node, Collection):
            return _union(self.expression(item, kind, at, depth + 1) for item in node.items)
        if isinstance(node, For):
            return self._for(node, kind, at, depth)
        return SOMEWHERE_UNKNOWN

    def _for(self, node: For, kind: Kind, at: Resource | None, depth: int) -> Where:
        """`[for o in aws_x.y.items : o.value]` names what its collection names, when its value is built
        from the iterated items (and literals) alone."""
        item = node.names[-1]  # the value of a `for k, v` (the key is a name, not a place)
        value = node.value
        if not (isinstance(value, Traversal) and value.root == item) or node.key is not None:
            return SOMEWHERE_UNKNOWN  # a string built around the item, or a map's keys, is something new
        return self.expression(node.collection, kind, at, depth + 1)

    def call(self, call: Call, kind: Kind, at: Resource | None, depth: int) -> Where:
        name = call.name.split("::")[-1]
        if name in PRESERVING_FUNCTIONS and call.args:
            if not all(isinstance(arg, Literal) and arg.value in NEUTRAL_ARGUMENTS for arg in call.args[1:]):
                return SOMEWHERE_UNKNOWN
            return self.expression(call.args[0], kind, at, depth + 1)
        if name in COLLECTING_FUNCTIONS:
            return _union(self.expression(arg, kind, at, depth + 1) for arg in call.args)
        if name == "element" and call.args:
            return self.expression(call.args[0], kind, at, depth + 1)
        if name == "format" and call.args and isinstance(call.args[0], Literal) and isinstance(call.args[0].value, str):
            template = _format_template(call.args[0].value, call.args[1:])
            if template is not None:  # format("arn:aws:s3:::%s/*", aws_s3_bucket.own.bucket): a template
                return self.template(template, kind, at, depth + 1)
        folded = constant(call, self.workspace.document.get("locals", {}))
        if isinstance(folded, str):  # built from literals only: judge what it spells
            return self.place(folded, kind, at, depth + 1)
        return SOMEWHERE_UNKNOWN

    def traversal(self, node: Traversal, kind: Kind, at: Resource | None, depth: int) -> Where:
        steps = node.steps
        if node.root == "local":
            return self._local(steps, kind, at, depth)
        if node.root == "var":
            if (self.config.profile.uses_emulator and steps[:1] == (naming.LOCAL_ENDPOINT_VARIABLE,)
                    and kind == Kind.HOST):
                return frozenset({LOOPBACK})
            return SOMEWHERE_UNKNOWN
        found = address(node)
        if found is None:
            return SOMEWHERE_UNKNOWN
        mode, type_, name, rest = found
        if mode == "data":
            return self._data(type_, name, rest, kind, depth)
        resource = self.workspace.resource(f"{type_}.{name}")
        if resource is None:
            return SOMEWHERE_UNKNOWN
        attribute = next((step for step in rest if isinstance(step, str) and step != "*"), None)
        if attribute is not None and attribute not in IDENTITY_ATTRIBUTES:
            configured = _configured(resource.body, rest)
            if configured is not _COMPUTED:  # a configured value passed on: judge what was configured
                return self.place(configured, Kind.ANY if kind == Kind.NAME_OR_ARN else kind, resource, depth + 1)
        if kind in (Kind.ACCOUNT, Kind.POLICY_ARN):
            return NOWHERE if kind == Kind.POLICY_ARN and type_ == "aws_iam_policy" else SOMEWHERE_UNKNOWN
        if kind == Kind.PRINCIPAL and type_ in ("aws_iam_role", "aws_iam_user"):
            return NOWHERE
        return frozenset({self.resource_region(resource, depth)})

    def _local(self, steps: tuple[Any, ...], kind: Kind, at: Resource | None, depth: int) -> Where:
        key = (steps, kind, at.address if at is not None else None)
        if key not in self._locals_placed:
            self._locals_placed[key] = SOMEWHERE_UNKNOWN  # a local that refers to itself cannot be placed
            self._locals_placed[key] = self._local_once(steps, kind, at, depth)
        return self._locals_placed[key]

    def _local_once(self, steps: tuple[Any, ...], kind: Kind, at: Resource | None, depth: int) -> Where:
        locals_ = self.workspace.document.get("locals", {})
        if not steps or not isinstance(steps[0], str) or steps[0] not in locals_:
            return SOMEWHERE_UNKNOWN
        value = locals_[steps[0]]
        for step in steps[1:]:
            if isinstance(step, str) and isinstance(value, dict) and step in value:
                value = value[step]
            elif isinstance(step, int) and isinstance(value, list) and step < len(value):
                value = value[step]
            else:
                break
        return self.place(value, kind, at, depth + 1)

    def _data(self, type_: str, name: str, rest: tuple[Any, ...], kind: Kind, depth: int) -> Where:
        source = self.workspace.data_source(type_, name)
        if source is None:
            return SOMEWHERE_UNKNOWN
        if type_ == "terraform_remote_state":
            workspace = self.remote_state_workspace(name)
            region = self.config.regions.get(workspace) if workspace else None
            return frozenset({workspace}) if region is not None and workspace else SOMEWHERE_UNKNOWN
        entry = catalog_data_source(type_)
        if entry is None or entry.lookup:
            return SOMEWHERE_UNKNOWN  # it finds something that already exists, anywhere
        attribute = rest[0] if rest else None
        if type_ == "aws_caller_identity":
            return NOWHERE if attribute == "account_id" and kind == Kind.ACCOUNT else SOMEWHERE_UNKNOWN
        if kind in (Kind.BUCKET, Kind.ACCOUNT, Kind.POLICY_ARN) or type_ not in REGION_DESCRIBING:
            return SOMEWHERE_UNKNOWN
        return self._context_region(source, depth)

    def _context_region(self, source: Resource, depth: int) -> Where:
        """A data source that describes a region (its name, its service principals, its ELB account...): the
        region it is asked about, by its arguments, else its provider's."""
        keys = ("name", "id", "region") if source.type == "aws_region" else ("region",)
        given = [self.region_value(source.body[key], depth + 1) for key in keys if key in source.body]
        if "endpoint" in source.body:
            given.append(self.place(source.body["endpoint"], Kind.HOST, source, depth + 1))
        if given:
            return _union(given)
        return frozenset({self.resource_region(source, depth)})

    def region_value(self, value: Any, depth: int = 0) -> Where:
        """The region a value spells (a region code), as opposed to a thing located somewhere."""
        if isinstance(value, str) and not is_template(value):
            return frozenset({value}) if value in REGIONS else SOMEWHERE_UNKNOWN
        if isinstance(value, Literal | Template | Traversal | Call | Conditional | Collection):
            node: Node | None = value
        elif isinstance(value, str):
            try:
                node = sole_expression(parse_template(value))
            except ExpressionError:
                return SOMEWHERE_UNKNOWN
        else:
            return SOMEWHERE_UNKNOWN
        if node is None:
            return SOMEWHERE_UNKNOWN
        return self.expression(node, Kind.REGION, None, depth + 1)

    def remote_state_workspace(self, data_name: str) -> str | None:
        """The workspace a `terraform_remote_state` reads: its backend settings must be exactly the state
        location residency gives that workspace (compared after normalizing the path), else None."""
        source = self.workspace.data_source("terraform_remote_state", data_name)
        if source is None:
            return None
        for workspace in self.config.workspaces:
            if _same_state(self.config, source, workspace):
                return workspace
        return None


def _same_state(config: Config, source: Resource, workspace: str) -> bool:
    """Whether a remote-state lookup reads exactly the state residency keeps for `workspace`."""
    settings = source.body.get("config") or {}
    if not isinstance(settings, dict):
        return False
    if set(source.body) - {"backend", "config", "workspace", "//"} or \
            source.body.get("workspace", TERRAFORM_WORKSPACE) != TERRAFORM_WORKSPACE:
        return False  # defaults, another workspace: not the state residency writes
    return reads_residency_state(config.state, source.body.get("backend"), settings, project=config.project,
                                 workspace=workspace, region=config.workspace_region(workspace),
                                 emulated=config.profile.uses_emulator)


_COMPUTED = object()


class _Unspellable(Exception):
    pass

# Data sources that describe one region (the one they are asked about): what they return is of that region.
REGION_DESCRIBING = frozenset({
    "aws_region", "aws_service_principal", "aws_elb_service_account", "aws_cloudtrail_service_account",
    "aws_availability_zones", "aws_availability_zone", "aws_service", "aws_elb_hosted_zone_id",
    "aws_lb_hosted_zone_id", "aws_redshift_service_account",
})
TERRAFORM_WORKSPACE = "${terraform.workspace}"


def _configured(body: dict[str, Any], steps: tuple[Any, ...]) -> Any:
    """The configured value a reference's steps reach in a body, or _COMPUTED where the provider fills it."""
    value: Any = body
    for step in steps:
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict) and isinstance(step, str):
            value = value[0]  # a single nested block, written as an object or a one-element list
        if isinstance(step, str) and step != "*" and isinstance(value, dict):
            if step not in value:
                return _COMPUTED
            value = value[step]
        elif isinstance(step, int) and isinstance(value, list):
            if step >= len(value):
                return _COMPUTED
            value = value[step]
        elif (step == "*" and isinstance(value, list)) or (step == 0 and isinstance(value, dict)):
            continue
        else:
            return value  # a computed index: the whole configured value
    return value


def _format_template(spec: str, args: tuple[Node, ...]) -> Template | None:
    """format()'s spec with each %s/%d/%v replaced by its argument; None for anything fancier."""
    parts: list[str | Node] = []
    position, used = 0, 0
    for match in re.finditer(r"%(.)", spec):
        parts.append(spec[position:match.start()])
        if match.group(1) == "%":
            parts.append("%")
        elif match.group(1) in "sdv" and used < len(args):
            parts.append(args[used])
            used += 1
        else:
            return None
        position = match.end()
    parts.append(spec[position:])
    return Template(tuple(part for part in parts if part != "")) if used == len(args) else None


# URL schemes whose "host" is a bucket or container of another cloud's storage (s3:// is placed as a bucket).
OTHER_CLOUDS_STORAGE = frozenset({"gs", "gcs", "az", "abfs", "abfss", "wasb", "wasbs", "adl", "oss", "cos", "r2",
                                  "b2", "swift", "hdfs", "webhdfs"})


def _numeric_ipv4(host: str) -> str | None:
    """An IPv4 address written as one number (decimal or hex), in dotted form; None for anything else."""
    try:
        value = int(host, 16) if host.lower().startswith("0x") else int(host) if host.isdigit() else None
    except ValueError:
        return None
    if value is None or not 0 <= value < 2 ** 32:
        return None
    return ".".join(str((value >> shift) & 0xFF) for shift in (24, 16, 8, 0))


def split_url(text: str) -> tuple[str, str]:
    """(scheme, host) of a URL, read as a URL parser reads it: the authority ends at the first `/`, `?`
    or `#`, and user information before an `@` in it is not the host."""
    scheme, _, rest = text.strip().partition("://")
    authority = re.split(r"[/?#\\]", rest, maxsplit=1)[0]
    return scheme.lower(), _authority(authority)


def _authority(authority: str) -> str:
    host = authority.rsplit("@", 1)[-1].lower().strip()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0].rstrip(".")


def _region_label(label: str) -> str | None:
    if label in REGIONS:
        return label
    legacy = _LEGACY_LABEL.match(label)
    return legacy.group("region") if legacy and legacy.group("region") in REGIONS else None


def _names_region(text: str) -> bool:
    return any(code in text for code in REGIONS)


def _union(items: Any) -> Where:
    found: set[str] = set()
    for item in items:
        found |= item
    return frozenset(found)
