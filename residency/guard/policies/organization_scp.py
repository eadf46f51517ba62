"""The organization SCP residency emits (opt-in) and the check that an SCP still does what it must.

The SCP is the account-wide backstop behind the workspace rules: whatever Terraform, a console
user or a script does, nothing happens outside the governed regions, no multi-Region key can
encrypt data, nothing but the directory can be replicated, and nobody but the roles that apply the
regions can invoke or change the project's functions (a crafted trigger or API event would bind an
address to a region, or delete an account).

The check judges an SCP by its effect, not its text: it asks the document's Deny statements about
probe requests (data actions in every region regions.yaml does not govern, multi-Region keys, key
replicas, replication) made by several kinds of principal, and a probe counts as denied only when a
Deny statement certainly applies to it. A statement whose condition reads a key the probe does not
pin (a principal tag, a source IP, how the call was made...) can be escaped by choosing that key,
so it never counts; nor does one residency cannot read (an unknown operator, a Principal element).
The functions are probed by principals with known identities instead (the deployers must get through):
well-known ones, near misses of the deployers, and every identity the SCP's conditions name.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from residency import naming
from residency.config import REGIONS, Config
from residency.files import FileTooLarge, UnreadableFile, read_regular_file
from residency.guard.policies.evaluation import (
    Absent,
    Evaluation,
    KeyValue,
    Outcome,
    Request,
    combine,
    condition_keys,
    evaluate_statement,
    match_action,
    match_condition,
    match_resource,
    statement_problem,
    wildcard_match,
)
from residency.guard.terraform_json.documents import strict_json
from residency.paths import SCP_FILE as SCP_FILE  # where `residency synth` writes it, beside the workspaces

SCP_SIZE_LIMIT = 5120  # characters AWS Organizations accepts in one SCP
MAX_READ = 1024 * 1024
REGION_KEY = "aws:RequestedRegion"

# Services whose API lives in one region (usually us-east-1) whatever the caller's region, and that
# hold no personal data; AWS's own region-deny example exempts them.
GLOBAL_SERVICE_ACTIONS = (
    "account:*", "acm:*", "aws-portal:*", "billing:*", "budgets:*", "ce:*", "cloudfront:*", "cur:*",
    "globalaccelerator:*", "health:*", "iam:*", "organizations:*", "pricing:*", "route53:*", "route53domains:*",
    "s3:GetAccountPublicAccessBlock", "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*",
    "trustedadvisor:*", "waf:*", "wafv2:*",
)
# Copies of data to another region that the region deny cannot see: the request is made in the source
# region. Legacy (2017) global tables replicate too; a replica added through UpdateTable needs
# dynamodb:CreateTableReplica as well, so UpdateTable itself, which also changes capacity, streams
# and indexes, stays allowed.
REPLICATION_ACTIONS = ("s3:PutReplicationConfiguration", "backup:StartCopyJob", "dynamodb:CreateGlobalTable",
                       "dynamodb:UpdateGlobalTable")
TABLE_REPLICA_ACTION = "dynamodb:CreateTableReplica"
REGIONS_SID, KEYS_SID = "DenyOutsideGovernedRegions", "DenyMultiRegionKeysThatEncrypt"
REPLICAS_SID, REPLICATION_SID = "DenyKeyReplicasOutsideGovernedRegions", "DenyReplication"
TABLES_SID = "DenyTableReplicasButTheDirectory"
FUNCTIONS_SID = "DenyFunctionsButToTheDeployers"
# What lets a principal put words in a function's mouth: invoking it with an event of its choosing (a trigger's
# or the API's, JWT claims included), replacing its code or settings (environment, layers), or adding a
# resource-policy statement that lets a service it controls invoke it (a rule or pool of its own, whose calls no
# SCP sees). RemovePermission only narrows who may invoke, and versions and aliases are not what the pools and
# APIs call, so they stay allowed.
FUNCTION_ACTIONS = ("lambda:InvokeFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                    "lambda:AddPermission")

@dataclass(frozen=True)
class ScpProblem:
    statement: str  # the Sid (or index) of the statement to blame; "" for the document as a whole
    message: str  # what the SCP does wrong, as "the SCP <message>" reads


def governed_regions(config: Config) -> list[str]:
    regions = {*config.regions, config.global_.region}
    if config.global_.frontend:
        regions.add("us-east-1")  # CloudFront's certificate
    return sorted(regions)


def function_arn_pattern(project: str) -> str:
    """Every function of the project, in any region; `*` also spans a qualifier (`:live`, `:3`)."""
    return f"arn:aws:lambda:*:*:function:{naming.function_name_pattern(project)}"


def build_scp(config: Config) -> dict[str, Any]:
    governed = governed_regions(config)
    directory_arn = f"arn:aws:dynamodb:*:*:table/{naming.directory_table_name(config.project)}"
    # SCPs do not apply to service principals, so Cognito, API Gateway and EventBridge still invoke the
    # functions (their resource policies let each do so only for its own pool, API or rule). Validation names
    # a deployer for every region; without one nobody is exempted, which fails closed.
    deployers = list(config.function_deployers)
    functions: dict[str, Any] = {"Sid": FUNCTIONS_SID, "Effect": "Deny", "Action": list(FUNCTION_ACTIONS),
                                 "Resource": [function_arn_pattern(config.project)]}
    if deployers:
        functions["Condition"] = {"ArnNotLike": {PRINCIPAL_ARN: deployers}}
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": REGIONS_SID, "Effect": "Deny", "NotAction": list(GLOBAL_SERVICE_ACTIONS),
         "Resource": "*", "Condition": {"StringNotEquals": {REGION_KEY: governed}}},
        {"Sid": KEYS_SID, "Effect": "Deny", "Action": ["kms:CreateKey"], "Resource": "*",
         "Condition": {"Bool": {"kms:MultiRegion": "true"}, "StringNotLike": {"kms:KeySpec": "HMAC_*"}}},
        # A replica of the directory's HMAC key holds no personal data, so every governed region may have one.
        {"Sid": REPLICAS_SID, "Effect": "Deny", "Action": ["kms:ReplicateKey"],
         "Resource": "*", "Condition": {"StringNotEquals": {"kms:ReplicaRegion": governed}}},
        {"Sid": REPLICATION_SID, "Effect": "Deny", "Action": list(REPLICATION_ACTIONS), "Resource": "*"},
        {"Sid": TABLES_SID, "Effect": "Deny", "Action": [TABLE_REPLICA_ACTION],
         "NotResource": [directory_arn]},
        functions,
    ]}


def scp_text(config: Config) -> str:
    return json.dumps(build_scp(config), indent=1) + "\n"


def scp_file_problems(config: Config, path: Path) -> list[ScpProblem]:
    """What the SCP at `path` gets wrong (nothing: it does what it must)."""
    try:
        text = read_regular_file(path, MAX_READ).decode("utf-8")  # a FIFO or a device is refused, never waited on
        document = strict_json(text)
    except FileTooLarge:
        return [ScpProblem("", f"is over {MAX_READ} bytes; AWS accepts {SCP_SIZE_LIMIT} characters")]
    except UnreadableFile as error:
        return [ScpProblem("", f"cannot be read: {error.reason}")]
    except (OSError, ValueError) as error:
        return [ScpProblem("", f"cannot be read as JSON: {error}")]
    compact = len(json.dumps(document, separators=(",", ":")))
    if compact > SCP_SIZE_LIMIT:  # AWS would refuse it: nothing to probe
        return [ScpProblem("", f"is {compact} characters without spaces; AWS accepts {SCP_SIZE_LIMIT}")]
    if document == build_scp(config):
        # exactly what residency writes, which tests/guard/policies/test_organization_scp.py probes for every config
        return []
    try:
        return list(scp_problems(config, document))
    except Exception as error:  # noqa: BLE001 - an SCP of any shape gets one finding, never a traceback
        return [ScpProblem("", f"cannot be judged ({type(error).__name__}: {error})")]


def scp_problems(config: Config, document: Any) -> Iterator[ScpProblem]:
    """One problem per family of probes that the SCP gets wrong, naming what escapes and which statement lets it."""
    statements, problem = _statements(document)
    if problem:
        yield ScpProblem("", problem)
        return
    judge = _Judge(statements, policy_variables=document.get("Version") == "2012-10-17")
    for family in _families(config, statements):
        deniers = [judge.denier(probe) for probe in family.probes]
        failing = [probe for probe, index in zip(family.probes, deniers, strict=True)
                   if (index is None) == family.must_deny]
        if failing:
            index, why = judge.blame(family, deniers, failing)
            sid = judge.name(index) if index is not None else ""
            yield ScpProblem(sid, f"{family.describe(failing)} ({why})")


def _statements(document: Any) -> tuple[list[dict[str, Any]], str]:
    if not isinstance(document, dict):
        return [], "is not a JSON object"
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return [], "has no Statement list"
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            return [], f"has a Statement[{index}] that is not an object"
    return statements, ""


# --- Probes --------------------------------------------------------------------------------------

ACCOUNT = "123456789012"
FUTURE_REGION = "xx-future-1"  # a region AWS opens after this list was written
PRINCIPAL_ARN, PRINCIPAL_ACCOUNT, PRINCIPAL_TYPE = "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType"
_REGION_KEY = REGION_KEY.lower()


@dataclass(frozen=True)
class _Principal:
    label: str
    arn: str | None  # None: any principal of any account, whose identity keys the probe leaves open
    kind: str = ""  # aws:PrincipalType
    account: str = ACCOUNT

    @cached_property
    def values(self) -> dict[str, KeyValue]:
        if self.arn is None:
            return {}
        return {PRINCIPAL_ARN.lower(): (self.arn,), PRINCIPAL_ACCOUNT.lower(): (self.account,),
                PRINCIPAL_TYPE.lower(): (self.kind,)}


# The well-known principals name who escapes; the open one makes any exemption by principal identity
# (a role name, an account, a path) count as an escape, as no list of names can find every exempted one.
PRINCIPALS = (
    _Principal("a role", f"arn:aws:iam::{ACCOUNT}:role/app-deployer", "AssumedRole"),
    _Principal("an administrator role", f"arn:aws:iam::{ACCOUNT}:role/Admin", "AssumedRole"),
    _Principal("OrganizationAccountAccessRole", f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole",
               "AssumedRole"),
    _Principal("an IAM Identity Center role", f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/"
               "AWSReservedSSO_AdministratorAccess_0123456789abcdef", "AssumedRole"),
    _Principal("an IAM user", f"arn:aws:iam::{ACCOUNT}:user/alice", "User"),
    _Principal("the account root", f"arn:aws:iam::{ACCOUNT}:root", "Account"),
    _Principal("some other principal", None),
)

# A write or read of every service that can hold or process data, on a resource shaped as IAM sees it
# ("*" for actions without resource types). `{table}` and `{directory}` are DynamoDB tables.
DATA_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "s3:PutObject": ("arn:aws:s3:::{project}-data/users/42.json",),
    "s3:GetObject": ("arn:aws:s3:::{project}-data/users/42.json",),
    "s3:CreateBucket": ("arn:aws:s3:::{project}-data",),
    "s3express:CreateSession": ("arn:aws:s3express:{region}:{account}:bucket/data--az1--x-s3",),
    "dynamodb:PutItem": ("{table}", "{directory}"),
    "dynamodb:GetItem": ("{table}", "{directory}"),
    "dynamodb:CreateTable": ("{table}", "{directory}"),
    "dax:PutItem": ("arn:aws:dax:{region}:{account}:cache/data",),
    "kms:Encrypt": ("arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab",),
    "kms:GenerateMac": ("arn:aws:kms:{region}:{account}:key/mrk-1234abcd12ab34cd56ef1234567890ab",),
    "kms:CreateKey": ("*",),
    "logs:PutLogEvents": ("arn:aws:logs:{region}:{account}:log-group:app:log-stream:main",),
    "logs:CreateLogGroup": ("arn:aws:logs:{region}:{account}:log-group:app",),
    "lambda:CreateFunction": ("arn:aws:lambda:{region}:{account}:function:app",),
    "lambda:InvokeFunction": ("arn:aws:lambda:{region}:{account}:function:app",),
    "rds:CreateDBInstance": ("arn:aws:rds:{region}:{account}:db:app",),
    "rds:CreateDBCluster": ("arn:aws:rds:{region}:{account}:cluster:app",),
    "rds-data:ExecuteStatement": ("arn:aws:rds:{region}:{account}:cluster:app",),
    "secretsmanager:CreateSecret": ("arn:aws:secretsmanager:{region}:{account}:secret:app-AbCdEf",),
    "secretsmanager:GetSecretValue": ("arn:aws:secretsmanager:{region}:{account}:secret:app-AbCdEf",),
    "ssm:PutParameter": ("arn:aws:ssm:{region}:{account}:parameter/app",),
    "sqs:SendMessage": ("arn:aws:sqs:{region}:{account}:app",),
    "sqs:CreateQueue": ("arn:aws:sqs:{region}:{account}:app",),
    "sns:Publish": ("arn:aws:sns:{region}:{account}:app",),
    "kinesis:PutRecord": ("arn:aws:kinesis:{region}:{account}:stream/app",),
    "firehose:PutRecord": ("arn:aws:firehose:{region}:{account}:deliverystream/app",),
    "es:ESHttpPut": ("arn:aws:es:{region}:{account}:domain/app/users/_doc/42",),
    "es:CreateDomain": ("arn:aws:es:{region}:{account}:domain/app",),
    "aoss:APIAccessAll": ("arn:aws:aoss:{region}:{account}:collection/app",),
    "elasticache:CreateCacheCluster": ("arn:aws:elasticache:{region}:{account}:cluster:app",),
    "memorydb:CreateCluster": ("arn:aws:memorydb:{region}:{account}:cluster/app",),
    "glue:CreateTable": ("arn:aws:glue:{region}:{account}:table/app/users",),
    "athena:StartQueryExecution": ("arn:aws:athena:{region}:{account}:workgroup/primary",),
    "redshift:CreateCluster": ("arn:aws:redshift:{region}:{account}:cluster:app",),
    "redshift-data:ExecuteStatement": ("arn:aws:redshift:{region}:{account}:cluster:app",),
    "timestream:WriteRecords": ("arn:aws:timestream:{region}:{account}:database/app/table/users",),
    "cassandra:Modify": ("arn:aws:cassandra:{region}:{account}:/keyspace/app/table/users",),
    "neptune-db:WriteDataViaQuery": ("arn:aws:neptune-db:{region}:{account}:cluster-ABCDEFGHIJ/*",),
    "kafka-cluster:WriteData": ("arn:aws:kafka:{region}:{account}:topic/app/0123-abcd/users",),
    "mq:CreateBroker": ("*",),
    "states:StartExecution": ("arn:aws:states:{region}:{account}:stateMachine:app",),
    "events:PutEvents": ("arn:aws:events:{region}:{account}:event-bus/default",),
    "scheduler:CreateSchedule": ("arn:aws:scheduler:{region}:{account}:schedule/default/app",),
    "pipes:CreatePipe": ("arn:aws:pipes:{region}:{account}:pipe/app",),
    "cognito-idp:CreateUserPool": ("*",),
    "cognito-idp:AdminCreateUser": ("arn:aws:cognito-idp:{region}:{account}:userpool/{region}_AbCdEf123",),
    "cognito-identity:CreateIdentityPool": ("*",),
    "backup:CreateBackupVault": ("arn:aws:backup:{region}:{account}:backup-vault:app",),
    "backup:StartBackupJob": ("arn:aws:backup:{region}:{account}:backup-vault:app",),
    "ecr:PutImage": ("arn:aws:ecr:{region}:{account}:repository/app",),
    "ecs:RunTask": ("arn:aws:ecs:{region}:{account}:task-definition/app:1",),
    "ec2:RunInstances": ("arn:aws:ec2:{region}:{account}:instance/*",),
    "ec2:CreateVolume": ("arn:aws:ec2:{region}:{account}:volume/*",),
    "ec2:CopySnapshot": ("arn:aws:ec2:{region}::snapshot/*",),
    "elasticfilesystem:CreateFileSystem": ("arn:aws:elasticfilesystem:{region}:{account}:file-system/*",),
    "elasticfilesystem:ClientWrite": ("arn:aws:elasticfilesystem:{region}:{account}:file-system/fs-0123abcd",),
    "datasync:StartTaskExecution": ("arn:aws:datasync:{region}:{account}:task/task-0123456789abcdef0",),
    "dms:CreateReplicationTask": ("arn:aws:dms:{region}:{account}:task:APP",),
    "appconfig:CreateHostedConfigurationVersion": (
        "arn:aws:appconfig:{region}:{account}:application/abc1234/configurationprofile/def5678",),
    "apigateway:POST": ("arn:aws:apigateway:{region}::/restapis",),
    "execute-api:Invoke": ("arn:aws:execute-api:{region}:{account}:abc123/prod/POST/users",),
    "ses:SendEmail": ("arn:aws:ses:{region}:{account}:identity/example.org",),
    "mobiletargeting:SendMessages": ("arn:aws:mobiletargeting:{region}:{account}:apps/app",),
    "connect:CreateInstance": ("*",),
    "iot:Publish": ("arn:aws:iot:{region}:{account}:topic/users",),
    "xray:PutTraceSegments": ("*",),
    "cloudtrail:CreateTrail": ("arn:aws:cloudtrail:{region}:{account}:trail/app",),
    "cloudwatch:PutMetricData": ("*",),
    "sagemaker:CreateEndpoint": ("arn:aws:sagemaker:{region}:{account}:endpoint/app",),
    "sagemaker:InvokeEndpoint": ("arn:aws:sagemaker:{region}:{account}:endpoint/app",),
    "bedrock:InvokeModel": ("arn:aws:bedrock:{region}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",),
    "comprehend:DetectPiiEntities": ("*",),
    "transcribe:StartTranscriptionJob": ("*",),
    "textract:AnalyzeDocument": ("*",),
    "translate:TranslateText": ("*",),
    "quicksight:CreateDataSet": ("arn:aws:quicksight:{region}:{account}:dataset/app",),
    "codecommit:GitPush": ("arn:aws:codecommit:{region}:{account}:app",),
    "newservice:PutData": ("arn:aws:newservice:{region}:{account}:thing/app",),  # a service AWS has not launched yet
}
# Key specs of keys that can encrypt, or agree on a key that will, and the key usage each comes with.
ENCRYPTING_KEY_SPECS = (
    ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT"), ("RSA_2048", "ENCRYPT_DECRYPT"), ("RSA_3072", "ENCRYPT_DECRYPT"),
    ("RSA_4096", "ENCRYPT_DECRYPT"), ("SM2", "ENCRYPT_DECRYPT"), ("ECC_NIST_P256", "KEY_AGREEMENT"),
    ("ECC_NIST_P384", "KEY_AGREEMENT"), ("ECC_NIST_P521", "KEY_AGREEMENT"), ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
)
DIRECTORY_KEY_SPEC = "HMAC_256"
MULTI_REGION, KEY_SPEC, KEY_USAGE = "kms:MultiRegion", "kms:KeySpec", "kms:KeyUsage"
REPLICA_REGION = "kms:ReplicaRegion"
Pins = tuple[tuple[str, str | None], ...]  # further keys a probe pins: a value, or None for missing


@dataclass(frozen=True)
class _Probe:
    action: str
    resource: str
    region: str
    principal: _Principal
    pins: Pins = ()
    detail: str = ""  # what else the family varies (a key spec, a replica region), for the message

    @cached_property
    def values(self) -> dict[str, KeyValue]:
        """What `Request.value_of` answers for `request()`, by lower-case key; a key not here is open."""
        values: dict[str, KeyValue] = {_REGION_KEY: (self.region,), **self.principal.values}
        values.update((name.lower(), Absent.MISSING if value is None else (value,)) for name, value in self.pins)
        return values

    def request(self) -> Request:
        context: dict[str, str] = {REGION_KEY: self.region}
        if self.principal.arn is not None:
            context.update({PRINCIPAL_ARN: self.principal.arn, PRINCIPAL_ACCOUNT: self.principal.account,
                            PRINCIPAL_TYPE: self.principal.kind})
        context.update((key, value) for key, value in self.pins if value is not None)
        return Request(self.action, self.resource, context,
                       missing=frozenset(key for key, value in self.pins if value is None))


@dataclass(frozen=True)
class _Family:
    probes: list[_Probe]
    must_deny: bool  # False: none of its probes may be denied
    describe: Callable[[list[_Probe]], str]
    owner: str  # the Sid of the statement build_scp writes for it, named when nothing else explains a failure


def _families(config: Config, statements: list[dict[str, Any]]) -> tuple[_Family, ...]:
    exempted = tuple(action for action in _exempted_instances(statements) if action not in DATA_ACTIONS)
    deployers = config.function_deployers
    functions = _FunctionSetting(tuple(config.regions), deployers,
                                 tuple(arn for arn in _exempted_principals(statements) if arn not in deployers))
    return _families_of(tuple(governed_regions(config)), config.project, config.global_.region, exempted, functions)


@dataclass(frozen=True)
class _FunctionSetting:
    regions: tuple[str, ...]  # where the functions are
    deployers: tuple[str, ...]  # the roles that alone may invoke and change them
    exempted: tuple[str, ...]  # other principal ARNs the SCP names in a condition, each probed as an escape


@lru_cache(maxsize=16)
def _families_of(governed: tuple[str, ...], project: str, global_region: str,
                 exempted: tuple[str, ...], functions: _FunctionSetting) -> tuple[_Family, ...]:
    """The probe families of a configuration (built once: tens of thousands of probes), the actions an
    SCP's NotAction exempts that no data action probe covers, and the principals its conditions name."""
    outside = [code for code in REGIONS if code not in governed] + [FUTURE_REGION]
    place = _Placer(project)
    region_actions = {**DATA_ACTIONS, **{action: ("arn:aws:" + action.split(":", 1)[0] + ":{region}:{account}:probe",)
                                         for action in exempted}}
    inside_actions = {action: resources for action, resources in DATA_ACTIONS.items() if action != "kms:CreateKey"}

    def outside_regions(failing: list[_Probe]) -> str:
        return (f"does not deny {_some(failing, 'action', list(region_actions), 'any data action')} in "
                f"{_some(failing, 'region', outside, OUTSIDE)} for {_whom(failing)}")

    def inside_regions(failing: list[_Probe]) -> str:
        return (f"denies {_some(failing, 'action', list(inside_actions), 'every data action')} in "
                f"{_some(failing, 'region', governed, GOVERNED)}, which regions.yaml governs, "
                f"for {_whom(failing, 'every principal')}")

    def encrypting_keys(failing: list[_Probe]) -> str:
        return (f"does not deny kms:CreateKey of multi-Region keys that can encrypt ({_some(failing, 'detail')}) "
                f"in {_some(failing, 'region', governed, ANY_GOVERNED)} for {_whom(failing)}")

    def needed_keys(failing: list[_Probe]) -> str:
        return (f"denies kms:CreateKey of {_some(failing, 'detail')} in "
                f"{_some(failing, 'region', governed, GOVERNED)}, which residency needs")

    def outside_replicas(failing: list[_Probe]) -> str:
        return f"does not deny kms:ReplicateKey to {_some(failing, 'detail', outside, OUTSIDE)} for {_whom(failing)}"

    def directory_key_replicas(failing: list[_Probe]) -> str:
        return (f"denies kms:ReplicateKey of the directory's HMAC key to "
                f"{_some(failing, 'detail', governed, GOVERNED)}, which regions.yaml governs")

    def directory_table_replicas(failing: list[_Probe]) -> str:
        return (f"denies {TABLE_REPLICA_ACTION} on the directory table in "
                f"{_some(failing, 'region', governed, GOVERNED)}, which the directory needs")

    families = [
        _Family(place.probes(region_actions, outside), True, outside_regions, REGIONS_SID),
        _Family(place.probes(inside_actions, governed), False, inside_regions, REGIONS_SID),
        _Family(_key_probes(governed, _ENCRYPTING_KEYS), True, encrypting_keys, KEYS_SID),
        _Family(_key_probes(governed, _NEEDED_KEYS), False, needed_keys, KEYS_SID),
        _Family(_replica_probes(place, governed, outside), True, outside_replicas, REPLICAS_SID),
        _Family(_directory_replica_probes(place, global_region, governed), False, directory_key_replicas,
                REPLICAS_SID),
    ]
    for action, resources in REPLICATION_PROBES.items():
        family_probes = place.probes({action: resources}, governed)
        owner = TABLES_SID if action == TABLE_REPLICA_ACTION else REPLICATION_SID
        families.append(_Family(family_probes, True, _replication(action, family_probes, governed), owner))
    directory = {TABLE_REPLICA_ACTION: ("{directory}",)}
    families.append(_Family(place.probes(directory, governed), False, directory_table_replicas, TABLES_SID))
    families.extend(_function_families(place, functions))
    return tuple(families)


# --- Who may invoke or change the functions ------------------------------------------------------

# residency's functions and one an extension names with the project prefix (a scheduled job, say); an
# invocation is also probed through an alias, whose ARN is the function's plus a qualifier.
FUNCTION_PURPOSES = (*naming.DIRECTORY_USERS, "nightly-job")
_FUNCTION = "arn:aws:lambda:{region}:{account}:function:{project}-{region}-"
_INVOKE = FUNCTION_ACTIONS[0]
FUNCTION_PROBES: Mapping[str, tuple[str, ...]] = {
    action: tuple(_FUNCTION + purpose + qualifier for purpose in FUNCTION_PURPOSES
                  for qualifier in (("", ":live") if action == _INVOKE else ("",)))
    for action in FUNCTION_ACTIONS}
ANY_LISTED, LISTED = "any listed region", "every listed region"
EVERY_FUNCTION_ACTION = "lambda:InvokeFunction, UpdateFunctionCode, UpdateFunctionConfiguration and AddPermission"


def _function_families(place: _Placer, setting: _FunctionSetting) -> list[_Family]:
    """Every principal but the deployers is denied invoking and changing the functions; the deployers are not.

    The deny must exempt the deployers by identity, so the principal whose identity is left open cannot be
    asked; instead come the well-known principals, near misses of each deployer and every other identity the
    SCP's own conditions name, so that an exemption wider than the deployers is found by what it lets in."""
    deployers = tuple(_Principal(f"the deployer role {arn}", arn, "AssumedRole", _account_of(arn))
                      for arn in setting.deployers)
    others = _unique(*(principal for principal in PRINCIPALS if principal.arn not in (None, *setting.deployers)),
                     *(near for arn in setting.deployers for near in _near_misses(arn)),
                     *(_Principal(f"the principal {arn} the SCP exempts", arn, _kind_of(arn), _account_of(arn))
                       for arn in setting.exempted))
    regions = list(setting.regions)
    names = list(dict.fromkeys(place.arn(resource, "<region>").rsplit(":function:", 1)[1]
                               for resources in FUNCTION_PROBES.values() for resource in resources))

    def on_functions(failing: list[_Probe], regions_label: str) -> str:
        return (f"{_some(failing, 'action', FUNCTION_ACTIONS, EVERY_FUNCTION_ACTION)} on "
                f"{_some(failing, 'detail', names, 'any function of the project')} in "
                f"{_some(failing, 'region', regions, regions_label)}")

    def open_to_others(failing: list[_Probe]) -> str:
        return (f"does not deny {on_functions(failing, ANY_LISTED)} for "
                f"{_whom(failing, 'any principal but the deployer roles', _labels(others))}, which could then forge "
                "the functions' events or change their code")

    def closed_to_deployers(failing: list[_Probe]) -> str:
        return (f"denies {on_functions(failing, LISTED)} for "
                f"{_whom(failing, 'every deployer role', _labels(deployers))}, which must apply them (ci.apply_role, "
                "ci.apply_roles)")
    return [_Family(_function_probes(place, regions, others), True, open_to_others, FUNCTIONS_SID),
            _Family(_function_probes(place, regions, deployers), False, closed_to_deployers, FUNCTIONS_SID)]


def _function_probes(place: _Placer, regions: Sequence[str], principals: Sequence[_Principal]) -> list[_Probe]:
    """The detail is the function's name with its qualifier, in no particular region."""
    return [_Probe(action, place.arn(resource, region), region, principal,
                   detail=place.arn(resource, "<region>").rsplit(":function:", 1)[1])
            for action, resources in FUNCTION_PROBES.items() for resource in resources for region in regions
            for principal in principals]


def _near_misses(deployer: str) -> tuple[_Principal, ...]:
    """Roles an exemption meant for the deployer lets in when it is a pattern: the same name in another account or
    under another path, a longer name."""
    head, _, name = deployer.rpartition("/")
    account = _account_of(deployer)
    other = "111111111111" if account != "111111111111" else "222222222222"
    return (_Principal(f"a role named like a deployer in another account ({other})",
                       deployer.replace(f"::{account}:", f"::{other}:", 1), "AssumedRole", other),
            _Principal(f"a role named like a deployer under another path ({head}/probe/{name})",
                       f"{head}/probe/{name}", "AssumedRole", account),
            _Principal(f"a role whose name begins with a deployer's ({deployer}-probe)", f"{deployer}-probe",
                       "AssumedRole", account))


def _exempted_principals(statements: list[dict[str, Any]]) -> list[str]:
    """A principal ARN each value of a condition on aws:PrincipalArn or aws:PrincipalAccount matches (a pattern's
    wildcards filled in, an account made a role of it), to probe as one the statement may let through."""
    found: list[str] = []
    for statement in statements:
        condition = statement.get("Condition")
        for operator, block in condition.items() if isinstance(condition, dict) else ():
            if not isinstance(block, dict) or operator.startswith("Null"):
                continue
            for key, raw in block.items():
                values = raw if isinstance(raw, list) else [raw]
                for value in (value for value in values if isinstance(value, str) and "${" not in value):
                    arn = _exempted_arn(key.lower(), value)
                    if arn is not None and arn not in found:
                        found.append(arn)
    return found


def _exempted_arn(key: str, value: str) -> str | None:
    if key == PRINCIPAL_ARN.lower():
        return _filled_arn(value)
    if key == PRINCIPAL_ACCOUNT.lower():
        return f"arn:aws:iam::{_filled_account(value)}:role/probe"
    return None


def _filled_arn(pattern: str) -> str:
    parts = pattern.split(":", 5)
    if len(parts) == 6:
        parts[4] = _filled_account(parts[4])
    return ":".join(parts).replace("*", "probe").replace("?", "p")


def _filled_account(pattern: str) -> str:
    return "111111111111" if pattern == "*" else pattern.replace("*", "0").replace("?", "0")


def _account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 and parts[4].isdigit() else ACCOUNT


def _kind_of(arn: str) -> str:
    resource = arn.split(":", 5)[-1]
    return ("AssumedRole" if resource.startswith("role/") else "User" if resource.startswith("user/")
            else "Account" if resource == "root" else "")


def _labels(principals: Sequence[_Principal]) -> int:
    return len({principal.label for principal in principals})


def _unique(*principals: _Principal) -> tuple[_Principal, ...]:
    by_arn: dict[str | None, _Principal] = {}
    for principal in principals:
        by_arn.setdefault(principal.arn, principal)
    return tuple(by_arn.values())


OUTSIDE = "any region regions.yaml does not govern"
ANY_GOVERNED, GOVERNED = "any governed region", "every governed region"
REPLICATION_PROBES: Mapping[str, tuple[str, ...]] = {
    "s3:PutReplicationConfiguration": (
        "arn:aws:s3:::{project}-data", "arn:aws:s3:::any-bucket", "arn:aws:s3:::{project}-directory"),
    "backup:StartCopyJob": (
        "arn:aws:backup:{region}:{account}:recovery-point:1EB3B5E7-9EB0-435A-A80B-108B488B0D45",
        "{table}/backup/01700000000000-abcdef12", "{directory}/backup/01700000000000-abcdef12",
        "arn:aws:ec2:{region}::snapshot/snap-0123456789abcdef0", "arn:aws:rds:{region}:{account}:snapshot:app"),
    "dynamodb:CreateGlobalTable": (
        "arn:aws:dynamodb::{account}:global-table/{project}-users", "{table}",
        "arn:aws:dynamodb::{account}:global-table/{project}-directory"),
    "dynamodb:UpdateGlobalTable": (
        "arn:aws:dynamodb::{account}:global-table/{project}-users",
        "arn:aws:dynamodb::{account}:global-table/{project}-directory"),
    TABLE_REPLICA_ACTION: (
        "{table}", "arn:aws:dynamodb:{region}:{account}:table/{project}-directory-archive",
        "arn:aws:dynamodb:{region}:{account}:table/other"),
}
# (kms:MultiRegion, kms:KeySpec, kms:KeyUsage, what it is); None: the request does not carry the key.
KeyCase = tuple[str | None, str | None, str | None, str]
_ENCRYPTING_KEYS: tuple[KeyCase, ...] = (
    *(("true", spec, usage, spec) for spec, plain in ENCRYPTING_KEY_SPECS for usage in (plain, None)),
    ("true", None, None, "no KeySpec"), ("true", None, "ENCRYPT_DECRYPT", "no KeySpec"),
)
_NEEDED_KEYS: tuple[KeyCase, ...] = (
    ("true", DIRECTORY_KEY_SPEC, "GENERATE_VERIFY_MAC", f"a multi-Region {DIRECTORY_KEY_SPEC} key"),
    ("false", "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "a single-Region SYMMETRIC_DEFAULT key"),
)
_KEY_ARN = "arn:aws:kms:{region}:{account}:key/mrk-1234abcd12ab34cd56ef1234567890ab"


class _Placer:
    """Resource templates made into ARNs of a region: `{table}` is a data table, `{directory}` the directory."""

    def __init__(self, project: str) -> None:
        table = "arn:aws:dynamodb:{region}:{account}:table/"
        self._names = {"{table}": f"{table}{project}-users",
                       "{directory}": table + naming.directory_table_name(project),
                       "{account}": ACCOUNT, "{project}": project}
        self._arns: dict[tuple[str, str], str] = {}

    def arn(self, template: str, region: str) -> str:
        if (template, region) not in self._arns:
            text = template
            for name, value in self._names.items():
                text = text.replace(name, value)
            self._arns[template, region] = text.replace("{region}", region)
        return self._arns[template, region]

    def probes(self, actions: Mapping[str, Sequence[str]], regions: Sequence[str]) -> list[_Probe]:
        """Each action on each of its resources in each region, by each principal; the detail is the
        resource in no particular region."""
        return [_Probe(action, arn, region, principal, detail=self.arn(resource, "<region>"))
                for action, resources in actions.items() for resource in resources for region in regions
                for arn in (self.arn(resource, region),) for principal in PRINCIPALS]


def _key_probes(regions: Sequence[str], cases: Sequence[KeyCase]) -> list[_Probe]:
    return [_Probe("kms:CreateKey", "*", region, principal,
                   ((MULTI_REGION, multi), (KEY_SPEC, spec), (KEY_USAGE, usage), (REPLICA_REGION, None)), label)
            for region in regions for multi, spec, usage, label in cases for principal in PRINCIPALS]


def _replica_probes(place: _Placer, governed: Sequence[str], outside: Sequence[str]) -> list[_Probe]:
    return [_Probe("kms:ReplicateKey", place.arn(_KEY_ARN, source), source, principal,
                   ((REPLICA_REGION, target), (KEY_SPEC, spec), (MULTI_REGION, multi)), target)
            for source in governed for target in outside for spec in (None, DIRECTORY_KEY_SPEC, "SYMMETRIC_DEFAULT")
            for multi in (None, "true") for principal in PRINCIPALS]


def _directory_replica_probes(place: _Placer, source: str, governed: Sequence[str]) -> list[_Probe]:
    return [_Probe("kms:ReplicateKey", place.arn(_KEY_ARN, source), source, principal,
                   ((REPLICA_REGION, target), (KEY_SPEC, DIRECTORY_KEY_SPEC), (MULTI_REGION, "true"),
                    (KEY_USAGE, "GENERATE_VERIFY_MAC")), target)
            for target in governed if target != source for principal in PRINCIPALS]


def _replication(action: str, probes: list[_Probe], governed: Sequence[str]) -> Callable[[list[_Probe]], str]:
    resources = list(dict.fromkeys(probe.detail for probe in probes))

    def describe_failure(failing: list[_Probe]) -> str:
        return (f"does not deny {action} on {_some(failing, 'detail', resources, 'any resource')} in "
                f"{_some(failing, 'region', governed, ANY_GOVERNED)} for {_whom(failing)}")
    return describe_failure


def _exempted_instances(statements: list[dict[str, Any]]) -> list[str]:
    """An action each NotAction entry exempts that neither the global services nor a data action probe
    covers, to probe like the data actions."""
    found: list[str] = []
    for statement in statements:
        entries = statement.get("NotAction")
        for entry in entries if isinstance(entries, list) else [entries]:
            if (isinstance(entry, str) and not _within_global_services(entry)
                    and not any(wildcard_match(entry, action, ignore_case=True) for action in DATA_ACTIONS)):
                instance = _instance(entry)
                if instance is not None and instance not in found:
                    found.append(instance)
    return found


def _within_global_services(entry: str) -> bool:
    """Whether everything the entry matches is matched by one of GLOBAL_SERVICE_ACTIONS."""
    lowered = entry.lower()
    for allowed in (item.lower() for item in GLOBAL_SERVICE_ACTIONS):
        if lowered == allowed or (allowed.endswith("*") and lowered.startswith(allowed[:-1])):
            return True
    return False


def _instance(entry: str) -> str | None:
    if ":" in entry:
        service, name = entry.split(":", 1)
        candidate = f"{service.replace('*', 'probe').replace('?', 'p')}:{name.replace('*', 'Probe').replace('?', 'P')}"
    else:
        candidate = entry.replace("*", "probe:Probe", 1).replace("*", "").replace("?", "p")
    return candidate if wildcard_match(entry, candidate, ignore_case=True) else None


def _some(failing: list[_Probe], attribute: str, every: Sequence[str] = (), every_label: str = "",
          shown: int = 3) -> str:
    """The distinct values that fail, `every_label` when they are all of `every`."""
    values = list(dict.fromkeys(str(getattr(probe, attribute)) for probe in failing))
    if len(every) > 1 and set(values) >= set(every):
        return every_label
    more = f" and {len(values) - shown} more" if len(values) > shown else ""
    return ", ".join(values[:shown]) + more


def _whom(failing: list[_Probe], every_label: str = "any principal", every: int = len(PRINCIPALS)) -> str:
    labels = list(dict.fromkeys(probe.principal.label for probe in failing))
    return every_label if len(labels) == every else ", ".join(labels)


# --- Judging -------------------------------------------------------------------------------------


class _Judge:
    """The document's statements asked about probes. A statement's actions are judged once per action, its
    resources once per resource, its condition once per value of the keys it reads, so that tens of
    thousands of probes stay cheap; together they answer what `evaluate_statement` would."""

    def __init__(self, statements: list[dict[str, Any]], *, policy_variables: bool) -> None:
        self._statements = statements
        self._problems = [statement_problem(statement) for statement in statements]
        self._keys = [tuple(sorted(condition_keys(statement))) for statement in statements]
        self._read = tuple(sorted({name for keys in self._keys for name in keys}))
        self._policy_variables = policy_variables
        self._resource_variables = [policy_variables and "${" in json.dumps(
            [statement.get("Resource"), statement.get("NotResource")]) for statement in statements]
        self._actions: dict[tuple[int, str], Evaluation] = {}
        self._resources: dict[tuple[int, str], Evaluation] = {}
        self._shapes: dict[tuple[int, str, str], Evaluation] = {}
        self._conditions: dict[tuple[Any, ...], Evaluation] = {}
        self._candidates: dict[tuple[str, str], list[int]] = {}
        self._deniers: dict[tuple[Any, ...], int | None] = {}

    def name(self, index: int) -> str:
        sid = self._statements[index].get("Sid")
        return sid if isinstance(sid, str) and sid else f"Statement[{index}]"

    def denier(self, probe: _Probe) -> int | None:
        """The first statement that certainly denies the probe (probes that differ only in keys no statement
        reads have the same answer)."""
        key = (probe.action, probe.resource, tuple(map(probe.values.get, self._read)))
        if key not in self._deniers:
            self._deniers[key] = next((index for index in self._deny_candidates(probe)
                                       if self.evaluate(index, probe).applies), None)
        return self._deniers[key]

    def evaluate(self, index: int, probe: _Probe) -> Evaluation:
        """What `evaluate_statement` says of the statement and the probe's request."""
        problem = self._problems[index]
        if problem is not None:
            return problem
        shape = self._shape(index, probe)
        if shape.outcome is Outcome.DOES_NOT_APPLY:
            return shape
        condition = self._condition(index, probe)
        return condition if shape.outcome is Outcome.APPLIES else combine(shape, condition)

    def _deny_candidates(self, probe: _Probe) -> list[int]:
        """The Deny statements whose actions and resources do not already leave the probe out."""
        key = (probe.action, probe.resource)
        if key not in self._candidates:
            self._candidates[key] = [
                index for index, statement in enumerate(self._statements)
                if statement.get("Effect") == "Deny" and self._problems[index] is None
                and self._shape(index, probe).outcome is not Outcome.DOES_NOT_APPLY]
        return self._candidates[key]

    def _shape(self, index: int, probe: _Probe) -> Evaluation:
        key = (index, probe.action, probe.resource)
        if key in self._shapes:
            return self._shapes[key]
        statement = self._statements[index]
        action_key = (index, probe.action)
        if action_key not in self._actions:
            self._actions[action_key] = match_action(statement, probe.action)
        if self._resource_variables[index]:  # the answer depends on the request context, so is not kept
            return combine(self._actions[action_key], match_resource(statement, probe.request()))
        resource_key = (index, probe.resource)
        if resource_key not in self._resources:
            self._resources[resource_key] = match_resource(
                statement, Request(probe.action, probe.resource), policy_variables=self._policy_variables)
        self._shapes[key] = combine(self._actions[action_key], self._resources[resource_key])
        return self._shapes[key]

    def _condition(self, index: int, probe: _Probe) -> Evaluation:
        key = (index, tuple(map(probe.values.get, self._keys[index])))  # None: open
        if key not in self._conditions:
            self._conditions[key] = match_condition(self._statements[index], probe.request(),
                                                    policy_variables=self._policy_variables)
        return self._conditions[key]

    def blame(self, family: _Family, deniers: list[int | None], failing: list[_Probe]) -> tuple[int | None, str]:
        """The statement to name, and why the first failing probe is (not) denied."""
        first = failing[0]
        if not family.must_deny:
            index = self.denier(first)
            return index, f"statement {self.name(index) if index is not None else '?'} denies it"
        index = self._meant_to_deny(deniers, first, family.owner)
        if index is None:
            return None, "no statement denies it"
        statement = self._statements[index]
        if statement.get("Effect") != "Deny":
            return index, f"statement {self.name(index)} has Effect {json.dumps(statement.get('Effect'))}"
        evaluation = self.evaluate(index, first)
        if evaluation.open_key is not None:
            return index, (f"statement {self.name(index)} applies only under its condition on "
                           f"{evaluation.open_key}, which a request can escape")
        if evaluation.outcome is Outcome.UNKNOWN:
            return index, f"statement {self.name(index)} cannot be relied on: {evaluation.reason}"
        return index, f"statement {self.name(index)} lets it through: {evaluation.reason}"

    def _meant_to_deny(self, deniers: list[int | None], probe: _Probe, owner: str) -> int | None:
        """The statement that denies most of the family; else one that might deny the probe, if it were a
        Deny; else one that names its action; else the one build_scp writes for the family; else one that
        would apply but for its resources."""
        counts = Counter(index for index in deniers if index is not None)
        if counts:
            return max(counts, key=lambda index: (counts[index], -index))
        request = probe.request()
        for index in range(len(self._statements)):
            if self.evaluate(index, probe).outcome is not Outcome.DOES_NOT_APPLY:
                return index
        for index, statement in enumerate(self._statements):
            if "Action" in statement and evaluate_statement(
                    {"Action": statement["Action"], "Resource": "*"}, request).applies:
                return index
        for index, statement in enumerate(self._statements):
            if statement.get("Sid") == owner:
                return index
        for index, statement in enumerate(self._statements):
            unresourced = {name: value for name, value in statement.items()
                           if name in ("Action", "NotAction", "Condition")}
            if evaluate_statement({**unresourced, "Resource": "*"}, request,
                                  policy_variables=self._policy_variables).outcome is not Outcome.DOES_NOT_APPLY:
                return index
        return None
