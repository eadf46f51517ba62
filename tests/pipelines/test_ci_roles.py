"""`residency ci roles`: the plan role cannot read personal data, and the apply roles trust only their
environments on the default branch.

What is proved here, with residency's own IAM evaluator (residency/guard/policies/evaluation.py):
- the data-plane list covers every store type of the residency rules' catalog (a new one fails the test);
- for every store a synthesized project has (the sample's, and an extension's bucket, table and queue), every
  data-plane action of its service is denied to the plan role (an explicit Deny that certainly applies), and so
  is every data-plane action on any resource; reads of any key but the state key through S3 are denied too;
- the state objects are readable and their lock files writable, and nothing else of S3's objects is;
- the trust conditions hold for the jobs that should assume each role and for no other token;
- the output is IAM JSON within IAM's limits, and its Terraform form passes `terraform validate` and plans, with
  the policies Terraform would send equal to the JSON output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from residency.cli.main import main
from residency.config import Config, load_config
from residency.config.aws_regions import REGIONS
from residency.errors import UsageError
from residency.guard.placement.catalog import DATA_SOURCES, ENTRIES
from residency.guard.placement.catalog.entries import Entry
from residency.guard.policies.evaluation import OPERATORS, Request, denies, evaluate_statement, match_condition
from residency.personal_data import OUTPUT, StoreKind
from residency.pipelines.ci_roles import (
    MANAGED_POLICY_LIMIT,
    CiRoles,
    Role,
    RolesSettings,
    ci_roles,
    gitlab_apply_audience,
    policy_size,
    roles_document,
    roles_terraform,
)
from residency.pipelines.data_plane import SERVICES, Spared, data_plane_reads, service_of
from tests.conftest import REPO, SAMPLE

ACCOUNT = "123456789012"
ROLES = f"""ci:
  plan_role: arn:aws:iam::{ACCOUNT}:role/residency-plan
  apply_role: arn:aws:iam::{ACCOUNT}:role/residency-apply
  apply_roles:
    EU: arn:aws:iam::{ACCOUNT}:role/residency-apply-eu
    US: arn:aws:iam::{ACCOUNT}:role/residency-apply-us
"""
AWS_S3 = SAMPLE.read_text().replace("target: local", "target: aws") + "state: {backend: s3}\n" + ROLES
CLOUD = "state:\n  backend: cloud\n  organization: acme\n  workspace_prefix: acme-health-\n"
GITHUB = RolesSettings("github", "acme/health")
GITLAB = RolesSettings("gitlab", "acme/platform/health", gitlab_host="gitlab.example.com")
STATE_ALIAS = "alias/acme-health-tfstate"
# Catalog types that make no AWS call of their own (they compute or read the provider's own settings).
NO_AWS_CALL = {"aws_arn", "aws_partition", "aws_default_tags", "aws_ip_ranges", "aws_service_principal",
               "aws_billing_service_account", "aws_elb_service_account", "aws_caller_identity",
               "terraform_remote_state"}


def config_of(tmp_path: Path, text: str = AWS_S3, name: str = "regions.yaml") -> Config:
    path = tmp_path / name
    path.write_text(text)
    return load_config(path)


@pytest.fixture(scope="module")
def sample_roles(tmp_path_factory) -> CiRoles:
    return ci_roles(config_of(tmp_path_factory.mktemp("roles")), GITHUB)


def plan_statements(roles: CiRoles) -> list[dict[str, Any]]:
    return [statement for document in roles.roles[0].policies.values() for statement in document["Statement"]]


def denied(statements: list[dict[str, Any]], request: Request) -> bool:
    return any(denies(statement, request) for statement in statements)


def allowed(statements: list[dict[str, Any]], request: Request) -> bool:
    """IAM's answer for one identity's policies: some Allow applies and no Deny does."""
    return not denied(statements, request) and any(
        statement["Effect"] == "Allow" and evaluate_statement(statement, request).applies for statement in statements)


# --- The data-plane list against the catalog -----------------------------------------------------------------


def uncovered_stores(entries: dict[str, Entry]) -> set[str]:
    """The catalog's personal-data types whose reads no service row lists."""
    listed = {store for service in SERVICES for store in service.stores}
    return {type_ for type_, entry in entries.items() if entry.personal} - listed


def test_every_store_type_of_the_catalog_has_its_reads_listed():
    assert uncovered_stores(ENTRIES) == set()
    assert {kind.terraform_type for kind in StoreKind} <= {store for service in SERVICES for store in service.stores}
    stale = {store for service in SERVICES for store in service.stores} - {
        type_ for type_, entry in ENTRIES.items() if entry.personal}
    assert stale == set(), "rows name store types the catalog does not hold as personal"
    for service in SERVICES:  # a store with nothing to read says why
        assert service.reads or service.note or not service.stores, service.prefix


def test_a_store_type_added_to_the_catalog_fails_the_check():
    new = Entry("aws_timestream_table", frozenset(), True)
    assert uncovered_stores({**ENTRIES, new.type: new}) == {"aws_timestream_table"}


def test_every_type_the_catalog_permits_belongs_to_a_service_the_plan_role_may_read():
    unplaced = sorted(type_ for type_ in (*ENTRIES, *DATA_SOURCES)
                      if service_of(type_) is None and type_ not in NO_AWS_CALL)
    assert unplaced == []
    assert all(service_of(type_) is None for type_ in NO_AWS_CALL), "the no-call list names a served type"


def test_data_plane_actions_are_concrete_and_listed_once():
    reads = data_plane_reads()
    assert len(reads) == len(set(reads))
    assert all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", action) for action in reads)
    assert {"dynamodb:Scan", "dynamodb:ExportTableToPointInTime", "s3:GetObject", "cognito-idp:ListUsers",
            "logs:FilterLogEvents", "logs:StartQuery", "kms:Decrypt", "sqs:ReceiveMessage",
            "secretsmanager:GetSecretValue"} <= set(reads)


# --- IAM JSON ---------------------------------------------------------------------------------------------


def _strings(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and bool(value) and all(
        isinstance(item, str) for item in value))


def iam_problems(document: Any, *, trust: bool = False) -> list[str]:
    """What makes a policy document not IAM's (the parts of the grammar the output uses)."""
    if not isinstance(document, dict) or set(document) != {"Version", "Statement"}:
        return ["not {Version, Statement}"]
    problems = [] if document["Version"] == "2012-10-17" else ["Version"]
    statements = document["Statement"]
    if not isinstance(statements, list) or not statements:
        return [*problems, "Statement is not a non-empty list"]
    sids = [statement.get("Sid") for statement in statements]
    if len(set(sids)) != len(sids) or not all(isinstance(sid, str) and sid.isalnum() for sid in sids):
        problems.append(f"Sids {sids}")
    for statement in statements:
        problems += [f"{statement.get('Sid')}: {problem}" for problem in _statement_problems(statement, trust)]
    if policy_size(document) > MANAGED_POLICY_LIMIT:
        problems.append(f"{policy_size(document)} characters")
    return problems


def _statement_problems(statement: dict[str, Any], trust: bool) -> list[str]:
    problems = [] if statement.get("Effect") in ("Allow", "Deny") else ["Effect"]
    allowed_elements = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition",
                        "Principal"}
    problems += [f"element {name}" for name in statement if name not in allowed_elements]
    if ("Action" in statement) == ("NotAction" in statement) or not _strings(
            statement.get("Action", statement.get("NotAction"))):
        problems.append("Action")
    actions = statement.get("Action", [])
    if not all(re.fullmatch(r"[a-z0-9-]+:[A-Za-z0-9*?]+", action) for action in
               ([actions] if isinstance(actions, str) else actions)):
        problems.append(f"action names {actions}")
    if trust:
        if set(statement.get("Principal", {})) != {"Federated"} or "Resource" in statement:
            problems.append("a trust statement names a Federated principal and no Resource")
    elif ("Resource" in statement) == ("NotResource" in statement) or not _strings(
            statement.get("Resource", statement.get("NotResource"))):
        problems.append("Resource")
    for operator, block in statement.get("Condition", {}).items():
        base = operator.split(":", 1)[-1].removesuffix("IfExists") if operator.startswith("For") else operator
        if base not in OPERATORS or not isinstance(block, dict) or not all(_strings(v) for v in block.values()):
            problems.append(f"condition {operator}")
    return problems


@pytest.mark.parametrize("settings", [GITHUB, GITLAB], ids=["github", "gitlab"])
@pytest.mark.parametrize("fixture", ["sample", "six-regions", "cloud"])
def test_the_output_is_iam_json_within_iams_limits(tmp_path, settings, fixture):
    text = {"sample": AWS_S3, "cloud": AWS_S3.replace("state: {backend: s3}\n", CLOUD),
            "six-regions": (REPO / "tests/fixtures/six-regions.yaml").read_text().replace(
                "target: local", "target: aws\nstate: {backend: s3}") + ROLES}[fixture]
    roles = ci_roles(config_of(tmp_path, text), settings)
    document = json.loads(json.dumps(roles_document(roles)))
    assert document["oidc_provider"]["arn"] == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{roles.issuer.host}"
    for name, role in document["roles"].items():
        assert iam_problems(role["trust_policy"], trust=True) == [], name
        statement = role["trust_policy"]["Statement"][0]
        assert statement["Principal"] == {"Federated": document["oidc_provider"]["arn"]}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        for policy_name, policy in role["policies"].items():
            assert iam_problems(policy) == [], (name, policy_name)
            assert len(policy_name) <= 128
        assert len(role["policies"]) + len(role["managed_policies"]) <= 10  # IAM's default attachments per role
        assert len(name) <= 64 and role["arn"].endswith(f"role/{name}")
    assert "ReadOnlyAccess" not in json.dumps(document)


def test_many_regions_spread_the_state_over_several_policies_each_within_the_limit(tmp_path):
    codes = list(REGIONS)[:24]
    regions = "".join(f"  {code}:\n    jurisdiction: {REGIONS[code].jurisdiction}\n"
                      + ("    default: true\n" if code == codes[0] else "") for code in codes)
    text = f"project: acme-health\ntarget: aws\nstate: {{backend: s3}}\nregions:\n{regions}" + ROLES
    plan = ci_roles(config_of(tmp_path, text), GITHUB).roles[0]
    assert len(plan.policies) >= 3
    assert all(iam_problems(policy) == [] for policy in plan.policies.values())
    statements = [statement for policy in plan.policies.values() for statement in policy["Statement"]]
    last = codes[-1]
    state = f"arn:aws:s3:::acme-health-tfstate-{last}/{last}/terraform.tfstate"
    assert allowed(statements, Request("s3:GetObject", state))
    assert denied(statements, Request("s3:GetObject", f"arn:aws:s3:::acme-health-{last}-data-{ACCOUNT}/x"))


# --- The plan role, judged by residency's evaluator ------------------------------------------------------------


def _named(value: Any) -> str:
    """A synthesized name with its references replaced, as AWS would name it."""
    return re.sub(r"\$\{[^}]*\}", ACCOUNT, str(value))


def store_resources(config: Config, out: Path) -> list[tuple[str, str, str, str]]:
    """(workspace, region, type, name) of every resource of a personal-data type in the synthesized workspaces."""
    found = []
    for workspace in config.workspaces:
        document = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
        for type_, resources in document.get("resource", {}).items():
            entry = ENTRIES.get(type_)
            if entry is None or not entry.personal:
                continue
            for address, body in resources.items():
                name = body.get("bucket") or body.get("name") or body.get("function_name") or address
                found.append((workspace, config.workspace_region(workspace), type_, _named(name)))
    return found


def arns_of(type_: str, region: str, name: str) -> list[str]:
    """What IAM sees as the resource of a data-plane request on this store."""
    if type_ == "aws_s3_bucket":
        bucket = f"arn:aws:s3:::{name}"
        # an object, and one named like a state file (it is still not the state)
        return [bucket, f"{bucket}/users/ada/scan.pdf", f"{bucket}/{region}/terraform.tfstate"]
    service = service_of(type_)
    assert service is not None
    return [f"arn:aws:{service.prefix}:{region}:{ACCOUNT}:{type_.removeprefix('aws_')}/{name}"]


@pytest.fixture(scope="module")
def synthesized_project(tmp_path_factory) -> tuple[Config, Path]:
    """The billing example (a queue), the documents extension (a bucket and a table) and residency's own stores
    (user pools, data tables and buckets, the directory, log groups), synthesized for the aws target."""
    from residency.stacks import synthesize

    root = tmp_path_factory.mktemp("synthesized") / "project"
    shutil.copytree(REPO / "examples" / "billing-platform", root)
    shutil.copy(REPO / "tests" / "fixtures" / "extensions" / "documents.py", root / "billing" / "store.py")
    text = (root / "regions.yaml").read_text().replace("target: local", "target: aws\nstate: {backend: s3}")
    text = text.replace("region: [billing.infra:region_resources]",
                        "region: [billing.infra:region_resources, billing.store:document_store]")
    (root / "regions.yaml").write_text(text + ROLES)
    config = load_config(root / "regions.yaml")
    synthesize(config, root / "cdktf.out", project_dir=root)
    return config, root / "cdktf.out"


def test_every_declared_store_is_among_the_stores_judged(synthesized_project):
    config, out = synthesized_project
    judged = {(workspace, type_) for workspace, _region, type_, _name in store_resources(config, out)}
    declared = set()
    for workspace in config.workspaces:
        document = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
        for record in document["output"][OUTPUT]["value"]:
            declared.add((workspace, StoreKind(record["kind"]).terraform_type))
    assert {type_ for _workspace, type_ in declared} == {kind.terraform_type for kind in StoreKind}  # all four kinds
    assert declared <= judged


def test_the_plan_role_is_denied_every_data_plane_action_on_every_store(synthesized_project):
    config, out = synthesized_project
    statements = plan_statements(ci_roles(config, GITHUB))
    stores = store_resources(config, out)
    assert len(stores) >= 10
    not_denied = []
    for _workspace, region, type_, name in stores:
        service = service_of(type_)
        assert service is not None, type_
        reads = [read for row in SERVICES if type_ in row.stores for read in row.reads]
        for read in reads:
            for arn in arns_of(type_, region, name):
                if not denied(statements, Request(read, arn)):
                    not_denied.append(f"{read} on {arn}")
    assert not_denied == []


def test_every_data_plane_action_is_denied_on_any_resource(sample_roles):
    statements = plan_statements(sample_roles)
    arn = f"arn:aws:dynamodb:eu-central-1:{ACCOUNT}:table/anything"
    assert [read for read in data_plane_reads() if not denied(statements, Request(read, arn))] == []
    # reads the configuration allows are exactly those denied: a Get* or List* never reaches the data plane
    reaching = [read for read in data_plane_reads() if allowed(statements, Request(read, arn))]
    assert reaching == []


def kms_request(action: str, key_aliases: list[str], via: str | None, region: str = "eu-central-1") -> Request:
    context: dict[str, Any] = {"kms:ResourceAliases": key_aliases}
    if via is not None:
        context["kms:ViaService"] = f"{via}.{region}.amazonaws.com"
    return Request(action, f"arn:aws:kms:{region}:{ACCOUNT}:key/1234abcd-0000-0000-0000-000000000000", context)


def test_every_key_of_the_synthesized_workspaces_is_denied_but_for_functions_settings(synthesized_project):
    config, out = synthesized_project
    statements = plan_statements(ci_roles(config, GITHUB))
    aliases = []
    for workspace in config.workspaces:
        document = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
        aliases += [(config.workspace_region(workspace), body["name"])
                    for body in document["resource"].get("aws_kms_alias", {}).values()]
    assert len(aliases) >= 3
    kms_reads = data_plane_reads(Spared.STATE_KEY)
    for region, alias in aliases:
        for action in kms_reads:
            for via in (None, "s3", "dynamodb", "sqs", "logs", "sns", "cognito-idp"):
                assert denied(statements, kms_request(action, [alias], via, region)), (alias, action, via)
            # a function's settings are decrypted through Lambda; nothing else of the key is
            through_lambda = kms_request(action, [alias], "lambda", region)
            assert allowed(statements, through_lambda) if action == "kms:Decrypt" else denied(statements,
                                                                                               through_lambda)
    assert denied(statements, kms_request("kms:Decrypt", [], "s3"))  # a key without aliases
    assert denied(statements, kms_request("kms:Decrypt", ["alias/elsewhere", STATE_ALIAS], None))


def test_the_state_is_readable_and_only_its_lock_file_writable(sample_roles):
    statements = plan_statements(sample_roles)
    for workspace, region in (("eu-central-1", "eu-central-1"), ("ap-southeast-2", "ap-southeast-2"),
                              ("global", "us-east-1")):
        state = f"arn:aws:s3:::acme-health-tfstate-{region}/{workspace}/terraform.tfstate"
        assert allowed(statements, Request("s3:GetObject", state))
        assert allowed(statements, Request("s3:GetObject", f"{state}.tflock"))
        assert allowed(statements, Request("s3:PutObject", f"{state}.tflock"))
        assert allowed(statements, Request("s3:DeleteObject", f"{state}.tflock"))
        assert not allowed(statements, Request("s3:PutObject", state))
        assert not allowed(statements, Request("s3:DeleteObject", state))
        assert allowed(statements, Request("s3:ListBucket", f"arn:aws:s3:::acme-health-tfstate-{region}"))
        for action in ("kms:Decrypt", "kms:GenerateDataKey"):
            assert allowed(statements, kms_request(action, [STATE_ALIAS], "s3", region))
        assert denied(statements, kms_request("kms:Decrypt", [STATE_ALIAS], None, region))  # only through S3
    # the state key of another bucket, another workspace's key in a region's bucket
    for arn in ("arn:aws:s3:::acme-health-eu-central-1-data-123456789012/eu-central-1/terraform.tfstate",
                "arn:aws:s3:::someone-elses-bucket/eu-central-1/terraform.tfstate",
                "arn:aws:s3:::acme-health-tfstate-eu-west-1/eu-central-1/terraform.tfstate"):
        assert denied(statements, Request("s3:GetObject", arn)), arn
    # the state's old versions: spared by the deny (they are the state), and allowed by nothing
    assert not allowed(statements, Request(
        "s3:GetObjectVersion", "arn:aws:s3:::acme-health-tfstate-eu-central-1/eu-central-1/terraform.tfstate"))
    # configuration, still readable
    for action, arn in (("dynamodb:DescribeTable", f"arn:aws:dynamodb:eu-central-1:{ACCOUNT}:table/t"),
                        ("s3:GetBucketPolicy", "arn:aws:s3:::acme-health-eu-central-1-data-123456789012"),
                        ("s3:ListBucket", "arn:aws:s3:::acme-health-eu-central-1-data-123456789012"),
                        ("cognito-idp:DescribeUserPool", f"arn:aws:cognito-idp:eu-central-1:{ACCOUNT}:userpool/x"),
                        ("logs:DescribeLogGroups", "*"), ("kms:DescribeKey", "*"), ("lambda:GetFunction", "*"),
                        ("apigateway:GET", "*"), ("iam:GetRole", "*"), ("route53:ListResourceRecordSets", "*")):
        assert allowed(statements, Request(action, arn)), action


def test_with_state_in_hcp_terraform_the_plan_role_has_no_state_access(tmp_path):
    roles = ci_roles(config_of(tmp_path, AWS_S3.replace("state: {backend: s3}\n", CLOUD)), GITHUB)
    plan = roles.roles[0]
    statements = plan_statements(roles)
    state = "arn:aws:s3:::acme-health-tfstate-eu-central-1/eu-central-1/terraform.tfstate"
    assert denied(statements, Request("s3:GetObject", state))
    assert not allowed(statements, Request("s3:PutObject", f"{state}.tflock"))
    assert denied(statements, kms_request("kms:Decrypt", [STATE_ALIAS], "s3"))
    assert any("no state access in AWS" in note for note in plan.notes)


# --- Trust -----------------------------------------------------------------------------------------------------


def trusts(role: Role, claims: dict[str, str]) -> bool:
    """Whether the role's trust conditions hold for a token with these claims (keys `host:claim`)."""
    statement = role.trust_policy["Statement"][0]
    request = Request("sts:AssumeRoleWithWebIdentity", role.arn.arn, claims)
    return match_condition(statement, request).applies


def github_claims(sub: str, environment: str | None = None, ref: str = "refs/heads/main",
                  aud: str = "sts.amazonaws.com") -> dict[str, str]:
    host = "token.actions.githubusercontent.com"
    claims = {f"{host}:aud": aud, f"{host}:sub": sub, f"{host}:ref": ref}
    return {**claims, f"{host}:environment": environment} if environment else claims


def role_named(roles: CiRoles, name: str) -> Role:
    return next(role for role in roles.roles if role.arn.name == name)


def test_github_plan_role_trusts_pull_requests_and_the_default_branch(sample_roles):
    plan = role_named(sample_roles, "residency-plan")
    assert trusts(plan, github_claims("repo:acme/health:pull_request", ref="refs/pull/7/merge"))
    assert trusts(plan, github_claims("repo:acme/health:ref:refs/heads/main"))
    assert not trusts(plan, github_claims("repo:acme/health:ref:refs/heads/feature", ref="refs/heads/feature"))
    assert not trusts(plan, github_claims("repo:evil/health:pull_request"))
    assert not trusts(plan, github_claims("repo:acme/health:pull_request", aud="other"))


def test_github_apply_roles_trust_their_environment_only_and_name_the_branch_rule_github_must_hold(sample_roles):
    eu, us = role_named(sample_roles, "residency-apply-eu"), role_named(sample_roles, "residency-apply-us")
    eu_job = github_claims("repo:acme/health:environment:production-eu", "production-eu")
    assert trusts(eu, eu_job) and not trusts(us, eu_job)
    assert trusts(us, github_claims("repo:acme/health:environment:production-us", "production-us"))
    # a pull request; a run on the branch outside the environment; another repository; another audience
    assert not trusts(eu, github_claims("repo:acme/health:pull_request"))
    assert not trusts(eu, github_claims("repo:acme/health:ref:refs/heads/main"))
    assert not trusts(eu, github_claims("repo:evil/health:environment:production-eu", "production-eu"))
    assert not trusts(eu, github_claims("repo:acme/health:environment:production-eu", aud="other"))
    condition = eu.trust_policy["Statement"][0]["Condition"]["StringEquals"]
    # Only keys AWS reads for GitHub tokens: a key it does not know would make the role impossible to assume.
    assert set(condition) == {"token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"}
    assert any("deployment-branch rule" in note for note in eu.notes)
    shared = role_named(sample_roles, "residency-apply")  # AU and global share ci.apply_role
    assert trusts(shared, github_claims("repo:acme/health:environment:production-global", "production-global"))
    assert any("one role serves" in note for note in shared.notes)


def gitlab_claims(sub: str, aud: str = "sts.amazonaws.com") -> dict[str, str]:
    return {"gitlab.example.com:sub": sub, "gitlab.example.com:aud": aud}


def test_gitlab_plan_role_trusts_any_branch_of_the_project(tmp_path):
    plan = role_named(ci_roles(config_of(tmp_path), GITLAB), "residency-plan")
    project = "project_path:acme/platform/health"
    assert trusts(plan, gitlab_claims(f"{project}:ref_type:branch:ref:feature/x"))
    assert trusts(plan, gitlab_claims(f"{project}:ref_type:branch:ref:main"))
    assert not trusts(plan, gitlab_claims(f"{project}:ref_type:tag:ref:v1"))
    assert not trusts(plan, gitlab_claims("project_path:acme/platform/other:ref_type:branch:ref:main"))
    assert not trusts(plan, gitlab_claims(f"{project}:ref_type:branch:ref:main", aud=gitlab_apply_audience(
        "production-eu")))


def test_gitlab_apply_roles_trust_the_default_branch_and_their_environments_audience(tmp_path):
    roles = ci_roles(config_of(tmp_path), GITLAB)
    eu, us = role_named(roles, "residency-apply-eu"), role_named(roles, "residency-apply-us")
    main_branch = "project_path:acme/platform/health:ref_type:branch:ref:main"
    eu_job = gitlab_claims(main_branch, aud=gitlab_apply_audience("production-eu"))
    assert trusts(eu, eu_job) and not trusts(us, eu_job)
    assert not trusts(eu, gitlab_claims("project_path:acme/platform/health:ref_type:branch:ref:feature",
                                        aud=gitlab_apply_audience("production-eu")))
    assert not trusts(eu, gitlab_claims(main_branch))  # a plan job's token
    assert gitlab_apply_audience("production-eu") in roles.audiences and "sts.amazonaws.com" in roles.audiences
    # what AWS cannot test is said, with the GitLab settings that must hold it
    notes = " ".join(eu.notes)
    for claim in ("ref_protected", "environment_protected", "Protected branches", "Protected environments", "fork"):
        assert claim in notes


# --- Refusals ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "settings", "message"), [
    (lambda text: text.replace("  plan_role: arn:aws:iam::123456789012:role/residency-plan\n", ""), GITHUB,
     "no ci.plan_role"),
    (lambda text: text.replace("state: {backend: s3}\n", ""), GITHUB, "state is local"),
    (lambda text: text.replace("role/residency-apply-us", "role/residency-plan"), GITHUB, "also an apply role"),
    (lambda text: text.replace(f"{ACCOUNT}:role/residency-apply-us", "210987654321:role/residency-apply-us"),
     GITHUB, "more than one account"),
    (lambda text: text, RolesSettings("github", "acme/*"), "not a GitHub repository"),
    (lambda text: text, RolesSettings("github", "acme"), "not a GitHub repository"),
    (lambda text: text, RolesSettings("gitlab", "acme/health:x"), "not a GitLab project path"),
    (lambda text: text, RolesSettings("gitlab", "acme/health", gitlab_host="https://gitlab.com"), "not a host"),
    (lambda text: text, RolesSettings("github", "acme/health", branch="ma*n"), "not a branch name"),
    (lambda text: text, RolesSettings("github", "acme/health", branch="../main"), "not a branch name"),
    (lambda text: text, RolesSettings("jenkins", "acme/health"), "unknown platform"),
])
def test_ill_formed_input_is_a_usage_error(tmp_path, change, settings, message):
    with pytest.raises(UsageError, match=re.escape(message)):
        ci_roles(config_of(tmp_path, change(AWS_S3)), settings)


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_command_prints_writes_and_refuses(tmp_path, capsys):
    config = tmp_path / "regions.yaml"
    config.write_text(AWS_S3)
    base = ["--config", str(config), "ci", "roles"]
    code, out, err = run(capsys, *base, "--repository", "acme/health")
    assert code == 0, err
    assert json.loads(out) == json.loads(json.dumps(roles_document(ci_roles(load_config(config), GITHUB))))
    code, out, _ = run(capsys, *base, "--repository", "acme/health", "--format", "terraform", "--out",
                       str(tmp_path / "iam"))
    assert code == 0 and "ci-roles.tf.json" in out
    assert "aws_iam_role" in json.loads((tmp_path / "iam" / "ci-roles.tf.json").read_text())["resource"]
    for args, message in ((["--format", "yaml", "--repository", "acme/health"], "unknown --format"),
                          ([], "--repository is required"),
                          (["--repository", "acme/health", "--gitlab-host", "gitlab.com"], "for --platform gitlab"),
                          (["--platform", "gitlab", "--repository", "acme"], "not a GitLab project path")):
        code, out, err = run(capsys, *base, *args)
        assert (code, out) == (64, ""), (args, err)
        assert message in err and "Traceback" not in err and err.count("error:") == 1


def test_the_local_target_has_no_roles_to_make(capsys):
    code, out, _ = run(capsys, "--config", str(SAMPLE), "ci", "roles")
    assert code == 0 and "no roles to make" in out


# --- Terraform JSON ----------------------------------------------------------------------------------------


def terraform(binary: Path, directory: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(binary), *args, "-no-color"], cwd=directory, env=env, capture_output=True,
                            text=True, timeout=300, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        pytest.fail(f"terraform {args[0]} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@pytest.mark.terraform
@pytest.mark.parametrize("create_provider", [False, True], ids=["existing-provider", "new-provider"])
def test_the_terraform_form_validates_and_plans_the_same_policies(tmp_path, terraform_binary, provider_mirror,
                                                                  sample_roles, create_provider):
    from residency.terraform.cli_config import check_mirror, write_cli_config

    directory = tmp_path / "roles"
    directory.mkdir()
    document = roles_terraform(sample_roles, create_provider=create_provider)
    (directory / "ci-roles.tf.json").write_text(json.dumps(document, indent=2))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0",
           "TF_DATA_DIR": str(tmp_path / "tf-data")}
    if provider_mirror:
        env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(tmp_path / "terraformrc", check_mirror(Path(provider_mirror)),
                                                         tmp_path / "plugin-cache"))
    terraform(terraform_binary, directory, env, "init", "-input=false")
    assert "The configuration is valid" in terraform(terraform_binary, directory, env, "validate")
    if not create_provider:
        return  # looking up the provider needs an account
    # Offline: no credentials are checked and nothing is read, so the plan shows what Terraform would send.
    (directory / "override.tf.json").write_text(json.dumps({"provider": {"aws": {
        "access_key": "offline", "secret_key": "offline", "skip_credentials_validation": True,
        "skip_requesting_account_id": True, "skip_metadata_api_check": True}}}))
    terraform(terraform_binary, directory, env, "plan", "-input=false", "-out=roles.tfplan")
    planned = json.loads(terraform(terraform_binary, directory, env, "show", "-json", "roles.tfplan"))
    values = {resource["address"]: resource["values"] for resource in planned["planned_values"]["root_module"][
        "resources"]}
    sent = {value["name"]: json.loads(value["policy"]) for address, value in values.items()
            if address.startswith("aws_iam_policy.")}
    assert sent == {name: policy for role in sample_roles.roles for name, policy in role.policies.items()}
    roles = {value["name"]: value for address, value in values.items() if address.startswith("aws_iam_role.")}
    assert set(roles) == {role.arn.name for role in sample_roles.roles}
    assert values["aws_iam_openid_connect_provider.ci"]["client_id_list"] == ["sts.amazonaws.com"]
    attached = [value["policy_arn"] for address, value in values.items()
                if address.startswith("aws_iam_role_policy_attachment.") and value.get("policy_arn")]
    assert attached.count("arn:aws:iam::aws:policy/AdministratorAccess") == 3
