"""`residency ci roles`: the IAM roles the rendered pipelines assume, with their trust and permission policies.

- The **plan role** (pull-request plans, scheduled drift checks) reads configuration, reads the Terraform state
  and writes only the state's lock files; never the AWS-managed ReadOnlyAccess. Its first policy allows the
  configuration reads of every service the stacks may use and, in the same document, denies their data plane
  (`data_plane.SERVICES`: items, queries, scans and exports; user listings and lookups; log events and queries;
  messages; invocations...). Its state policy allows the state objects, their lock files and the state key
  exactly, and denies every other object of every bucket (over NotResource: no bucket needs listing, so one
  nobody listed is denied too) and every other key's decryption (but Lambda's own settings, through Lambda).
  Its trust takes pull requests and the default branch.
- An **apply role** per distinct apply-role ARN of `ci:`: trusted only by the apply jobs of its environments on
  the default branch (GitHub: the token's `environment` and `ref`, which AWS STS checks; GitLab: the default
  branch in `sub` and an audience per environment, see `GitLabIssuer`). What it may do is whatever its
  workspaces manage: AdministratorAccess, since Terraform creates IAM roles and key policies there.

The state key's ARN is not known before `residency bootstrap` makes it (a KMS key id is random), so the key is
named by its alias (`kms:ResourceAliases`: `alias/<bucket prefix>`, the same in every region, which only the
state key holds) and reached only through S3 (`kms:ViaService`). With `state: {backend: cloud}` the state is in
HCP Terraform: the plan role gets no state access in AWS, and its notes say so.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from residency.config import Config
from residency.errors import UsageError
from residency.pipelines.data_plane import SERVICES, Spared, data_plane_reads
from residency.pipelines.pipeline_files import TIMEOUTS, gitlab_apply_audience, workspace_jobs

POLICY_VERSION = "2012-10-17"
MANAGED_POLICY_LIMIT = 6144  # characters, whitespace not counted
STS_AUDIENCE = "sts.amazonaws.com"
FORMATS = ("json", "terraform")
FILES = {"json": "ci-roles.json", "terraform": "ci-roles.tf.json"}
LOCK_SUFFIX = ".tflock"  # Terraform's S3 lock file beside the state (use_lockfile)
ADMINISTRATOR = "AdministratorAccess"

_ROLE_ARN = re.compile(r"^arn:(?P<partition>aws(-[a-z]+)*):iam::(?P<account>[0-9]{12}):role(?P<path>/(?:[^/]+/)*)"
                       r"(?P<name>[A-Za-z0-9+=,.@_-]{1,64})$")
_GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
_GITLAB_PROJECT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$")
_BRANCH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]{0,199}$")
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")


@dataclass(frozen=True)
class RoleArn:
    arn: str
    partition: str
    account: str
    path: str  # "/" or "/ci/"
    name: str

    @classmethod
    def parse(cls, arn: str, what: str) -> RoleArn:
        found = _ROLE_ARN.match(arn)
        if found is None:
            raise UsageError(f"{what} {arn!r} is not an IAM role ARN that `ci roles` can make",
                             hint="arn:aws:iam::123456789012:role/NAME (an optional /path/ before NAME)")
        return cls(arn, found["partition"], found["account"], found["path"], found["name"])


@dataclass(frozen=True)
class RolesSettings:
    platform: str  # github | gitlab
    repository: str  # GitHub OWNER/REPO, GitLab group/project
    branch: str = "main"  # the default branch: applies and drift checks run there
    gitlab_host: str = "gitlab.com"


# --- Who may assume a role: one class per CI platform ------------------------------------------------------


@dataclass(frozen=True)
class GitHubIssuer:
    """GitHub Actions' OIDC tokens. AWS tests `aud` and `sub` only (GitHub: "support for custom claims for OIDC is
    unavailable in AWS"). A job in an environment has the subject `repo:O/R:environment:NAME`, which names no
    branch: the environment's deployment-branch rule (only the default branch) and its required reviewers are what
    bind an apply role to the branch, and the notes say so. `sub` is GitHub's default format; a repository with
    a customized subject template needs these conditions rewritten."""

    repository: str
    branch: str
    host: str = "token.actions.githubusercontent.com"

    def audience(self, environment: str | None) -> str:
        return STS_AUDIENCE  # a GitHub job asks for any audience it likes: the environment claim binds it

    def plan_condition(self) -> dict[str, Any]:
        subjects = [f"repo:{self.repository}:pull_request", f"repo:{self.repository}:ref:refs/heads/{self.branch}"]
        return {"StringEquals": {f"{self.host}:aud": STS_AUDIENCE, f"{self.host}:sub": subjects}}

    def apply_condition(self, environments: Sequence[str]) -> dict[str, Any]:
        return {"StringEquals": {
            f"{self.host}:aud": STS_AUDIENCE,
            f"{self.host}:sub": [f"repo:{self.repository}:environment:{name}" for name in environments],
        }}

    def apply_binding(self) -> str:
        return ("AWS checks the token's subject, which names the environment but no branch. GitHub must bind the "
                "branch: in the repository's settings give each environment required reviewers and a "
                f"deployment-branch rule that allows only {self.branch}, and protect {self.branch}.")

    def plan_binding(self) -> str:
        return (f"pull-request runs of {self.repository} and runs on {self.branch} (the scheduled drift checks); "
                "GitHub gives a fork's pull request no ID token")


@dataclass(frozen=True)
class GitLabIssuer:
    """GitLab CI's ID tokens. AWS tests only `aud` and `sub` of a GitLab token, and GitLab's `sub` can carry only
    the project, the ref type and the ref: `ref_protected`, `environment` and `environment_protected` are claims
    AWS cannot read. So an apply role takes `project_path:G/P:ref_type:branch:ref:<default branch>` and an
    audience of its own environment's: a job holds only the ID tokens its definition declares (`id_tokens`, from
    the reviewed pipeline file on the default branch), so a job of one jurisdiction's environment has no token
    another jurisdiction's role accepts. That the branch is protected and the environment protected (who may
    run and approve the job) are GitLab settings, which the notes name."""

    repository: str
    branch: str
    host: str = "gitlab.com"

    def audience(self, environment: str | None) -> str:
        return STS_AUDIENCE if environment is None else gitlab_apply_audience(environment)

    def plan_condition(self) -> dict[str, Any]:
        return {"StringEquals": {f"{self.host}:aud": STS_AUDIENCE},
                "StringLike": {f"{self.host}:sub": f"project_path:{self.repository}:ref_type:branch:ref:*"}}

    def apply_condition(self, environments: Sequence[str]) -> dict[str, Any]:
        return {"StringEquals": {
            f"{self.host}:aud": [gitlab_apply_audience(name) for name in environments],
            f"{self.host}:sub": f"project_path:{self.repository}:ref_type:branch:ref:{self.branch}",
        }}

    def apply_binding(self) -> str:
        return (f"AWS checks the project, the branch ({self.branch}) and the audience the environment's job "
                f"declares; it cannot read ref_protected, environment or environment_protected. GitLab must back "
                f"them: protect {self.branch} (Settings > Repository > Protected branches), protect the "
                "environments with approvers (Settings > CI/CD > Protected environments), and never run a fork's "
                f"merge request pipeline in this project (its source branch may be named {self.branch}, and its "
                "pipeline file is the fork's). The identity provider must list the audience as a client ID, and "
                "the environment's apply job must declare it (`id_tokens: {AWS_ID_TOKEN: {aud: "
                f"{gitlab_apply_audience('<environment>')}}}}}`)")

    def plan_binding(self) -> str:
        return (f"any branch's pipeline of {self.repository} (merge requests from any branch, the scheduled drift "
                f"checks on {self.branch})")


Issuer = GitHubIssuer | GitLabIssuer


def issuer_for(settings: RolesSettings) -> Issuer:
    if settings.platform == "github":
        if not _GITHUB_REPOSITORY.match(settings.repository):
            raise UsageError(f"--repository {settings.repository!r} is not a GitHub repository",
                             hint="OWNER/REPO, e.g. acme/health-platform")
        return GitHubIssuer(settings.repository, _branch(settings.branch))
    if settings.platform == "gitlab":
        if not _GITLAB_PROJECT.match(settings.repository):
            raise UsageError(f"--repository {settings.repository!r} is not a GitLab project path",
                             hint="GROUP/PROJECT or GROUP/SUBGROUP/PROJECT, e.g. acme/platform/health")
        if not _HOST.match(settings.gitlab_host):
            raise UsageError(f"--gitlab-host {settings.gitlab_host!r} is not a host name",
                             hint="e.g. gitlab.com or gitlab.example.com (no https://, no port, no path)")
        return GitLabIssuer(settings.repository, _branch(settings.branch), settings.gitlab_host)
    raise UsageError(f"unknown platform {settings.platform!r}", hint="github or gitlab (HCP Terraform runs assume "
                     "the roles of `residency tfc`)")


def _branch(branch: str) -> str:
    if not _BRANCH.match(branch) or ".." in branch or "//" in branch or branch.endswith(("/", ".", ".lock")):
        raise UsageError(f"--branch {branch!r} is not a branch name the trust policies can hold",
                         hint="letters, digits, '.', '_', '-' and '/' (e.g. main); no wildcards")
    return branch


# --- The roles -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    arn: RoleArn
    assumed_by: str
    trust_policy: dict[str, Any]
    policies: dict[str, dict[str, Any]]  # customer managed policies made for the role, by name
    managed_policies: tuple[str, ...] = ()
    max_session_hours: int = 1
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CiRoles:
    platform: str
    issuer: Issuer
    account: str
    partition: str
    region: str  # where the Terraform configuration's provider points (IAM is global)
    roles: tuple[Role, ...]
    audiences: tuple[str, ...]  # every `aud` the identity provider must accept

    @property
    def provider_arn(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:oidc-provider/{self.issuer.host}"


def ci_roles(config: Config, settings: RolesSettings) -> CiRoles:
    """The plan role and the apply roles regions.yaml's `ci:` names, for the aws target."""
    if config.profile.uses_emulator:
        raise UsageError("target local runs on the embedded emulator: there are no roles to make",
                         hint="ci roles is for `target: aws`")
    if not config.state.outlives_runners:
        raise UsageError(f"the aws target's state is {config.state.backend}: a pipeline cannot keep it, so there is "
                         "no plan role to give state access", hint="keep state in S3 (`state: {backend: s3}`, then "
                                                                   "`residency bootstrap`) or in HCP Terraform")
    issuer = issuer_for(settings)
    plan_arn = _plan_arn(config)
    applies = _apply_roles(config)
    _one_account(plan_arn, [arn for arn, _environments, _workspaces in applies])
    if any(arn.arn == plan_arn.arn for arn, _environments, _workspaces in applies):
        raise UsageError(f"ci.plan_role {plan_arn.arn} is also an apply role: pull requests would hold the rights "
                         "to change every workspace", hint="name a separate ci.plan_role")
    roles = (plan_role(config, issuer, plan_arn),
             *(apply_role(issuer, arn, environments, workspaces) for arn, environments, workspaces in applies))
    environments = [name for _arn, names, _workspaces in applies for name in names]
    audiences = tuple(dict.fromkeys([STS_AUDIENCE, *(issuer.audience(name) for name in environments)]))
    return CiRoles(settings.platform, issuer, plan_arn.account, plan_arn.partition, config.global_.region, roles,
                   audiences)


def _plan_arn(config: Config) -> RoleArn:
    if config.ci.plan_role is None:
        raise UsageError("regions.yaml names no ci.plan_role (the role pull-request plans and drift checks assume)",
                         hint="add e.g. `ci: {plan_role: arn:aws:iam::123456789012:role/residency-plan}`")
    return RoleArn.parse(config.ci.plan_role, "ci.plan_role")


def _apply_roles(config: Config) -> list[tuple[RoleArn, tuple[str, ...], tuple[str, ...]]]:
    """Each distinct apply role, with the environments and workspaces whose jobs assume it, in file order."""
    jobs = workspace_jobs(config)
    without = [job.name for job in jobs if job.apply_role is None]
    if without:
        raise UsageError(f"regions.yaml names no apply role for {', '.join(without)}",
                         hint="ci.apply_role, or ci.apply_roles by region, jurisdiction or global")
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for job in jobs:
        environments, workspaces = grouped.setdefault(str(job.apply_role), ([], []))
        if job.environment not in environments:
            environments.append(job.environment)
        workspaces.append(job.name)
    return [(RoleArn.parse(arn, "an apply role"), tuple(environments), tuple(workspaces))
            for arn, (environments, workspaces) in grouped.items()]


def _one_account(plan: RoleArn, applies: Sequence[RoleArn]) -> None:
    other = next((arn for arn in applies if (arn.account, arn.partition) != (plan.account, plan.partition)), None)
    if other is not None:
        raise UsageError(f"the roles are in more than one account: ci.plan_role in {plan.account}, {other.arn} in "
                         f"{other.account}", hint="ci roles makes the roles of one account, where the state is; "
                                                  "write the others' from its output")


def _trust(ci: Issuer, partition: str, account: str, condition: dict[str, Any]) -> dict[str, Any]:
    provider = f"arn:{partition}:iam::{account}:oidc-provider/{ci.host}"
    return {"Version": POLICY_VERSION, "Statement": [{
        "Sid": "PipelineJobs", "Effect": "Allow", "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition}]}


def _session_hours(job: str) -> int:
    return max(1, min(12, math.ceil(TIMEOUTS[job] / 60)))


def plan_role(config: Config, issuer: Issuer, arn: RoleArn) -> Role:
    state = StateAccess.of(config, arn)
    notes = [f"trusted by {issuer.plan_binding()}"]
    if state is None:
        notes.append("state is kept in HCP Terraform: the plan role has no state access in AWS (runs that execute "
                     "in HCP assume roles through HCP's own issuer, not this one: README, Pipelines)")
    return Role(arn, "pull-request plans and scheduled drift checks",
                _trust(issuer, arn.partition, arn.account, issuer.plan_condition()),
                plan_policies(config, arn, state), max_session_hours=_session_hours("plan"), notes=tuple(notes))


def apply_role(issuer: Issuer, arn: RoleArn, environments: Sequence[str], workspaces: Sequence[str]) -> Role:
    notes = [issuer.apply_binding(),
             "Terraform creates IAM roles, key policies and bucket policies in these workspaces, so the role holds "
             "administrator rights in effect; what keeps it to its jurisdiction is who may assume it"]
    if len(environments) > 1:
        notes.append(f"one role serves {', '.join(environments)}: a job of any of them can change all their "
                     "workspaces; name one role per jurisdiction in ci.apply_roles to keep them apart")
    return Role(arn,
                f"apply jobs of {', '.join(environments)} ({', '.join(workspaces)})",
                _trust(issuer, arn.partition, arn.account, issuer.apply_condition(environments)), {},
                (f"arn:{arn.partition}:iam::aws:policy/{ADMINISTRATOR}",), _session_hours("apply"), tuple(notes))


# --- The plan role's policy ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateAccess:
    """What of `state: {backend: s3}` a plan reads and writes: each workspace's state object in its region's
    bucket, that object's lock file, and the region's state key."""

    partition: str
    account: str
    regions: tuple[str, ...]
    objects: tuple[str, ...]  # arn:aws:s3:::<bucket>/<workspace>/terraform.tfstate
    key_alias: str

    @classmethod
    def of(cls, config: Config, arn: RoleArn) -> StateAccess | None:
        stores = config.state.state_stores(config.project, config.state_regions)
        if not stores:  # kept outside the account: HCP Terraform (local state is refused before)
            return None
        workspace_regions = {workspace: config.workspace_region(workspace) for workspace in config.workspaces}
        objects = tuple(f"arn:{arn.partition}:s3:::{path}"
                        for path in config.state.state_objects(config.project, workspace_regions))
        # Every region's state key has the same alias.
        return cls(arn.partition, arn.account, tuple(store.region for store in stores), objects, stores[0].key_alias)

    @property
    def locks(self) -> tuple[str, ...]:
        return tuple(f"{state}{LOCK_SUFFIX}" for state in self.objects)


def plan_policies(config: Config, arn: RoleArn, state: StateAccess | None) -> dict[str, dict[str, Any]]:
    """The plan role's customer managed policies, each within IAM's 6,144 characters: the configuration reads
    with the data plane denied in the same document; then the state, the keys and the objects, whose allows are
    exact and whose denies keep every other key and object out (in as many documents as the workspaces need)."""
    policies = {f"{arn.name}-reads": _document([configuration_reads(), data_plane_denial()])}
    state_documents = _packed([*state_statements(state), function_settings(config, arn), objects_denial(arn, state),
                               *key_denials(state)])
    for index, document in enumerate(state_documents):
        policies[f"{arn.name}-state" + (f"-{index + 1}" if index else "")] = document
    return policies


def _packed(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements in order, in as few documents within the managed-policy limit as that order allows."""
    documents = [_document([])]
    for statement in statements:
        if policy_size(_document([*documents[-1]["Statement"], statement])) > MANAGED_POLICY_LIMIT:
            if policy_size(_document([statement])) > MANAGED_POLICY_LIMIT:
                raise UsageError(f"the plan role's statement {statement['Sid']} alone exceeds IAM's "
                                 f"{MANAGED_POLICY_LIMIT} characters of a policy",
                                 hint="fewer workspaces per account, or a shorter state.bucket_prefix")
            documents.append(_document([]))
        documents[-1]["Statement"].append(statement)
    return documents


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": POLICY_VERSION, "Statement": statements}


def configuration_reads() -> dict[str, Any]:
    actions = [action for service in SERVICES for action in service.configuration_actions]
    return {"Sid": "ConfigurationReads", "Effect": "Allow", "Action": actions, "Resource": "*"}


def data_plane_denial() -> dict[str, Any]:
    return {"Sid": "DataPlane", "Effect": "Deny", "Action": list(data_plane_reads(Spared.NOTHING)), "Resource": "*"}


def state_statements(state: StateAccess | None) -> list[dict[str, Any]]:
    """Read the state and its lock file, write and remove only the lock file, with the state key through S3.
    (ListBucket on the state buckets is a configuration read.)"""
    if state is None:
        return []
    return [
        {"Sid": "StateRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": [*state.objects, *state.locks]},
        {"Sid": "StateLock", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
         "Resource": list(state.locks)},
        {"Sid": "StateKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": _any_key(state.partition, state.account),
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": state.key_alias},
                       "StringEquals": {"kms:ViaService": _through("s3", state.partition, state.regions)}}},
    ]


def function_settings(config: Config, arn: RoleArn) -> dict[str, Any]:
    """A function's environment is encrypted with its region's key, and Lambda shows it only to a caller that may
    decrypt it, through Lambda: without this a plan would see every function's settings as missing."""
    return {"Sid": "FunctionSettings", "Effect": "Allow", "Action": "kms:Decrypt",
            "Resource": _any_key(arn.partition, arn.account),
            "Condition": {"StringEquals": {"kms:ViaService": _through("lambda", arn.partition, config.state_regions)}}}


def objects_denial(arn: RoleArn, state: StateAccess | None) -> dict[str, Any]:
    """Every object of every bucket, but the state files and their lock files: no bucket needs to be listed."""
    spared = {"NotResource": [f"{state_object}*" for state_object in state.objects]} if state else {"Resource": "*"}
    return {"Sid": "ObjectsButTheState", "Effect": "Deny", "Action": list(data_plane_reads(Spared.STATE_OBJECTS)),
            **spared}


def key_denials(state: StateAccess | None) -> list[dict[str, Any]]:
    """KMS reads are denied unless made through S3 with the state key, or (Decrypt only) through Lambda."""
    reads = list(data_plane_reads(Spared.STATE_KEY))
    services = ["s3.*", "lambda.*"] if state else ["lambda.*"]
    statements: list[dict[str, Any]] = [
        {"Sid": "KeysOnlyThroughS3OrLambda", "Effect": "Deny", "Action": reads, "Resource": "*",
         "Condition": {"StringNotLike": {"kms:ViaService": services}}},
        {"Sid": "OnlyDecryptThroughLambda", "Effect": "Deny", "Resource": "*",
         "Action": [read for read in reads if read != "kms:Decrypt"],
         "Condition": {"StringLike": {"kms:ViaService": "lambda.*"}}},
    ]
    if state is not None:
        statements.append({"Sid": "OnlyTheStateKeyThroughS3", "Effect": "Deny", "Action": reads, "Resource": "*",
                           "Condition": {"StringLike": {"kms:ViaService": "s3.*"},
                                         "ForAllValues:StringNotEquals": {"kms:ResourceAliases": state.key_alias}}})
    return statements


def _any_key(partition: str, account: str) -> str:
    return f"arn:{partition}:kms:*:{account}:key/*"


def _through(service: str, partition: str, regions: Iterable[str]) -> list[str]:
    """kms:ViaService values: the service's endpoints in these regions."""
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return [f"{service}.{region}.{suffix}" for region in regions]


def policy_size(document: dict[str, Any]) -> int:
    """Characters as IAM counts them against its limits: the JSON without whitespace outside strings."""
    return len(json.dumps(document, separators=(",", ":")))


# --- Output --------------------------------------------------------------------------------------------------


def roles_document(ci: CiRoles) -> dict[str, Any]:
    """JSON to read or to apply by hand: the identity provider, then each role keyed by its name."""
    return {
        "oidc_provider": {"url": f"https://{ci.issuer.host}", "arn": ci.provider_arn, "audiences": list(ci.audiences)},
        "roles": {role.arn.name: {
            "arn": role.arn.arn, "path": role.arn.path, "assumed_by": role.assumed_by,
            "max_session_duration": role.max_session_hours * 3600, "trust_policy": role.trust_policy,
            "policies": role.policies, "managed_policies": list(role.managed_policies), "notes": list(role.notes),
        } for role in ci.roles},
    }


def roles_terraform(ci: CiRoles, *, create_provider: bool = False) -> dict[str, Any]:
    """A Terraform JSON configuration of the roles (apply it in the account, with credentials that may manage IAM).
    The identity provider is looked up (an account has one per issuer, often made already), or created."""
    kind = "resource" if create_provider else "data"
    provider: dict[str, Any] = {"url": f"https://{ci.issuer.host}"}
    if create_provider:
        provider["client_id_list"] = list(ci.audiences)
    provider_arn = ("" if create_provider else "data.") + "aws_iam_openid_connect_provider.ci.arn"
    resources: dict[str, dict[str, Any]] = {"aws_iam_role": {}, "aws_iam_policy": {},
                                            "aws_iam_role_policy_attachment": {}}
    names = _terraform_names(role.arn.name for role in ci.roles)
    for role, name in zip(ci.roles, names, strict=True):
        _terraform_role(resources, role, name, provider_arn)
    document: dict[str, Any] = {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.0"}}},
        "provider": {"aws": {"region": ci.region}},
        kind: {"aws_iam_openid_connect_provider": {"ci": provider}},
        "output": {"role_arns": {"value": {role.arn.name: f"${{aws_iam_role.{name}.arn}}"
                                           for role, name in zip(ci.roles, names, strict=True)}}},
    }
    document.setdefault("resource", {}).update({kind_: items for kind_, items in resources.items() if items})
    return document


def _terraform_role(resources: dict[str, dict[str, Any]], role: Role, name: str, provider_arn: str) -> None:
    literal = json.dumps(role.trust_policy["Statement"][0]["Principal"]["Federated"])
    trust = _terraform_string(role.trust_policy).replace(literal, json.dumps(f"${{{provider_arn}}}"))
    resources["aws_iam_role"][name] = {
        "name": role.arn.name, "path": role.arn.path, "assume_role_policy": trust,
        "description": f"residency: {role.assumed_by}"[:1000], "max_session_duration": role.max_session_hours * 3600,
    }
    attached = list(role.managed_policies)
    for index, (policy_name, policy) in enumerate(role.policies.items()):
        resources["aws_iam_policy"][f"{name}_{index}"] = {
            "name": policy_name, "path": role.arn.path, "description": f"residency: {policy_name}",
            "policy": _terraform_string(policy)}
        attached.append(f"${{aws_iam_policy.{name}_{index}.arn}}")
    for index, policy_arn in enumerate(attached):
        resources["aws_iam_role_policy_attachment"][f"{name}_{index}"] = {
            "role": f"${{aws_iam_role.{name}.name}}", "policy_arn": policy_arn}


def _terraform_string(document: dict[str, Any]) -> str:
    """JSON text inside a Terraform JSON string, where `${` and `%{` would start an expression."""
    return json.dumps(document, separators=(",", ":")).replace("${", "$${").replace("%{", "%%{")


def _terraform_names(role_names: Iterable[str]) -> list[str]:
    """Terraform resource names for IAM role names (which may hold + = , . @)."""
    names: list[str] = []
    for role_name in role_names:
        base = re.sub(r"[^A-Za-z0-9_-]", "_", role_name)
        base = base if re.match(r"^[A-Za-z_]", base) else f"role_{base}"
        name, count = base, 1
        while name in names:
            count += 1
            name = f"{base}_{count}"
        names.append(name)
    return names


def render_roles(ci: CiRoles, output_format: str, *, create_provider: bool = False) -> str:
    if output_format not in FORMATS:
        raise UsageError(f"unknown --format {output_format!r}", hint="json or terraform")
    document = roles_document(ci) if output_format == "json" else roles_terraform(ci, create_provider=create_provider)
    return json.dumps(document, indent=2) + "\n"
