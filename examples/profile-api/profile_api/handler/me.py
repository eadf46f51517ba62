"""GET /me and PUT /me: a signed-in user's profile, kept in their region's data table.

API Gateway's JWT authorizer has already checked the token against this region's user pool; the
handler still refuses a token whose `custom:region` is another region's. GET /me answers 200 with {}
until the user has stored a profile, so a client never has to tell "no profile yet" from "no such
route". PUT /me replaces the whole profile. The item's key is `USER#<sub>`, the prefix residency's
DELETE /me erases with the account.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.config import Config

MAX_BODY_BYTES = 16 * 1024
MAX_PREFERENCES_BYTES = 4 * 1024
MAX_DEPTH = 16  # the profile object, preferences and what a front end keeps in them
STRING_LIMITS = {"display_name": 100, "locale": 35}
ALLOWED_FIELDS = {*STRING_LIMITS, "preferences"}
PROFILE_SK = "PROFILE"

Response = dict[str, Any]

logger = logging.getLogger("profile_api")
logger.setLevel(logging.INFO)
_clients: dict[tuple[str, str], Any] = {}


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def handler(event: dict[str, Any], context: Any) -> Response:
    started = time.monotonic()
    route = str(event.get("routeKey") or "")
    action = ROUTES.get(route)
    try:
        if action is None:
            raise HttpError(404, "not found")
        response = action(event)
    except HttpError as error:
        response = _response(error.status, {"message": error.message})
    except Exception as error:  # noqa: BLE001 - any other failure is a bare 500, logged by type only
        _log(route, action, 500, started, error=type(error).__name__)
        return _response(500, {"message": "internal error"})
    _log(route, action, response["statusCode"], started)
    return response


def get_me(event: dict[str, Any]) -> Response:
    item = _dynamodb().get_item(TableName=_setting("PROFILE_TABLE"), Key=_key(_subject(event))).get("Item")
    return _response(200, _profile_from_item(item) if item else {})


def put_me(event: dict[str, Any]) -> Response:
    """A token stays valid for up to an hour after its account is deleted or disabled: the account must still be
    there and enabled before the write, and after it, or the write is taken back (DELETE /me disables the account
    first, then erases its items, so a write that slips between is seen by the second look)."""
    sub = _subject(event)
    profile = _validated_profile(_json_body(event))
    profile["updated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    username = _username(event, sub)
    if not _account_active(username, sub):
        raise HttpError(403, "this account is deleted or disabled")
    key = {**_key(sub)}
    _dynamodb().put_item(TableName=_setting("PROFILE_TABLE"), Item={**key, **_item_from_profile(profile)})
    if not _account_active(username, sub):
        _dynamodb().delete_item(TableName=_setting("PROFILE_TABLE"), Key=key)
        raise HttpError(403, "this account is deleted or disabled")
    return _response(200, profile)


ROUTES = {"GET /me": get_me, "PUT /me": put_me}


def _subject(event: dict[str, Any]) -> str:
    """The caller's sub, once the claims show the token belongs to this region."""
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims") or {}
    if not claims.get("sub"):
        raise HttpError(401, "unauthorized")
    if claims.get("custom:region") != _setting("HOME_REGION"):
        raise HttpError(403, "forbidden")
    return str(claims["sub"])


def _username(event: dict[str, Any], sub: str) -> str:
    """The pool's username: `cognito:username` in ID tokens, `username` in access tokens (a UUID with email sign-in)."""
    claims = ((event.get("requestContext", {}).get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    return str(claims.get("cognito:username") or claims.get("username") or sub)


def _account_active(username: str, sub: str) -> bool:
    """Whether the pool still holds this very account (same sub), enabled."""
    cognito = _client("cognito-idp")
    try:
        user = cognito.admin_get_user(UserPoolId=_setting("USER_POOL_ID"), Username=username)
    except cognito.exceptions.UserNotFoundException:
        return False
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("UserAttributes", [])}
    return bool(user.get("Enabled", True)) and attributes.get("sub") == sub


def _json_body(event: dict[str, Any]) -> Any:
    raw = event.get("body") or ""
    try:
        data = base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode("utf-8")
    except (binascii.Error, ValueError):
        raise HttpError(400, "body is not valid base64") from None
    if len(data) > MAX_BODY_BYTES:
        raise HttpError(413, f"body is larger than {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:  # deeper than the parser goes: thousands of brackets
        raise HttpError(400, f"body is nested more than {MAX_DEPTH} levels deep") from None
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, "body must be a JSON object") from None
    if _depth(body) > MAX_DEPTH:
        raise HttpError(400, f"body is nested more than {MAX_DEPTH} levels deep")
    return body


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        current, level = pending.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in (current.values() if isinstance(current, dict) else current))
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _validated_profile(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise HttpError(400, "body must be a JSON object")
    unknown = sorted(set(body) - ALLOWED_FIELDS)
    if unknown:
        raise HttpError(400, f"unknown fields: {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED_FIELDS))}")
    for name, limit in STRING_LIMITS.items():
        if name in body:
            if not isinstance(body[name], str):
                raise HttpError(400, f"{name} must be a string")
            if len(body[name]) > limit:
                raise HttpError(400, f"{name} must be at most {limit} characters")
    if "preferences" in body:
        if not isinstance(body["preferences"], dict):
            raise HttpError(400, "preferences must be a JSON object")
        if len(_compact(body["preferences"]).encode("utf-8")) > MAX_PREFERENCES_BYTES:
            raise HttpError(400, f"preferences must be at most {MAX_PREFERENCES_BYTES} bytes as JSON")
    return dict(body)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _item_from_profile(profile: dict[str, Any]) -> dict[str, Any]:
    # Preferences are stored as a JSON string: DynamoDB maps reject floats and would need Decimal.
    return {name: {"S": _compact(value) if name == "preferences" else value} for name, value in profile.items()}


def _profile_from_item(item: dict[str, Any]) -> dict[str, Any]:
    profile: dict[str, Any] = {}
    for name in (*ALLOWED_FIELDS, "updated_at"):
        if name in item:
            text = item[name]["S"]
            profile[name] = json.loads(text) if name == "preferences" else text
    return profile


def _key(sub: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{sub}"}, "sk": {"S": PROFILE_SK}}


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set")
    return value


def _dynamodb() -> Any:
    return _client("dynamodb")


def _client(service: str) -> Any:
    region = _setting("HOME_REGION")
    if (service, region) not in _clients:
        # API Gateway waits at most 30 s; a slow call fails fast rather than retrying at length.
        _clients[(service, region)] = boto3.client(service, region_name=region, config=Config(
            connect_timeout=1, read_timeout=3, retries={"total_max_attempts": 2, "mode": "standard"}))
    return _clients[(service, region)]


def _log(route: str, action: Any, status: int, started: float, **fields: str) -> None:
    # Never the caller's identity or body; an unmatched route is caller-chosen text, so it is not logged.
    record = {"handler": "profile", "route": route if action is not None else "unmatched", "status": status,
              "outcome": "ok" if status < 400 else ("error" if status >= 500 else "client_error"),
              "duration_ms": round((time.monotonic() - started) * 1000, 1), **fields}
    logger.info(json.dumps(record, sort_keys=True))


def _response(status: int, body: dict[str, Any]) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }
