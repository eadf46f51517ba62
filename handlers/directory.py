"""The residency directory: a pseudonymous user key -> the user's home region, kept as claims.

The key is HMAC-SHA256 of the normalized email, computed inside KMS (GenerateMac), so the key
material never leaves KMS and the directory never holds anything that reverses to an email.

A claim is *pending* from sign-up until the user proves the address (post-confirmation), and only
binds the address while it has not expired; a *confirmed* claim binds it until the account is
deleted or its region retired. A pending claim's lifetime runs from the address's first claim
(`first_claimed_at`): signing up again, here or elsewhere, never extends it, so a stranger who keeps
signing someone's address up holds it for at most one lifetime; once the table's TTL has removed the
expired entry (DynamoDB: typically within two days), a sign-up starts a new one. Every write goes
to the primary table with a condition: a single writer makes the condition authoritative, whereas
global-table replicas resolve concurrent writes last-writer-wins. An entry written before claims
existed has no state and counts as confirmed.

Several HMAC keys may be active (HMAC_KEYS, the current one first): a user is looked up under each,
and an entry found under an older one moves to the current one when the claim is next confirmed. While a
rotation is under way, two regions that compute different versions must never both write: one that no
longer checks the older version's entries (its users moved) could confirm an address another, still on
the older version alone, confirms too. So every write also checks the directory's version mark (an item
no user key can be: HMAC keys are hex), the highest key version any region has written under, and a region
whose current version is lower refuses to write (it has not been applied yet, or its replica of the new key
does not exist yet). Each function raises the mark to its own version before its first write.
"""

from __future__ import annotations

import random
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from handlers import settings
from handlers.runtime import client, done, note_done, setting

# RFC 5321 caps a mailbox at 64 + 1 + 255 characters; KMS caps a GenerateMac message at 4096 bytes.
MAX_EMAIL_LENGTH = 320
PENDING = "pending"
CONFIRMED = "confirmed"
KEY = "user_key"
# The table's TTL attribute: DynamoDB deletes an expired pending claim eventually (within days), so
# the handlers never rely on that and treat an expired claim as absent themselves.
EXPIRES = "expires_at"
FIRST_CLAIMED = "first_claimed_at"  # when the address was first claimed: a pending claim's lifetime runs from it
VERSION_MARK = "#key-version"  # the directory item that holds the highest key version written under
HIGHEST = "highest_version"


class KeyVersionBehind(RuntimeError):
    """Another region writes under a newer key version than this one can compute: this one must not write."""


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
    claimed_by: str | None = None
    first_claimed_at: int | None = None

    def binds(self, now: int) -> bool:
        return self.state == CONFIRMED or (self.expires_at is not None and self.expires_at > now)


def normalize_email(email: str, *, new_address: bool = True) -> str:
    """The address as the user pool compares it, for every address residency accepts.

    residency's pools compare addresses without case. Which case mapping Cognito applies beyond ASCII, and whether
    it also folds Unicode compatibility forms, is not documented; two regions must never disagree on whether two
    addresses are one (one address under two keys could be confirmed in two regions; two addresses under one key
    could block each other). So only addresses every plausible comparison treats alike are accepted: ASCII
    whitespace around them is dropped, ASCII letters are lowercased, and an address holding anything else that a
    comparison might fold is refused (a ValueError, which sign-up reports as an invalid address): other whitespace,
    control and format characters (zero-width, direction overrides), an uppercase or title-case letter beyond ASCII,
    a character whose case round trip or case folding changes it (`ß`, `ı`, `ſ`, `ﬁ`), and anything Unicode's
    compatibility normalization (NFKC) changes (full-width letters, the Kelvin sign, a letter with a combining
    accent). Lowercase letters beyond ASCII that nothing folds (`é`, `ä`, `ø`) are kept as they are.

    That refusal is for a `new_address` (sign-up). An account the pool already holds (sign-in, confirmation,
    deletion) may predate it: its key is computed as it was then (whitespace stripped, lowercased), so its claim
    is still found."""
    if not isinstance(email, str):
        raise ValueError("email must be a string")
    if new_address:
        trimmed = email.strip(" \t\r\n")
        if unicodedata.normalize("NFKC", trimmed) != trimmed or any(_folded_otherwise(char) for char in trimmed):
            raise ValueError("email holds a character the user pool may compare differently")
    else:
        trimmed = email.strip()
    normalized = trimmed.lower()
    if not normalized or "@" not in normalized:
        raise ValueError("email must be non-empty and contain '@'")
    if len(normalized) > MAX_EMAIL_LENGTH:
        raise ValueError("email is too long")
    return normalized


def _folded_otherwise(char: str) -> bool:
    """Whether a comparison without case could treat `char` as another character (or drop it)."""
    if char.isascii():
        return char.isspace() or not char.isprintable()
    if unicodedata.category(char)[0] in "ZC":  # separators, controls, format characters (zero-width, bidi)
        return True
    return char.lower() != char or char.casefold() != char or char.upper().lower() != char


def active_keys() -> list[tuple[str, str]]:
    """(version, KMS key id) of every active HMAC key, the current one first: HMAC_KEYS is
    `2=alias/...-v2,1=alias/...`."""
    keys = []
    for entry in setting(settings.HMAC_KEYS).split(","):
        version, _, key_id = entry.partition("=")
        if not version or not key_id:
            raise RuntimeError("HMAC_KEYS must be version=key-id pairs separated by commas")
        keys.append((version, key_id))
    return keys


def user_keys(email: str, *, new_address: bool = False) -> list[UserKey]:
    """The user's key under every active version, the current one first: one GenerateMac each, whoever the user
    is. Only the newest listed version may be missing (the regions are applied before global creates a new key):
    it is left out, so a rotation never stops sign-in, and the version mark keeps a region that cannot compute the
    directory's current version from writing. An older listed version that is missing (this region's replica of it
    was never created, or was deleted) fails: without its key the entries under it cannot be seen, and an address
    confirmed elsewhere under it could be confirmed here too."""
    message = normalize_email(email, new_address=new_address).encode("utf-8")
    kms = client("kms", setting(settings.HMAC_KEY_REGION))
    keys = []
    for index, (version, key_id) in enumerate(active_keys()):
        try:
            mac = kms.generate_mac(KeyId=key_id, Message=message, MacAlgorithm="HMAC_SHA_256")["Mac"]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NotFoundException":
                raise
            if index:
                raise RuntimeError(f"the HMAC key of version {version} is listed but does not exist here") from None
            continue
        keys.append(UserKey(version, mac.hex()))
    if not keys:
        raise RuntimeError("no HMAC key of HMAC_KEYS exists")
    return keys


def lookup(keys: list[UserKey], *, authoritative: bool = False) -> list[Entry]:
    """The entries under any of `keys`, in one request: from the nearest copy, or from the primary
    (strongly consistent) when `authoritative`."""
    if not keys:
        return []
    region = setting(settings.DIRECTORY_WRITE_REGION if authoritative else settings.DIRECTORY_READ_REGION)
    table = setting(settings.DIRECTORY_TABLE)
    request = {table: {"Keys": [{KEY: {"S": key.value}} for key in keys], "ConsistentRead": authoritative}}
    items: list[dict[str, Any]] = []
    dynamodb = client("dynamodb", region)
    for attempt in range(3):  # unprocessed keys are rare for a handful of small items: under throttling
        if attempt:
            time.sleep(random.uniform(0, 0.05 * 2 ** attempt))  # jittered, well inside Cognito's 5 s
        response = dynamodb.batch_get_item(RequestItems=request)
        items.extend(response.get("Responses", {}).get(table, []))
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    else:
        raise RuntimeError("the directory did not answer every key")
    by_value = {key.value: key for key in keys}
    return [_entry(by_value[item[KEY]["S"]], item) for item in items if item[KEY]["S"] in by_value]


def confirmed_here(keys: list[UserKey], entries: list[Entry], home_region: str, account: str | None = None) -> bool:
    """Whether `entries` (looked up under `keys`) are exactly a confirmed claim for `home_region` under the current
    key, recorded for `account` (when given): nothing to write. A claim naming another account (one deleted, or one
    that changed its address away) is rewritten, so that neither its release nor the reconciler takes the address
    from the account that holds it now."""
    return [(entry.key, entry.home_region, entry.state) for entry in entries] == [
        (keys[0], home_region, CONFIRMED)] and (account is None or entries[0].claimed_by == account)


def claim_pending(keys: list[UserKey], home_region: str, *, pending_seconds: int) -> bool:
    """Sign-up: claim the address for `home_region` until it is confirmed or `pending_seconds` after its first claim
    pass. False when a confirmed claim elsewhere, or a pending one there that has not expired, holds it under any key
    version. Of two regions claiming at once, exactly one write succeeds. A claim taken over after an earlier one
    expired keeps the first claim's time, so it binds nothing: the address stays free for whoever confirms it; and
    a claim moving to a new key version keeps the time of its entry under an older one."""
    now = _now()
    # The earliest first claim of this region under any version: a claim moving to a new version keeps it.
    first = min([now, *(entry.first_claimed_at for entry in lookup(keys, authoritative=True)
                        if entry.first_claimed_at is not None and entry.home_region == home_region)])
    values = {":region": {"S": home_region}, ":pending": {"S": PENDING}, ":now": {"N": str(now)},
              ":first": {"N": str(first)}, ":lifetime": {"N": str(pending_seconds)}}
    claimed = _write(
        keys,
        update=f"SET home_region = :region, claim_state = :pending, {FIRST_CLAIMED} = if_not_exists({FIRST_CLAIMED}, "
               f":first), #expires = if_not_exists({FIRST_CLAIMED}, :first) + :lifetime, key_version = :version, "
               "created_at = :now_text",
        condition="attribute_not_exists(#key) OR (claim_state = :pending AND #expires < :now)",
        older_condition="attribute_not_exists(#key) OR home_region = :region "
                        "OR (claim_state = :pending AND #expires < :now)",
        values=values,
    )
    # Read back whatever the write did, so a free address and a taken one cost the same calls (a stranger timing
    # sign-ups learns nothing from the difference).
    entries = lookup(keys, authoritative=True)
    if claimed:
        return True
    # Pending here and not expired (signing up again extends nothing), or confirmed here already (an account
    # deleted without its claim released, or a sign-up of this region that won a moment ago): the address is this
    # region's.
    return not any(entry.binds(now) and entry.home_region != home_region for entry in entries) and any(
        entry.key == keys[0] and entry.home_region == home_region for entry in entries)


def confirm(keys: list[UserKey], home_region: str, *, account: str | None = None) -> bool:
    """The user proved the address in `home_region`'s pool: bind it there, over any pending claim,
    but never over a confirmed claim elsewhere under any key version. Entries under older versions
    then move to the current one. False when the address is confirmed elsewhere."""
    confirmed = _write(
        keys,
        update="SET home_region = :region, claim_state = :confirmed, key_version = :version, "
               "confirmed_at = :now_text, created_at = if_not_exists(created_at, :now_text)"
               + (", claimed_by = :account" if account else "") + " REMOVE #expires",
        condition="attribute_not_exists(#key) OR home_region = :region OR claim_state = :pending",
        older_condition="attribute_not_exists(#key) OR home_region = :region OR claim_state = :pending",
        values={":region": {"S": home_region}, ":confirmed": {"S": CONFIRMED}, ":pending": {"S": PENDING},
                **({":account": {"S": account}} if account else {})},
    )
    if confirmed:
        for older in keys[1:]:
            _delete(older, "home_region = :region OR claim_state = :pending", home_region)
    return confirmed


def _write(keys: list[UserKey], *, update: str, condition: str, older_condition: str,
           values: dict[str, Any]) -> bool:
    """Update the current key's entry under `condition` while every older version's entry meets
    `older_condition`, as one transaction (so no other region's write can slip between the check
    and the write); False when a condition failed."""
    table = setting(settings.DIRECTORY_TABLE)
    current, older = keys[0], keys[1:]
    version = _version_number(current)
    _raise_version_mark(version)
    names = {"#key": KEY, "#expires": EXPIRES}
    values = {**values, ":version": {"S": current.version}, ":now_text": {"S": _timestamp()}}
    update_item = {"TableName": table, "Key": {KEY: {"S": current.value}}, "UpdateExpression": update,
                   "ConditionExpression": condition, "ExpressionAttributeNames": _used(names, update, condition),
                   "ExpressionAttributeValues": _used(values, update, condition)}
    # A check only (no write): concurrent claims do not conflict over the mark.
    not_behind = {"ConditionCheck": {"TableName": table, "Key": {KEY: {"S": VERSION_MARK}},
                                     "ConditionExpression": f"attribute_not_exists({HIGHEST}) OR {HIGHEST} <= :mine",
                                     "ExpressionAttributeValues": {":mine": {"N": str(version)}}}}
    try:
        _primary().transact_write_items(TransactItems=[{"Update": update_item}, *[
            {"ConditionCheck": {"TableName": table, "Key": {KEY: {"S": key.value}},
                                "ConditionExpression": older_condition,
                                "ExpressionAttributeNames": _used(names, older_condition),
                                "ExpressionAttributeValues": _used(values, older_condition)}}
            for key in older], not_behind])
        return True
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        if code == "TransactionCanceledException" and reasons and reasons[-1] == "ConditionalCheckFailed":
            raise KeyVersionBehind(f"the directory holds claims under a key version above {version}") from None
        if code == "TransactionCanceledException" and "ConditionalCheckFailed" in reasons:
            return False
        raise


def _version_number(key: UserKey) -> int:
    try:
        return int(key.version)
    except ValueError:
        raise RuntimeError("HMAC_KEYS versions must be numbers") from None


def _raise_version_mark(version: int) -> None:
    """Record that claims are written under `version` from now on, so regions still on an older one stop writing.
    Never lowers it: abandoning a rotation that wrote claims means deleting the mark by hand (README)."""
    # One write per version and warm container, not per claim.
    if done(f"version-mark-{version}"):
        return
    try:
        _primary().update_item(
            TableName=setting(settings.DIRECTORY_TABLE), Key={KEY: {"S": VERSION_MARK}},
            UpdateExpression=f"SET {HIGHEST} = :mine",
            ConditionExpression=f"attribute_not_exists({HIGHEST}) OR {HIGHEST} < :mine",
            ExpressionAttributeValues={":mine": {"N": str(version)}})
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
    note_done(f"version-mark-{version}")


def _used(mapping: dict[str, Any], *expressions: str) -> dict[str, Any]:
    """The placeholders `expressions` use: DynamoDB refuses unused ones."""
    return {name: value for name, value in mapping.items() if any(name in text for text in expressions)}


def release_for(key: UserKey, home_region: str, account: str) -> bool:
    """Remove one address's claim held by `home_region` for `account` (or for no recorded account: claims written
    before accounts were recorded); an address another account confirmed since is left alone."""
    values = {":region": {"S": home_region}, ":account": {"S": account}}
    try:
        _primary().delete_item(TableName=setting(settings.DIRECTORY_TABLE), Key={KEY: {"S": key.value}},
                               ConditionExpression="home_region = :region AND (attribute_not_exists(claimed_by) "
                                                   "OR claimed_by = :account)",
                               ExpressionAttributeValues=values)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return False


def release_pending(keys: list[UserKey], home_region: str) -> int:
    """Remove the address's pending claims held by `home_region` (a confirmed one stays); how many."""
    return sum(_delete(key, "home_region = :region AND claim_state = :pending", home_region) for key in keys)


def release(keys: list[UserKey], home_region: str) -> int:
    """Remove the address's claims held by `home_region` (under every key version); how many."""
    return sum(_delete(key, "home_region = :region", home_region) for key in keys)


def _delete(key: UserKey, condition: str, home_region: str) -> bool:
    values = {":region": {"S": home_region}}
    if ":pending" in condition:
        values[":pending"] = {"S": PENDING}
    try:
        _primary().delete_item(TableName=setting(settings.DIRECTORY_TABLE), Key={KEY: {"S": key.value}},
                               ConditionExpression=condition, ExpressionAttributeValues=values)
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        return False


def _entry(key: UserKey, item: dict[str, Any]) -> Entry:
    expires = item.get(EXPIRES, {}).get("N")
    first = item.get(FIRST_CLAIMED, {}).get("N")
    return Entry(key=key, home_region=item["home_region"]["S"],
                 state=item.get("claim_state", {}).get("S", CONFIRMED),
                 expires_at=int(expires) if expires is not None else None,
                 claimed_by=item.get("claimed_by", {}).get("S"),
                 first_claimed_at=int(first) if first is not None else None)


def _now() -> int:
    return int(time.time())


def _primary() -> Any:
    return client("dynamodb", setting(settings.DIRECTORY_WRITE_REGION))


def _timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
