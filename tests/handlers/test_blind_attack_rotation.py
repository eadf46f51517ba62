"""Blind review: key rotation still gives an address two homes, or lets a stranger hold it past its lifetime.

Each test asserts the secure behaviour, so it fails while the flaw exists.
"""

import time

import pytest

from handlers import directory, pre_signup
from tests.handlers.support import HMAC_ALIAS, HOME, OTHER
from tests.handlers.test_key_rotation import V2, confirm, homes, in_region, sign_up

LIFETIME = 86400  # PENDING_CLAIM_SECONDS in tests/handlers/conftest.py



def alice_lives_in_other_under_v1_then_v2_is_made(aws) -> None:
    in_region(aws, OTHER, f"1={HMAC_ALIAS}")
    sign_up(OTHER)
    confirm(OTHER, sub="0b8e4f7a-2c1d-4e5f-9a6b-7c8d9e0f1a2b")  # under v1: not moved yet
    aws.rotate_to("2")


def home_tries_to_bind_alice() -> None:
    try:
        sign_up(HOME)
        confirm(HOME, sub="9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a")
    except pre_signup.SignUpRejected:
        pass

def test_blind_attack_a_region_missing_its_replica_of_the_old_key_confirms_an_address_held_under_it(aws):
    """[2, 1] everywhere, but this region's replica of v1 is missing (a region added during a rotation whose v1
    replica failed, or was never made): user_keys silently leaves v1 out, so the region checks only v2 and, being
    on the directory's current version, passes the version mark."""
    alice_lives_in_other_under_v1_then_v2_is_made(aws)
    in_region(aws, OTHER, f"2={V2},1={HMAC_ALIAS}")
    in_region(aws, HOME, f"2={V2},1={HMAC_ALIAS}-replica-missing")
    home_tries_to_bind_alice()
    assert homes(aws) == {OTHER}


@pytest.mark.xfail(strict=True, reason="open: residency cannot tell yet when every user has moved off a version; "
                                      "README (Rotating the HMAC key) says not to drop one")
def test_blind_attack_dropping_an_old_version_gives_an_unmoved_user_a_second_home(aws):
    """The README's rotation: [1] -> [2, 1] -> [2]. A user who did not sign in during the rotation is still under
    v1; once v1 is dropped no function looks at that entry any more, so any region binds the address again."""
    alice_lives_in_other_under_v1_then_v2_is_made(aws)
    in_region(aws, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME, "bob@example.com")  # the rotation goes on: claims are written under v2
    in_region(aws, HOME, f"2={V2}")  # v1 dropped (README: "an old version may be dropped from the list")
    home_tries_to_bind_alice()
    assert homes(aws) == {OTHER}


def test_blind_attack_a_rotation_gives_a_stranger_a_second_pending_lifetime(aws, monkeypatch):
    """A stranger signs the victim's address up in OTHER at t0 (v1). OTHER is applied with [2, 1]; signing up again
    there writes a v2 entry whose first_claimed_at is *now* (the v1 entry's time is not carried over), so the
    victim is still kept out of HOME after t0 + lifetime (README: at most one lifetime from the first claim)."""
    start = int(time.time())
    monkeypatch.setattr(directory, "_now", lambda: start)
    in_region(aws, OTHER, f"1={HMAC_ALIAS}")
    sign_up(OTHER)
    aws.rotate_to("2")
    monkeypatch.setattr(directory, "_now", lambda: start + LIFETIME - 60)
    in_region(aws, OTHER, f"2={V2},1={HMAC_ALIAS}")
    sign_up(OTHER)  # the stranger again, just before the first lifetime ends
    monkeypatch.setattr(directory, "_now", lambda: start + LIFETIME + 60)
    in_region(aws, HOME, f"2={V2},1={HMAC_ALIAS}")
    sign_up(HOME)  # the owner, after one lifetime from the first claim: must be accepted
