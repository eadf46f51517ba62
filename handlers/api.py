"""The region's API backend (API Gateway HTTP API, payload format 2.0).

GET /health and GET /config are public; GET /me, PUT /me and DELETE /me sit behind the JWT
authorizer on this region's user pool. GET /me answers 200 with {} until the user has stored a
profile, so a client never has to tell "no profile yet" from "no such route". PUT /me replaces the
whole profile. DELETE /me deletes the account: it disables the user (no sign-in from here on),
releases its directory claim (so an address is never left bound to a region without an account),
then deletes its data and the user.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import UTC, datetime
from typing import Any

from handlers import directory, settings
from handlers.runtime import client, log_invocation, setting

MAX_BODY_BYTES = 16 * 1024
MAX_PREFERENCES_BYTES = 4 * 1024
MAX_DEPTH = 16  # the profile object, preferences and what a front end keeps in them
STRING_LIMITS = {"display_name": 100, "locale": 35}
ALLOWED_FIELDS = {*STRING_LIMITS, "preferences"}
PROFILE_SK = "PROFILE"

Response = dict[str, Any]


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def handler(event: dict[str, Any], context: Any) -> Response:
    started = time.monotonic()
    route = event.get("routeKey")
    if not route or route == "$default":
        route = _route_from_request(event)
    action = ROUTES.get(route)
    try:
        if action is None:
            raise HttpError(404, "not found")
        response = action(event)
    except HttpError as error:
        response = _response(error.status, {"message": error.message})
    except Exception as error:
        log_invocation("api", started, "error", route=_loggable(route, action), status=500,
                       error=type(error).__name__)
        return _response(500, {"message": "internal error"})
    status = response["statusCode"]
    log_invocation("api", started, "ok" if status < 400 else "client_error",
                   route=_loggable(route, action), status=status)
    return response


def health(event: dict[str, Any]) -> Response:
    return _response(200, {"status": "ok", "region": setting(settings.HOME_REGION)})


def config(event: dict[str, Any]) -> Response:
    return _response(200, {
        "region": setting(settings.HOME_REGION),
        "userPoolId": setting(settings.USER_POOL_ID),
        "userPoolClientId": setting(settings.USER_POOL_CLIENT_ID),
    })


def get_me(event: dict[str, Any]) -> Response:
    item = _data().get_item(TableName=setting(settings.DATA_TABLE), Key=_profile_key(_subject(event))).get("Item")
    return _response(200, _profile_from_item(item) if item else {})


def put_me(event: dict[str, Any]) -> Response:
    sub = _subject(event)
    profile = _validated_profile(_json_body(event))
    profile["updated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    _data().put_item(TableName=setting(settings.DATA_TABLE), Item={**_profile_key(sub), **_item_from_profile(profile)})
    return _response(200, profile)


def delete_me(event: dict[str, Any]) -> Response:
    sub = _subject(event)
    claims = _claims(event)
    # The pool's username (a UUID with email sign-in): `cognito:username` in ID tokens, `username` in access tokens.
    username = str(claims.get("cognito:username") or claims.get("username") or sub)
    cognito = client("cognito-idp", setting(settings.HOME_REGION))
    try:
        user = cognito.admin_get_user(UserPoolId=setting(settings.USER_POOL_ID), Username=username)
    except cognito.exceptions.UserNotFoundException:
        raise HttpError(404, "no such account") from None
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user.get("UserAttributes", [])}
    if attributes.get("sub") != sub:
        raise HttpError(403, "forbidden")
    # Disabled first: no sign-in can bind the address again between the release and the deletion.
    cognito.admin_disable_user(UserPoolId=setting(settings.USER_POOL_ID), Username=username)
    released = directory.release(directory.user_keys(attributes.get("email", "")), setting(settings.HOME_REGION))
    _delete_user_items(sub)
    cognito.admin_delete_user(UserPoolId=setting(settings.USER_POOL_ID), Username=username)
    return _response(200, {"deleted": True, "claims_released": released})


def _delete_user_items(sub: str) -> None:
    table = setting(settings.DATA_TABLE)
    pages = _data().get_paginator("query").paginate(
        TableName=table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": f"USER#{sub}"}},
        ProjectionExpression="pk, sk", ConsistentRead=True)
    for page in pages:
        for item in page.get("Items", []):
            _data().delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})


ROUTES = {"GET /health": health, "GET /config": config, "GET /me": get_me, "PUT /me": put_me,
          "DELETE /me": delete_me}


def _subject(event: dict[str, Any]) -> str:
    """The caller's sub, once the claims show the token belongs to this region."""
    claims = _claims(event)
    if not claims.get("sub"):
        raise HttpError(401, "unauthorized")
    # The authorizer already accepts only this region's pool; this catches a misconfigured one.
    if claims.get("custom:region") != setting(settings.HOME_REGION):
        raise HttpError(403, "forbidden")
    return str(claims["sub"])


def _claims(event: dict[str, Any]) -> dict[str, Any]:
    """The token's claims as the JWT authorizer passed them (none without an authorizer)."""
    authorizer = event.get("requestContext", {}).get("authorizer") or {}
    claims: dict[str, Any] = (authorizer.get("jwt") or {}).get("claims") or {}
    return claims


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
    for field, limit in STRING_LIMITS.items():
        if field in body:
            value = body[field]
            if not isinstance(value, str):
                raise HttpError(400, f"{field} must be a string")
            if len(value) > limit:
                raise HttpError(400, f"{field} must be at most {limit} characters")
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


def _profile_key(sub: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{sub}"}, "sk": {"S": PROFILE_SK}}


def _data() -> Any:
    return client("dynamodb", setting(settings.HOME_REGION))


def _route_from_request(event: dict[str, Any]) -> str:
    http = event.get("requestContext", {}).get("http", {})
    return f"{http.get('method', '')} {event.get('rawPath', '')}"


def _loggable(route: str, action: Any) -> str:
    # An unmatched path is caller-chosen text and may hold personal data, so it is not logged.
    return route if action is not None else "unmatched"


def _response(status: int, body: dict[str, Any]) -> Response:
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(body),
    }
