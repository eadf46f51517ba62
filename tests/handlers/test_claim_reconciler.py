"""Claims leave with their account whatever deleted it, and a sign-in racing a deletion binds nothing.

The review's reproductions: an account deleted with AdminDeleteUser (not DELETE /me) kept its address bound to its
region for good; a sign-in in flight while DELETE /me ran reached post-authentication after the release and bound
the address again.
"""

import json

import boto3
import pytest

from handlers import claim_reconciler, directory, post_authentication
from handlers.api import handler as api
from handlers.pre_auth import SignInRejected
from tests.handlers.support import HOME, OTHER, cognito_event, http_event
from tests.handlers.test_account_claims import bound, confirmed_sign_up
from tests.handlers.test_api import stored

THROWAWAY = "residency-verify-0123456789abcdef@verify.invalid"


def member(pool_id: str, email: str) -> tuple[str, str]:
    """A user of the pool whose address is confirmed here, recorded with the account: (username, sub)."""
    user = boto3.client("cognito-idp", region_name=HOME).admin_create_user(
        UserPoolId=pool_id, Username=email, UserAttributes=[{"Name": "email", "Value": email}])["User"]
    sub = next(attribute["Value"] for attribute in user["Attributes"] if attribute["Name"] == "sub")
    confirmed_sign_up(sub, email)
    return user["Username"], sub


def sign_in_event(pool_id: str, username: str, sub: str, email: str) -> dict:
    event = cognito_event("PostAuthentication_Authentication",
                          {"sub": sub, "email": email, "email_verified": "true", "custom:region": HOME},
                          user_name=username)
    event["userPoolId"] = pool_id
    return event


def test_an_account_deleted_outside_delete_me_has_its_claims_released_by_the_next_run(pool, capsys):
    kept_user, kept_sub = member(pool, "alice@example.com")
    gone_user, gone_sub = member(pool, "bob@example.com")
    boto3.client("cognito-idp", region_name=HOME).admin_delete_user(UserPoolId=pool, Username=gone_user)
    assert bound("bob@example.com") == [(HOME, "confirmed")]  # the reproduction: bound for good
    result = claim_reconciler.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)
    assert result == {"scanned": 2, "released": 1}
    assert bound("bob@example.com") == []
    assert directory.claim_pending(directory.user_keys("bob@example.com"), OTHER, pending_seconds=60)
    assert bound("alice@example.com") == [(HOME, "confirmed")]
    assert stored(gone_sub) == [] and len(stored(kept_sub)) == 1
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert metrics and metrics[-1]["ClaimsReleased"] == 1 and metrics[-1]["ClaimReleaseFailures"] == 0
    assert "bob" not in json.dumps(metrics)


def test_a_disabled_account_keeps_its_claims(pool):
    username, _ = member(pool, "alice@example.com")
    boto3.client("cognito-idp", region_name=HOME).admin_disable_user(UserPoolId=pool, Username=username)
    claim_reconciler.handler({}, None)
    assert bound("alice@example.com") == [(HOME, "confirmed")]


def test_an_address_another_account_has_confirmed_since_is_left_alone(pool, aws):
    username, sub = member(pool, "alice@example.com")
    boto3.client("cognito-idp", region_name=HOME).admin_delete_user(UserPoolId=pool, Username=username)
    boto3.client("dynamodb", region_name="us-east-1").update_item(  # at the primary: someone else's now
        TableName="acme-health-directory", Key={"user_key": {"S": aws.mac("alice@example.com")}},
        UpdateExpression="SET claimed_by = :other", ExpressionAttributeValues={":other": {"S": "someone-else"}})
    assert claim_reconciler.handler({}, None)["released"] == 0
    assert bound("alice@example.com") == [(HOME, "confirmed")]


def test_a_run_that_cannot_release_a_claim_releases_the_others_and_fails(pool, monkeypatch):
    for email in ("alice@example.com", "bob@example.com"):
        username, _ = member(pool, email)
        boto3.client("cognito-idp", region_name=HOME).admin_delete_user(UserPoolId=pool, Username=username)
    failing = directory.user_keys("alice@example.com")[0]
    release_for = directory.release_for

    def flaky(key, home_region, account):
        if key == failing:
            raise RuntimeError("throttled")
        return release_for(key, home_region, account)

    monkeypatch.setattr(directory, "release_for", flaky)
    with pytest.raises(claim_reconciler.ReconciliationIncomplete, match="1 claims"):
        claim_reconciler.handler({}, None)
    assert bound("bob@example.com") == [] and bound("alice@example.com") == [(HOME, "confirmed")]


def test_a_sign_in_that_reaches_post_authentication_after_delete_me_binds_nothing(pool, monkeypatch):
    username, sub = member(pool, "alice@example.com")
    claims = {"sub": sub, "username": username, "custom:region": HOME, "token_use": "access"}
    assert api(http_event("DELETE", "/me", claims=claims), None)["statusCode"] == 200
    assert bound("alice@example.com") == []
    with pytest.raises(SignInRejected):
        post_authentication.handler(sign_in_event(pool, username, sub, "alice@example.com"), None)
    assert bound("alice@example.com") == [] and stored(sub) == []


def test_a_sign_in_of_a_disabled_account_releases_what_it_would_bind(pool):
    username, sub = member(pool, "alice@example.com")
    boto3.client("cognito-idp", region_name=HOME).admin_disable_user(UserPoolId=pool, Username=username)
    directory.release(directory.user_keys("alice@example.com"), HOME)  # DELETE /me got as far as the release
    with pytest.raises(SignInRejected):
        post_authentication.handler(sign_in_event(pool, username, sub, "alice@example.com"), None)
    assert bound("alice@example.com") == []


def test_a_sign_in_of_an_enabled_account_keeps_its_claim(pool):
    username, sub = member(pool, "alice@example.com")
    directory.release(directory.user_keys("alice@example.com"), HOME)
    post_authentication.handler(sign_in_event(pool, username, sub, "alice@example.com"), None)
    assert bound("alice@example.com") == [(HOME, "confirmed")]


def test_verify_s_throwaway_claims_are_released_on_request_and_nothing_else(pool, monkeypatch):
    directory.claim_pending(directory.user_keys(THROWAWAY, new_address=True), HOME, pending_seconds=3600)
    directory.claim_pending(directory.user_keys("carol@example.com", new_address=True), HOME, pending_seconds=3600)
    confirmed = "residency-verify-fedcba9876543210@verify.invalid"
    directory.confirm(directory.user_keys(confirmed), HOME)
    result = claim_reconciler.handler({"release_throwaway_addresses": [
        THROWAWAY, "carol@example.com", confirmed, "residency-verify-x@verify.invalid", 7]}, None)
    assert result == {"released": 1, "refused": 3}
    assert bound(THROWAWAY) == []
    assert bound("carol@example.com") == [(HOME, "pending")]  # not a throwaway address: refused
    assert bound(confirmed) == [(HOME, "confirmed")]  # only pending claims go


def test_a_throwaway_claim_of_another_region_is_not_released_here(pool, monkeypatch):
    directory.claim_pending(directory.user_keys(THROWAWAY, new_address=True), OTHER, pending_seconds=3600)
    assert claim_reconciler.handler({"release_throwaway_addresses": [THROWAWAY]}, None) == {"released": 0,
                                                                                            "refused": 0}
    assert bound(THROWAWAY) == [(OTHER, "pending")]
