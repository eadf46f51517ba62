import copy

import pytest

from handlers import directory, post_confirmation, pre_signup
from tests.handlers.support import HOME, OTHER, cognito_event

EMAIL = "alice@example.com"


def confirmation(email=EMAIL, source="PostConfirmation_ConfirmSignUp"):
    return cognito_event(source, {"email": email, "email_verified": "true", "custom:region": HOME,
                                  "sub": "7a1e2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"})


def signed_up(region: str, monkeypatch) -> None:
    monkeypatch.setenv("HOME_REGION", region)
    pre_signup.handler(cognito_event("PreSignUp_SignUp", {"email": EMAIL, "custom:region": region}), None)
    monkeypatch.setenv("HOME_REGION", HOME)


def test_confirming_the_sign_up_makes_the_claim_binding(aws, monkeypatch):
    signed_up(HOME, monkeypatch)
    event = confirmation()
    before = copy.deepcopy(event)
    assert post_confirmation.handler(event, None) == before
    entry = aws.entry(aws.mac(EMAIL))
    assert entry["claim_state"] == {"S": "confirmed"} and "expires_at" not in entry
    monkeypatch.setenv("HOME_REGION", OTHER)
    with pytest.raises(pre_signup.SignUpRejected):
        pre_signup.handler(cognito_event("PreSignUp_SignUp", {"email": EMAIL, "custom:region": OTHER}), None)


def test_an_address_confirmed_elsewhere_meanwhile_refuses_the_confirmation(aws, monkeypatch):
    signed_up(OTHER, monkeypatch)
    assert directory.confirm(directory.user_keys(EMAIL), OTHER)  # that region's own confirmation
    with pytest.raises(post_confirmation.ConfirmationRejected) as error:
        post_confirmation.handler(confirmation(), None)
    assert str(error.value) == "This account cannot be registered here." and OTHER not in str(error.value)
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": OTHER}


def test_a_directory_failure_does_not_fail_the_confirmation(aws, monkeypatch, caplog):
    # The next sign-in confirms the claim (pre_auth); the user is not told about an outage.
    caplog.set_level("INFO", logger="handlers")
    monkeypatch.setenv("DIRECTORY_TABLE", "no-such-table")
    event = confirmation()
    assert post_confirmation.handler(event, None) is event
    assert '"outcome": "error"' in caplog.text and "alice" not in caplog.text.lower()


def test_a_forgotten_password_confirmation_is_ignored(aws):
    event = confirmation(source="PostConfirmation_ConfirmForgotPassword")
    assert post_confirmation.handler(event, None) is event
    assert aws.entries() == []


@pytest.mark.parametrize(("attributes", "outcome"), [
    ({"email_verified": "false"}, "unverified"),  # AdminConfirmSignUp: nobody proved the address
    ({"sub": ""}, "no_account"),
    ({"email": "ali\u200bce@example.com"}, "ambiguous_address"),
])
def test_a_confirmation_that_cannot_prove_or_record_the_address_leaves_the_claim_pending(aws, monkeypatch, caplog,
                                                                                        attributes, outcome):
    caplog.set_level("INFO", logger="handlers")
    signed_up(HOME, monkeypatch)
    event = confirmation()
    event["request"]["userAttributes"].update(attributes)
    assert post_confirmation.handler(event, None) is event
    assert f'"outcome": "{outcome}"' in caplog.text
    assert aws.entry(aws.mac(EMAIL))["claim_state"] == {"S": "pending"}


def test_the_claim_is_recorded_with_the_account_before_it_binds(aws, monkeypatch):
    """A record that fails leaves nothing bound: otherwise an account deleted before its first sign-in would leave a
    claim the reconciler cannot find."""
    from handlers import account_claims

    signed_up(HOME, monkeypatch)

    def throttled(sub, key):
        raise RuntimeError("ProvisionedThroughputExceededException")

    monkeypatch.setattr(account_claims, "remember", throttled)
    post_confirmation.handler(confirmation(), None)
    assert aws.entry(aws.mac(EMAIL))["claim_state"] == {"S": "pending"}
