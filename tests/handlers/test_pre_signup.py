import copy
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from handlers import directory, pre_signup
from tests.handlers.support import GLOBAL, HOME, OTHER, cognito_event

EMAIL = "alice@example.com"
REGION_CODE = re.compile(r"\b[a-z]{2}(-gov)?-[a-z]+-\d\b")


def sign_up(email=EMAIL, region=HOME, source="PreSignUp_SignUp", **extra):
    attributes = {"email": email, **extra}
    if region is not None:
        attributes["custom:region"] = region
    return cognito_event(source, attributes)


def rejection(event) -> str:
    with pytest.raises(pre_signup.SignUpRejected) as error:
        pre_signup.handler(event, None)
    return str(error.value)


@pytest.mark.parametrize("source", ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"])
def test_each_sign_up_source_claims_this_region_and_returns_the_event_unchanged(aws, source):
    event = sign_up(source=source)
    before = copy.deepcopy(event)
    assert pre_signup.handler(event, None) == before
    assert event["response"]["autoConfirmUser"] is False
    entry = aws.entry(aws.mac(EMAIL))
    assert entry["home_region"] == {"S": HOME} and entry["claim_state"] == {"S": "pending"}
    assert set(entry) == {"user_key", "home_region", "claim_state", "expires_at", "first_claimed_at", "key_version",
                          "created_at"}


def test_the_entry_is_keyed_by_the_normalized_email(aws):
    pre_signup.handler(sign_up(email="  Alice@Example.COM "), None)
    (entry,) = aws.entries()
    assert entry["user_key"]["S"] == aws.mac(EMAIL)
    assert re.fullmatch(r"[0-9a-f]{64}", entry["user_key"]["S"])
    assert "alice" not in str(entry).lower()


def test_the_same_email_in_another_region_is_rejected_without_naming_the_home(aws, monkeypatch):
    pre_signup.handler(sign_up(), None)
    monkeypatch.setenv("HOME_REGION", OTHER)
    message = rejection(sign_up(email="ALICE@example.com ", region=OTHER))
    assert message == "This account cannot be registered here."
    assert HOME not in message and not REGION_CODE.search(message)
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": HOME}


def test_a_federated_sign_up_for_an_email_homed_elsewhere_is_rejected(aws, monkeypatch):
    monkeypatch.setenv("HOME_REGION", OTHER)
    pre_signup.handler(sign_up(region=OTHER), None)
    monkeypatch.setenv("HOME_REGION", HOME)
    message = rejection(sign_up(region=None, source="PreSignUp_ExternalProvider"))
    assert message == pre_signup.ALREADY_ELSEWHERE and OTHER not in message


def test_signing_up_again_in_the_same_region_is_accepted(aws):
    event = sign_up()
    assert pre_signup.handler(event, None) is event
    assert pre_signup.handler(sign_up(email="Alice@Example.com"), None)["triggerSource"] == "PreSignUp_SignUp"
    assert len(aws.entries()) == 1


def test_a_custom_region_other_than_this_one_is_rejected_before_anything_is_claimed(aws):
    message = rejection(sign_up(region=OTHER))
    assert message == "custom:region does not match this region; send the region from GET /config."
    assert aws.entries() == []


@pytest.mark.parametrize("source", ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser"])
def test_a_missing_custom_region_is_rejected_for_pool_sign_ups(aws, source):
    message = rejection(sign_up(region=None, source=source))
    assert message == "custom:region is required; send the region from GET /config."
    assert aws.entries() == []


def test_a_federated_sign_up_may_omit_custom_region_but_not_contradict_it(aws):
    assert pre_signup.handler(sign_up(region=None, source="PreSignUp_ExternalProvider"), None)
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": HOME}
    message = rejection(sign_up(email="bob@example.com", region=GLOBAL, source="PreSignUp_ExternalProvider"))
    assert message == pre_signup.REGION_MISMATCH


@pytest.mark.parametrize("email", [None, "", "not-an-email"])
def test_a_missing_or_invalid_email_is_rejected(aws, email):
    event = sign_up()
    if email is None:
        del event["request"]["userAttributes"]["email"]
    else:
        event["request"]["userAttributes"]["email"] = email
    assert rejection(event) == "A valid email address is required."
    assert aws.entries() == []


def test_other_trigger_sources_pass_through_untouched(aws):
    event = cognito_event("PostConfirmation_ConfirmSignUp", {"email": EMAIL})
    before = copy.deepcopy(event)
    assert pre_signup.handler(event, None) == before
    assert aws.entries() == []


def test_a_directory_failure_is_a_generic_rejection(aws, monkeypatch):
    monkeypatch.setenv("DIRECTORY_TABLE", "no-such-table")
    with pytest.raises(pre_signup.SignUpRejected) as error:
        pre_signup.handler(sign_up(), None)
    assert str(error.value) == "Sign-up is temporarily unavailable. Please try again."
    assert error.value.__suppress_context__ and error.value.__cause__ is None


def test_the_log_line_has_no_personal_data(aws, caplog, monkeypatch):
    caplog.set_level("INFO", logger="handlers")
    pre_signup.handler(sign_up(), None)
    monkeypatch.setenv("HOME_REGION", OTHER)
    with pytest.raises(pre_signup.SignUpRejected):
        pre_signup.handler(sign_up(region=OTHER), None)
    lines = [record.getMessage() for record in caplog.records if record.name == "handlers"]
    assert len(lines) == 2
    assert '"outcome": "accepted"' in lines[0] and '"outcome": "rejected"' in lines[1]
    assert all('"trigger_source": "PreSignUp_SignUp"' in line for line in lines)
    text = caplog.text.lower()
    assert "alice" not in text and aws.mac(EMAIL) not in text
    assert "3f1c2b9a" not in text  # the Cognito userName (the user's sub)


def test_a_strangers_pending_claim_blocks_only_until_it_expires(aws, monkeypatch):
    # Someone signs the victim's address up in another region and never confirms it.
    monkeypatch.setenv("HOME_REGION", OTHER)
    monkeypatch.setenv("PENDING_CLAIM_SECONDS", "2")
    pre_signup.handler(sign_up(region=OTHER), None)
    monkeypatch.setenv("HOME_REGION", HOME)
    assert rejection(sign_up()) == pre_signup.ALREADY_ELSEWHERE
    expires = int(aws.entry(aws.mac(EMAIL))["expires_at"]["N"])
    time.sleep(max(0.0, expires - time.time()) + 1.05)
    assert pre_signup.handler(sign_up(), None)["triggerSource"] == "PreSignUp_SignUp"
    assert aws.entry(aws.mac(EMAIL))["home_region"] == {"S": HOME}


def test_an_address_held_under_an_older_key_version_is_still_held(aws, monkeypatch):
    monkeypatch.setenv("HOME_REGION", OTHER)
    pre_signup.handler(sign_up(region=OTHER), None)
    aws.rotate_to("2")
    monkeypatch.setenv("HOME_REGION", HOME)
    assert rejection(sign_up()) == pre_signup.ALREADY_ELSEWHERE
    assert len(aws.entries()) == 1


# --- a pending claim lasts as promised (time travel: the handlers' clock moved, the claims as written) ------------

HOUR = 3600
LIFETIME = 86400  # PENDING_CLAIM_SECONDS in the handlers' environment (tests/handlers/conftest.py)


def at(monkeypatch: pytest.MonkeyPatch, moment: int) -> None:
    monkeypatch.setattr(directory, "_now", lambda: moment)


@contextmanager
def region(monkeypatch: pytest.MonkeyPatch, code: str) -> Iterator[None]:
    """The trigger of another region's pool."""
    monkeypatch.setenv("HOME_REGION", code)
    try:
        yield
    finally:
        monkeypatch.setenv("HOME_REGION", HOME)


def refused(event: dict) -> bool:
    try:
        pre_signup.handler(event, None)
    except pre_signup.SignUpRejected as rejection:
        assert str(rejection) == pre_signup.ALREADY_ELSEWHERE
        return True
    return False


def test_a_stranger_signing_an_address_up_again_and_again_holds_it_for_one_lifetime_only(aws, monkeypatch):
    """The review's reproduction: the victim's address re-submitted elsewhere every 50 minutes for five days."""
    start = int(time.time())
    stranger = sign_up(region=OTHER)
    for step in range(0, 5 * 24 * HOUR, 50 * 60):
        at(monkeypatch, start + step)
        with region(monkeypatch, OTHER):
            assert not refused(copy.deepcopy(stranger))  # the stranger's own region never refuses them
    entry = aws.entry(aws.mac(EMAIL))
    assert int(entry["expires_at"]["N"]) == start + LIFETIME  # never extended
    assert int(entry["first_claimed_at"]["N"]) == start
    at(monkeypatch, start + LIFETIME - 1)
    assert refused(sign_up())  # within the first lifetime the pending claim elsewhere holds
    at(monkeypatch, start + LIFETIME + 1)
    assert not refused(sign_up())  # the victim signs up at home once it has passed, whatever the stranger did


def test_a_claim_taken_over_after_expiry_keeps_the_first_claims_time_and_binds_nothing(aws, monkeypatch):
    start = int(time.time())
    at(monkeypatch, start)
    with region(monkeypatch, OTHER):
        assert not refused(sign_up(region=OTHER))
    at(monkeypatch, start + LIFETIME + HOUR)
    assert not refused(sign_up())  # taken over here, after expiry
    entry = aws.entry(aws.mac(EMAIL))
    assert entry["home_region"] == {"S": HOME} and int(entry["first_claimed_at"]["N"]) == start
    at(monkeypatch, start + LIFETIME + 2 * HOUR)
    with region(monkeypatch, OTHER):  # the stranger's region again: nothing binds, so it is not refused either;
        assert not refused(sign_up(region=OTHER))  # whoever confirms first holds the address
    assert int(aws.entry(aws.mac(EMAIL))["expires_at"]["N"]) == start + LIFETIME


def test_signing_up_again_in_the_same_region_extends_nothing(aws, monkeypatch):
    start = int(time.time())
    at(monkeypatch, start)
    assert not refused(sign_up())
    at(monkeypatch, start + LIFETIME - HOUR)
    assert not refused(sign_up())
    assert int(aws.entry(aws.mac(EMAIL))["expires_at"]["N"]) == start + LIFETIME


def test_a_claim_written_before_first_claimed_at_existed_is_not_extended_while_it_holds(aws, monkeypatch):
    start = int(time.time())
    aws.put(aws.mac(EMAIL), OTHER, claim_state={"S": "pending"}, expires_at={"N": str(start + HOUR)},
            key_version={"S": "1"})
    at(monkeypatch, start)
    with region(monkeypatch, OTHER):
        assert not refused(sign_up(region=OTHER))
    assert int(aws.entry(aws.mac(EMAIL))["expires_at"]["N"]) == start + HOUR
    assert refused(sign_up())
    at(monkeypatch, start + HOUR + 1)
    assert not refused(sign_up())


@pytest.mark.parametrize("email", ["straße@example.com", "\u212aelvin@example.com", "alice\u00a0@example.com"])
def test_sign_up_refuses_an_address_a_comparison_might_fold_as_an_invalid_one(aws, email):
    assert rejection(sign_up(email=email)) == pre_signup.EMAIL_INVALID
    assert aws.entries() == []


def _calls_and_time(monkeypatch, event) -> tuple[list[str], float]:
    """The AWS operations one sign-up makes, in order, and how long it took."""
    import botocore.client

    calls: list[str] = []
    original = botocore.client.BaseClient._make_api_call

    def recording(client, operation, params):
        calls.append(f"{client.meta.service_model.service_name}:{operation}")
        return original(client, operation, params)

    with monkeypatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
        started = time.perf_counter()
        try:
            pre_signup.handler(event, None)
        except pre_signup.SignUpRejected:
            pass
        return calls, time.perf_counter() - started


def test_a_taken_address_costs_the_same_calls_and_time_as_a_free_one(aws, monkeypatch):
    """Issue 29's third finding: a stranger must not learn from the work done that an address is taken."""
    taken_elsewhere, pending_elsewhere = "taken@example.com", "pending@example.com"
    monkeypatch.setenv("HOME_REGION", OTHER)
    pre_signup.handler(sign_up(email=pending_elsewhere, region=OTHER), None)
    directory.confirm(directory.user_keys(taken_elsewhere), OTHER)
    monkeypatch.setenv("HOME_REGION", HOME)
    pre_signup.handler(sign_up(email="warm@example.com"), None)  # warm clients and the version mark alike
    samples: dict[str, list[float]] = {"free": [], "taken": [], "pending": []}
    sequences: dict[str, set[tuple[str, ...]]] = {name: set() for name in samples}
    for round_ in range(12):
        for name, email in (("free", f"free{round_}@example.com"), ("taken", taken_elsewhere),
                            ("pending", pending_elsewhere)):
            calls, seconds = _calls_and_time(monkeypatch, sign_up(email=email))
            sequences[name].add(tuple(calls))
            samples[name].append(seconds)
    assert sequences["free"] == sequences["taken"] == sequences["pending"]
    assert len(sequences["free"]) == 1
    # The same calls against the same in-process AWS. Each kind's fastest round is its cost with the least noise
    # from a shared machine (other tests run beside this one): those differ by noise only.
    fastest = {name: min(values) for name, values in samples.items()}
    assert max(fastest.values()) < 2 * min(fastest.values()), fastest
