"""The organization SCP keeps everyone but the deployer roles from invoking or changing the project's functions
(a crafted trigger event binds any address to a region; a forged API event deletes any account), and RES008 finds
an SCP that lacks that statement or exempts more than the deployers."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from residency.config import REGIONS, Config
from residency.guard.policies.evaluation import Request, denies
from residency.guard.policies.organization_scp import (
    FUNCTION_ACTIONS,
    FUNCTIONS_SID,
    SCP_SIZE_LIMIT,
    build_scp,
    scp_problems,
)
from tests.guard.policies.test_organization_scp import ONE_REGION, SCP_PATH, SIX_REGIONS, findings, write_config

ACCOUNT = "123456789012"
EU_ROLE, US_ROLE = f"arn:aws:iam::{ACCOUNT}:role/deploy/residency-eu", f"arn:aws:iam::{ACCOUNT}:role/residency-us"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/residency-other"
GLOBAL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/residency-global"
# One role per jurisdiction but AU and CA, which the default role applies; global's role applies no function.
ROLES = f"""ci:
  apply_role: {OTHER_ROLE}
  apply_roles:
    EU: {EU_ROLE}
    US: {US_ROLE}
    global: {GLOBAL_ROLE}
"""
DEPLOYERS = [EU_ROLE, OTHER_ROLE, US_ROLE]
ADMIN, SSO = f"arn:aws:iam::{ACCOUNT}:role/Admin", f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/" \
    "eu-west-1/AWSReservedSSO_Developer_0123456789abcdef"
PATTERN = "arn:aws:lambda:*:*:function:acme-six-*"
PURPOSES = ("pre-sign-up", "pre-auth", "post-confirm", "post-auth", "api", "reconcile", "nightly-job")


def six_regions_with(directory: Path, ci: str) -> Config:
    """The six-region fixture on aws with the SCP, the frontend and `ci`."""
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws")
    text = text.replace("routing: geolocation", "routing: geolocation\n  frontend: true")
    return write_config(directory, text + "organization_scp: true\n" + ci)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return six_regions_with(tmp_path_factory.mktemp("functions"), ROLES)


def functions_statement(document: dict[str, Any]) -> dict[str, Any]:
    return next(item for item in document["Statement"] if item.get("Sid") == FUNCTIONS_SID)


def invoke(principal: str, function: str = "acme-six-eu-west-1-post-confirm",
           action: str = "lambda:InvokeFunction", region: str = "eu-west-1") -> Request:
    return Request(action, f"arn:aws:lambda:{region}:{ACCOUNT}:function:{function}",
                   {"aws:PrincipalArn": principal, "aws:PrincipalAccount": ACCOUNT, "aws:RequestedRegion": region})


# --- The statement residency writes --------------------------------------------------------------


def test_the_statement_names_the_functions_and_exempts_only_the_roles_that_apply_the_regions(config):
    assert config.function_deployers == tuple(DEPLOYERS)
    assert functions_statement(build_scp(config)) == {
        "Sid": FUNCTIONS_SID, "Effect": "Deny", "Action": list(FUNCTION_ACTIONS), "Resource": [PATTERN],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": DEPLOYERS}}}
    assert set(FUNCTION_ACTIONS) == {"lambda:InvokeFunction", "lambda:UpdateFunctionCode",
                                     "lambda:UpdateFunctionConfiguration", "lambda:AddPermission"}


@pytest.mark.parametrize("function", ["acme-six-eu-west-1-pre-sign-up", "acme-six-eu-west-1-pre-auth",
                                      "acme-six-eu-west-1-post-confirm", "acme-six-eu-west-1-post-auth",
                                      "acme-six-eu-west-1-api", "acme-six-eu-west-1-reconcile",
                                      "acme-six-eu-west-1-invoices", "acme-six-eu-west-1-api:live"])
def test_only_the_deployers_may_invoke_or_change_a_function(config, function):
    statement = functions_statement(build_scp(config))
    for action in FUNCTION_ACTIONS:
        for principal in (ADMIN, SSO, f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:root",
                          f"{EU_ROLE}-copy", GLOBAL_ROLE):
            assert denies(statement, invoke(principal, function, action)), (action, principal)
        for principal in DEPLOYERS:
            assert not denies(statement, invoke(principal, function, action)), (action, principal)


def test_other_projects_functions_are_left_alone(config):
    statement = functions_statement(build_scp(config))
    for function in ("acme-sixteen-eu-west-1-api", "acme-api", "billing"):
        assert not denies(statement, invoke(ADMIN, function)), function


@pytest.mark.parametrize("shape", ["roles by jurisdiction", "one region", "one apply role"])
def test_the_built_scp_passes_when_probed(shape, tmp_path):
    """Probed in full: scp_file_problems would take the document as residency's own and not probe it."""
    config = {"roles by jurisdiction": lambda: six_regions_with(tmp_path, ROLES),
              "one region": lambda: write_config(tmp_path, ONE_REGION),
              "one apply role": lambda: six_regions_with(tmp_path, f"ci:\n  apply_role: {US_ROLE}\n")}[shape]()
    assert list(scp_problems(config, build_scp(config))) == []


def test_every_region_with_a_role_of_its_own_fits_and_passes(tmp_path):
    lines = ["project: a-long-project-name-xyz", "target: aws", "global:", "  region: us-east-1", "  frontend: true",
             "  routing: latency", "regions:"]
    lines += [f"  {code}:\n    jurisdiction: {region.jurisdiction}" for code, region in REGIONS.items()]
    lines += ["organization_scp: true", "ci:", "  apply_roles:"]
    lines += [f"    {code}: arn:aws:iam::{ACCOUNT}:role/deployers/residency-apply-{code}" for code in REGIONS]
    config = write_config(tmp_path, "\n".join(lines) + "\n")
    document = build_scp(config)
    assert len(functions_statement(document)["Condition"]["ArnNotLike"]["aws:PrincipalArn"]) == len(REGIONS)
    assert len(json.dumps(document, separators=(",", ":"))) < SCP_SIZE_LIMIT
    assert list(scp_problems(config, document)) == []


# --- SCPs that leave the functions open ----------------------------------------------------------

Edit = Callable[[dict[str, Any]], Any]


def exemption(value: Any, operator: str = "ArnNotLike", key: str = "aws:PrincipalArn") -> Edit:
    return lambda statement: statement.__setitem__("Condition", {operator: {key: value}})


def also_exempt(arn: str) -> Edit:
    return lambda statement: statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"].append(arn)


def condition(operator: str, key: str, value: Any) -> Edit:
    return lambda statement: statement["Condition"].__setitem__(operator, {key: value})


def element(name: str, value: Any) -> Edit:
    return lambda statement: statement.__setitem__(name, value)


# name: (edit of the statement, or None to remove it; the Sid the finding names; words in the message)
OPEN: dict[str, tuple[Edit | None, str, str]] = {
    "the statement missing": (None, "", "does not deny lambda:InvokeFunction, UpdateFunctionCode, "
                              "UpdateFunctionConfiguration and AddPermission on any function of the project in any "
                              "listed region for any principal but the deployer roles"),
    "every principal exempted": (exemption("*", "StringNotLike"), FUNCTIONS_SID,
                                 "for any principal but the deployer roles"),
    "every role exempted": (exemption("arn:aws:iam::*:role/*"), FUNCTIONS_SID, "an administrator role"),
    "a role pattern wider than the deployers": (
        exemption([f"arn:aws:iam::{ACCOUNT}:role/residency-*", EU_ROLE]), FUNCTIONS_SID,
        f"the principal arn:aws:iam::{ACCOUNT}:role/residency-probe the SCP exempts"),
    "a deployer's name as a prefix": (
        exemption([f"{US_ROLE}*", EU_ROLE, OTHER_ROLE]), FUNCTIONS_SID,
        f"a role whose name begins with a deployer's ({US_ROLE}-probe)"),
    "a deployer's name in any account": (
        exemption(["arn:aws:iam::*:role/residency-us", EU_ROLE, OTHER_ROLE]), FUNCTIONS_SID,
        "a role named like a deployer in another account (111111111111)"),
    "a deployer's name under any path": (
        exemption([f"arn:aws:iam::{ACCOUNT}:role/*residency-eu", US_ROLE, OTHER_ROLE]), FUNCTIONS_SID,
        f"a role named like a deployer under another path (arn:aws:iam::{ACCOUNT}:role/deploy/probe/residency-eu)"),
    "administrators exempted too": (also_exempt(ADMIN), FUNCTIONS_SID, "for an administrator role,"),
    "Identity Center roles exempted too": (also_exempt("arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"),
                                           FUNCTIONS_SID, "for an IAM Identity Center role"),
    "the whole account exempted": (exemption(ACCOUNT, "StringNotEquals", "aws:PrincipalAccount"), FUNCTIONS_SID,
                                   "for a role, an administrator role"),
    "a principal tag exempts": (condition("StringNotEquals", "aws:PrincipalTag/deployer", "yes"), FUNCTIONS_SID,
                                "condition on aws:PrincipalTag/deployer, which a request can escape"),
    "only outside a VPC": (condition("StringNotEqualsIfExists", "aws:SourceVpc", "vpc-1"), FUNCTIONS_SID,
                           "aws:SourceVpc"),
    "another project's functions": (element("Resource", ["arn:aws:lambda:*:*:function:other-*"]), FUNCTIONS_SID,
                                    "its Resource does not cover arn:aws:lambda:"),
    "the EU's functions only": (element("Resource", ["arn:aws:lambda:*:*:function:acme-six-eu-*"]),
                                FUNCTIONS_SID, "any function of the project in us-east-1, us-west-2"),
    "residency's functions only": (
        element("Resource", [f"arn:aws:lambda:*:*:function:acme-six-*-{purpose}*" for purpose in PURPOSES[:-1]]),
        FUNCTIONS_SID, "on acme-six-<region>-nightly-job, acme-six-<region>-nightly-job:live in any listed region"),
    "not through an alias": (
        element("Resource", [f"arn:aws:lambda:*:*:function:acme-six-*-{purpose}" for purpose in PURPOSES]),
        FUNCTIONS_SID, "lambda:InvokeFunction on acme-six-<region>-pre-sign-up:live"),
    "invocation only": (element("Action", ["lambda:InvokeFunction"]), FUNCTIONS_SID,
                        "does not deny lambda:UpdateFunctionCode, lambda:UpdateFunctionConfiguration, "
                        "lambda:AddPermission on"),
    "code but not configuration": (element("Action", ["lambda:InvokeFunction", "lambda:UpdateFunctionCode",
                                                      "lambda:AddPermission"]), FUNCTIONS_SID,
                                   "does not deny lambda:UpdateFunctionConfiguration on"),
    "permissions left open": (element("Action", list(FUNCTION_ACTIONS[:3])), FUNCTIONS_SID,
                              "does not deny lambda:AddPermission on"),
    "in one region only": (condition("StringEquals", "aws:RequestedRegion", "eu-west-1"), FUNCTIONS_SID,
                           "eu-central-1"),
    "Effect Allow": (element("Effect", "Allow"), FUNCTIONS_SID, 'Effect "Allow"'),
    "the deployers denied too": (lambda statement: statement.pop("Condition"), FUNCTIONS_SID,
                                 "denies lambda:InvokeFunction, UpdateFunctionCode, UpdateFunctionConfiguration and "
                                 "AddPermission on any function of the project in every listed region for every "
                                 "deployer role, which must apply them"),
    "one deployer misspelt": (exemption([EU_ROLE.replace("residency-eu", "Residency-EU"), US_ROLE, OTHER_ROLE]),
                              FUNCTIONS_SID, f"for the deployer role {EU_ROLE},"),
}


def edited(config: Config, edit: Edit | None) -> dict[str, Any]:
    document = copy.deepcopy(build_scp(config))
    if edit is None:
        document["Statement"].remove(functions_statement(document))
    else:
        edit(functions_statement(document))
    return document


@pytest.mark.parametrize("case", sorted(OPEN))
def test_each_opening_is_caught(case, config):
    edit, sid, words = OPEN[case]
    found = findings(config, edited(config, edit))
    assert found, "no finding"
    assert {(f.rule, f.workspace) for f in found} == {("RES008", "organization")}
    address = f"{SCP_PATH.name}#{sid}" if sid else SCP_PATH.name
    assert any(f.address == address and words in f.message for f in found), found


def test_a_finding_names_who_escapes_and_why(config):
    [finding] = findings(config, edited(config, also_exempt(ADMIN)))
    assert finding.address == f"{SCP_PATH.name}#{FUNCTIONS_SID}"
    assert finding.message == (
        "the SCP does not deny lambda:InvokeFunction, UpdateFunctionCode, UpdateFunctionConfiguration and "
        "AddPermission on any function of the project in any listed region for an administrator role, which could "
        f"then forge the functions' events or change their code (statement {FUNCTIONS_SID} lets it through: its "
        "condition ArnNotLike on aws:PrincipalArn is false)")


HARMLESS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "StringNotLike on the same ARNs": lambda d: functions_statement(d)["Condition"].__setitem__(
        "StringNotLike", functions_statement(d)["Condition"].pop("ArnNotLike")),
    "ArnNotEquals on the same ARNs": lambda d: functions_statement(d)["Condition"].__setitem__(
        "ArnNotEquals", functions_statement(d)["Condition"].pop("ArnNotLike")),
    "StringNotEquals on the same ARNs": lambda d: functions_statement(d)["Condition"].__setitem__(
        "StringNotEquals", functions_statement(d)["Condition"].pop("ArnNotLike")),
    "every Lambda action": lambda d: functions_statement(d).__setitem__("Action", "lambda:*"),
    "the deployers in another order": lambda d: functions_statement(d)["Condition"]["ArnNotLike"][
        "aws:PrincipalArn"].reverse(),
    "one statement per action": lambda d: d["Statement"].extend(
        [{**copy.deepcopy(functions_statement(d)), "Sid": f"Functions{index}", "Action": action}
         for index, action in enumerate(FUNCTION_ACTIONS)]) or d["Statement"].remove(functions_statement(d)),
    "the Resource as a string": lambda d: functions_statement(d).__setitem__("Resource", PATTERN),
    "every partition": lambda d: functions_statement(d).__setitem__(
        "Resource", ["arn:*:lambda:*:*:function:acme-six-*"]),
    "also RemovePermission": lambda d: functions_statement(d)["Action"].append("lambda:RemovePermission"),
}


@pytest.mark.parametrize("case", sorted(HARMLESS))
def test_harmless_edits_stay_clean(case, config):
    document = copy.deepcopy(build_scp(config))
    HARMLESS[case](document)
    assert findings(config, document) == []
