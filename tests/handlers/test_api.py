import json
import os

import boto3
import pytest

from handlers.api import handler
from tests.handlers.support import DATA_TABLE, HOME, OTHER, http_event

SUB = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10"
CLAIMS = {"sub": SUB, "email": "alice@example.com", "custom:region": HOME, "token_use": "id",
          "aud": "5example0client0id0abcdefg", "iss": f"https://cognito-idp.{HOME}.amazonaws.com/{HOME}_AbCdEfGhI"}


def call(event) -> tuple[int, dict]:
    response = handler(event, None)
    assert response["headers"] == {"content-type": "application/json", "cache-control": "no-store"}
    return response["statusCode"], json.loads(response["body"])


def store(sub: str, sk: str) -> None:
    """An item of the user's, as the product's own routes (extensions) keep them: under USER#<sub>."""
    boto3.client("dynamodb", region_name=HOME).put_item(
        TableName=DATA_TABLE, Item={"pk": {"S": f"USER#{sub}"}, "sk": {"S": sk}, "note": {"S": "x"}})


def stored(sub: str) -> list[str]:
    items = boto3.client("dynamodb", region_name=HOME).query(
        TableName=DATA_TABLE, KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"USER#{sub}"}})["Items"]
    return sorted(item["sk"]["S"] for item in items)


def test_health_reports_ok_and_the_home_region(aws):
    assert call(http_event("GET", "/health")) == (200, {"status": "ok", "region": HOME})


def test_config_tells_a_front_end_what_to_sign_up_with(aws):
    assert call(http_event("GET", "/config")) == (200, {
        "region": HOME, "userPoolId": f"{HOME}_AbCdEfGhI", "userPoolClientId": "5example0client0id0abcdefg",
        "features": {}})


@pytest.mark.parametrize("route_key", ["$default", None])
def test_the_route_comes_from_the_request_behind_a_default_route(aws, route_key):
    event = http_event("GET", "/health", route_key=route_key or "")
    if route_key is None:
        del event["routeKey"]
    assert call(event)[0] == 200
    event["rawPath"] = "/nope"
    assert call(event) == (404, {"message": "not found"})


# GET and PUT /me are not the core's: examples/profile-api adds them as an extension, with its own function.
@pytest.mark.parametrize("method, path", [("POST", "/health"), ("DELETE", "/health"), ("GET", "/users/alice"),
                                          ("GET", "/me"), ("PUT", "/me")])
def test_anything_else_is_404(aws, method, path):
    assert call(http_event(method, path, claims=CLAIMS)) == (404, {"message": "not found"})


def test_delete_me_without_claims_is_401(aws):
    assert call(http_event("DELETE", "/me")) == (401, {"message": "unauthorized"})
    assert call(http_event("DELETE", "/me", claims={"custom:region": HOME}))[0] == 401


def test_delete_me_with_another_regions_token_is_403_without_naming_a_region(aws):
    store(SUB, "PROFILE")
    for region in (OTHER, None):
        claims = {**CLAIMS, "custom:region": region} if region else {k: v for k, v in CLAIMS.items()
                                                                   if k != "custom:region"}
        assert call(http_event("DELETE", "/me", claims=claims)) == (403, {"message": "forbidden"})
    assert stored(SUB) == ["PROFILE"]


def test_the_log_lines_have_no_personal_data(aws, caplog, monkeypatch):
    claims = pool_member(monkeypatch)
    caplog.set_level("INFO", logger="handlers")
    call(http_event("GET", "/health"))
    call(http_event("DELETE", "/me", claims=claims))
    call(http_event("DELETE", "/me", claims=claims))  # gone: 404
    call(http_event("GET", "/users/alice@example.com"))
    records = [json.loads(record.getMessage()) for record in caplog.records if record.name == "handlers"]
    assert [(r["route"], r["status"]) for r in records] == [("GET /health", 200), ("DELETE /me", 200),
                                                            ("DELETE /me", 404), ("unmatched", 404)]
    assert all(set(r) == {"handler", "route", "status", "outcome", "duration_ms"} for r in records)
    text = caplog.text.lower()
    for secret in ("alice", claims["sub"], claims["username"]):
        assert secret.lower() not in text


def pool_member(monkeypatch, email: str = "Alice@Example.com") -> dict[str, str]:
    """A user in a real (moto) pool of this region, and the claims of their access token."""
    cognito = boto3.client("cognito-idp", region_name=HOME)
    pool_id = cognito.create_user_pool(PoolName="users", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    user = cognito.admin_create_user(UserPoolId=pool_id, Username=email,
                                     UserAttributes=[{"Name": "email", "Value": email}])["User"]
    attributes = {attribute["Name"]: attribute["Value"] for attribute in user["Attributes"]}
    return {"sub": attributes["sub"], "username": user["Username"], "custom:region": HOME, "token_use": "access",
            "client_id": "5example0client0id0abcdefg"}


def test_delete_me_releases_the_claim_then_deletes_the_data_and_the_user(aws, monkeypatch):
    from handlers import directory

    claims = pool_member(monkeypatch)
    keys = directory.user_keys("alice@example.com")
    assert directory.confirm(keys, HOME)
    assert directory.confirm(directory.user_keys("bob@example.com"), HOME)
    for sk in ("PROFILE", "ORDER#1", "ORDER#2"):
        store(claims["sub"], sk)
    store(SUB, "PROFILE")  # someone else's
    assert call(http_event("DELETE", "/me", claims=claims)) == (200, {"deleted": True, "claims_released": 1})
    assert [entry["user_key"]["S"] for entry in aws.entries()] == [aws.mac("bob@example.com")]
    assert stored(claims["sub"]) == [] and stored(SUB) == ["PROFILE"]
    cognito = boto3.client("cognito-idp", region_name=HOME)
    assert cognito.list_users(UserPoolId=claims_pool())["Users"] == []
    assert call(http_event("DELETE", "/me", claims=claims)) == (404, {"message": "no such account"})
    # The address is free again, in any region.
    assert directory.claim_pending(keys, OTHER, pending_seconds=60)


def claims_pool() -> str:
    return os.environ["USER_POOL_ID"]


def test_delete_me_leaves_a_claim_held_by_another_region_alone(aws, monkeypatch):
    from handlers import directory

    claims = pool_member(monkeypatch)
    assert directory.confirm(directory.user_keys("alice@example.com"), OTHER)
    assert call(http_event("DELETE", "/me", claims=claims)) == (200, {"deleted": True, "claims_released": 0})
    assert len(aws.entries()) == 1


def test_delete_me_refuses_a_token_whose_sub_is_not_the_users(aws, monkeypatch):
    claims = pool_member(monkeypatch)
    assert call(http_event("DELETE", "/me", claims={**claims, "sub": SUB})) == (403, {"message": "forbidden"})
    assert boto3.client("cognito-idp", region_name=HOME).list_users(UserPoolId=claims_pool())["Users"]
    assert call(http_event("DELETE", "/me")) == (401, {"message": "unauthorized"})
