"""IAM and KMS policy documents as plain dicts; ARNs may be Terraform references."""

from __future__ import annotations

import json
from typing import Any

Statement = dict[str, Any]
PARTITION = "aws"  # commercial regions only: the region table has no GovCloud or China regions


def document(statements: list[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def allow(actions: list[str], resources: list[str], condition: dict[str, Any] | None = None, *,
          regions: list[str]) -> Statement:
    """Allow `actions` on `resources`, and only in `regions` (aws:RequestedRegion), so that a
    region's workload cannot act in another region even where an ARN carries no region (S3)."""
    in_regions = {"StringEquals": {"aws:RequestedRegion": regions}}
    return {"Effect": "Allow", "Action": actions, "Resource": resources,
            "Condition": {**(condition or {}), **in_regions}}


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Refuse every plain-HTTP request to the bucket and its objects."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def assume_role(service: str) -> str:
    return document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def dynamodb_table_arn(region: str, account_id: str, table: str) -> str:
    return f"arn:{PARTITION}:dynamodb:{region}:{account_id}:table/{table}"


def kms_keys_with_alias(region: str, account_id: str, aliases: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Resource and condition that grant the aliased keys without knowing their ids."""
    return ([f"arn:{PARTITION}:kms:{region}:{account_id}:key/*"],
            {"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}})


# Everything a key administrator does, and nothing that uses the key: no Encrypt, Decrypt,
# GenerateDataKey, GenerateMac, ReEncrypt, and no CreateGrant (a grant would let them use it).
# PutKeyPolicy stays (a key nobody can change is unmanageable); CloudTrail records each change.
KEY_ADMINISTRATION = [
    "kms:Describe*", "kms:Get*", "kms:List*", "kms:Enable*", "kms:Disable*", "kms:Put*", "kms:Update*",
    "kms:Revoke*", "kms:RetireGrant", "kms:CreateAlias", "kms:DeleteAlias", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
]
DATA_KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def role_arn(account_id: str, name: str) -> str:
    return f"arn:{PARTITION}:iam::{account_id}:role/{name}"


def data_key_policy(account_id: str, services: list[str], region: str, *, roles: tuple[str, ...] = (),
                    logs: bool = False, alarms: bool = False) -> str:
    """Administrators manage the key but cannot use it. The account's principals use it only through
    `services` in `region` (kms:ViaService: DynamoDB or S3 decrypts for a caller its IAM policy lets
    read the table or bucket); `roles` (ARNs) may also decrypt directly (Lambda environments), and
    with `logs` CloudWatch Logs of the region encrypts with it."""
    root = _account(account_id)
    via = {"StringEquals": {"kms:ViaService": [f"{service}.{region}.amazonaws.com" for service in services],
                            "kms:CallerAccount": account_id}}
    statements = [
        _administers(account_id),
        {"Sid": "UseThroughItsServices", "Effect": "Allow", "Principal": root, "Action": DATA_KEY_USE,
         "Resource": "*", "Condition": via},
        {"Sid": "GrantsForItsServices", "Effect": "Allow", "Principal": root, "Action": "kms:CreateGrant",
         "Resource": "*", "Condition": {**via, "Bool": {"kms:GrantIsForAWSResource": "true"}}},
    ]
    if roles:
        statements.append({"Sid": "FunctionsReadTheirSettings", "Effect": "Allow", "Principal": root,
                           "Action": "kms:Decrypt", "Resource": "*",
                           "Condition": {"ArnEquals": {"aws:PrincipalArn": list(roles)}}})
    if logs:
        statements.append({
            "Sid": "LogsOfThisRegion",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                      f"arn:{PARTITION}:logs:{region}:{account_id}:*"}},
        })
    if alarms:
        # The region's alarm topic is encrypted with this key: CloudWatch alarms of this account publish through SNS.
        statements.append({
            "Sid": "AlarmsOfThisRegion",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id,
                                           "kms:ViaService": f"sns.{region}.amazonaws.com"}},
        })
    return document(statements)


def hmac_key_policy(account_id: str, roles: list[str], replica_regions: list[str]) -> str:
    """Administrators manage the HMAC key but cannot compute user keys with it (which would let
    them test a list of addresses against the directory); only `roles` (ARNs: the residency
    functions) may GenerateMac. Named by condition, not as principals, so that the key's policy does
    not depend on the roles existing: regions and global are applied separately. A replica (which
    ReplicateKey gives a policy of the caller's choosing) may be made only in `replica_regions`,
    each of which already has residency's, and KMS allows one replica per region."""
    root = _account(account_id)
    replicates = [{"Sid": "ReplicasOnlyWhereListed", "Effect": "Allow", "Principal": root,
                   "Action": "kms:ReplicateKey", "Resource": "*",
                   "Condition": {"StringEquals": {"kms:ReplicaRegion": replica_regions}}}] if replica_regions else []
    return document([
        _administers(account_id),
        *replicates,
        {"Sid": "ResidencyFunctionsComputeUserKeys", "Effect": "Allow",
         "Principal": root, "Action": "kms:GenerateMac",
         "Resource": "*", "Condition": {"ArnEquals": {"aws:PrincipalArn": list(roles)}}},
    ])


def _account(account_id: str) -> dict[str, str]:
    """The account as a key policy's principal: what it allows, IAM policies then grant to principals."""
    return {"AWS": f"arn:{PARTITION}:iam::{account_id}:root"}


def _administers(account_id: str) -> Statement:
    return {
        "Sid": "AdministratorsManageButCannotUse",
        "Effect": "Allow",
        "Principal": _account(account_id),
        "Action": KEY_ADMINISTRATION,
        "Resource": "*",
    }
