"""The directory claims a region holds, as an operator sees them: counted and released by home
region, never by address. (Computing a user key from an address is for residency's functions
only: the HMAC key's policy lets no administrator do it.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency.errors import ResidencyError
from residency.flows.store_kinds.table import scan


def count(dynamodb: Any, table: str, region: str) -> int:
    """How many addresses (pending or confirmed) are bound to `region`."""
    return sum(page["Count"] for page in _bound_to(dynamodb, table, region, Select="COUNT"))


def release(dynamodb: Any, table: str, region: str) -> int:
    """Delete every claim bound to `region`, each only while it is still bound there; how many."""
    from botocore.exceptions import ClientError

    released = 0
    # Keys only: what a release deletes is named by the pseudonymous key, and nothing else is read.
    for page in _bound_to(dynamodb, table, region, ProjectionExpression="user_key"):
        for item in page.get("Items", []):
            try:
                dynamodb.delete_item(TableName=table, Key={"user_key": item["user_key"]},
                                     ConditionExpression="home_region = :region",
                                     ExpressionAttributeValues={":region": {"S": region}})
                released += 1
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise ResidencyError(f"could not release a directory claim of {region}: {error}") from error
    return released


def _bound_to(dynamodb: Any, table: str, region: str, **options: str) -> Iterator[dict[str, Any]]:
    return scan(dynamodb, table, FilterExpression="home_region = :region",
                ExpressionAttributeValues={":region": {"S": region}}, **options)
