"""RES008 judges the organization SCP by what it denies: the IAM statement evaluator it rests on, the
SCP residency builds, and edits that gut an SCP while keeping most of its text."""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from residency.config import Config, load_config
from residency.guard.policies import organization_scp as scp_module
from residency.guard.policies.evaluation import (
    Absent,
    Outcome,
    Request,
    combine,
    condition_keys,
    denies,
    evaluate_statement,
    statement_problem,
    wildcard_match,
)
from residency.guard.policies.organization_scp import (
    KEYS_SID,
    REGIONS_SID,
    REPLICAS_SID,
    REPLICATION_SID,
    SCP_SIZE_LIMIT,
    TABLES_SID,
    build_scp,
    governed_regions,
    scp_file_problems,
    scp_text,
)
from residency.guard.rules.context import Organization
from residency.guard.rules.findings import Finding
from residency.guard.rules.organization_scp import organization_scp_holds
from tests.conftest import REPO

SIX_REGIONS = REPO / "tests" / "fixtures" / "six-regions.yaml"
SCP_PATH = Path("organization-scp.json")
ROLE = "arn:aws:iam::123456789012:role/app"

# --- The evaluator -------------------------------------------------------------------------------


def deny(condition: dict[str, Any] | None = None, **elements: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Deny", "Action": "*", "Resource": "*", **elements}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def request(context: dict[str, Any] | None = None, action: str = "s3:PutObject",
            resource: str = "arn:aws:s3:::bucket/key", missing: frozenset[str] | None = None) -> Request:
    return Request(action, resource, context or {}, missing)


def outcome(statement: dict[str, Any], req: Request) -> Outcome:
    return evaluate_statement(statement, req).outcome


APPLIES, DOES_NOT_APPLY, UNKNOWN = Outcome.APPLIES, Outcome.DOES_NOT_APPLY, Outcome.UNKNOWN


def test_wildcards_span_colons_and_only_actions_ignore_case():
    assert wildcard_match("s3:*", "S3:PutObject", ignore_case=True)
    assert not wildcard_match("s3:*", "S3:PutObject")
    assert wildcard_match("arn:aws:s3:::*", "arn:aws:s3:::bucket/a:b/c")
    assert wildcard_match("kms:?ncrypt", "kms:Encrypt")
    assert not wildcard_match("kms:?ncrypt", "kms:ReEncrypt")
    assert not wildcard_match("s3:Put", "s3:PutObject")
    assert wildcard_match("a.b+c", "a.b+c") and not wildcard_match("a.b", "axb")


def test_action_and_not_action():
    req = request(action="firehose:PutRecord")
    assert outcome(deny(Action=["s3:*", "FIREHOSE:put*"]), req) is APPLIES
    assert outcome(deny(Action="s3:*"), req) is DOES_NOT_APPLY
    assert outcome(deny(NotAction="iam:*"), req) is UNKNOWN  # Action and NotAction together: not a statement
    statement = {"Effect": "Deny", "NotAction": ["iam:*", "fire*"], "Resource": "*"}
    result = evaluate_statement(statement, req)
    assert result.outcome is DOES_NOT_APPLY and "fire*" in result.reason
    assert outcome({**statement, "NotAction": ["iam:*"]}, req) is APPLIES


def test_resource_and_not_resource_are_case_sensitive():
    req = request(resource="arn:aws:dynamodb:eu-west-1:1:table/Users")
    assert outcome(deny(Resource="arn:aws:dynamodb:*:*:table/Users"), req) is APPLIES
    assert outcome(deny(Resource="arn:aws:dynamodb:*:*:table/users"), req) is DOES_NOT_APPLY
    not_resource = {"Effect": "Deny", "Action": "*", "NotResource": ["arn:aws:dynamodb:*:*:table/Users"]}
    assert outcome(not_resource, req) is DOES_NOT_APPLY
    assert outcome({**not_resource, "NotResource": "*"}, req) is DOES_NOT_APPLY
    assert outcome({**not_resource, "NotResource": "arn:aws:s3:::*"}, req) is APPLIES


@pytest.mark.parametrize(("operator", "policy", "value", "expected"), [
    ("StringEquals", "eu-west-1", "eu-west-1", APPLIES),
    ("StringEquals", "EU-WEST-1", "eu-west-1", DOES_NOT_APPLY),
    ("StringEquals", "eu-*", "eu-west-1", DOES_NOT_APPLY),  # no wildcards in StringEquals
    ("StringEqualsIgnoreCase", "EU-WEST-1", "eu-west-1", APPLIES),
    ("StringNotEquals", ["eu-west-1", "eu-central-1"], "eu-west-1", DOES_NOT_APPLY),
    ("StringNotEquals", ["eu-west-1", "eu-central-1"], "sa-east-1", APPLIES),
    ("StringNotEquals", "*", "sa-east-1", APPLIES),
    ("StringNotEqualsIgnoreCase", "EU-WEST-1", "eu-west-1", DOES_NOT_APPLY),
    ("StringLike", "eu-*", "eu-west-1", APPLIES),
    ("StringLike", "eu-????-1", "eu-west-1", APPLIES),
    ("StringLike", "EU-*", "eu-west-1", DOES_NOT_APPLY),
    ("StringNotLike", ["us-*", "eu-*"], "eu-west-1", DOES_NOT_APPLY),
    ("StringNotLike", ["us-*", "eu-*"], "sa-east-1", APPLIES),
    ("Bool", "true", "true", APPLIES),
    ("Bool", True, "true", APPLIES),
    ("Bool", "false", "true", DOES_NOT_APPLY),
    ("Bool", "True", "true", UNKNOWN),  # not a value IAM documents
    ("NumericLessThan", "10", "3", APPLIES),
    ("NumericGreaterThanEquals", 10, "3", DOES_NOT_APPLY),
    ("NumericNotEquals", ["1", "2"], "3", APPLIES),
    ("NumericEquals", "ten", "10", UNKNOWN),
    ("DateGreaterThan", "2024-01-01T00:00:00Z", "2025-06-01T12:00:00Z", APPLIES),
    ("DateLessThan", "2024-01-01T00:00:00Z", "1600000000", APPLIES),
    ("IpAddress", "10.0.0.0/8", "10.1.2.3", APPLIES),
    ("NotIpAddress", "10.0.0.0/8", "10.1.2.3", DOES_NOT_APPLY),
    ("ArnLike", "arn:aws:iam::*:role/*", ROLE, APPLIES),
    ("ArnLike", "arn:aws:iam::*:user/*", ROLE, DOES_NOT_APPLY),
    ("ArnEquals", "arn:aws:iam::123456789012:role/app", ROLE, APPLIES),
    ("ArnNotLike", "arn:aws:iam::*:role/*", ROLE, DOES_NOT_APPLY),
    ("ArnNotEquals", "arn:aws:iam::*:role/other", ROLE, APPLIES),
    ("ArnLike", "arn:aws:iam::*:*", "arn:aws:iam::1:role/a:b", APPLIES),  # the resource part keeps its colons
    ("ArnLike", "arn:aws:*", ROLE, UNKNOWN),  # not six parts
    ("ArnLike", "arn:aws:iam::*:role/*", "not-an-arn", DOES_NOT_APPLY),
])
def test_condition_operators(operator, policy, value, expected):
    assert outcome(deny({operator: {"aws:SomeKey": policy}}), request({"aws:somekey": value})) is expected


@pytest.mark.parametrize(("operator", "expected"), [
    ("StringEquals", DOES_NOT_APPLY), ("StringLike", DOES_NOT_APPLY), ("ArnLike", DOES_NOT_APPLY),
    ("Bool", DOES_NOT_APPLY), ("NumericEquals", DOES_NOT_APPLY), ("IpAddress", DOES_NOT_APPLY),
    # a negated operator matches a request that lacks the key
    ("StringNotEquals", APPLIES), ("StringNotEqualsIgnoreCase", APPLIES), ("StringNotLike", APPLIES),
    ("ArnNotLike", APPLIES), ("ArnNotEquals", APPLIES), ("NotIpAddress", APPLIES),
    # ...IfExists is true when the key is missing
    ("StringEqualsIfExists", APPLIES), ("BoolIfExists", APPLIES), ("StringNotLikeIfExists", APPLIES),
    # ForAllValues is true of no values, ForAnyValue false
    ("ForAllValues:StringEquals", APPLIES), ("ForAllValues:StringNotLike", APPLIES),
    ("ForAnyValue:StringEquals", DOES_NOT_APPLY), ("ForAnyValue:StringNotEquals", DOES_NOT_APPLY),
])
def test_a_missing_key(operator, expected):
    value = "10.0.0.0/8" if "Ip" in operator else "1" if "Numeric" in operator else "true"
    value = "arn:aws:iam::*:role/x" if "Arn" in operator else value
    assert outcome(deny({operator: {"aws:SomeKey": value}}), request()) is expected


def test_null_tests_presence():
    assert outcome(deny({"Null": {"aws:PrincipalTag/team": "true"}}), request()) is APPLIES
    assert outcome(deny({"Null": {"aws:PrincipalTag/team": "false"}}), request()) is DOES_NOT_APPLY
    present = request({"aws:PrincipalTag/team": "a"})
    assert outcome(deny({"Null": {"aws:PrincipalTag/team": True}}), present) is DOES_NOT_APPLY
    assert outcome(deny({"Null": {"aws:PrincipalTag/team": "false"}}), present) is APPLIES
    assert outcome(deny({"NullIfExists": {"aws:PrincipalTag/team": "true"}}), present) is UNKNOWN


def test_set_operators_on_several_values():
    tags = request({"aws:TagKeys": ["team", "owner"]})
    assert outcome(deny({"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "owner", "cost"]}}), tags) is APPLIES
    assert outcome(deny({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}), tags) is DOES_NOT_APPLY
    assert outcome(deny({"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner"]}}), tags) is APPLIES
    assert outcome(deny({"ForAnyValue:StringLike": {"aws:TagKeys": ["x*"]}}), tags) is DOES_NOT_APPLY
    assert outcome(deny({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["team"]}}), tags) is APPLIES
    assert outcome(deny({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["team"]}}), tags) is DOES_NOT_APPLY
    assert outcome(deny({"ForAllValues:StringEquals": {"aws:TagKeys": "team"}}), request({"aws:TagKeys": []})) \
        is APPLIES
    # a single-valued operator on several values: IAM does not document it, so it is not trusted
    assert outcome(deny({"StringEquals": {"aws:TagKeys": "team"}}), tags) is UNKNOWN


def test_operators_keys_and_values_combine_as_iam_says():
    statement = deny({"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]},
                      "Bool": {"kms:MultiRegion": "true"}})
    assert outcome(statement, request({"aws:RequestedRegion": "sa-east-1", "kms:MultiRegion": "true"})) is APPLIES
    assert outcome(statement, request({"aws:RequestedRegion": "sa-east-1", "kms:MultiRegion": "false"})) \
        is DOES_NOT_APPLY
    two_keys = deny({"StringEquals": {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/x": "y"}})
    assert outcome(two_keys, request({"aws:RequestedRegion": "eu-west-1"})) is DOES_NOT_APPLY
    assert outcome(two_keys, request({"AWS:REQUESTEDREGION": "eu-west-1", "aws:principaltag/x": "y"})) is APPLIES


def test_unknown_operators_and_shapes_fail_closed():
    region = request({"aws:RequestedRegion": "sa-east-1"})
    for statement in (
        deny({"StringNotEqualsFancy": {"aws:RequestedRegion": "eu-west-1"}}),
        deny({"stringnotequals": {"aws:RequestedRegion": "eu-west-1"}}),
        deny({"IfExists": {"aws:RequestedRegion": "eu-west-1"}}),
        deny({"StringNotEquals": {"aws:RequestedRegion": {"nested": "object"}}}),
        deny({"StringNotEquals": "eu-west-1"}),
        deny(Principal="*"),
        deny(NotPrincipal={"AWS": ROLE}),
        deny(Conditions={}),
        {"Effect": "Deny", "Action": "*"},
        {"Effect": "Deny", "Action": 3, "Resource": "*"},
    ):
        result = evaluate_statement(statement, region)
        assert result.outcome is UNKNOWN, statement
        assert result.reason
        assert not denies(statement, region)


def test_a_definite_no_outweighs_an_unknown():
    statement = deny({"StringNotEqualsFancy": {"aws:RequestedRegion": "eu-west-1"}}, Action="kms:*")
    assert outcome(statement, request({"aws:RequestedRegion": "sa-east-1"})) is DOES_NOT_APPLY


def test_keys_left_open_make_the_answer_unknown():
    statement = deny({"StringNotEquals": {"aws:RequestedRegion": "eu-west-1", "aws:PrincipalTag/bypass": "yes"}})
    pinned = request({"aws:RequestedRegion": "sa-east-1"}, missing=frozenset({"kms:ReplicaRegion"}))
    result = evaluate_statement(statement, pinned)
    assert result.outcome is UNKNOWN and result.open_key == "aws:PrincipalTag/bypass"
    assert pinned.value_of("kms:replicaregion") is Absent.MISSING
    assert pinned.value_of("aws:PrincipalTag/bypass") is Absent.OPEN
    assert request().value_of("aws:PrincipalTag/bypass") is Absent.MISSING
    assert outcome(deny({"Null": {"aws:SourceIp": "true"}}), pinned) is UNKNOWN
    assert outcome(deny({"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}), pinned) is UNKNOWN


def test_policy_variables():
    own_prefix = deny(Resource="arn:aws:s3:::bucket/${aws:username}/*")
    assert outcome(own_prefix, request({"aws:username": "ada"}, resource="arn:aws:s3:::bucket/ada/x")) is APPLIES
    assert outcome(own_prefix, request({"aws:username": "bob"}, resource="arn:aws:s3:::bucket/ada/x")) \
        is DOES_NOT_APPLY
    assert outcome(own_prefix, request(resource="arn:aws:s3:::bucket/ada/x", missing=frozenset())) is UNKNOWN
    assert outcome(own_prefix, request(resource="arn:aws:s3:::bucket/ada/x")) is UNKNOWN  # no value, no default
    defaulted = deny(Resource="arn:aws:s3:::bucket/${aws:username, 'guest'}/*")
    assert outcome(defaulted, request(resource="arn:aws:s3:::bucket/guest/x")) is APPLIES
    literal_star = deny(Resource="arn:aws:s3:::bucket/${*}")
    assert outcome(literal_star, request(resource="arn:aws:s3:::bucket/*")) is APPLIES
    assert outcome(literal_star, request(resource="arn:aws:s3:::bucket/x")) is DOES_NOT_APPLY
    assert evaluate_statement(literal_star, request(resource="arn:aws:s3:::bucket/${*}"),
                              policy_variables=False).outcome is APPLIES
    same_account = deny({"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}})
    assert outcome(same_account, request({"aws:ResourceAccount": "1", "aws:PrincipalAccount": "1"})) is APPLIES
    assert outcome(same_account, request({"aws:ResourceAccount": "1", "aws:PrincipalAccount": "2"})) \
        is DOES_NOT_APPLY
    assert condition_keys(same_account | own_prefix) == {"aws:resourceaccount", "aws:principalaccount",
                                                         "aws:username"}


def test_denies_needs_a_deny():
    assert denies(deny(), request())
    assert not denies({**deny(), "Effect": "Allow"}, request())
    assert not denies({**deny(), "Effect": "deny"}, request())


# --- The SCP residency builds --------------------------------------------------------------------


def write_config(directory: Path, text: str) -> Config:
    config_file = directory / "regions.yaml"
    config_file.write_text(text)
    return load_config(config_file)


def six_regions(directory: Path, extra: str = "") -> Config:
    """The six-region fixture on the aws target, with a frontend (us-east-1 for its certificate)."""
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws")
    text = text.replace("routing: geolocation", "routing: geolocation\n  frontend: true")
    deployer = "ci:\n  apply_role: arn:aws:iam::123456789012:role/residency-apply\n"  # may invoke and change functions
    return write_config(directory, text + "organization_scp: true\n" + deployer + extra)


ONE_REGION = """project: solo
target: aws
global:
  region: eu-central-1
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE]
    default: true
organization_scp: true
ci:
  apply_roles:
    EU: arn:aws:iam::123456789012:role/residency-apply-eu
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return six_regions(tmp_path_factory.mktemp("scp"))


def judged(config: Config, path: Path) -> list[Finding]:
    """What rule RES008 reports of the SCP file at `path`."""
    return [item for item in organization_scp_holds.judge(Organization(config, path)) if isinstance(item, Finding)]


def findings(config: Config, document: Any) -> list[Finding]:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / SCP_PATH.name
        path.write_text(json.dumps(document))
        return judged(config, path)


@pytest.mark.parametrize("shape", ["six regions", "replicate to the EU", "replicate nowhere", "one region"])
def test_the_built_scp_passes(shape, tmp_path):
    if shape == "one region":
        config = write_config(tmp_path, ONE_REGION)
    else:
        extra = {"six regions": "", "replicate to the EU": "directory:\n  replicate_to: [EU]\n",
                 "replicate nowhere": "directory:\n  replicate_to: none\n"}[shape]
        config = six_regions(tmp_path, extra)
    path = tmp_path / "organization-scp.json"
    path.write_text(scp_text(config))
    assert scp_file_problems(config, path) == []


def test_the_built_scp_governs_the_listed_regions_and_replicas_go_to_any_of_them(config, tmp_path):
    document = build_scp(config)
    governed = governed_regions(config)
    assert governed == ["ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "us-east-1", "us-west-2"]
    replicas = next(s for s in document["Statement"] if s["Sid"] == REPLICAS_SID)
    assert replicas["Condition"]["StringNotEquals"]["kms:ReplicaRegion"] == governed
    restricted = six_regions(tmp_path, "directory:\n  replicate_to: [EU]\n")
    assert build_scp(restricted) == document  # a key replica holds no personal data
    assert len(json.dumps(document, separators=(",", ":"))) < SCP_SIZE_LIMIT


def test_an_unreadable_or_misshapen_document_is_one_finding(config, tmp_path):
    path = tmp_path / "organization-scp.json"
    path.write_text("{not json")
    [finding] = judged(config, path)
    assert "cannot be read as JSON" in finding.message and finding.rule == "RES008"
    for document, words in (([], "not a JSON object"), ("text", "not a JSON object"), ({}, "no Statement"),
                            ({"Statement": "Deny"}, "no Statement"), ({"Statement": []}, "no Statement"),
                            ({"Statement": [build_scp(config)["Statement"][0], "x"]}, "Statement[1]")):
        [finding] = findings(config, document)
        assert words in finding.message, finding
        assert (finding.rule, finding.workspace, finding.address) == ("RES008", "organization", SCP_PATH.name)


def test_a_single_statement_object_is_read(config):
    document = {"Version": "2012-10-17", "Statement": build_scp(config)["Statement"][0]}
    assert findings(config, document)  # the region deny alone leaves replication open
    assert not any("Statement" in f.message for f in findings(config, document))


def test_the_size_limit(config, tmp_path):
    document = build_scp(config)
    document["Statement"][0]["NotAction"] = document["Statement"][0]["NotAction"] + ["iam:Get*"] * 600
    path = tmp_path / "organization-scp.json"
    path.write_text(json.dumps(document))
    [finding] = scp_file_problems(config, path)
    assert f"AWS accepts {SCP_SIZE_LIMIT}" in finding.message



@pytest.mark.parametrize("kind", ["fifo", "directory", "zero"])
def test_an_scp_path_that_is_not_a_file_is_a_problem_at_once(config, tmp_path, kind):
    import signal

    from tests.hostile_files import plant

    path = tmp_path / "organization-scp.json"
    plant(path, kind)
    signal.alarm(10)  # a regression hangs on the FIFO: fail instead
    try:
        [finding] = scp_file_problems(config, path)
    finally:
        signal.alarm(0)
    assert "cannot be read" in finding.message or "is over" in finding.message

# --- Edits that gut the SCP, and edits that do not -----------------------------------------------

Edit = Callable[[list[dict[str, Any]]], Any]


def by_sid(statements: list[dict[str, Any]], sid: str) -> dict[str, Any]:
    return next(statement for statement in statements if statement.get("Sid") == sid)


def region_deny(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return by_sid(statements, REGIONS_SID)


def region_condition(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return region_deny(statements)["Condition"]


def add_condition(sid: str, operator: str, key: str, value: Any) -> Edit:
    return lambda s: by_sid(s, sid).setdefault("Condition", {}).setdefault(operator, {}).__setitem__(key, value)


def exempt(*actions: str) -> Edit:
    return lambda s: region_deny(s)["NotAction"].extend(actions)


def region_operator(operator: str, extra: list[str] | None = None) -> Edit:
    def edit(statements: list[dict[str, Any]]) -> None:
        condition = region_condition(statements)
        regions = condition.pop("StringNotEquals")["aws:RequestedRegion"]
        condition[operator] = {"aws:RequestedRegion": regions + (extra or [])}
    return edit


def replace_resource(sid: str, element: str, value: Any) -> Edit:
    def edit(statements: list[dict[str, Any]]) -> None:
        statement = by_sid(statements, sid)
        statement.pop("Resource", None)
        statement.pop("NotResource", None)
        statement[element] = value
    return edit


def remove(sid: str) -> Edit:
    return lambda s: s.remove(by_sid(s, sid))


# name: (edit, the Sid the finding names ("" for none), words in the message)
GUTTED: dict[str, tuple[Edit, str, str]] = {
    "every role exempted": (add_condition(REGIONS_SID, "ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*"),
                            REGIONS_SID, "for a role, an administrator role"),
    "OrganizationAccountAccessRole exempted": (
        add_condition(REGIONS_SID, "ArnNotLike", "aws:PrincipalArn",
                      "arn:aws:iam::*:role/OrganizationAccountAccessRole"),
        REGIONS_SID, "for OrganizationAccountAccessRole, some other principal"),
    "one other account exempted": (
        add_condition(REGIONS_SID, "StringNotEquals", "aws:PrincipalAccount", "111111111111"),
        REGIONS_SID, "for some other principal"),
    "a principal tag exempts": (add_condition(REGIONS_SID, "StringNotEquals", "aws:PrincipalTag/bypass", "yes"),
                                REGIONS_SID, "condition on aws:PrincipalTag/bypass"),
    "a Null trick on a tag": (add_condition(REGIONS_SID, "Null", "aws:PrincipalTag/team", "true"),
                              REGIONS_SID, "aws:PrincipalTag/team"),
    "a Null trick on the region": (
        lambda s: region_deny(s).__setitem__("Condition", {"Null": {"aws:RequestedRegion": "true"}}),
        REGIONS_SID, "any data action"),
    "only when not called through a service": (add_condition(REGIONS_SID, "Bool", "aws:ViaAWSService", "false"),
                                               REGIONS_SID, "aws:ViaAWSService"),
    "only outside a VPC": (add_condition(REGIONS_SID, "StringNotEqualsIfExists", "aws:SourceVpc", "vpc-1"),
                           REGIONS_SID, "aws:SourceVpc"),
    "NotResource everything": (replace_resource(REGIONS_SID, "NotResource", ["*"]), REGIONS_SID, "NotResource"),
    "only S3 resources": (replace_resource(REGIONS_SID, "Resource", "arn:aws:s3:::*"), REGIONS_SID, "Resource"),
    "Effect Allow": (lambda s: region_deny(s).__setitem__("Effect", "Allow"), REGIONS_SID, 'Effect "Allow"'),
    "a Principal element": (lambda s: region_deny(s).__setitem__("Principal", {"AWS": "*"}), REGIONS_SID,
                            "Principal"),
    "a NotPrincipal element": (lambda s: region_deny(s).__setitem__("NotPrincipal", {"AWS": ROLE}), REGIONS_SID,
                               "NotPrincipal"),
    "firehose exempted": (exempt("firehose:*"), REGIONS_SID, "firehose:PutRecord in any region"),
    "kinesis exempted": (exempt("kinesis:PutRecord"), REGIONS_SID, "kinesis:PutRecord"),
    "sqs exempted": (exempt("sqs:*"), REGIONS_SID, "sqs:SendMessage"),
    "sns exempted": (exempt("SNS:Publish"), REGIONS_SID, "sns:Publish"),
    "s* exempted": (exempt("s*"), REGIONS_SID, "s3:PutObject"),
    "*:Put* exempted": (exempt("*:Put*"), REGIONS_SID, "dynamodb:PutItem"),
    "an action no probe names exempted": (exempt("dynamodb:PartiQLInsert"), REGIONS_SID, "dynamodb:PartiQLInsert"),
    "a future service exempted": (exempt("new*"), REGIONS_SID, "newservice:PutData"),
    "an ungoverned region allowed": (lambda s: region_condition(s)["StringNotEquals"]["aws:RequestedRegion"].append(
        "sa-east-1"), REGIONS_SID, "in sa-east-1 for any principal"),
    "regions widened with eu-*": (region_operator("StringNotLike", ["eu-*"]), REGIONS_SID, "eu-south-1"),
    "regions widened with *": (region_operator("StringNotLike", ["*"]), REGIONS_SID, "any region"),
    "StringNotLike on ??-*-1": (region_operator("StringNotLike", ["??-*-1"]), REGIONS_SID, "us-west-1"),
    "the region condition flipped": (region_operator("StringEquals"), REGIONS_SID,
                                     "denies every data action in every governed region"),
    "an operator residency cannot read": (region_operator("StringNotEqualsFancy"), REGIONS_SID,
                                          "StringNotEqualsFancy"),
    "multi-Region keys checked for false": (add_condition(KEYS_SID, "Bool", "kms:MultiRegion", "false"), KEYS_SID,
                                            "kms:CreateKey of multi-Region keys"),
    "SYMMETRIC_DEFAULT let through": (add_condition(KEYS_SID, "StringNotLike", "kms:KeySpec",
                                                    ["HMAC_*", "SYMMETRIC_*"]), KEYS_SID, "(SYMMETRIC_DEFAULT)"),
    "key usage instead of key spec": (add_condition(KEYS_SID, "StringEquals", "kms:KeyUsage", "ENCRYPT_DECRYPT"),
                                      KEYS_SID, "kms:CreateKey of multi-Region keys that can encrypt"),
    "multi-Region deny on a tag": (add_condition(KEYS_SID, "StringEquals", "aws:RequestTag/strict", "yes"),
                                   KEYS_SID, "aws:RequestTag/strict"),
    "multi-Region deny removed": (remove(KEYS_SID), "", "no statement denies it"),
    "key replicas deny removed": (remove(REPLICAS_SID), "", "kms:ReplicateKey to any region"),
    "key replicas anywhere": (add_condition(REPLICAS_SID, "StringNotLike", "kms:ReplicaRegion", "*"),
                              REPLICAS_SID, "kms:ReplicateKey"),
    "replication limited to one bucket": (replace_resource(REPLICATION_SID, "Resource", "arn:aws:s3:::one"),
                                          REPLICATION_SID, "s3:PutReplicationConfiguration on any resource"),
    "replication deny on a tag": (add_condition(REPLICATION_SID, "StringEquals", "aws:ResourceTag/keep", "here"),
                                  REPLICATION_SID, "aws:ResourceTag/keep"),
    "replication deny in one region": (add_condition(REPLICATION_SID, "StringEquals", "aws:RequestedRegion",
                                                     "eu-central-1"), REPLICATION_SID, "ap-southeast-2"),
    "backup copies allowed": (lambda s: by_sid(s, REPLICATION_SID)["Action"].remove("backup:StartCopyJob"),
                              REPLICATION_SID, "its Action does not cover backup:StartCopyJob"),
    "every table may replicate": (replace_resource(TABLES_SID, "NotResource", "arn:aws:dynamodb:*:*:table/*"),
                                  TABLES_SID, "dynamodb:CreateTableReplica"),
    "tables named like the directory may replicate": (
        replace_resource(TABLES_SID, "NotResource", "arn:aws:dynamodb:*:*:table/acme-six-directory*"),
        TABLES_SID, "acme-six-directory-archive"),
    "a governed region denied": (lambda s: region_condition(s)["StringNotEquals"]["aws:RequestedRegion"].remove(
        "eu-west-1"), REGIONS_SID, "in eu-west-1, which regions.yaml governs"),
    "an extra deny that blocks the directory": (
        lambda s: s.append({"Sid": "NoTables", "Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"}),
        "NoTables", "dynamodb:PutItem"),
}


def edited(config: Config, edit: Edit) -> dict[str, Any]:
    document = copy.deepcopy(build_scp(config))
    edit(document["Statement"])
    return document


@pytest.mark.parametrize("case", sorted(GUTTED))
def test_each_gutting_edit_is_caught(case, config):
    edit, sid, words = GUTTED[case]
    found = findings(config, edited(config, edit))
    assert found, "no finding"
    assert {(f.rule, f.workspace) for f in found} == {("RES008", "organization")}
    assert len(found) <= 6, found  # one finding per probe family, not one per probe
    address = f"{SCP_PATH.name}#{sid}" if sid else SCP_PATH.name
    assert any(f.address == address and words in f.message for f in found), found


def test_a_finding_names_what_escapes_and_which_statement_lets_it(config):
    [finding] = findings(config, edited(config, exempt("firehose:*")))
    assert finding.address == "organization-scp.json#DenyOutsideGovernedRegions"
    assert finding.message == (
        "the SCP does not deny firehose:PutRecord in any region regions.yaml does not govern for any principal "
        "(statement DenyOutsideGovernedRegions lets it through: its NotAction entry firehose:* exempts "
        "firehose:PutRecord)")


HARMLESS: dict[str, Edit] = {
    "statements reordered": lambda s: s.reverse(),
    "Sids renamed": lambda s: [statement.update(Sid=f"Renamed{index}") for index, statement in enumerate(s)],
    "Sids removed": lambda s: [statement.pop("Sid") for statement in s],
    "an unrelated deny": lambda s: s.append({"Sid": "KeepInOrg", "Effect": "Deny",
                                             "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    "a conditional hardening deny": lambda s: s.append({"Effect": "Deny", "Action": "s3:*", "Resource": "*",
                                                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
    "an allow statement": lambda s: s.append({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    "a global service exempted twice": exempt("IAM:*", "sts:AssumeRole"),
    "a literal * among the regions": lambda s: region_condition(s)["StringNotEquals"]["aws:RequestedRegion"].append(
        "*"),
    "StringNotEqualsIgnoreCase": region_operator("StringNotEqualsIgnoreCase"),
    "StringNotLike with the same regions": region_operator("StringNotLike"),
    "StringNotEqualsIfExists": region_operator("StringNotEqualsIfExists"),
    "the region deny split in two": lambda s: s.append({**copy.deepcopy(region_deny(s)), "Sid": "Copy"}),
    "Action lists as single strings": lambda s: by_sid(s, KEYS_SID).__setitem__("Action", "kms:CreateKey"),
    "a Bool value as JSON true": lambda s: by_sid(s, KEYS_SID)["Condition"]["Bool"].__setitem__("kms:MultiRegion",
                                                                                                True),
    "a condition on the request region in the table deny": add_condition(
        TABLES_SID, "StringLike", "aws:RequestedRegion", "*"),
}


@pytest.mark.parametrize("case", sorted(HARMLESS))
def test_harmless_edits_stay_clean(case, config):
    assert findings(config, edited(config, HARMLESS[case])) == []


def test_whitespace_and_key_order_do_not_matter(config, tmp_path):
    path = tmp_path / "organization-scp.json"
    document = build_scp(config)
    path.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True))
    assert scp_file_problems(config, path) == []
    path.write_text(json.dumps(document, indent=8))
    assert scp_file_problems(config, path) == []


def test_combine_prefers_a_definite_no():
    no = evaluate_statement(deny(Action="kms:*"), request())
    unknown = evaluate_statement(deny(Principal="*"), request())
    yes = evaluate_statement(deny(), request())
    assert combine(unknown, no) is no and combine(yes, unknown) is unknown and combine().outcome is APPLIES
    assert statement_problem(deny(Principal="*")) is not None and statement_problem(deny()) is None


@pytest.mark.parametrize("case", ["every role exempted", "a principal tag exempts", "NotResource everything",
                                  "an action no probe names exempted", "replication limited to one bucket",
                                  "SYMMETRIC_DEFAULT let through"])
def test_the_judge_answers_as_the_evaluator_does(case, config):
    """The check remembers answers per action, resource and condition values; they must be the evaluator's."""
    statements = edited(config, GUTTED[case][0])["Statement"]
    judge = scp_module._Judge(statements, policy_variables=True)
    for family in scp_module._families(config, statements):
        for probe in family.probes[::97]:
            for index, statement in enumerate(statements):
                assert judge.evaluate(index, probe) == evaluate_statement(statement, probe.request()), (probe, index)
