import copy
import time

import pytest

from handlers import directory, pre_auth, runtime
from tests.handlers.support import HOME, OTHER, cognito_event, create_directory

EMAIL = "alice@example.com"
SUB = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10"
WRONG_PASSWORD = "Incorrect username or password."


def sign_in(email=EMAIL, region=HOME):
    attributes = {"sub": SUB, "email_verified": "true", "cognito:user_status": "CONFIRMED", "email": email}
    if region is not None:
        attributes["custom:region"] = region
    return cognito_event("PreAuthentication_Authentication", attributes, user_name=SUB)


def homed(email: str, region: str) -> None:
    assert directory.confirm(directory.user_keys(email), region)


def rejection(event) -> str:
    with pytest.raises(pre_auth.SignInRejected) as error:
        pre_auth.handler(event, None)
    return str(error.value)


def test_a_user_homed_here_signs_in_and_the_event_is_returned_unchanged(aws):
    homed(EMAIL, HOME)
    event = sign_in(email=" ALICE@example.com")
    before = copy.deepcopy(event)
    assert pre_auth.handler(event, None) == before


def test_a_user_homed_elsewhere_gets_the_wrong_password_message(aws):
    homed(EMAIL, OTHER)
    # Even a user whose custom:region claims this region: the directory decides.
    message = rejection(sign_in(region=HOME))
    assert message == WRONG_PASSWORD
    assert OTHER not in message


def test_an_unknown_user_without_custom_region_gets_the_identical_message(aws):
    homed(EMAIL, OTHER)
    elsewhere = rejection(sign_in())
    unknown = rejection(sign_in(email="nobody@example.com", region=None))
    assert elsewhere == unknown == WRONG_PASSWORD


def test_an_address_not_confirmed_here_is_let_through_but_not_written(aws, monkeypatch):
    # Replication lag, an email change, a pending claim: post_authentication confirms once the
    # password is checked. pre_auth runs before that, for anyone who knows the address.
    monkeypatch.setenv("DIRECTORY_READ_REGION", HOME)
    create_directory(HOME)  # this region's replica, which has nothing yet
    event = sign_in(email="new@example.com", region=HOME)
    assert pre_auth.handler(event, None) is event
    assert aws.entries() == []
    assert rejection(sign_in(email="new@example.com", region=OTHER)) == WRONG_PASSWORD


def test_a_stranger_signing_in_to_an_unconfirmed_account_binds_nothing(aws):
    # The attack: sign the victim's address up here, never confirm, then call InitiateAuth with any
    # password. Pre-authentication runs for unconfirmed users too; it must not make the claim binding.
    aws.put(aws.mac(EMAIL), HOME, claim_state={"S": "pending"}, expires_at={"N": str(int(time.time()) + 3600)})
    unconfirmed = sign_in()
    unconfirmed["request"]["userAttributes"].update({"cognito:user_status": "UNCONFIRMED", "email_verified": "false"})
    assert pre_auth.handler(unconfirmed, None) is unconfirmed
    assert aws.entry(aws.mac(EMAIL))["claim_state"] == {"S": "pending"}


def test_an_address_confirmed_elsewhere_under_an_older_key_is_refused(aws):
    homed(EMAIL, OTHER)
    aws.rotate_to("2")
    assert rejection(sign_in()) == WRONG_PASSWORD


def test_an_unknown_user_costs_the_same_calls_as_a_known_one(aws, monkeypatch):
    calls: list[str] = []
    real_client = runtime.client

    def counting(service, region):
        real = real_client(service, region)

        class Counting:
            def __getattr__(self, name):
                calls.append(f"{service}.{name}")
                return getattr(real, name)
        return Counting()

    homed(EMAIL, HOME)
    monkeypatch.setattr(directory, "client", counting)
    pre_auth.handler(sign_in(), None)
    known = list(calls)
    calls.clear()
    event = cognito_event("PreAuthentication_Authentication", {}, user_name="nobody@example.com")
    event["request"]["userNotFound"] = True
    assert pre_auth.handler(event, None) is event  # Cognito then answers with its wrong-password error
    assert calls == known == ["kms.generate_mac", "dynamodb.batch_get_item"]
    assert aws.entries() == [aws.entry(aws.mac(EMAIL))]  # neither wrote anything


def test_a_missing_email_is_rejected_with_the_same_message(aws):
    event = sign_in()
    del event["request"]["userAttributes"]["email"]
    assert rejection(event) == WRONG_PASSWORD


def test_a_directory_failure_fails_closed_with_the_same_message(aws, monkeypatch):
    monkeypatch.setenv("DIRECTORY_TABLE", "no-such-table")
    with pytest.raises(pre_auth.SignInRejected) as error:
        pre_auth.handler(sign_in(), None)
    assert str(error.value) == WRONG_PASSWORD
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_other_trigger_sources_pass_through(aws):
    event = cognito_event("PostAuthentication_Authentication", {"email": EMAIL})
    before = copy.deepcopy(event)
    assert pre_auth.handler(event, None) == before


def test_the_log_lines_have_no_personal_data(aws, caplog):
    caplog.set_level("INFO", logger="handlers")
    homed(EMAIL, OTHER)
    with pytest.raises(pre_auth.SignInRejected):
        pre_auth.handler(sign_in(), None)
    pre_auth.handler(sign_in(email="new@example.com"), None)
    lines = [record.getMessage() for record in caplog.records if record.name == "handlers"]
    assert '"outcome": "rejected"' in lines[0]
    assert '"outcome": "accepted_unconfirmed"' in lines[1]
    text = caplog.text.lower()
    for secret in ("alice", "new@example", SUB, directory.user_keys(EMAIL)[0].value, OTHER):
        assert secret not in text
