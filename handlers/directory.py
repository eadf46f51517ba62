"""The residency directory: a pseudonymous user key -> the user's home region, kept as claims.

The key is HMAC-SHA256 of the normalized email, computed inside KMS (GenerateMac), so the key
material never leaves KMS and the directory never holds anything that reverses to an email.

A claim is *pending* from sign-up until the user proves the address (post-confirmation), and only
binds the address while it has not expired; a *confirmed* claim binds it until the account is
deleted or its region retired. Every write goes to the primary table with a condition: a single
writer makes the condition authoritative, whereas global-table replicas resolve concurrent writes
last-writer-wins. An entry written before claims existed has no state and counts as confirmed.

Several HMAC keys may be active (HMAC_KEYS, the current one first): a user is looked up under each,
and an entry found under an older one moves to the current one when the claim is next confirmed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from handlers.runtime import client, setting

# RFC 5321 caps a mailbox at 64 + 1 + 255 characters; KMS caps a GenerateMac message at 4096 bytes.
MAX_EMAIL_LENGTH = 320
PENDING = "pending"
CONFIRMED = "confirmed"
KEY = "user_key"
# The table's TTL attribute: DynamoDB deletes an expired pending claim eventually (within days), so
# the handlers never rely on that and treat an expired claim as absent themselves.
EXPIRES = "expires_at"


@dataclass(frozen=True)
class UserKey:
    version: str
    value: str


@dataclass(frozen=True)
class Entry:
    key: UserKey
    home_region: str
    state: str
    expires_at: int | None

    def binds(self, now: int) -> bool:
        return self.state == CONFIRMED or (self.expires_at is not None and self.expires_at > now)


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


def active_keys() -> list[tuple[str, str]]:
    """(version, KMS key id) of every active HMAC key, the current one first: HMAC_KEYS is
    `2=alias/...-v2,1=alias/...`."""
    keys = []
    for entry in setting("HMAC_KEYS").split(","):
        version, _, key_id = entry.partition("=")
        if not version or not key_id:
            raise RuntimeError("HMAC_KEYS must be version=key-id pairs separated by commas")
        keys.append((version, key_id))
    return keys


def user_keys(email: str) -> list[UserKey]:
    """The user's key under every active version, the current one first: one GenerateMac each,
    whoever the user is."""
    message = normalize_email(email).encode("utf-8")
    kms = client("kms", setting("HMAC_KEY_REGION"))
    return [UserKey(version, kms.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"].hex())
            for version, key_id in active_keys()]


def lookup(keys: list[UserKey], *, authoritative: bool = False) -> list[Entry]:
    """The entries under any of `keys`, in one request: from the nearest copy, or from the primary
    (strongly consistent) when `authoritative`."""
    if not keys:
        return []
    region = setting("DIRECTORY_WRITE_REGION" if authoritative else "DIRECTORY_READ_REGION")
    table = setting("DIRECTORY_TABLE")
    request = {table: {"Keys": [{KEY: {"S": key.value}} for key in keys], "ConsistentRead": authoritative}}
    items: list[dict[str, Any]] = []
    dynamodb = client("dynamodb", region)
    for _ in range(3):  # unprocessed keys are rare for a handful of small items
        response = dynamodb.batch_get_item(RequestItems=request)
        items.extend(response.get("Responses", {}).get(table, []))
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    else:
        raise RuntimeError("the directory did not answer every key")
    by_value = {key.value: key for key in keys}
    return [_entry(by_value[item[KEY]["S"]], item) for item in items if item[KEY]["S"] in by_value]


def claim_pending(keys: list[UserKey], home_region: str, *, pending_seconds: int) -> bool:
    """Sign-up: claim the address for `home_region` until it is confirmed or `pending_seconds`
    pass. False when a confirmed claim elsewhere, or a pending one there that has not expired,
    holds it. Of two regions claiming at once, exactly one condition succeeds."""
    now = int(time.time())
    if any(entry.binds(now) and entry.home_region != home_region for entry in lookup(keys[1:], authoritative=True)):
        return False
    current = keys[0]
    try:
        _primary().update_item(
            TableName=setting("DIRECTORY_TABLE"), Key={KEY: {"S": current.value}},
            UpdateExpression="SET home_region = :region, claim_state = :pending, #expires = :expires, "
                             "key_version = :version, created_at = :now_text",
            ConditionExpression="attribute_not_exists(#key) OR (home_region = :region AND claim_state = :pending) "
                                "OR (claim_state = :pending AND #expires < :now)",
            ExpressionAttributeNames={"#key": KEY, "#expires": EXPIRES},
            ExpressionAttributeValues={
                ":region": {"S": home_region}, ":pending": {"S": PENDING},
                ":expires": {"N": str(now + pending_seconds)}, ":now": {"N": str(now)},
                ":version": {"S": current.version}, ":now_text": {"S": _timestamp()},
            },
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return True
    except ClientError as error:
        held = _held_by(error)
    # Confirmed here already (an account deleted without its claim released): the address is ours.
    return held is not None and held.get("home_region", {}).get("S") == home_region


def confirm(keys: list[UserKey], home_region: str) -> bool:
    """The user proved the address in `home_region`'s pool: bind it there, over any pending claim,
    but never over a confirmed claim elsewhere. Entries under older key versions move to the
    current one. False when the address is confirmed elsewhere."""
    older = lookup(keys[1:], authoritative=True)
    if any(entry.state == CONFIRMED and entry.home_region != home_region for entry in older):
        return False
    current = keys[0]
    try:
        _primary().update_item(
            TableName=setting("DIRECTORY_TABLE"), Key={KEY: {"S": current.value}},
            UpdateExpression="SET home_region = :region, claim_state = :confirmed, key_version = :version, "
                             "confirmed_at = :now_text, created_at = if_not_exists(created_at, :now_text) "
                             "REMOVE #expires",
            ConditionExpression="attribute_not_exists(#key) OR home_region = :region OR claim_state = :pending",
            ExpressionAttributeNames={"#key": KEY, "#expires": EXPIRES},
            ExpressionAttributeValues={
                ":region": {"S": home_region}, ":confirmed": {"S": CONFIRMED}, ":pending": {"S": PENDING},
                ":version": {"S": current.version}, ":now_text": {"S": _timestamp()},
            },
        )
    except ClientError as error:
        _held_by(error)
        return False
    for entry in older:
        _delete(entry.key, "home_region = :region OR claim_state = :pending", home_region)
    return True


def release(keys: list[UserKey], home_region: str) -> int:
    """Remove the address's claims held by `home_region` (under every key version); how many."""
    return sum(_delete(key, "home_region = :region", home_region) for key in keys)


def _delete(key: UserKey, condition: str, home_region: str) -> bool:
    values = {":region": {"S": home_region}}
    if ":pending" in condition:
        values[":pending"] = {"S": PENDING}
    try:
        _primary().delete_item(TableName=setting("DIRECTORY_TABLE"), Key={KEY: {"S": key.value}},
                               ConditionExpression=condition, ExpressionAttributeValues=values)
        return True
    except ClientError as error:
        _held_by(error)
        return False


def _held_by(error: ClientError) -> dict[str, Any] | None:
    """The item that failed a condition (when asked for); any other error is raised again."""
    if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
        raise error
    item: dict[str, Any] | None = error.response.get("Item")
    return item


def _entry(key: UserKey, item: dict[str, Any]) -> Entry:
    expires = item.get(EXPIRES, {}).get("N")
    return Entry(key=key, home_region=item["home_region"]["S"],
                 state=item.get("claim_state", {}).get("S", CONFIRMED),
                 expires_at=int(expires) if expires is not None else None)


def _primary() -> Any:
    return client("dynamodb", setting("DIRECTORY_WRITE_REGION"))


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
