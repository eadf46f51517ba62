"""Names, events and helpers shared by the handler tests."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3

from handlers.directory import VERSION_MARK

HOME = "eu-central-1"
GLOBAL = "us-east-1"
OTHER = "ap-southeast-2"
DIRECTORY_TABLE = "acme-health-directory"
DATA_TABLE = "acme-health-eu-central-1-data"
HMAC_ALIAS = "alias/acme-health-directory-hmac"


@dataclass
class Aws:
    kms: Any
    monkeypatch: Any
    pool_id: str | None = None  # the region's (moto) user pool, made by the first member

    def member(self, email: str, region: str = HOME) -> tuple[str, str]:
        """A user of the region's pool with this address (made once): (username, sub)."""
        cognito = boto3.client("cognito-idp", region_name=region)
        if self.pool_id is None:
            self.pool_id = cognito.create_user_pool(PoolName="users", UsernameAttributes=["email"])["UserPool"]["Id"]
        found = cognito.list_users(UserPoolId=self.pool_id, Filter=f'email = "{email}"')["Users"]
        user = found[0] if found else cognito.admin_create_user(
            UserPoolId=self.pool_id, Username=email, UserAttributes=[{"Name": "email", "Value": email}])["User"]
        attributes = user.get("Attributes", [])
        return user["Username"], next(a["Value"] for a in attributes if a["Name"] == "sub")

    def sign_in(self, email: str, *, verified: str = "true", as_address: str | None = None,
                region: str = HOME) -> dict[str, Any]:
        """The post-authentication event of the pool member `email`, as Cognito sends it; with `as_address`, the
        member's address has been changed to that since (a verified email change)."""
        username, sub = self.member(email, region)
        event = cognito_event("PostAuthentication_Authentication", {
            "sub": sub, "email": as_address or email, "email_verified": verified, "custom:region": region,
            "cognito:user_status": "CONFIRMED"}, region=region, user_name=username)
        event["userPoolId"] = self.pool_id
        return event

    def rotate_to(self, version: str) -> str:
        """A new HMAC key version, current from now on; the older ones stay active. Its alias."""
        alias = f"{HMAC_ALIAS}-v{version}"
        create_hmac_key(self.kms, alias)
        self.monkeypatch.setenv("HMAC_KEYS", f"{version}={alias},{os.environ['HMAC_KEYS']}")
        return alias

    def entry(self, user_key: str, region: str = GLOBAL) -> dict[str, Any] | None:
        client = boto3.client("dynamodb", region_name=region)
        return client.get_item(TableName=DIRECTORY_TABLE, Key={"user_key": {"S": user_key}},
                               ConsistentRead=True).get("Item")

    def entries(self, region: str = GLOBAL) -> list[dict[str, Any]]:
        """The claims (the key-version mark left out)."""
        items = boto3.client("dynamodb", region_name=region).scan(TableName=DIRECTORY_TABLE)["Items"]
        return [item for item in items if item["user_key"]["S"] != VERSION_MARK]

    def version_mark(self) -> int | None:
        item = self.entry(VERSION_MARK)
        return int(item["highest_version"]["N"]) if item else None

    def mac(self, message: str, alias: str = HMAC_ALIAS) -> str:
        return self.kms.generate_mac(KeyId=alias, Message=message.encode("utf-8"),
                                     MacAlgorithm="HMAC_SHA_256")["Mac"].hex()

    def put(self, user_key: str, home_region: str, **fields: dict[str, str]) -> None:
        """An entry written directly, as an earlier release or another region left it."""
        boto3.client("dynamodb", region_name=GLOBAL).put_item(
            TableName=DIRECTORY_TABLE, Item={"user_key": {"S": user_key}, "home_region": {"S": home_region}, **fields})


def create_hmac_key(kms: Any, alias: str) -> None:
    key_id = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)


def create_directory(region: str) -> None:
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=DIRECTORY_TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "user_key", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "user_key", "KeyType": "HASH"}],
    )


def cognito_event(trigger_source: str, attributes: dict[str, str], *, region: str = HOME,
                  user_name: str = "3f1c2b9a-7d4e-4a51-9c0e-2a6b8d7e5f10") -> dict[str, Any]:
    """The common trigger fields as Cognito sends them, plus the pre-sign-up or pre-auth request."""
    event: dict[str, Any] = {
        "version": "1",
        "region": region,
        "userPoolId": f"{region}_AbCdEfGhI",
        "userName": user_name,
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "5example0client0id0abcdefg"},
        "triggerSource": trigger_source,
    }
    if trigger_source.startswith(("PostConfirmation_", "PostAuthentication_")):
        event["request"] = {"userAttributes": dict(attributes), "clientMetadata": {}}
        event["response"] = {}
    elif trigger_source.startswith("PreSignUp_"):
        event["request"] = {"userAttributes": dict(attributes), "validationData": {}, "clientMetadata": {}}
        event["response"] = {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}
    else:
        event["request"] = {"userAttributes": dict(attributes), "validationData": {}, "userNotFound": False}
        event["response"] = {}
    return event


def http_event(method: str, path: str, *, claims: dict[str, str] | None = None, body: str | None = None,
               base64_body: bool = False, route_key: str | None = None) -> dict[str, Any]:
    """An HTTP API payload 2.0 event; claims as the JWT authorizer passes them (strings)."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key if route_key is not None else f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "abc123.execute-api.eu-central-1.amazonaws.com"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-central-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1",
                     "userAgent": "pytest"},
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": route_key if route_key is not None else f"{method} {path}",
            "stage": "$default",
            "time": "10/Mar/2025:12:00:00 +0000",
            "timeEpoch": 1741608000000,
        },
        "isBase64Encoded": base64_body,
    }
    if claims is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    if body is not None:
        event["body"] = body
    return event
