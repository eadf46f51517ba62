"""Which addresses an account has claimed, kept with the account in its region's data table.

The directory is keyed by address (a pseudonymous key), so it cannot say which addresses one account holds.
Each confirmation records the key under the account (`USER#<sub>`, `CLAIM#<key>`), the prefix DELETE /me erases
with the account. So DELETE /me releases every address the account ever claimed here (an old one from before an
email change too), and a sign-in with a changed, verified address releases the account's older ones once the new
one is confirmed. A record holds the key and its version only: nothing that reverses to an address.
"""

from __future__ import annotations

from typing import Any

from handlers import settings
from handlers.directory import UserKey
from handlers.runtime import client, setting

PREFIX = "CLAIM#"
ACCOUNT_PREFIX = "USER#"  # every item of an account (DELETE /me erases them all)


def remember(sub: str, key: UserKey) -> None:
    """Record that the account `sub` holds the address under `key` (the same record again changes nothing)."""
    _table().put_item(TableName=setting(settings.DATA_TABLE), Item={
        "pk": {"S": _partition(sub)}, "sk": {"S": PREFIX + key.value}, "key_version": {"S": key.version}})


def claimed(sub: str) -> list[UserKey]:
    """Every key the account has recorded."""
    found: list[UserKey] = []
    pages = _table().get_paginator("query").paginate(
        TableName=setting(settings.DATA_TABLE), KeyConditionExpression="pk = :pk AND begins_with(sk, :claim)",
        ExpressionAttributeValues={":pk": {"S": _partition(sub)}, ":claim": {"S": PREFIX}}, ConsistentRead=True)
    for page in pages:
        for item in page.get("Items", []):
            found.append(UserKey(item.get("key_version", {}).get("S", ""), item["sk"]["S"].removeprefix(PREFIX)))
    return found


def forget(sub: str, key: UserKey) -> None:
    _table().delete_item(TableName=setting(settings.DATA_TABLE),
                         Key={"pk": {"S": _partition(sub)}, "sk": {"S": PREFIX + key.value}})


def _partition(sub: str) -> str:
    if not sub:
        raise ValueError("an account needs its sub")
    return f"{ACCOUNT_PREFIX}{sub}"


def _table() -> Any:
    return client("dynamodb", setting(settings.HOME_REGION))
