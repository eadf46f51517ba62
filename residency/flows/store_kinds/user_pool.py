"""Cognito user pools: every user's attributes and status (never a password: Cognito gives none)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from residency.flows.store_kinds.aws_calls import aws_call
from residency.flows.store_kinds.export_files import safe_name, write_lines
from residency.flows.store_kinds.handler import Exported, StoreCount, StoreHandler
from residency.personal_data import DeclaredStore, StoreKind

_GONE = ("ResourceNotFoundException",)


class UserPoolHandler(StoreHandler):
    kind = StoreKind.USER_POOL
    service = "cognito-idp"
    record = "user"

    def count(self, store: DeclaredStore, client: Any) -> StoreCount:
        return StoreCount(store, sum(1 for _ in _users(client, store.name)))

    def refuse_unexportable(self, store: DeclaredStore, client: Any) -> None:
        pass  # every user is listed, whatever their status

    def export(self, store: DeclaredStore, client: Any, staging: Path) -> Exported:
        return Exported(write_lines(staging / "cognito" / f"{safe_name(store.name)}.jsonl",
                                    map(_user_record, _users(client, store.name))))

    def empty_for_destroy(self, store: DeclaredStore, client: Any) -> None:
        with aws_call(f"user pool {store.name}", _GONE):
            described = client.describe_user_pool(UserPoolId=store.name)["UserPool"]
            if described.get("DeletionProtection") == "ACTIVE":
                # UpdateUserPool resets every setting it is not given (Lambda triggers, MFA, messages...)
                # to its default. Harmless here: the pool is about to be deleted.
                client.update_user_pool(UserPoolId=store.name, DeletionProtection="INACTIVE")


def _users(cognito: Any, pool: str) -> Iterator[dict[str, Any]]:
    if pool:
        with aws_call(f"user pool {pool}", _GONE):
            for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool):
                yield from page["Users"]


def _user_record(user: dict[str, Any]) -> dict[str, Any]:
    created = user.get("UserCreateDate")
    return {"Username": user["Username"], "Attributes": user.get("Attributes", []),
            "UserStatus": user.get("UserStatus"), "Enabled": user.get("Enabled"),
            "UserCreateDate": created.isoformat() if created else None}
