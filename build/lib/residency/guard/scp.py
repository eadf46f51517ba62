"""The organization SCP residency emits (opt-in) and the check that an SCP still says what it must.

The SCP is the account-wide backstop behind the workspace rules: whatever Terraform, a console
user or a script does, nothing happens outside the governed regions, no multi-Region key can
encrypt data, and nothing but the directory can be replicated.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from residency import naming
from residency.config import Config
from residency.guard.model import Finding
from residency.guard.registry import describe
from residency.guard.values import as_list, blocks

SCP_RULE = "RES008"
SCP_SIZE_LIMIT = 5120  # characters AWS Organizations accepts in one SCP
REGION_KEY = "aws:RequestedRegion"

# Services whose API lives in one region (usually us-east-1) whatever the caller's region, and that
# hold no personal data; AWS's own region-deny example exempts them.
GLOBAL_SERVICE_ACTIONS = (
    "account:*", "acm:*", "aws-portal:*", "billing:*", "budgets:*", "ce:*", "cloudfront:*", "cur:*",
    "globalaccelerator:*", "health:*", "iam:*", "organizations:*", "pricing:*", "route53:*", "route53domains:*",
    "s3:GetAccountPublicAccessBlock", "s3:ListAllMyBuckets", "shield:*", "sts:*", "support:*",
    "trustedadvisor:*", "waf:*", "wafv2:*",
)
# Exempting any of these from the region deny would let personal data, or its keys, be kept anywhere.
DATA_SERVICES = ("backup", "cognito-idp", "dynamodb", "kms", "lambda", "logs", "rds", "s3", "secretsmanager")
REPLICATION_ACTIONS = ("s3:PutReplicationConfiguration", "backup:StartCopyJob", "dynamodb:CreateTableReplica")

describe(SCP_RULE, "The organization SCP keeps every account in the governed regions",
         why="The SCP is the backstop for what Terraform does not manage: consoles, scripts, other tools.",
         fix="Regenerate it with `organization_scp: true` and `residency synth`, and review any change to it.")


def governed_regions(config: Config) -> list[str]:
    regions = {*config.regions, config.global_.region}
    if config.global_.frontend:
        regions.add("us-east-1")  # CloudFront's certificate
    return sorted(regions)


def build_scp(config: Config) -> dict[str, Any]:
    directory_arn = f"arn:aws:dynamodb:*:*:table/{naming.directory_table_name(config.project)}"
    return {"Version": "2012-10-17", "Statement": [
        {"Sid": "DenyOutsideGovernedRegions", "Effect": "Deny", "NotAction": list(GLOBAL_SERVICE_ACTIONS),
         "Resource": "*", "Condition": {"StringNotEquals": {REGION_KEY: governed_regions(config)}}},
        {"Sid": "DenyMultiRegionKeysThatEncrypt", "Effect": "Deny", "Action": ["kms:CreateKey"], "Resource": "*",
         "Condition": {"Bool": {"kms:MultiRegion": "true"}, "StringNotLike": {"kms:KeySpec": "HMAC_*"}}},
        {"Sid": "DenyKeyReplicasOutsideDirectoryRegions", "Effect": "Deny", "Action": ["kms:ReplicateKey"],
         "Resource": "*", "Condition": {"StringNotEquals": {"kms:ReplicaRegion": _directory_regions(config)}}},
        {"Sid": "DenyReplicationButTheDirectory", "Effect": "Deny", "Action": list(REPLICATION_ACTIONS),
         "NotResource": [directory_arn, f"{directory_arn}/*"]},
    ]}


def scp_text(config: Config) -> str:
    return json.dumps(build_scp(config), indent=1) + "\n"


def _directory_regions(config: Config) -> list[str]:
    return sorted({config.global_.region, *config.directory_replica_regions})


def check_scp_file(config: Config, path: Path) -> list[Finding]:
    try:
        text = path.read_text()
        document = json.loads(text)
    except (OSError, ValueError) as error:
        return [_finding(path, "", f"cannot be read as JSON: {error}")]
    findings = list(check_scp(config, document, path))
    compact = len(json.dumps(document, separators=(",", ":")))
    if compact > SCP_SIZE_LIMIT:
        findings.append(_finding(path, "", f"is {compact} characters without spaces; AWS accepts {SCP_SIZE_LIMIT}"))
    return findings


def check_scp(config: Config, document: Any, path: Path) -> Iterator[Finding]:
    statements = blocks(document.get("Statement")) if isinstance(document, dict) else []
    denies = [statement for statement in statements if statement.get("Effect") == "Deny"]
    region_deny = next((s for s in denies if _region_values(s) is not None and "NotAction" in s), None)
    if region_deny is None:
        yield _finding(path, "", "no statement denies actions outside the governed regions")
    else:
        yield from _check_region_deny(config, region_deny, path)
    if not any(_denies(s, "kms:CreateKey") and _condition(s, "kms:MultiRegion") == ["true"] for s in denies):
        yield _finding(path, "", "no statement denies multi-Region keys that can encrypt (kms:CreateKey with "
                       "kms:MultiRegion)")
    for action in REPLICATION_ACTIONS:
        if not any(_denies(s, action) for s in denies):
            yield _finding(path, "", f"no statement denies {action}")


def _check_region_deny(config: Config, statement: dict[str, Any], path: Path) -> Iterator[Finding]:
    sid = str(statement.get("Sid", ""))
    allowed = set(_region_values(statement) or [])
    expected = set(governed_regions(config))
    for region in sorted(allowed - expected):
        yield _finding(path, sid, f"lets actions run in {region}, which regions.yaml does not govern")
    for region in sorted(expected - allowed):
        yield _finding(path, sid, f"denies {region}, which regions.yaml needs")
    for action in as_list(statement.get("NotAction")):
        service = str(action).split(":", 1)[0].lower()
        if service in DATA_SERVICES and action not in GLOBAL_SERVICE_ACTIONS:
            yield _finding(path, sid, f"exempts {action}, so its data could be kept in any region")


def _region_values(statement: dict[str, Any]) -> list[str] | None:
    values = _condition(statement, REGION_KEY, operators=("StringNotEquals", "StringNotEqualsIgnoreCase"))
    return [str(value) for value in values] if values is not None else None


def _condition(statement: dict[str, Any], key: str, operators: tuple[str, ...] | None = None) -> list[Any] | None:
    for operator, conditions in (statement.get("Condition") or {}).items():
        if operators is not None and operator not in operators:
            continue
        for name, values in (conditions or {}).items():
            if name.lower() == key.lower():
                return [str(value).lower() if isinstance(value, bool) else value for value in as_list(values)]
    return None


def _denies(statement: dict[str, Any], action: str) -> bool:
    service = action.split(":", 1)[0]
    return any(str(item) in (action, f"{service}:*", "*") for item in as_list(statement.get("Action")))


def _finding(path: Path, sid: str, message: str) -> Finding:
    return Finding(SCP_RULE, "organization", f"{path.name}{'#' + sid if sid else ''}", f"the SCP {message}",
                   origin="artifact")
