import copy

import pytest

from handlers import directory, pre_auth
from tests.handlers.support import HOME, OTHER, cognito_event

EMAIL = "alice@example.com"
SUB = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10"
WRONG_PASSWORD = "Incorrect username or password."


def sign_in(email=EMAIL, region=HOME):
    attributes = {"sub": SUB, "email_verified": "true", "cognito:user_status": "CONFIRMED", "email": email}
    if region is not None:
        attributes["custom:region"] = region
    return cognito_event("PreAuthentication_Authentication", attributes, user_name=SUB)


def homed(email: str, region: str) -> None:
    directory.claim(directory.user_key(email), region)


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


def test_a_missing_entry_is_accepted_when_custom_region_is_this_region(aws):
    # Replication lag: the user signed up here a moment ago and this replica has no entry yet.
    event = sign_in(email="new@example.com", region=HOME)
    assert pre_auth.handler(event, None) is event
    assert rejection(sign_in(email="new@example.com", region=OTHER)) == WRONG_PASSWORD


def test_user_not_found_is_left_to_cognito(aws):
    event = cognito_event("PreAuthentication_Authentication", {})
    event["request"]["userNotFound"] = True
    assert pre_auth.handler(event, None) is event


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
    assert '"outcome": "accepted_pending_replication"' in lines[1]
    text = caplog.text.lower()
    for secret in ("alice", "new@example", SUB, directory.user_key(EMAIL), OTHER):
        assert secret not in text
