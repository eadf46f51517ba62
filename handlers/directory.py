"""The residency directory: a pseudonymous user key -> the user's home region.

The key is HMAC-SHA256 of the normalized email, computed inside KMS (GenerateMac), so the key
material never leaves KMS and the directory never holds anything that reverses to an email.
"""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import ClientError

from handlers.runtime import client, setting

# RFC 5321 caps a mailbox at 64 + 1 + 255 characters; KMS caps a GenerateMac message at 4096 bytes.
MAX_EMAIL_LENGTH = 320


def normalize_email(email: str) -> str:
    """The address as the user pool compares it: residency's pools are case-insensitive, so case is
    folded by plain lowercasing, and nothing else is merged. Cognito keeps `straße@` and
    `strasse@`, or a full-width `ａ` and `a`, apart as different users; merging them here would let
    one of them claim the other's address in another region."""
    if not isinstance(email, str):
        raise ValueError("email must be a string")
    normalized = email.strip().lower()
    if not normalized or "@" not in normalized:
        raise ValueError("email must be non-empty and contain '@'")
    if len(normalized) > MAX_EMAIL_LENGTH:
        raise ValueError("email is too long")
    return normalized


def user_key(email: str) -> str:
    kms = client("kms", setting("HMAC_KEY_REGION"))
    response = kms.generate_mac(
        KeyId=setting("HMAC_KEY_ID"),
        Message=normalize_email(email).encode("utf-8"),
        MacAlgorithm="HMAC_SHA_256",
    )
    return response["Mac"].hex()


def claim(user_key: str, home_region: str) -> str:
    """Record home_region for user_key unless the user already has one; return the user's home region.

    Writes go to the primary table only: a single writer makes the conditional write authoritative,
    whereas global-table replicas resolve concurrent writes last-writer-wins.
    """
    table = setting("DIRECTORY_TABLE")
    dynamodb = client("dynamodb", setting("DIRECTORY_WRITE_REGION"))
    item = {
        "user_key": {"S": user_key},
        "home_region": {"S": home_region},
        "key_version": {"S": setting("KEY_VERSION")},
        "created_at": {"S": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    try:
        dynamodb.put_item(
            TableName=table, Item=item,
            ConditionExpression="attribute_not_exists(#k)", ExpressionAttributeNames={"#k": "user_key"},
        )
        return home_region
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
    existing = dynamodb.get_item(
        TableName=table, Key={"user_key": {"S": user_key}}, ConsistentRead=True,
    ).get("Item")
    if existing is None:
        raise RuntimeError("directory entry disappeared while being claimed")
    return existing["home_region"]["S"]


def home_region_of(user_key: str) -> str | None:
    dynamodb = client("dynamodb", setting("DIRECTORY_READ_REGION"))
    item = dynamodb.get_item(
        TableName=setting("DIRECTORY_TABLE"), Key={"user_key": {"S": user_key}},
    ).get("Item")
    return item["home_region"]["S"] if item else None
