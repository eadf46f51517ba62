import copy
import time

import pytest

from handlers import directory, post_authentication
from tests.handlers.support import HOME, OTHER, create_directory

EMAIL = "alice@example.com"


def signed_in(aws, email=EMAIL, verified="true", source="PostAuthentication_Authentication", as_address=None):
    """A pool member's sign-in (post-authentication reads the account back)."""
    event = aws.sign_in(email, verified=verified, as_address=as_address)
    event["triggerSource"] = source
    return event


def test_a_member_whose_address_is_not_confirmed_here_confirms_it(aws, monkeypatch):
    # Replication lag right after sign-up: this region's copy has nothing yet.
    monkeypatch.setenv("DIRECTORY_READ_REGION", HOME)
    create_directory(HOME)
    event = signed_in(aws)
    before = copy.deepcopy(event)
    assert post_authentication.handler(event, None) == before
    entry = aws.entry(aws.mac(EMAIL))
    assert (entry["home_region"], entry["claim_state"]) == ({"S": HOME}, {"S": "confirmed"})


def test_a_claim_confirmed_here_is_not_written_again(aws, caplog):
    caplog.set_level("INFO", logger="handlers")
    assert directory.confirm(directory.user_keys(EMAIL), HOME, account=aws.member(EMAIL)[1])
    confirmed_at = aws.entry(aws.mac(EMAIL))["confirmed_at"]
    post_authentication.handler(signed_in(aws), None)
    assert aws.entry(aws.mac(EMAIL))["confirmed_at"] == confirmed_at
    assert '"outcome": "confirmed_before"' in caplog.text


def test_a_member_overrides_a_strangers_pending_claim_but_not_a_confirmed_one(aws):
    aws.put(aws.mac(EMAIL), OTHER, claim_state={"S": "pending"}, expires_at={"N": str(int(time.time()) + 3600)})
    assert post_authentication.handler(signed_in(aws), None)["triggerSource"] == "PostAuthentication_Authentication"
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": HOME}
    assert directory.confirm(directory.user_keys("bob@example.com"), OTHER)
    with pytest.raises(post_authentication.SignInRejected) as error:
        post_authentication.handler(signed_in(aws, email="bob@example.com"), None)
    assert str(error.value) == "Incorrect username or password."
    assert aws.entry(aws.mac("bob@example.com"))["home_region"] == {"S": OTHER}


def test_a_verified_email_change_is_claimed_at_the_next_sign_in(aws):
    assert directory.confirm(directory.user_keys(EMAIL), HOME)
    post_authentication.handler(signed_in(aws, as_address="alice.new@example.com"), None)
    assert aws.entry(aws.mac("alice.new@example.com"))["home_region"] == {"S": HOME}
    assert directory.claim_pending(directory.user_keys("alice.new@example.com"), OTHER, pending_seconds=60) is False


def test_an_unverified_address_is_never_confirmed(aws):
    event = signed_in(aws, verified="false")
    assert post_authentication.handler(event, None) is event
    assert aws.entries() == []


def test_a_rotated_key_still_finds_old_users_and_moves_them_to_the_current_version(aws):
    assert directory.confirm(directory.user_keys(EMAIL), HOME)
    old = aws.mac(EMAIL)
    alias = aws.rotate_to("2")
    post_authentication.handler(signed_in(aws), None)
    (entry,) = aws.entries()
    assert entry["user_key"] == {"S": aws.mac(EMAIL, alias)} and entry["key_version"] == {"S": "2"}
    assert aws.entry(old) is None


def test_a_directory_failure_does_not_fail_the_sign_in(aws, monkeypatch, caplog):
    caplog.set_level("INFO", logger="handlers")
    monkeypatch.setenv("DIRECTORY_TABLE", "no-such-table")
    event = signed_in(aws)
    assert post_authentication.handler(event, None) is event
    assert '"outcome": "error"' in caplog.text and "alice" not in caplog.text.lower()


def test_other_trigger_sources_pass_through(aws):
    event = signed_in(aws, source="PreAuthentication_Authentication")
    assert post_authentication.handler(event, None) is event
    assert aws.entries() == []


def test_a_claim_here_naming_another_account_is_rewritten_for_the_one_signing_in(aws):
    """An account deleted (or changed away) while another took the address: the claim must name the account that
    holds it now, or the old one's release or the reconciler would take it from them."""
    assert directory.confirm(directory.user_keys(EMAIL), HOME, account="a-deleted-account")
    post_authentication.handler(signed_in(aws), None)
    assert aws.entry(aws.mac(EMAIL))["claimed_by"] == {"S": aws.member(EMAIL)[1]}


def test_a_changed_address_sign_up_would_refuse_is_not_bound(aws, caplog):
    caplog.set_level("INFO", logger="handlers")
    event = signed_in(aws, as_address="\uff41lice@example.com")  # full-width a: NFKC folds it to alice
    assert post_authentication.handler(event, None) is event
    assert aws.entries() == [] and '"outcome": "ambiguous_address"' in caplog.text


def test_a_read_back_that_fails_after_binding_releases_and_refuses(aws, monkeypatch):
    """Racing DELETE /me: the account cannot be read back (throttled), so what this sign-in bound is not kept."""
    event = signed_in(aws)

    def throttled(self, sub):
        raise RuntimeError("TooManyRequestsException")

    monkeypatch.setattr(post_authentication._Account, "still_enabled", throttled)
    with pytest.raises(post_authentication.SignInRejected):
        post_authentication.handler(event, None)
    assert aws.entries() == []
