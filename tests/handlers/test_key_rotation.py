"""A key rotation never gives an address two homes, whatever order the regions and global are applied in.

Two regions on different key versions: one applied with the new version (it computes v2 and v1, and moves its users
to v2, deleting their v1 entries), one not applied yet (v1 only, so it cannot see v2 entries). Without the
directory's version mark the second could claim and confirm an address the first holds under v2.
"""

import pytest

from handlers import post_authentication, post_confirmation, pre_signup, runtime
from tests.handlers.support import HMAC_ALIAS, HOME, OTHER, cognito_event

EMAIL = "alice@example.com"
V2 = f"{HMAC_ALIAS}-v2"


def in_region(aws, region: str, keys: str) -> None:
    """The functions of `region`, deployed with `keys` as their HMAC_KEYS."""
    aws.monkeypatch.setenv("HOME_REGION", region)
    aws.monkeypatch.setenv("HMAC_KEYS", keys)


def sign_up(region: str, email: str = EMAIL) -> None:
    pre_signup.handler(cognito_event("PreSignUp_SignUp", {"email": email, "custom:region": region}, region=region),
                       None)


def confirm(region: str, email: str = EMAIL, sub: str = "0b8e4f7a-2c1d-4e5f-9a6b-7c8d9e0f1a2b") -> None:
    post_confirmation.handler(cognito_event("PostConfirmation_ConfirmSignUp",
                                            {"email": email, "email_verified": "true", "sub": sub}, region=region),
                              None)


def homes(aws, email: str = EMAIL) -> set[str]:
    """Every region an address is confirmed in, under any key version."""
    keys = {aws.mac(email), aws.mac(email, V2)}
    return {entry["home_region"]["S"] for entry in aws.entries()
            if entry["user_key"]["S"] in keys and entry.get("claim_state", {}).get("S") == "confirmed"}


@pytest.fixture
def rotating(aws):
    """v2 exists (global applied): HOME has been applied with [2, 1], OTHER not yet ([1])."""
    aws.rotate_to("2")
    return aws


def test_a_region_still_on_the_old_version_cannot_claim_an_address_the_new_version_holds(rotating):
    in_region(rotating, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME)
    confirm(HOME)
    assert rotating.entry(rotating.mac(EMAIL)) is None  # moved to v2: the old region cannot see it
    in_region(rotating, OTHER, f"1={HMAC_ALIAS}")
    with pytest.raises(pre_signup.SignUpRejected, match="temporarily unavailable"):
        sign_up(OTHER)
    with pytest.raises(pre_signup.SignUpRejected, match="temporarily unavailable"):
        sign_up(OTHER, "bob@example.com")  # nothing at all is written under an outdated version
    confirm(OTHER)  # a confirmation there is not refused to the user (the next sign-in retries) but binds nothing
    assert homes(rotating) == {HOME}
    assert rotating.version_mark() == 2


def test_a_region_still_on_the_old_version_refuses_even_a_sign_in_that_would_bind(rotating):
    in_region(rotating, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME, "carol@example.com")
    in_region(rotating, OTHER, f"1={HMAC_ALIAS}")
    event = cognito_event("PostAuthentication_Authentication",
                          {"email": EMAIL, "email_verified": "true", "sub": "5d6e7f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f"},
                          region=OTHER)
    post_authentication.handler(event, None)  # the sign-in goes on; the claim is not written
    assert homes(rotating) == set()


def test_before_any_region_writes_under_the_new_version_the_old_regions_claims_are_checked(rotating):
    in_region(rotating, OTHER, f"1={HMAC_ALIAS}")
    sign_up(OTHER)
    confirm(OTHER)
    in_region(rotating, HOME, f"2={V2},1={HMAC_ALIAS}")
    with pytest.raises(pre_signup.SignUpRejected, match="cannot be registered here"):
        sign_up(HOME)
    with pytest.raises(post_confirmation.ConfirmationRejected):
        confirm(HOME, sub="9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
    assert homes(rotating) == {OTHER}
    # ...and once the new version has been written under, the old region stops writing.
    assert rotating.version_mark() == 2
    in_region(rotating, OTHER, f"1={HMAC_ALIAS}")
    with pytest.raises(pre_signup.SignUpRejected, match="temporarily unavailable"):
        sign_up(OTHER, "dave@example.com")


def test_a_region_whose_replica_of_the_new_key_is_missing_refuses_rather_than_writing_under_the_old(rotating):
    """A partly failed global apply: the new key exists for one region and not yet for another. Both list v2; the
    second can compute only v1, which is not the directory's current version any more."""
    in_region(rotating, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME)
    in_region(rotating, OTHER, f"2={V2},1={HMAC_ALIAS}")
    sign_up(OTHER, "erin@example.com")
    in_region(rotating, HOME, f"2={HMAC_ALIAS}-v2-missing,1={HMAC_ALIAS}")  # this region's replica of v2 is missing
    with pytest.raises(pre_signup.SignUpRejected, match="temporarily unavailable"):
        sign_up(HOME, "frank@example.com")
    assert {entry["home_region"]["S"] for entry in rotating.entries()} == {HOME, OTHER}


def test_the_mark_is_raised_once_per_version_and_never_lowered(rotating):
    in_region(rotating, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME)
    assert rotating.version_mark() == 2
    runtime.clear_clients()  # a cold start of a function still on v1 does not lower it
    in_region(rotating, OTHER, f"1={HMAC_ALIAS}")
    with pytest.raises(pre_signup.SignUpRejected):
        sign_up(OTHER, "gina@example.com")
    assert rotating.version_mark() == 2
