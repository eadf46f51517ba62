"""Every catalog entry, with an allowed and a violating example.

The allowed example is the entry's type added to a region workspace (the six regions on aws, in
eu-central-1) with every place it names set to somewhere in the EU (a resource of the workspace, a
literal eu-central-1 ARN or host, the region code): no finding. Each violating example sets one place
to somewhere else (a US ARN, a stranger's bucket, a foreign URL, `*`...) and must be caught by the
rule of that place's flow. A policy attribute gets a foreign statement (RES006). A type without places
is placed in another region by its own `region` argument (RES001). Data sources likewise, and a data
source that looks something up makes a replication destination unplaceable (RES002).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from residency.config import load_config
from residency.guard.check import evaluate
from residency.guard.placement import catalog
from residency.guard.placement.catalog.entries import DataSource, Entry, Flow, Kind, Place, PolicyKind, Workspace
from residency.guard.rules.declared_stores import UNRETIRABLE_STORES
from residency.guard.rules.findings import Finding
from residency.guard.terraform_json.attributes import path_steps
from residency.guard.terraform_json.workspace import SynthesizedWorkspace
from residency.personal_data import STORE_TYPES
from residency.stacks import synthesize
from tests.guard.stores import declare
from tests.guard.test_rules import six_regions_on_aws

RULE_OF_FLOW = {Flow.OUT: "RES002", Flow.IN: "RES002", Flow.PROCESS: "RES010", Flow.KEEP: "RES004",
                Flow.ACCESS: "RES006"}
KEY = "${aws_kms_key.data_kms_key_7C54EDA2.arn}"
BUCKET = "${aws_s3_bucket.data_bucket_7118ED8E.id}"
ROLE = "${aws_iam_role.api-function_role_99402C8A.arn}"
ACCOUNT = "${data.aws_caller_identity.account.account_id}"
OWN_POLICY = "${aws_iam_policy.reviewed.arn}"
HOME: dict[Kind, Any] = {
    Kind.ARN: KEY, Kind.NAME_OR_ARN: KEY, Kind.BUCKET: BUCKET, Kind.HOST: "https://sqs.eu-central-1.amazonaws.com/q",
    Kind.REGION: "eu-west-1", Kind.ACCOUNT: ACCOUNT, Kind.PRINCIPAL: ROLE, Kind.POLICY_ARN: OWN_POLICY,
    Kind.ANY: "arn:aws:sqs:eu-central-1:123456789012:queue", Kind.UNPLACEABLE: False,
}
ABROAD: dict[Kind, Any] = {
    Kind.ARN: "arn:aws:sqs:us-east-1:123456789012:queue", Kind.NAME_OR_ARN: "arn:aws:kms:us-east-1:1:key/k",
    Kind.BUCKET: "somebody-elses-bucket", Kind.HOST: "https://collector.example.net/in", Kind.REGION: "us-west-2",
    Kind.ACCOUNT: "999999999999", Kind.PRINCIPAL: "*", Kind.POLICY_ARN: "arn:aws:iam::aws:policy/AdministratorAccess",
    Kind.ANY: "arn:aws:sns:ap-southeast-2:123456789012:topic", Kind.UNPLACEABLE: True,
}
HOME_STATEMENT = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": KEY,
                  "Principal": {"AWS": ROLE}, "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-central-1"}}}
FOREIGN_STATEMENT = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:1:queue",
                     "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                     "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-central-1"}}}
ENTRIES = sorted(catalog.ENTRIES.values(), key=lambda e: e.type)
REGION_ENTRIES = [e for e in ENTRIES if Workspace.REGION in e.workspaces]
REGION_DATA = sorted((d for d in catalog.DATA_SOURCES.values() if Workspace.REGION in d.workspaces),
                     key=lambda d: d.type)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> tuple[Any, dict[str, Any]]:
    """(config, eu-central-1's document) of the six regions on aws, with one reviewed policy of its own."""
    directory = tmp_path_factory.mktemp("entries")
    config = load_config(six_regions_on_aws(directory))
    synthesize(config, directory / "cdktf.out")
    document = json.loads((directory / "cdktf.out" / "stacks" / "eu-central-1" / "cdk.tf.json").read_text())
    document["resource"]["aws_iam_policy"] = {"reviewed": {"policy": json.dumps({"Version": "2012-10-17",
                                                                                 "Statement": [HOME_STATEMENT]})}}
    return config, document


def build(path: str, value: Any) -> dict[str, Any]:
    """A body in which `path` (a catalog place path) holds `value`."""
    attribute, _, json_path = path.partition("#")
    if json_path:
        value = json.dumps(_nest([step for step in path_steps(json_path) if step != "**"], value))
    return _nest([step for step in path_steps(attribute) if step != "**"], value)


def _nest(steps: list[str], value: Any) -> Any:
    if not steps:
        return value
    key = "x" if steps[0] == "*" else steps[0]
    inner = _nest(steps[1:], value)
    return {key: [inner] if isinstance(inner, dict) else inner}


def merge(body: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if key in body and isinstance(body[key], list) and isinstance(value, list):
            body[key] = [merge(body[key][0], value[0])] if body[key] and isinstance(body[key][0], dict) else value
        elif key in body and isinstance(body[key], dict) and isinstance(value, dict):
            merge(body[key], value)
        else:
            body[key] = value
    return body


def place_body(place: Place, value: Any) -> dict[str, Any]:
    if place.when is not None and place.when[0] == place.path.rsplit(".", 1)[-1]:
        # the place is its own condition (a canned ACL, a social identity provider): a value outside the
        # listed ones is at home, a listed one is not
        return build(place.path, place.when[1][0] if value is ABROAD[place.kind] else "reviewed-other-value")
    body = build(place.path, value)
    if place.when is not None:
        holder_path = place.path.rsplit(".", 1)[0] if "." in place.path else ""
        sibling = f"{holder_path}.{place.when[0]}" if holder_path else place.when[0]
        merge(body, build(sibling, place.when[1][0]))
    return body


def policy_text(kind: PolicyKind, statement: dict[str, Any]) -> str:
    statement = dict(statement)
    if kind == PolicyKind.IDENTITY:
        statement.pop("Principal")
    else:
        statement.pop("Condition")
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def example(entry: Entry | DataSource, *, foreign: Place | None = None, foreign_policy: str | None = None) -> dict:
    body: dict[str, Any] = {}
    for place in entry.places:
        if place.path.split(".")[0].endswith("_routing_policy") and place is not foreign:
            continue  # only global routes users (RES005): a region's records carry no routing policy
        if place is not foreign:
            merge(body, place_body(place, HOME[place.kind]))
    if foreign is not None:  # last, so that a JSON document two places share holds the foreign value
        merge(body, place_body(foreign, ABROAD[foreign.kind]))
    for policy in entry.policies:
        statement = FOREIGN_STATEMENT if policy.path == foreign_policy else HOME_STATEMENT
        merge(body, build(policy.path, policy_text(policy.kind, statement)))
    return body


def findings(home: tuple[Any, dict[str, Any]], section: str, type_: str, body: dict[str, Any],
             extra: dict[str, Any] | None = None) -> list[Finding]:
    config, document = home
    document = copy.deepcopy(document)
    document.setdefault(section, {}).setdefault(type_, {})["probe"] = body
    if section == "resource" and type_ in STORE_TYPES:
        declare(document, f"{type_}.probe")  # as residency's constructs do (RES013)
    for kind, resources in (extra or {}).items():
        document.setdefault("resource", {}).setdefault(kind, {}).update(resources)
    found, _paths = evaluate(config, [SynthesizedWorkspace.from_document("eu-central-1", document)])
    return found


def about(found: list[Finding], address: str) -> list[tuple[str, str]]:
    return [(f.rule, f.message) for f in found if f.address == address]


@pytest.mark.parametrize("entry", REGION_ENTRIES, ids=lambda e: e.type)
def test_an_entry_with_every_place_at_home_is_allowed(entry: Entry, home):
    found = findings(home, "resource", entry.type, example(entry))
    if entry.type in UNRETIRABLE_STORES:  # admitted by the catalog, refused as a store `region retire` cannot see
        assert [rule for rule, _message in about(found, f"{entry.type}.probe")] == ["RES013"]
        return
    assert about(found, f"{entry.type}.probe") == []


@pytest.mark.parametrize("entry", REGION_ENTRIES, ids=lambda e: e.type)
def test_each_place_of_an_entry_pointing_abroad_is_caught_by_its_flows_rule(entry: Entry, home):
    address = f"{entry.type}.probe"
    cases = [(place.path, RULE_OF_FLOW[place.flow], example(entry, foreign=place)) for place in entry.places]
    cases += [(policy.path, "RES006", example(entry, foreign_policy=policy.path)) for policy in entry.policies]
    if not cases:  # nothing named: the resource itself placed elsewhere
        cases = [("region", "RES001", {**example(entry), "region": "us-east-1"})]
    for what, rule, body in cases:
        rules = {r for r, _message in about(findings(home, "resource", entry.type, body), address)}
        assert rule in rules, f"{entry.type}: {what} set abroad was not caught by {rule} (got {sorted(rules)})"


@pytest.mark.parametrize("entry", [e for e in ENTRIES if Workspace.REGION not in e.workspaces], ids=lambda e: e.type)
def test_an_entry_reviewed_only_for_other_workspaces_is_refused_in_a_region(entry: Entry, home):
    found = findings(home, "resource", entry.type, example(entry))
    assert "RES009" in {rule for rule, _message in about(found, f"{entry.type}.probe")}


@pytest.mark.parametrize("source", REGION_DATA, ids=lambda d: d.type)
def test_a_data_source_is_allowed_at_home_and_caught_abroad(source: DataSource, home):
    address = f"data.{source.type}.probe"
    assert about(findings(home, "data", source.type, example(source)), address) == []
    for place in source.places:
        rules = {r for r, _m in about(findings(home, "data", source.type, example(source, foreign=place)), address)}
        assert RULE_OF_FLOW[place.flow] in rules, f"{place.path} abroad not caught (got {sorted(rules)})"
    if source.lookup:  # what it finds may be anywhere: as a copy's destination it cannot be placed
        destination = {"bucket": f"${{data.{source.type}.probe.arn}}"}
        replication = {"rule": [{"status": "Enabled", "destination": [destination]}], "bucket": BUCKET, "role": ROLE}
        found = findings(home, "data", source.type, example(source),
                         {"aws_s3_bucket_replication_configuration": {"laundered": replication}})
        rules = {rule for rule, _m in about(found, "aws_s3_bucket_replication_configuration.laundered")}
        assert "RES002" in rules
    elif not source.places:
        found = findings(home, "data", source.type, {**example(source), "region": "us-east-1"})
        assert "RES001" in {rule for rule, _m in about(found, address)}


def test_unknown_types_and_data_sources_are_refused(home):
    found = findings(home, "resource", "aws_gamelift_fleet", {"name": "x"})
    assert [rule for rule, _m in about(found, "aws_gamelift_fleet.probe")] == ["RES009"]
    found = findings(home, "data", "aws_gamelift_fleet", {"name": "x"})
    assert "RES009" in {rule for rule, _m in about(found, "data.aws_gamelift_fleet.probe")}


def test_the_catalog_is_consistent():
    for entry in ENTRIES:
        assert entry.workspaces, entry.type
        assert Workspace.RETIREMENT not in entry.workspaces, entry.type
        for place in entry.places:
            assert place.path and not place.path.startswith("."), (entry.type, place)
    assert len(ENTRIES) > 300 and len(catalog.DATA_SOURCES) > 50


def test_where_the_catalog_lives_is_one_package():
    root = Path(catalog.__file__).parent
    assert {path.name for path in root.glob("*.py")} >= {"__init__.py", "entries.py"}
