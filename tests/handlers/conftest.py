"""In-process AWS (moto) laid out as the infrastructure lays it out, from the handlers' point of view."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from handlers import runtime
from tests.handlers.support import (
    DATA_TABLE,
    DIRECTORY_TABLE,
    GLOBAL,
    HMAC_ALIAS,
    HOME,
    OTHER,
    Aws,
    create_directory,
    create_hmac_key,
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": HOME,
        "HOME_REGION": HOME,
        "DIRECTORY_TABLE": DIRECTORY_TABLE,
        "DIRECTORY_WRITE_REGION": GLOBAL,
        "DIRECTORY_READ_REGION": GLOBAL,
        # On AWS the key is a multi-Region replica in the home region; keeping it apart from the
        # directory's region here shows that GenerateMac goes to HMAC_KEY_REGION.
        "HMAC_KEYS": f"1={HMAC_ALIAS}",
        "HMAC_KEY_REGION": HOME,
        "PENDING_CLAIM_SECONDS": "86400",
        "DATA_TABLE": DATA_TABLE,
        "USER_POOL_ID": f"{HOME}_AbCdEfGhI",
        "USER_POOL_CLIENT_ID": "5example0client0id0abcdefg",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    runtime.clear_clients()
    with mock_aws():
        kms = boto3.client("kms", region_name=HOME)
        create_hmac_key(kms, HMAC_ALIAS)
        create_directory(GLOBAL)
        for region in (HOME, OTHER):  # tests play the other region's functions too: each has its data table
            boto3.client("dynamodb", region_name=region).create_table(
                TableName=DATA_TABLE, BillingMode="PAY_PER_REQUEST",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                      {"AttributeName": "sk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            )
        yield Aws(kms=kms, monkeypatch=monkeypatch)
    # Cached clients point at moto's mock; a later test must build its own.
    runtime.clear_clients()


@pytest.fixture
def pool(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> str:
    """The region's user pool (moto), the one the API and the reconciler are configured with."""
    pool_id = boto3.client("cognito-idp", region_name=HOME).create_user_pool(
        PoolName="users", UsernameAttributes=["email"])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool_id)
    return pool_id
