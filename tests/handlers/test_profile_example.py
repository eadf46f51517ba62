"""examples/profile-api's handler (GET /me, PUT /me), against the region's data table as residency lays it
out, and together with residency's own DELETE /me, which must erase what the example stores."""

import base64
import importlib.util
import json
import os
import sys
from pathlib import Path

import boto3
import pytest

from handlers.api import handler as core_handler
from tests.handlers.support import DATA_TABLE, HOME, OTHER, http_event

HANDLER_FILE = Path(__file__).resolve().parents[2] / "examples" / "profile-api" / "profile_api" / "handler" / "me.py"

SUB = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10"
CLAIMS = {"sub": SUB, "email": "alice@example.com", "custom:region": HOME, "token_use": "id",
          "aud": "5example0client0id0abcdefg", "iss": f"https://cognito-idp.{HOME}.amazonaws.com/{HOME}_AbCdEfGhI"}
PROFILE = {"display_name": "Alice", "locale": "de-DE", "preferences": {"theme": "dark", "font_scale": 1.25}}


@pytest.fixture
def me(aws, monkeypatch):
    """The example's handler module, loaded as Lambda loads it (a file at the zip's root), fresh per test; the
    caller is a real, enabled user of this region's pool (its sub is the pool's to choose)."""
    monkeypatch.setenv("PROFILE_TABLE", DATA_TABLE)
    cognito = boto3.client("cognito-idp", region_name=HOME)
    pool_id = cognito.create_user_pool(PoolName="users", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="alice@example.com",
                                     UserAttributes=[{"Name": "email", "Value": "alice@example.com"}])["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    monkeypatch.setitem(CLAIMS, "sub", sub)
    monkeypatch.setitem(CLAIMS, "cognito:username", user["Username"])
    monkeypatch.setattr(sys.modules[__name__], "SUB", sub)
    spec = importlib.util.spec_from_file_location("profile_example_me", HANDLER_FILE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def call(module, event) -> tuple[int, dict]:
    response = module.handler(event, None)
    assert response["headers"] == {"content-type": "application/json", "cache-control": "no-store"}
    return response["statusCode"], json.loads(response["body"])


def put_me(module, body, claims=CLAIMS, **options):
    text = body if isinstance(body, str) else json.dumps(body)
    return call(module, http_event("PUT", "/me", claims=claims, body=text, **options))


def stored_item() -> dict | None:
    return boto3.client("dynamodb", region_name=HOME).get_item(
        TableName=DATA_TABLE, Key={"pk": {"S": f"USER#{SUB}"}, "sk": {"S": "PROFILE"}}).get("Item")


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_without_claims_is_401(me, method):
    assert call(me, http_event(method, "/me", body="{}")) == (401, {"message": "unauthorized"})
    assert call(me, http_event(method, "/me", claims={"custom:region": HOME}, body="{}"))[0] == 401


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_another_regions_token_is_403_without_naming_a_region(me, method):
    for region in (OTHER, None):
        claims = {**CLAIMS, "custom:region": region} if region else {k: v for k, v in CLAIMS.items()
                                                                   if k != "custom:region"}
        assert call(me, http_event(method, "/me", claims=claims, body=json.dumps(PROFILE))) == (
            403, {"message": "forbidden"})
    assert stored_item() is None


@pytest.mark.parametrize("method, path", [("DELETE", "/me"), ("GET", "/users/alice"), ("POST", "/me")])
def test_routes_it_does_not_serve_are_404(me, method, path):
    assert call(me, http_event(method, path, claims=CLAIMS)) == (404, {"message": "not found"})


def test_get_before_any_profile_is_an_empty_object(me):
    assert call(me, http_event("GET", "/me", claims=CLAIMS)) == (200, {})


def test_put_then_get_round_trips_the_profile(me):
    status, stored = put_me(me, PROFILE)
    assert status == 200
    assert {k: v for k, v in stored.items() if k != "updated_at"} == PROFILE
    assert stored["updated_at"].endswith("Z")
    assert call(me, http_event("GET", "/me", claims=CLAIMS)) == (200, stored)
    item = stored_item()
    assert item["pk"] == {"S": f"USER#{SUB}"} and item["sk"] == {"S": "PROFILE"}
    assert set(item) == {"pk", "sk", "display_name", "locale", "preferences", "updated_at"}


def test_put_replaces_the_whole_profile(me):
    put_me(me, PROFILE)
    status, stored = put_me(me, {"locale": "fr"})
    assert status == 200 and set(stored) == {"locale", "updated_at"}
    assert call(me, http_event("GET", "/me", claims=CLAIMS))[1] == stored


def test_a_base64_encoded_body_is_decoded(me):
    encoded = base64.b64encode(json.dumps({"display_name": "Zoë"}).encode()).decode()
    status, stored = put_me(me, encoded, base64_body=True)
    assert status == 200 and stored["display_name"] == "Zoë"
    assert put_me(me, "not base64!", base64_body=True) == (400, {"message": "body is not valid base64"})


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
def test_invalid_bodies_are_400_and_store_nothing(me, body, message):
    assert put_me(me, body) == (400, {"message": message})
    assert stored_item() is None


def test_limits_are_inclusive(me):
    assert put_me(me, '{"preferences": {"a": ' + "[" * 14 + "]" * 14 + "}}")[0] == 200
    status, stored = put_me(me, {"display_name": "x" * 100, "locale": "y" * 35, "preferences": {}})
    assert status == 200 and len(stored["display_name"]) == 100


def test_an_oversized_body_is_413_and_stores_nothing(me):
    assert put_me(me, {"display_name": "x" * 20000})[0] == 413
    assert stored_item() is None


def test_an_infrastructure_failure_is_a_bare_500(me, monkeypatch):
    monkeypatch.setenv("PROFILE_TABLE", "no-such-table")
    assert call(me, http_event("GET", "/me", claims=CLAIMS)) == (500, {"message": "internal error"})


def test_the_log_lines_have_no_personal_data(me, caplog):
    caplog.set_level("INFO", logger="profile_api")
    put_me(me, PROFILE)
    call(me, http_event("GET", "/me", claims=CLAIMS))
    put_me(me, {"email": "alice@example.com"})
    call(me, http_event("GET", "/users/alice@example.com", claims=CLAIMS))
    records = [json.loads(record.getMessage()) for record in caplog.records if record.name == "profile_api"]
    assert [(r["route"], r["status"]) for r in records] == [
        ("PUT /me", 200), ("GET /me", 200), ("PUT /me", 400), ("unmatched", 404)]
    assert all(set(r) == {"handler", "route", "status", "outcome", "duration_ms"} for r in records)
    text = caplog.text.lower()
    for secret in ("alice", SUB, "dark", "de-de"):
        assert secret not in text


def test_residencys_delete_me_erases_the_profile_the_example_stored(me):
    """The contract between the core and an extension: whatever is kept under USER#<sub> goes with the account."""
    claims = {**CLAIMS, "token_use": "access"}
    assert put_me(me, PROFILE, claims=claims)[0] == 200
    assert call(me, http_event("GET", "/me", claims=claims))[1]["display_name"] == "Alice"
    deleted = core_handler(http_event("DELETE", "/me", claims=claims), None)
    assert deleted["statusCode"] == 200, deleted["body"]
    assert call(me, http_event("GET", "/me", claims=claims)) == (200, {})


def test_a_token_that_outlived_its_account_writes_nothing_back(me):
    """The review's reproduction: PUT /me with a still-valid token after DELETE /me."""
    assert core_handler(http_event("DELETE", "/me", claims=CLAIMS), None)["statusCode"] == 200
    assert put_me(me, PROFILE) == (403, {"message": "this account is deleted or disabled"})
    assert stored_item() is None


def test_a_disabled_account_writes_nothing(me):
    boto3.client("cognito-idp", region_name=HOME).admin_disable_user(
        UserPoolId=os.environ["USER_POOL_ID"], Username=CLAIMS["cognito:username"])
    assert put_me(me, PROFILE)[0] == 403
    assert stored_item() is None


def test_a_write_that_races_the_accounts_deletion_is_taken_back(me, monkeypatch):
    """DELETE /me runs between the first look and the write: the second look sees it and removes the item."""
    looks = iter([True, False])
    monkeypatch.setattr(me, "_account_active", lambda username, sub: next(looks))
    assert put_me(me, PROFILE)[0] == 403
    assert stored_item() is None


def test_another_accounts_sub_under_the_same_username_writes_nothing(me):
    """A token of an account deleted and signed up again under the same address: the pool's user is a new one."""
    assert put_me(me, PROFILE, claims={**CLAIMS, "sub": "00000000-0000-4000-8000-000000000000"})[0] == 403
