import hashlib
import re

import boto3
import pytest

from handlers import directory, runtime
from tests.handlers.support import DIRECTORY_TABLE, GLOBAL, HOME, OTHER, create_directory

EMAIL = "alice@example.com"


@pytest.mark.parametrize("raw", ["  Alice@Example.COM ", "alice@example.com", "ALICE@EXAMPLE.COM",
                                 "\u3000alice@EXAMPLE.com\t"])
def test_normalization_folds_case_and_surrounding_space(raw):
    assert directory.normalize_email(raw) == EMAIL


@pytest.mark.parametrize(("one", "other"), [("straße@example.com", "strasse@example.com"),
                                            ("ＡＬＩＣＥ@example.com", "alice@example.com"),
                                            ("ﬁle@example.com", "file@example.com"),
                                            ("café@example.com", "cafe\u0301@example.com")])
def test_addresses_cognito_keeps_apart_stay_apart(one, other):
    # The user pool compares addresses by case only: two users it keeps apart must never share a key.
    assert directory.normalize_email(one) != directory.normalize_email(other)
    assert directory.normalize_email(one.replace("example", "EXAMPLE")) == directory.normalize_email(one)


@pytest.mark.parametrize("raw", ["", "   ", "alice.example.com", None, "a@" + "x" * 400])
def test_normalization_rejects_what_is_not_an_email(raw):
    with pytest.raises(ValueError) as error:
        directory.normalize_email(raw)
    assert "alice" not in str(error.value)


def test_user_key_is_kms_generate_mac_of_the_normalized_email(aws):
    key = directory.user_key("  Alice@Example.COM ")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key == aws.mac(EMAIL)
    assert key == directory.user_key(EMAIL)
    assert key != directory.user_key("bob@example.com")


def test_user_key_reveals_nothing_of_the_email(aws):
    key = directory.user_key(EMAIL)
    assert EMAIL not in key and "alice" not in key
    for digest in (hashlib.md5, hashlib.sha256, hashlib.sha1):
        assert key != digest(EMAIL.encode()).hexdigest()
        assert key != digest(b" Alice@Example.COM ").hexdigest()


def test_user_key_calls_kms_in_hmac_key_region(aws, monkeypatch):
    # The key exists only in HOME; asking the directory's region for it must fail.
    monkeypatch.setenv("HMAC_KEY_REGION", GLOBAL)
    with pytest.raises(Exception, match="NotFound"):
        directory.user_key(EMAIL)


def test_claim_writes_exactly_the_four_fields_to_the_primary(aws):
    key = directory.user_key(EMAIL)
    assert directory.claim(key, HOME) == HOME
    entry = aws.entry(key)
    assert set(entry) == {"user_key", "home_region", "key_version", "created_at"}
    assert entry["user_key"] == {"S": key}
    assert entry["home_region"] == {"S": HOME}
    assert entry["key_version"] == {"S": "1"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", entry["created_at"]["S"])


def test_claim_keeps_the_first_home_region(aws):
    key = directory.user_key(EMAIL)
    assert directory.claim(key, HOME) == HOME
    created = aws.entry(key)["created_at"]
    assert directory.claim(key, OTHER) == HOME
    assert directory.claim(key, HOME) == HOME
    assert aws.entry(key)["home_region"] == {"S": HOME}
    assert aws.entry(key)["created_at"] == created
    assert len(aws.entries()) == 1


def test_key_version_comes_from_the_environment(aws, monkeypatch):
    monkeypatch.setenv("KEY_VERSION", "2")
    key = directory.user_key(EMAIL)
    directory.claim(key, HOME)
    assert aws.entry(key)["key_version"] == {"S": "2"}


def test_home_region_of_is_none_for_an_unknown_user(aws):
    assert directory.home_region_of(directory.user_key(EMAIL)) is None
    directory.claim(directory.user_key(EMAIL), HOME)
    assert directory.home_region_of(directory.user_key(EMAIL)) == HOME


def test_reads_go_to_the_read_region_and_writes_to_the_write_region(aws, monkeypatch):
    # As on AWS: this region reads its own replica, stood in for here by a separate table.
    monkeypatch.setenv("DIRECTORY_READ_REGION", HOME)
    create_directory(HOME)
    key = directory.user_key(EMAIL)
    replica = boto3.client("dynamodb", region_name=HOME)
    replica.put_item(TableName=DIRECTORY_TABLE, Item={"user_key": {"S": key}, "home_region": {"S": OTHER}})
    assert directory.home_region_of(key) == OTHER

    other = directory.user_key("bob@example.com")
    assert directory.claim(other, HOME) == HOME
    assert aws.entry(other, GLOBAL) is not None
    assert aws.entry(other, HOME) is None
    assert directory.home_region_of(other) is None  # not replicated yet: the read region answers


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
        directory.home_region_of("0" * 64)
