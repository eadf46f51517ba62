"""The region's API backend (API Gateway HTTP API, payload format 2.0).

GET /health and GET /config are public; DELETE /me sits behind the JWT authorizer on this region's
user pool. DELETE /me deletes the account: it disables the user (no sign-in from here on), releases
its directory claims (the address it has now, and every one it confirmed here before, recorded with the account:
handlers/account_claims.py), so an address is never left bound to a region without an account, then deletes
its data (every item under `USER#<sub>` in the region's data table, whatever route wrote it) and the user.
The product's own routes are extensions (examples/profile-api adds GET and PUT /me).
"""

from __future__ import annotations

import json
import time
from typing import Any

from handlers import account_claims, directory, features, settings
from handlers.runtime import client, log_invocation, setting

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
        "features": features.current(),
    })


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
    home = setting(settings.HOME_REGION)
    released = directory.release(directory.user_keys(attributes.get("email", "")), home)
    # Every address the account claimed here before (an email change): its records go with the account's items.
    released += sum(directory.release_for(key, home, sub) for key in account_claims.claimed(sub))
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


ROUTES = {"GET /health": health, "GET /config": config, "DELETE /me": delete_me}


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
