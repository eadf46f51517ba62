import base64
import json
import os

import boto3
import pytest

from handlers.api import handler
from tests.handlers.support import DATA_TABLE, HOME, OTHER, http_event

SUB = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10"
CLAIMS = {"sub": SUB, "email": "alice@example.com", "custom:region": HOME, "token_use": "id",
          "aud": "5example0client0id0abcdefg", "iss": f"https://cognito-idp.{HOME}.amazonaws.com/{HOME}_AbCdEfGhI"}
PROFILE = {"display_name": "Alice", "locale": "de-DE", "preferences": {"theme": "dark", "font_scale": 1.25}}


def call(event) -> tuple[int, dict]:
    response = handler(event, None)
    assert response["headers"] == {"content-type": "application/json", "cache-control": "no-store"}
    return response["statusCode"], json.loads(response["body"])


def put_me(body, claims=CLAIMS, **options):
    text = body if isinstance(body, str) else json.dumps(body)
    return call(http_event("PUT", "/me", claims=claims, body=text, **options))


def stored_item() -> dict | None:
    return boto3.client("dynamodb", region_name=HOME).get_item(
        TableName=DATA_TABLE, Key={"pk": {"S": f"USER#{SUB}"}, "sk": {"S": "PROFILE"}}).get("Item")


def test_health_reports_ok_and_the_home_region(aws):
    assert call(http_event("GET", "/health")) == (200, {"status": "ok", "region": HOME})


def test_config_tells_a_front_end_what_to_sign_up_with(aws):
    assert call(http_event("GET", "/config")) == (200, {
        "region": HOME, "userPoolId": f"{HOME}_AbCdEfGhI", "userPoolClientId": "5example0client0id0abcdefg"})


@pytest.mark.parametrize("route_key", ["$default", None])
def test_the_route_comes_from_the_request_behind_a_default_route(aws, route_key):
    event = http_event("GET", "/health", route_key=route_key or "")
    if route_key is None:
        del event["routeKey"]
    assert call(event)[0] == 200
    event["rawPath"] = "/nope"
    assert call(event) == (404, {"message": "not found"})


@pytest.mark.parametrize("method, path", [("POST", "/health"), ("DELETE", "/health"), ("GET", "/users/alice")])
def test_anything_else_is_404(aws, method, path):
    assert call(http_event(method, path, claims=CLAIMS)) == (404, {"message": "not found"})


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_me_without_claims_is_401(aws, method):
    assert call(http_event(method, "/me", body="{}")) == (401, {"message": "unauthorized"})
    event = http_event(method, "/me", claims={"custom:region": HOME}, body="{}")
    assert call(event)[0] == 401


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_me_with_another_regions_token_is_403_without_naming_a_region(aws, method):
    for region in (OTHER, None):
        claims = {**CLAIMS, "custom:region": region} if region else {k: v for k, v in CLAIMS.items()
                                                                   if k != "custom:region"}
        status, body = call(http_event(method, "/me", claims=claims, body=json.dumps(PROFILE)))
        assert (status, body) == (403, {"message": "forbidden"})
    assert stored_item() is None


def test_get_me_before_any_profile_is_an_empty_object(aws):
    assert call(http_event("GET", "/me", claims=CLAIMS)) == (200, {})


def test_put_then_get_round_trips_the_profile(aws):
    status, stored = put_me(PROFILE)
    assert status == 200
    assert {k: v for k, v in stored.items() if k != "updated_at"} == PROFILE
    assert stored["updated_at"].endswith("Z")
    assert call(http_event("GET", "/me", claims=CLAIMS)) == (200, stored)
    item = stored_item()
    assert item["pk"] == {"S": f"USER#{SUB}"} and item["sk"] == {"S": "PROFILE"}
    assert set(item) == {"pk", "sk", "display_name", "locale", "preferences", "updated_at"}


def test_put_replaces_the_whole_profile(aws):
    put_me(PROFILE)
    status, stored = put_me({"locale": "fr"})
    assert status == 200 and set(stored) == {"locale", "updated_at"}
    assert call(http_event("GET", "/me", claims=CLAIMS))[1] == stored


def test_a_base64_encoded_body_is_decoded(aws):
    encoded = base64.b64encode(json.dumps({"display_name": "Zoë"}).encode()).decode()
    status, stored = put_me(encoded, base64_body=True)
    assert status == 200 and stored["display_name"] == "Zoë"
    assert put_me("not base64!", base64_body=True) == (400, {"message": "body is not valid base64"})


@pytest.mark.parametrize("body, message", [
    ({"email": "a@b.c"}, "unknown fields: email; allowed: display_name, locale, preferences"),
    ({"display_name": 7}, "display_name must be a string"),
    ({"display_name": "x" * 101}, "display_name must be at most 100 characters"),
    ({"locale": ["de"]}, "locale must be a string"),
    ({"locale": "x" * 36}, "locale must be at most 35 characters"),
    ({"preferences": "dark"}, "preferences must be a JSON object"),
    ({"preferences": {"blob": "x" * 4096}}, "preferences must be at most 4096 bytes as JSON"),
    (["display_name"], "body must be a JSON object"),
    ("{not json", "body must be a JSON object"),
    ('{"preferences": {"x": NaN}}', "body must be a JSON object"),
    ("", "body must be a JSON object"),
    ('{"preferences": ' + "[" * 5000 + "]" * 5000 + "}", "body is nested more than 16 levels deep"),
    ('{"preferences": {"a": ' + "[" * 15 + "]" * 15 + "}}", "body is nested more than 16 levels deep"),
])
def test_invalid_bodies_are_400_and_store_nothing(aws, body, message):
    assert put_me(body) == (400, {"message": message})
    assert stored_item() is None


def test_sixteen_levels_are_allowed(aws):
    assert put_me('{"preferences": {"a": ' + "[" * 14 + "]" * 14 + "}}")[0] == 200


def test_limits_are_inclusive(aws):
    status, stored = put_me({"display_name": "x" * 100, "locale": "y" * 35, "preferences": {}})
    assert status == 200 and len(stored["display_name"]) == 100


def test_an_oversized_body_is_413(aws):
    assert put_me({"display_name": "x" * 20000})[0] == 413
    assert stored_item() is None


def test_an_infrastructure_failure_is_a_bare_500(aws, monkeypatch):
    monkeypatch.setenv("DATA_TABLE", "no-such-table")
    assert call(http_event("GET", "/me", claims=CLAIMS)) == (500, {"message": "internal error"})


def test_the_log_lines_have_no_personal_data(aws, caplog):
    caplog.set_level("INFO", logger="handlers")
    put_me(PROFILE)
    call(http_event("GET", "/me", claims=CLAIMS))
    put_me({"email": "alice@example.com"})
    call(http_event("GET", "/users/alice@example.com"))
    records = [json.loads(record.getMessage()) for record in caplog.records if record.name == "handlers"]
    assert [(r["route"], r["status"]) for r in records] == [
        ("PUT /me", 200), ("GET /me", 200), ("PUT /me", 400), ("unmatched", 404)]
    assert all(set(r) == {"handler", "route", "status", "outcome", "duration_ms"} for r in records)
    text = caplog.text.lower()
    for secret in ("alice", SUB, "dark", "de-de"):
        assert secret not in text


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
    assert put_me(PROFILE, claims=claims)[0] == 200
    assert call(http_event("DELETE", "/me", claims=claims)) == (200, {"deleted": True, "claims_released": 1})
    assert [entry["user_key"]["S"] for entry in aws.entries()] == [aws.mac("bob@example.com")]
    assert call(http_event("GET", "/me", claims=claims)) == (200, {})
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
