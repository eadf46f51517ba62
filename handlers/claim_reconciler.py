"""Scheduled, in each region: releases the region's directory claims whose account no longer exists in its pool.

DELETE /me releases an account's claims itself; an account deleted any other way (AdminDeleteUser, the console, a
script) leaves them binding its addresses to this region for good. Every confirmed claim is recorded with its
account in the region's data table (handlers/account_claims.py) and names the account in the directory
(`claimed_by`), so this function reads the records from its own region's table (never the directory, which holds
every region's users: only items named by their key are read or written there), then the pool's accounts, and
releases, at the primary and only while the claim still names that account, each claim whose account the pool no
longer holds (asked once more, by sub, before the release). The records are read before the accounts: an account
confirmed after the read has no record among them, and one confirmed before it is among the accounts. A claim
confirmed before accounts were recorded gets its record at the account's next sign-in. A disabled account still
exists: its claims stay.

Each run logs its counts as CloudWatch metrics (embedded metric format: no extra permission) and fails, so that
Lambda's Errors metric and its alarm fire, when a claim could not be released.

`residency verify --users` invokes it too, with `{"release_throwaway_addresses": [...]}`: the pending claims its
throwaway sign-ups made here are released, for addresses of the form verify uses only (`.invalid`: nobody can
receive mail there, so no account can ever be confirmed under one). Anyone allowed to invoke the function can do
no more than that and a reconciliation.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from handlers import account_claims, directory, settings
from handlers.runtime import client, log_invocation, setting

THROWAWAY = re.compile(re.escape(settings.THROWAWAY_ADDRESS_PREFIX) + r"[0-9a-f]{16}@"
                       + re.escape(settings.THROWAWAY_ADDRESS_DOMAIN))
MAX_THROWAWAY = 50  # verify signs up one address per region
SUB = re.compile(r"[0-9a-fA-F-]{1,64}")  # Cognito's subs are UUIDs; anything else is not put into a filter
METRIC_NAMESPACE = "residency"


class ReconciliationIncomplete(RuntimeError):
    """Some claims could not be released: the run fails so that the errors alarm fires."""


@dataclass
class Counts:
    scanned: int = 0
    released: int = 0
    failed: int = 0
    gone: set[str] = field(default_factory=set)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.monotonic()
    if isinstance(event, dict) and "release_throwaway_addresses" in event:
        released, refused = release_throwaway(event["release_throwaway_addresses"], setting(settings.HOME_REGION))
        log_invocation("claim_reconciler", started, "throwaway", released=released, refused=refused)
        return {"released": released, "refused": refused}
    counts = reconcile(setting(settings.HOME_REGION), setting(settings.USER_POOL_ID))
    _emit_metrics(counts)
    outcome = "incomplete" if counts.failed else "reconciled"
    log_invocation("claim_reconciler", started, outcome, scanned=counts.scanned, released=counts.released,
                   failed=counts.failed)
    if counts.failed:
        raise ReconciliationIncomplete(f"{counts.failed} claims could not be released")
    return {"scanned": counts.scanned, "released": counts.released}


def reconcile(home_region: str, pool_id: str) -> Counts:
    counts = Counts()
    claims = _claims_of(counts)
    existing = _subs(pool_id)
    for sub, keys in claims.items():
        if sub in existing:
            continue
        if not SUB.fullmatch(sub) or _exists(pool_id, sub):
            continue
        counts.gone.add(sub)
        for key in keys:
            try:
                counts.released += directory.release_for(key, home_region, sub)
                account_claims.forget(sub, key)
            except Exception:  # noqa: BLE001 - the others are still released; the run fails at the end
                counts.failed += 1
    return counts


def _claims_of(counts: Counts) -> dict[str, list[directory.UserKey]]:
    """sub -> the keys of the claims recorded with it in this region's data table."""
    found: dict[str, list[directory.UserKey]] = {}
    pages = client("dynamodb", setting(settings.HOME_REGION)).get_paginator("scan").paginate(
        TableName=setting(settings.DATA_TABLE), FilterExpression="begins_with(sk, :claim)",
        ExpressionAttributeValues={":claim": {"S": account_claims.PREFIX}}, ProjectionExpression="pk, sk, key_version")
    for page in pages:
        for item in page.get("Items", []):
            counts.scanned += 1
            sub = item["pk"]["S"].removeprefix(account_claims.ACCOUNT_PREFIX)
            key = directory.UserKey(item.get("key_version", {}).get("S", ""),
                                    item["sk"]["S"].removeprefix(account_claims.PREFIX))
            found.setdefault(sub, []).append(key)
    return found


def _subs(pool_id: str) -> set[str]:
    cognito = client("cognito-idp", setting(settings.HOME_REGION))
    pages = cognito.get_paginator("list_users").paginate(UserPoolId=pool_id, AttributesToGet=["sub"])
    return {attribute["Value"] for page in pages for user in page.get("Users", [])
            for attribute in user.get("Attributes", []) if attribute["Name"] == "sub"}


def _exists(pool_id: str, sub: str) -> bool:
    cognito = client("cognito-idp", setting(settings.HOME_REGION))
    return bool(cognito.list_users(UserPoolId=pool_id, Filter=f'sub = "{sub}"', Limit=1).get("Users"))


def release_throwaway(addresses: Any, home_region: str) -> tuple[int, int]:
    """Release the pending claims `home_region` holds for verify's throwaway addresses; (released, refused)."""
    if not isinstance(addresses, list):
        return 0, 1
    released = refused = 0
    for address in addresses[:MAX_THROWAWAY]:
        if not isinstance(address, str) or not THROWAWAY.fullmatch(address):
            refused += 1
            continue
        released += directory.release_pending(directory.user_keys(address), home_region)
    return released, refused + max(0, len(addresses) - MAX_THROWAWAY)


def _emit_metrics(counts: Counts) -> None:
    """One log line in CloudWatch's embedded metric format: Lambda's log group turns it into metrics."""
    region = setting(settings.HOME_REGION)
    names = {"ClaimsReleased": counts.released, "ClaimReleaseFailures": counts.failed}
    print(json.dumps({  # noqa: T201 - stdout is the log group
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": METRIC_NAMESPACE, "Dimensions": [["Region"]],
            "Metrics": [{"Name": name, "Unit": "Count"} for name in names]}]},
        "Region": region, **names}))
