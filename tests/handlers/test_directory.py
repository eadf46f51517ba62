import hashlib
import re
import time

import boto3
import pytest

from handlers import directory, runtime
from tests.handlers.support import DIRECTORY_TABLE, GLOBAL, HMAC_ALIAS, HOME, OTHER, create_directory

EMAIL = "alice@example.com"


@pytest.mark.parametrize("raw", ["  Alice@Example.COM ", "alice@example.com", "ALICE@EXAMPLE.COM",
                                 "\talice@EXAMPLE.com\r\n"])
def test_normalization_folds_ascii_case_and_surrounding_ascii_space(raw):
    assert directory.normalize_email(raw) == EMAIL


# Addresses a comparison without case might fold beyond ASCII: refused, whatever Cognito does with them, so that
# every region computes one key for one address and never one key for two.
AMBIGUOUS = {
    "a sharp s (case folding: ss)": "straße@example.com",
    "full-width letters (NFKC: ascii)": "ＡＬＩＣＥ@example.com",
    "a ligature (NFKC and case folding: fi)": "ﬁle@example.com",
    "a combining accent (NFKC: composed)": "cafe\u0301@example.com",
    "the Kelvin sign (lowercase: k)": "\u212aelvin@example.com",
    "a dotless i (round trip: i)": "\u0131nes@example.com",
    "a dotted capital I (lowercase: i + dot)": "\u0130nes@example.com",
    "a long s (round trip: s)": "\u017fam@example.com",
    "an uppercase letter beyond ASCII": "Äsa@example.com",
    "an ideographic space around it": "\u3000alice@example.com",
    "a no-break space around it": "alice@example.com\u00a0",
    "a zero-width space inside": "ali\u200bce@example.com",
    "a direction override inside": "alice\u202e@example.com",
    "a space inside": "ali ce@example.com",
    "a control character inside": "ali\x00ce@example.com",
}


@pytest.mark.parametrize("raw", list(AMBIGUOUS.values()), ids=list(AMBIGUOUS))
def test_an_address_a_comparison_might_fold_beyond_ascii_is_refused(raw):
    with pytest.raises(ValueError) as error:
        directory.normalize_email(raw)
    assert "alice" not in str(error.value)


@pytest.mark.parametrize(("one", "other"), [("café@example.com", "cafe@example.com"),
                                            ("ø@example.com", "o@example.com"),
                                            ("アリス@example.com", "alice@example.com")])
def test_letters_beyond_ascii_that_nothing_folds_are_kept_and_stay_apart(one, other):
    assert directory.normalize_email(one) == one
    assert directory.normalize_email(one) != directory.normalize_email(other)
    assert directory.normalize_email(one.replace("example", "EXAMPLE")) == directory.normalize_email(one)


@pytest.mark.parametrize("raw", ["", "   ", "alice.example.com", None, "a@" + "x" * 400])
def test_normalization_rejects_what_is_not_an_email(raw):
    with pytest.raises(ValueError) as error:
        directory.normalize_email(raw)
    assert "alice" not in str(error.value)


def key_of(email: str = EMAIL) -> directory.UserKey:
    (key,) = directory.user_keys(email)
    return key


def test_user_key_is_kms_generate_mac_of_the_normalized_email(aws):
    key = key_of("  Alice@Example.COM ")
    assert re.fullmatch(r"[0-9a-f]{64}", key.value) and key.version == "1"
    assert key.value == aws.mac(EMAIL)
    assert key == key_of(EMAIL)
    assert key != key_of("bob@example.com")


def test_user_key_reveals_nothing_of_the_email(aws):
    key = key_of().value
    assert EMAIL not in key and "alice" not in key
    for digest in (hashlib.md5, hashlib.sha256, hashlib.sha1):
        assert key != digest(EMAIL.encode()).hexdigest()
        assert key != digest(b" Alice@Example.COM ").hexdigest()


def test_user_key_calls_kms_in_hmac_key_region(aws, monkeypatch):
    # The key exists only in HOME; asking the directory's region for it must fail.
    monkeypatch.setenv("HMAC_KEY_REGION", GLOBAL)
    with pytest.raises(RuntimeError, match="no HMAC key of HMAC_KEYS exists"):
        directory.user_keys(EMAIL)


def test_a_version_whose_key_does_not_exist_yet_is_left_out(aws, monkeypatch):
    # Regions are applied before global creates a new version's key: sign-in must go on meanwhile.
    monkeypatch.setenv("HMAC_KEYS", f"2={HMAC_ALIAS}-v2,1={HMAC_ALIAS}")
    (key,) = directory.user_keys(EMAIL)
    assert key == directory.UserKey("1", aws.mac(EMAIL))



def test_an_older_version_whose_key_is_missing_here_fails_rather_than_being_left_out(aws, monkeypatch):
    # Its entries could not be seen: an address confirmed elsewhere under it could be confirmed here too.
    monkeypatch.setenv("HMAC_KEYS", f"1={HMAC_ALIAS},3={HMAC_ALIAS}-v3")
    with pytest.raises(RuntimeError, match="version 3 is listed but does not exist here"):
        directory.user_keys(EMAIL)


def test_an_address_confirmed_elsewhere_under_an_older_version_is_never_claimed(aws):
    older = key_of()
    aws.put(older.value, OTHER, claim_state={"S": "confirmed"})
    aws.rotate_to("2")
    keys = directory.user_keys(EMAIL)
    assert not directory.claim_pending(keys, HOME, pending_seconds=60)
    assert not directory.confirm(keys, HOME)
    assert [entry["user_key"]["S"] for entry in aws.entries()] == [older.value]
    # Its own region moves it to the current version, and the older entry goes.
    assert directory.confirm(keys, OTHER)
    assert [(entry["user_key"]["S"], entry["key_version"]["S"]) for entry in aws.entries()] == [
        (keys[0].value, "2")]


def test_every_active_key_version_gives_a_key_the_current_first(aws):
    alias = aws.rotate_to("2")
    current, older = directory.user_keys(EMAIL)
    assert (current.version, older.version) == ("2", "1")
    assert current.value == aws.mac(EMAIL, alias) and older.value == aws.mac(EMAIL)
    assert current.value != older.value


@pytest.mark.parametrize("value", ["alias/x", "1=", "=alias/x", "1=alias/x,"])
def test_a_malformed_key_list_is_named(aws, monkeypatch, value):
    monkeypatch.setenv("HMAC_KEYS", value)
    with pytest.raises(RuntimeError, match="HMAC_KEYS must be version=key-id pairs"):
        directory.user_keys(EMAIL)


def test_a_pending_claim_writes_only_the_key_the_region_and_its_expiry(aws):
    before = int(time.time())
    assert directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    entry = aws.entry(key_of().value)
    assert set(entry) == {"user_key", "home_region", "claim_state", "expires_at", "first_claimed_at", "key_version",
                          "created_at"}
    assert entry["home_region"] == {"S": HOME} and entry["claim_state"] == {"S": "pending"}
    assert before + 3600 <= int(entry["expires_at"]["N"]) <= int(time.time()) + 3600
    assert entry["key_version"] == {"S": "1"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["created_at"]["S"])


def test_an_unexpired_pending_claim_blocks_other_regions_and_an_expired_one_does_not(aws):
    assert directory.claim_pending([key_of()], OTHER, pending_seconds=3600)
    assert not directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    assert aws.entry(key_of().value)["home_region"] == {"S": OTHER}
    aws.put(key_of().value, OTHER, claim_state={"S": "pending"}, expires_at={"N": str(int(time.time()) - 1)})
    assert directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    assert aws.entry(key_of().value)["home_region"] == {"S": HOME}


def test_a_confirmed_claim_binds_for_good(aws):
    assert directory.claim_pending([key_of()], OTHER, pending_seconds=1)
    assert directory.confirm([key_of()], OTHER)
    entry = aws.entry(key_of().value)
    assert entry["claim_state"] == {"S": "confirmed"} and "expires_at" not in entry
    assert not directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    assert not directory.confirm([key_of()], HOME)
    assert aws.entry(key_of().value)["home_region"] == {"S": OTHER}


def test_an_entry_from_before_claims_counts_as_confirmed(aws):
    aws.put(key_of().value, OTHER, key_version={"S": "1"})
    assert not directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    assert not directory.confirm([key_of()], HOME)
    assert directory.lookup([key_of()])[0].state == "confirmed"


def test_a_claim_confirmed_here_is_kept_by_a_new_sign_up_here(aws):
    directory.confirm([key_of()], HOME)
    assert directory.claim_pending([key_of()], HOME, pending_seconds=3600)
    assert aws.entry(key_of().value)["claim_state"] == {"S": "confirmed"}


def test_confirming_overrides_a_pending_claim_from_elsewhere(aws):
    # Only the address's owner can confirm it; a stranger's unproven claim must not outlast that.
    directory.claim_pending([key_of()], OTHER, pending_seconds=3600)
    assert directory.confirm([key_of()], HOME)
    assert aws.entry(key_of().value)["home_region"] == {"S": HOME}


def test_release_removes_only_this_regions_claims_under_every_version(aws):
    aws.rotate_to("2")
    current, older = directory.user_keys(EMAIL)
    aws.put(older.value, HOME)
    directory.confirm([current], HOME)
    bob = directory.user_keys("bob@example.com")
    directory.confirm(bob, OTHER)
    assert directory.release([current, older], HOME) == 2
    assert directory.release(bob, HOME) == 0
    assert [entry["user_key"]["S"] for entry in aws.entries()] == [bob[0].value]


def test_reads_go_to_the_read_region_and_writes_to_the_write_region(aws, monkeypatch):
    # As on AWS: this region reads its own replica, stood in for here by a separate table.
    monkeypatch.setenv("DIRECTORY_READ_REGION", HOME)
    create_directory(HOME)
    key = key_of()
    boto3.client("dynamodb", region_name=HOME).put_item(
        TableName=DIRECTORY_TABLE, Item={"user_key": {"S": key.value}, "home_region": {"S": OTHER}})
    assert [entry.home_region for entry in directory.lookup([key])] == [OTHER]
    assert directory.lookup([key], authoritative=True) == []

    other = key_of("bob@example.com")
    assert directory.confirm([other], HOME)
    assert aws.entry(other.value, GLOBAL) is not None
    assert aws.entry(other.value, HOME) is None
    assert directory.lookup([other]) == []  # not replicated yet: the read region answers


def test_clients_are_cached_per_region_with_short_timeouts(aws):
    first = runtime.client("dynamodb", GLOBAL)
    assert runtime.client("dynamodb", GLOBAL) is first
    assert runtime.client("dynamodb", HOME) is not first
    assert first.meta.region_name == GLOBAL
    config = first.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1, 2)
    assert config.retries["total_max_attempts"] == 2
    runtime.clear_clients()
    assert runtime.client("dynamodb", GLOBAL) is not first


def test_a_missing_setting_is_named(aws, monkeypatch):
    monkeypatch.delenv("DIRECTORY_TABLE")
    with pytest.raises(RuntimeError, match="DIRECTORY_TABLE is not set"):
        directory.lookup([directory.UserKey("1", "0" * 64)])


def test_an_account_the_pool_already_holds_keeps_its_key_from_before_the_stricter_rule(aws):
    """Sign-up refuses an ambiguous address; an account created before that rule still finds its claim."""
    legacy = "Äsa@example.com"
    with pytest.raises(ValueError):
        directory.user_keys(legacy, new_address=True)
    (key,) = directory.user_keys(legacy)
    assert key.value == aws.mac("äsa@example.com")  # as it was computed when the account signed up
    assert directory.user_keys("  Alice@Example.COM ") == directory.user_keys(EMAIL, new_address=True)
