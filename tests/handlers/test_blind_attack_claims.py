"""Blind review: a live account's claim released, or an address left bound with no account behind it.

Each test asserts the secure behaviour, so it fails while the flaw exists.
"""

import boto3
from botocore.exceptions import ClientError

from handlers import account_claims, claim_reconciler, directory, post_authentication, post_confirmation
from handlers.api import _delete_user_items
from tests.handlers.support import HOME, cognito_event
from tests.handlers.test_account_claims import bound
from tests.handlers.test_claim_reconciler import member, sign_in_event


def cognito():
    return boto3.client("cognito-idp", region_name=HOME)


def new_user(pool_id: str, email: str) -> tuple[str, str]:
    """A user of the pool that has not confirmed anything in the directory: (username, sub)."""
    user = cognito().admin_create_user(UserPoolId=pool_id, Username=email,
                                       UserAttributes=[{"Name": "email", "Value": email}])["User"]
    return user["Username"], next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")


def throttled(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}}, operation)


def test_blind_attack_the_reconciler_releases_the_claim_of_the_live_account_now_holding_the_address(pool):
    """A (alice@) is deleted with AdminDeleteUser. Before the next run, a new account B gets alice@ without a
    post-confirmation (AdminCreateUser with a verified address, or an email change of an existing account) and
    signs in: post-authentication sees the address "confirmed here" and skips the write, so the claim still names
    A (`claimed_by`) while B's record names it too. The reconciler then releases B's live claim as A's."""
    gone_user, _ = member(pool, "alice@example.com")
    cognito().admin_delete_user(UserPoolId=pool, Username=gone_user)
    username, sub = new_user(pool, "alice@example.com")
    post_authentication.handler(sign_in_event(pool, username, sub, "alice@example.com"), None)
    claim_reconciler.handler({}, None)
    assert bound("alice@example.com") == [(HOME, "confirmed")]  # B still lives here with that address


def test_blind_attack_an_old_owners_next_sign_in_releases_the_address_another_account_took_by_email_change(pool):
    """A confirms alice@, then changes (and verifies) its address to alice@new.example without signing in. C changes
    its address to alice@ (free in the pool now) and signs in: "confirmed before", claimed_by still A. A signs in
    with its new address and releases its older ones: alice@ goes, though C holds it."""
    a_user, a_sub = member(pool, "alice@example.com")
    c_user, c_sub = member(pool, "carol@example.com")
    post_authentication.handler(sign_in_event(pool, c_user, c_sub, "alice@example.com"), None)
    post_authentication.handler(sign_in_event(pool, a_user, a_sub, "alice@new.example"), None)
    assert bound("alice@example.com") == [(HOME, "confirmed")]


def test_blind_attack_a_throttled_read_back_lets_a_sign_in_racing_delete_me_bind_the_address_for_good(pool,
                                                                                                   monkeypatch):
    """DELETE /me disables the user and releases; the sign-in in flight confirms and records the claim; DELETE /me
    erases the account's items (the new record with them) and the user; post-authentication's read back
    (AdminGetUser) is throttled, the exception is swallowed and the sign-in goes on: the address stays bound with
    no account and no record, so not even the reconciler finds it."""
    username, sub = member(pool, "alice@example.com")
    cognito().admin_disable_user(UserPoolId=pool, Username=username)  # DELETE /me, first half
    directory.release(directory.user_keys("alice@example.com"), HOME)
    for key in account_claims.claimed(sub):
        directory.release_for(key, HOME, sub)

    def read_back(self, sub_):
        _delete_user_items(sub)  # DELETE /me, second half, meanwhile
        cognito().admin_delete_user(UserPoolId=pool, Username=username)
        raise throttled("AdminGetUser")

    monkeypatch.setattr(post_authentication._Account, "still_enabled", read_back)
    try:
        post_authentication.handler(sign_in_event(pool, username, sub, "alice@example.com"), None)
    except post_authentication.SignInRejected:
        pass
    claim_reconciler.handler({}, None)
    assert bound("alice@example.com") == []


def test_blind_attack_a_confirmation_whose_record_failed_leaves_the_address_bound_after_admin_delete(pool,
                                                                                                  monkeypatch):
    """post_confirmation confirms first and records the account second; the record's write is throttled and the
    error swallowed. The account is then deleted with AdminDeleteUser before it ever signs in: the reconciler has no
    record, so the address is bound to this region for good."""
    username, sub = new_user(pool, "alice@example.com")
    real_remember = account_claims.remember

    def remember(sub_, key):
        raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                          "PutItem")

    monkeypatch.setattr(account_claims, "remember", remember)
    post_confirmation.handler(cognito_event("PostConfirmation_ConfirmSignUp", {
        "sub": sub, "email": "alice@example.com", "email_verified": "true", "custom:region": HOME}), None)
    monkeypatch.setattr(account_claims, "remember", real_remember)  # the throttling is over
    cognito().admin_delete_user(UserPoolId=pool, Username=username)
    claim_reconciler.handler({}, None)
    assert bound("alice@example.com") == []


def test_blind_attack_post_confirmation_binds_an_address_nobody_verified(aws):
    """AdminConfirmSignUp (or a crafted invocation) confirms a sign-up without the code sent to the address:
    post_confirmation binds the address anyway, unlike post_authentication, which refuses an unverified one."""
    post_confirmation.handler(cognito_event("PostConfirmation_ConfirmSignUp", {
        "sub": "0b8d2c6e-5555-4a51-9c0e-2a6b8d7e5f10", "email": "victim@example.com", "email_verified": "false",
        "custom:region": HOME}), None)
    assert [state for _, state in bound("victim@example.com")] != ["confirmed"]
