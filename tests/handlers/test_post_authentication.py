import copy
import time

import pytest

from handlers import directory, post_authentication
from tests.handlers.support import HOME, OTHER, cognito_event, create_directory

EMAIL = "alice@example.com"


def signed_in(email=EMAIL, verified="true", source="PostAuthentication_Authentication"):
    return cognito_event(source, {"email": email, "email_verified": verified, "custom:region": HOME,
                                  "cognito:user_status": "CONFIRMED"})


def test_a_member_whose_address_is_not_confirmed_here_confirms_it(aws, monkeypatch):
    # Replication lag right after sign-up: this region's copy has nothing yet.
    monkeypatch.setenv("DIRECTORY_READ_REGION", HOME)
    create_directory(HOME)
    event = signed_in()
    before = copy.deepcopy(event)
    assert post_authentication.handler(event, None) == before
    entry = aws.entry(aws.mac(EMAIL))
    assert (entry["home_region"], entry["claim_state"]) == ({"S": HOME}, {"S": "confirmed"})


def test_a_claim_confirmed_here_is_not_written_again(aws, caplog):
    caplog.set_level("INFO", logger="handlers")
    assert directory.confirm(directory.user_keys(EMAIL), HOME)
    confirmed_at = aws.entry(aws.mac(EMAIL))["confirmed_at"]
    post_authentication.handler(signed_in(), None)
    assert aws.entry(aws.mac(EMAIL))["confirmed_at"] == confirmed_at
    assert '"outcome": "confirmed_before"' in caplog.text


def test_a_member_overrides_a_strangers_pending_claim_but_not_a_confirmed_one(aws):
    aws.put(aws.mac(EMAIL), OTHER, claim_state={"S": "pending"}, expires_at={"N": str(int(time.time()) + 3600)})
    assert post_authentication.handler(signed_in(), None)["triggerSource"] == "PostAuthentication_Authentication"
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": HOME}
    assert directory.confirm(directory.user_keys("bob@example.com"), OTHER)
    with pytest.raises(post_authentication.SignInRejected) as error:
        post_authentication.handler(signed_in(email="bob@example.com"), None)
    assert str(error.value) == "Incorrect username or password."
    assert aws.entry(aws.mac("bob@example.com"))["home_region"] == {"S": OTHER}


def test_a_verified_email_change_is_claimed_at_the_next_sign_in(aws):
    assert directory.confirm(directory.user_keys(EMAIL), HOME)
    post_authentication.handler(signed_in(email="alice.new@example.com"), None)
    assert aws.entry(aws.mac("alice.new@example.com"))["home_region"] == {"S": HOME}
    assert directory.claim_pending(directory.user_keys("alice.new@example.com"), OTHER, pending_seconds=60) is False


def test_an_unverified_address_is_never_confirmed(aws):
    event = signed_in(verified="false")
    assert post_authentication.handler(event, None) is event
    assert aws.entries() == []


def test_a_rotated_key_still_finds_old_users_and_moves_them_to_the_current_version(aws):
    assert directory.confirm(directory.user_keys(EMAIL), HOME)
    old = aws.mac(EMAIL)
    alias = aws.rotate_to("2")
    post_authentication.handler(signed_in(), None)
    (entry,) = aws.entries()
    assert entry["user_key"] == {"S": aws.mac(EMAIL, alias)} and entry["key_version"] == {"S": "2"}
    assert aws.entry(old) is None


def test_a_directory_failure_does_not_fail_the_sign_in(aws, monkeypatch, caplog):
    caplog.set_level("INFO", logger="handlers")
    monkeypatch.setenv("DIRECTORY_TABLE", "no-such-table")
    event = signed_in()
    assert post_authentication.handler(event, None) is event
    assert '"outcome": "error"' in caplog.text and "alice" not in caplog.text.lower()


def test_other_trigger_sources_pass_through(aws):
    event = signed_in(source="PreAuthentication_Authentication")
    assert post_authentication.handler(event, None) is event
    assert aws.entries() == []
