"""What `region retire` does to the directory: claims counted and released by home region only."""

import boto3
import pytest
from moto import mock_aws

from residency.errors import ResidencyError
from residency.flows import directory_claims

TABLE = "acme-directory"


@pytest.fixture
def dynamodb(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                            AttributeDefinitions=[{"AttributeName": "user_key", "AttributeType": "S"}],
                            KeySchema=[{"AttributeName": "user_key", "KeyType": "HASH"}])
        for key, home, state in (("a", "ca-central-1", "confirmed"), ("b", "ca-central-1", "pending"),
                                 ("c", "eu-central-1", "confirmed")):
            client.put_item(TableName=TABLE, Item={"user_key": {"S": key * 64}, "home_region": {"S": home},
                                                   "claim_state": {"S": state}})
        yield client


def test_claims_are_counted_and_released_by_home_region_only(dynamodb):
    assert directory_claims.count(dynamodb, TABLE, "ca-central-1") == 2
    assert directory_claims.release(dynamodb, TABLE, "ca-central-1") == 2
    assert directory_claims.count(dynamodb, TABLE, "ca-central-1") == 0
    remaining = dynamodb.scan(TableName=TABLE)["Items"]
    assert [(item["user_key"]["S"], item["home_region"]["S"]) for item in remaining] == [("c" * 64, "eu-central-1")]
    assert directory_claims.release(dynamodb, TABLE, "ca-central-1") == 0


def test_a_missing_directory_has_no_claims(dynamodb):
    assert directory_claims.count(dynamodb, "no-such-table", "ca-central-1") == 0


def test_an_aws_refusal_names_the_directory(dynamodb, monkeypatch):
    from botocore.exceptions import ClientError

    def refuse(**kwargs):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Scan")

    monkeypatch.setattr(dynamodb, "get_paginator", lambda name: type("P", (), {"paginate": staticmethod(refuse)})())
    with pytest.raises(ResidencyError, match=f"table {TABLE}"):
        directory_claims.count(dynamodb, TABLE, "ca-central-1")
