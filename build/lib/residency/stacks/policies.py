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


def kms_keys_with_alias(region: str, account_id: str, alias: str) -> tuple[list[str], dict[str, Any]]:
    """Resource and condition that grant one aliased key without knowing its id."""
    return ([f"arn:{PARTITION}:kms:{region}:{account_id}:key/*"],
            {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}})


def account_key_policy(account_id: str) -> str:
    """Only the account administers and uses the key (through IAM policies); no service is granted."""
    return document([_account_administers(account_id)])


def _account_administers(account_id: str) -> Statement:
    return {
        "Sid": "AccountAdministers",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{PARTITION}:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def key_policy(account_id: str, region: str) -> str:
    """The account administers the key; CloudWatch Logs of this region may encrypt with it."""
    logs_arn = f"arn:{PARTITION}:logs:{region}:{account_id}:*"
    return document([
        _account_administers(account_id),
        {
            "Sid": "LogsOfThisRegion",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "Resource": "*",
            "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": logs_arn}},
        },
    ])
