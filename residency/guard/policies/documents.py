"""IAM policy documents as the catalog's policy attributes hold them: JSON text (possibly with
interpolations inside its strings), `jsonencode({...})`, or an `aws_iam_policy_document` data source.
A document that cannot be read is None: its reach cannot be established (the rules fail closed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, Any

from residency.guard.placement.catalog.entries import Policy
from residency.guard.placement.placed_values import entry_of
from residency.guard.terraform_json.attributes import Location, at_path, json_document, strings
from residency.guard.terraform_json.expressions import ExpressionError, address, is_template, parse_template, traversals
from residency.guard.terraform_json.values import sole_resource_reference, sole_traversal
from residency.guard.terraform_json.workspace import Resource

if TYPE_CHECKING:
    from residency.guard.placement.placed_values import PlacementView

MAX_DEPTH = 4


@dataclass(frozen=True)
class PolicyDocument:
    resource: Resource
    policy: Policy
    location: Location
    document: dict[str, Any] | None

    def statements(self) -> list[dict[str, Any]]:
        value = (self.document or {}).get("Statement")
        items = value if isinstance(value, list) else [value]
        return [item for item in items if isinstance(item, dict)]


def policy_documents(context: PlacementView) -> Iterator[PolicyDocument]:
    """Every policy that grants: a managed policy used only as a permissions boundary restricts, and is left
    out (what it would allow is what the role's own policies must not exceed)."""
    workspace = context.workspace
    boundaries = _boundary_only(context)
    for resource in chain(workspace.resources(), workspace.data_sources()):
        entry = entry_of(resource)
        if entry is None or resource.type == "aws_iam_policy_document" or resource.address in boundaries:
            continue
        for policy in entry.policies:
            for location, value in at_path(resource.body, policy.path):
                if value in ("", {}, []):
                    continue  # no policy set
                yield PolicyDocument(resource, policy, location, read_policy(context, value))


def _boundary_only(context: PlacementView) -> set[str]:
    """Managed policies of this workspace named only as a role's permissions boundary, by a reference that is
    exactly the policy's ARN: any other mention anywhere (a local, an output, an attachment) may attach it."""
    boundary: set[str] = set()
    elsewhere: set[str] = set()
    for location, text in strings(context.workspace.document):
        if "aws_iam_policy." not in text:
            continue
        reference = sole_resource_reference(text)
        if reference is not None and location[:1] == ("resource",) and location[3:] == ("permissions_boundary",) \
                and text.endswith(".arn}"):
            boundary.add(reference)
        else:
            elsewhere |= {f"{found[1]}.{found[2]}" for found in _policy_mentions(text)}
    return boundary - elsewhere


def _policy_mentions(text: str) -> list[tuple[str, str, str, tuple[Any, ...]]]:
    try:
        tree = parse_template(text) if is_template(text) else None
    except ExpressionError:
        return [("resource", "aws_iam_policy", name, ()) for name in re.findall(r"aws_iam_policy\.([\w-]+)", text)]
    found = [address(traversal) for traversal in traversals(tree)] if tree is not None else []
    return [item for item in found if item is not None and item[:2] == ("resource", "aws_iam_policy")]


def read_policy(context: PlacementView, value: Any, depth: int = 0) -> dict[str, Any] | None:
    if depth > MAX_DEPTH:
        return None
    document = json_document(value)  # JSON text or jsonencode({...})
    if document is not None:
        return document if isinstance(document, dict) else None
    node = sole_traversal(value)
    if node is not None:
        found = address(node)
        if found and found[0] == "data" and found[1] == "aws_iam_policy_document" and \
                found[3][:1] in (("json",), ("minified_json",)):
            source = context.workspace.data_source(found[1], found[2])
            return from_policy_document(context, source.body, depth) if source is not None else None
    return None


def from_policy_document(context: PlacementView, body: dict[str, Any], depth: int) -> dict[str, Any] | None:
    """The JSON an `aws_iam_policy_document` data source produces from its arguments."""
    statements: list[dict[str, Any]] = []
    for attribute in ("source_policy_documents", "override_policy_documents"):
        for document in _list(body.get(attribute)):
            read = read_policy(context, document, depth + 1)
            if read is None:
                return None
            value = read.get("Statement")
            statements += [item for item in (value if isinstance(value, list) else [value]) if isinstance(item, dict)]
    if body.get("source_json") or body.get("override_json"):
        return None  # deprecated arguments; not read, so not trusted
    for block in _blocks(body.get("statement")):
        statement: dict[str, Any] = {"Effect": block.get("effect", "Allow")}
        for source, target in (("sid", "Sid"), ("actions", "Action"), ("not_actions", "NotAction"),
                               ("resources", "Resource"), ("not_resources", "NotResource")):
            if block.get(source) is not None:
                statement[target] = block[source]
        for source, target in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
            principals = _blocks(block.get(source))
            if principals:
                statement[target] = {}
                for principal in principals:
                    kind = str(principal.get("type"))
                    identifiers = principal.get("identifiers")
                    if kind == "*":
                        statement[target] = "*"
                        break
                    statement[target].setdefault(kind, []).extend(_list(identifiers))
        for condition in _blocks(block.get("condition")):
            statement.setdefault("Condition", {}).setdefault(str(condition.get("test")), {}).setdefault(
                str(condition.get("variable")), []).extend(_list(condition.get("values")))
        statements.append(statement)
    return {"Version": body.get("version", "2012-10-17"), "Statement": statements}


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
