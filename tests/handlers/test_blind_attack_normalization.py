"""Blind review: the sign-up refusal of addresses a comparison might fold is bypassed by an email change.

Each test asserts the secure behaviour, so it fails while the flaw exists.
"""

import pytest

from handlers import directory, post_authentication
from tests.handlers.support import HOME, OTHER, cognito_event


@pytest.mark.parametrize(("changed_to", "plain"), [
    ("\uff41\uff4c\uff49\uff43\uff45@example.com", "alice@example.com"),  # full-width (NFKC folds it)
    ("alice\u200b@example.com", "alice@example.com"),  # a zero-width space inside
    ("cafe\u0301@example.com", "café@example.com"),  # a combining accent (NFC/NFKC compose it)
])
def test_blind_attack_an_email_change_binds_an_address_sign_up_refuses_as_ambiguous(aws, changed_to, plain):
    """README: "a sign-up is accepted only for an address every plausible comparison treats alike", because one
    address under two keys could be confirmed in two regions. Post-authentication keys a changed, verified address
    with the old lenient rule (strip, lower) and binds it, so an address the pool or the mail system may fold into
    one already bound elsewhere gets a second, different key and a second home."""
    aws.monkeypatch.setenv("HOME_REGION", OTHER)
    assert directory.confirm(directory.user_keys(plain, new_address=True), OTHER)
    aws.monkeypatch.setenv("HOME_REGION", HOME)
    event = cognito_event("PostAuthentication_Authentication", {
        "sub": "0b8d2c6e-6666-4a51-9c0e-2a6b8d7e5f10", "email": changed_to, "email_verified": "true",
        "custom:region": HOME})
    try:
        post_authentication.handler(event, None)
    except post_authentication.SignInRejected:
        pass
    homes = {entry["home_region"]["S"] for entry in aws.entries()
             if entry.get("claim_state", {}).get("S") == "confirmed"}
    assert homes == {OTHER}
