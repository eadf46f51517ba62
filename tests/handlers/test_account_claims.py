"""Claims leave with their account: each confirmation is recorded with the account, a verified email change
releases the old address once the new one is confirmed, and DELETE /me releases every address the account held
(the review's reproduction: an email change, a sign-in, DELETE /me, and the old address stayed bound for good)."""

import boto3

from handlers import account_claims, directory, post_authentication, post_confirmation
from handlers.api import handler as api
from tests.handlers.support import HOME, OTHER, cognito_event, http_event
from tests.handlers.test_api import pool_member, stored

OLD, NEW = "alice@example.com", "alice@new.example"


def confirmed_sign_up(sub: str, email: str = OLD) -> None:
    post_confirmation.handler(cognito_event("PostConfirmation_ConfirmSignUp", {
        "sub": sub, "email": email, "email_verified": "true", "custom:region": HOME}), None)


def bound(email: str) -> list[tuple[str, str]]:
    return [(entry.home_region, entry.state) for entry in directory.lookup(directory.user_keys(email),
                                                                         authoritative=True)]


def test_a_confirmation_records_the_account_on_the_claim_and_the_claim_with_the_account(aws):
    sub = "0b8d2c6e-1111-4a51-9c0e-2a6b8d7e5f10"
    confirmed_sign_up(sub)
    entry = aws.entry(aws.mac(OLD))
    assert entry["claimed_by"] == {"S": sub} and entry["claim_state"] == {"S": "confirmed"}
    assert stored(sub) == [f"CLAIM#{aws.mac(OLD)}"]
    assert "alice" not in str(stored(sub))


def test_a_verified_email_change_releases_the_old_address_once_the_new_one_is_confirmed(aws):
    _, sub = aws.member(OLD)
    confirmed_sign_up(sub)
    post_authentication.handler(aws.sign_in(OLD, as_address=NEW), None)
    assert bound(NEW) == [(HOME, "confirmed")]
    assert bound(OLD) == []  # free again, in any region
    assert directory.claim_pending(directory.user_keys(OLD), OTHER, pending_seconds=60)
    assert stored(sub) == [f"CLAIM#{aws.mac(NEW)}"]


def test_an_old_address_another_account_has_confirmed_since_is_left_alone(aws):
    mine, theirs = aws.member(OLD)[1], "0b8d2c6e-4444-4a51-9c0e-2a6b8d7e5f10"
    confirmed_sign_up(mine)
    account_claims.remember(mine, directory.user_keys(OLD)[0])
    boto3.client("dynamodb", region_name="us-east-1").update_item(  # the primary: another account's now
        TableName="acme-health-directory", Key={"user_key": {"S": aws.mac(OLD)}},
        UpdateExpression="SET claimed_by = :theirs", ExpressionAttributeValues={":theirs": {"S": theirs}})
    post_authentication.handler(aws.sign_in(OLD, as_address=NEW), None)
    assert bound(OLD) == [(HOME, "confirmed")]


def test_delete_me_releases_every_address_the_account_held_here(aws, monkeypatch):
    claims = pool_member(monkeypatch)  # the pool's user has OLD as its address
    sub = claims["sub"]
    confirmed_sign_up(sub, NEW)  # an address it confirmed before its current one, never signed in since
    confirmed_sign_up(sub, OLD)
    assert bound(NEW) == [(HOME, "confirmed")] and bound(OLD) == [(HOME, "confirmed")]
    response = api(http_event("DELETE", "/me", claims=claims), None)
    assert response["statusCode"] == 200, response["body"]
    assert bound(NEW) == [] and bound(OLD) == []
    assert stored(sub) == []
