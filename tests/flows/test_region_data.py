"""Counting, exporting and emptying a region's personal data, against a real moto server over HTTP."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from residency.errors import ExitCode, ResidencyError, UsageError
from residency.flows.region_data import Clients, RegionData, clients, empty_for_destroy, export, inventory
from residency.flows.store_kinds import bucket
from residency.personal_data import DeclaredStore, StoreKind

REGION = "eu-central-1"
BUCKET, TABLE = "residency-data-eu", "residency-eu"


def data(*stores: tuple[StoreKind, str]) -> RegionData:
    """A region's declaration of the stores named."""
    return RegionData(REGION, tuple(DeclaredStore(f"{kind.terraform_type}.store{index}", kind, name)
                                    for index, (kind, name) in enumerate(stores)))


def pool_of(region: RegionData) -> str:
    return region.of_kind(StoreKind.USER_POOL)[0].name
CAT = bytes(range(256))
PROFILE = {"pk": {"S": "user#1"}, "sk": {"S": "profile"}, "age": {"N": "42"}, "photo": {"B": b"\x00\xff\x10"},
           "meta": {"M": {"seen": {"L": [{"S": "x"}, {"BOOL": True}, {"NULL": True}]}}}}
ORDER = {"pk": {"S": "user#1"}, "sk": {"S": "order#7"}, "note": {"S": "café ☕"}}




@pytest.fixture
def aws(moto_url: str) -> Clients:
    reset = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    return clients(REGION, moto_url)


@pytest.fixture
def region(aws: Clients) -> RegionData:
    """A region as Terraform leaves it, holding personal data in all three places."""
    aws.s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    aws.s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    for key, body in [("people/alice.json", b'{"name": "Alice"}'), ("notes.txt", b"first"),
                      ("notes.txt", b"second"), ("gone.txt", b"deleted later"), ("photos/cat.bin", CAT)]:
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    aws.s3.delete_object(Bucket=BUCKET, Key="gone.txt")  # leaves a delete marker
    aws.dynamodb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "S"}])
    for item in (PROFILE, ORDER):
        aws.dynamodb.put_item(TableName=TABLE, Item=item)
    pool = aws.cognito.create_user_pool(PoolName="residency-eu", DeletionProtection="ACTIVE")["UserPool"]["Id"]
    for name in ("alice", "bob"):
        aws.cognito.admin_create_user(UserPoolId=pool, Username=name,
                                      UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}])
    return data((StoreKind.BUCKET, BUCKET), (StoreKind.TABLE, TABLE), (StoreKind.USER_POOL, pool))


def _as_dynamodb_json(item: dict[str, Any]) -> Any:
    return json.loads(json.dumps(item, default=lambda raw: base64.b64encode(raw).decode()))


def _files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _escaped_name(key: str) -> str:
    return f"s3-escaped/{BUCKET}/{hashlib.sha256(key.encode()).hexdigest()}"


def _denied(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, operation)


def test_inventory_counts_every_kind_of_personal_data(region: RegionData, aws: Clients) -> None:
    counted = inventory(region, aws)
    assert [(count.records, count.versions) for count in counted.counts] == [(3, 6), (2, 0), (2, 0)]
    assert not counted.empty
    assert counted.describe() == (f"3 objects (6 versions) in bucket {BUCKET}, 2 items in table {TABLE}, "
                                  f"2 users in user pool {pool_of(region)}")


def test_old_versions_alone_are_personal_data(region: RegionData, aws: Clients) -> None:
    for key in ("people/alice.json", "notes.txt", "photos/cat.bin"):
        aws.s3.delete_object(Bucket=BUCKET, Key=key)
    counted = inventory(data((StoreKind.BUCKET, BUCKET)), aws)
    assert (counted.counts[0].records, counted.counts[0].versions, counted.empty) == (0, 9, False)
    assert counted.describe() == f"0 objects (9 versions) in bucket {BUCKET}"


def test_missing_resources_count_as_empty(aws: Clients, tmp_path: Path) -> None:
    gone = data((StoreKind.BUCKET, "deleted-bucket"), (StoreKind.TABLE, "deleted-table"),
                (StoreKind.USER_POOL, f"{REGION}_gone"),
                (StoreKind.QUEUE, f"{aws.sqs.meta.endpoint_url}/123456789012/deleted-queue"))
    counted = inventory(gone, aws)
    assert counted.empty and [(count.records, count.versions) for count in counted.counts] == [(0, 0)] * 4
    empty_for_destroy(gone, aws)
    assert export(gone, aws, tmp_path).inventory.empty
    assert inventory(RegionData(REGION, ()), aws).describe() == "no personal-data resources"


def test_export_writes_current_objects_items_users_and_a_manifest(region: RegionData, aws: Clients,
                                                                   tmp_path: Path) -> None:
    report = export(region, aws, tmp_path / "exports")

    root = tmp_path / "exports" / REGION
    assert report.path == root and sorted(p.name for p in root.parent.iterdir()) == [REGION]  # no staging left
    files = _files(root)
    assert {path: body for path, body in files.items() if path.startswith("s3/")} == {
        f"s3/{BUCKET}/people/alice.json": b'{"name": "Alice"}', f"s3/{BUCKET}/notes.txt": b"second",
        f"s3/{BUCKET}/photos/cat.bin": CAT}
    lines = files[f"dynamodb/{TABLE}.jsonl"].decode().splitlines()
    exported = sorted((json.loads(line) for line in lines), key=lambda item: item["sk"]["S"])
    assert exported == [_as_dynamodb_json(ORDER), _as_dynamodb_json(PROFILE)]
    assert exported[1]["photo"] == {"B": base64.b64encode(b"\x00\xff\x10").decode()}
    users = sorted((json.loads(line) for line in files[f"cognito/{pool_of(region)}.jsonl"].decode().splitlines()),
                   key=lambda user: user["Username"])
    assert [user["Username"] for user in users] == ["alice", "bob"]
    assert {"Name": "email", "Value": "alice@example.com"} in users[0]["Attributes"]
    assert (users[0]["UserStatus"], users[0]["Enabled"]) == ("FORCE_CHANGE_PASSWORD", True)
    datetime.fromisoformat(users[0]["UserCreateDate"])

    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["region"] == REGION
    stores = [(store["kind"], store["name"], store["records"], store.get("versions")) for store in manifest["stores"]]
    assert stores == [("s3_bucket", BUCKET, 3, 6), ("dynamodb_table", TABLE, 2, None),
                      ("cognito_user_pool", pool_of(region), 2, None)]
    datetime.fromisoformat(manifest["exported_at"])
    assert {entry["path"]: (entry["bytes"], entry["sha256"]) for entry in manifest["files"]} == {
        path: (len(body), hashlib.sha256(body).hexdigest()) for path, body in files.items()}
    assert (report.files, report.bytes) == (len(files), sum(len(body) for body in files.values()))
    assert report.inventory == inventory(region, aws)


def test_noncurrent_versions_are_exported_too_and_the_export_is_private(region: RegionData, aws: Clients,
                                                                        tmp_path: Path) -> None:
    report = export(region, aws, tmp_path / "exports")

    root = report.path
    manifest = json.loads((root / "manifest.json").read_text())
    noncurrent = {(entry["key"], (root / entry["path"]).read_bytes()) for entry in manifest["files"]
                  if entry.get("current") is False}
    # "first" was overwritten by "second"; gone.txt was deleted (a delete marker holds no data).
    assert noncurrent == {("notes.txt", b"first"), ("gone.txt", b"deleted later")}
    assert all(entry["path"].startswith("s3-noncurrent/") and entry["version_id"]
               for entry in manifest["files"] if entry.get("current") is False)
    assert sum(entry.get("current") is True for entry in manifest["files"]) == 3
    modes = {path.relative_to(root).as_posix(): path.stat().st_mode & 0o777 for path in root.rglob("*")}
    assert root.stat().st_mode & 0o777 == 0o700
    assert {mode for path, mode in modes.items() if (root / path).is_dir()} == {0o700}
    assert {mode for path, mode in modes.items() if (root / path).is_file()} == {0o600}


def test_keys_that_are_not_plain_paths_are_escaped_inside_the_export(region: RegionData, aws: Clients,
                                                                      tmp_path: Path) -> None:
    odd = ["../x", "..", "/etc/passwd", "a//b", "a/./b", "a/../../b", "folder/", "x" * 256,
           "photos"]  # a key that is also the folder of photos/cat.bin
    for key in odd:
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=key.encode())
    directory = tmp_path / "deep" / "exports"

    export(region, aws, directory)

    root = directory / REGION
    assert all(path.resolve().is_relative_to(root) for path in tmp_path.rglob("*") if path.is_file())
    manifest = json.loads((root / "manifest.json").read_text())
    path_of = {entry["key"]: entry["path"] for entry in manifest["files"] if entry.get("current")}
    escaped = {key: _escaped_name(key) for key in odd}
    # S3 lists `photos` first, so `photos/cat.bin`, which needs it as a folder, is the one escaped.
    escaped["photos"], escaped["photos/cat.bin"] = f"s3/{BUCKET}/photos", _escaped_name("photos/cat.bin")
    assert path_of == escaped | {"people/alice.json": f"s3/{BUCKET}/people/alice.json",
                                 "notes.txt": f"s3/{BUCKET}/notes.txt"}
    assert all((root / path_of[key]).read_bytes() == key.encode() for key in odd)
    assert (root / path_of["photos/cat.bin"]).read_bytes() == CAT


def test_export_refuses_an_existing_directory(region: RegionData, aws: Clients, tmp_path: Path) -> None:
    (tmp_path / REGION).mkdir()
    with pytest.raises(UsageError) as refused:
        export(region, aws, tmp_path)
    assert refused.value.exit_code == ExitCode.USAGE and str(tmp_path / REGION) in refused.value.message


def test_a_failed_export_leaves_nothing_and_names_the_resource(region: RegionData, aws: Clients, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(**kwargs: Any) -> None:
        raise _denied("GetObject")

    monkeypatch.setattr(aws.s3, "get_object", denied)
    with pytest.raises(ResidencyError) as failed:
        export(region, aws, tmp_path)
    assert failed.value.exit_code == ExitCode.FAILED
    assert f"in bucket {BUCKET}" in failed.value.message and "AccessDenied" in failed.value.message
    assert list(tmp_path.iterdir()) == []


def test_an_export_that_races_a_writer_is_discarded(region: RegionData, aws: Clients, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    read_object = aws.s3.get_object
    reads: list[str] = []

    def read_while_a_user_signs_up(**kwargs: Any) -> Any:
        reads.append(kwargs["Key"])
        aws.cognito.admin_create_user(UserPoolId=pool_of(region), Username=f"late-{len(reads)}")
        return read_object(**kwargs)

    monkeypatch.setattr(aws.s3, "get_object", read_while_a_user_signs_up)
    with pytest.raises(ResidencyError, match="changed during the export"):
        export(region, aws, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_empty_for_destroy_leaves_what_terraform_can_delete(region: RegionData, aws: Clients,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ClientError, match="DeletionProtectionEnabled"):  # moto enforces it, as AWS does
        aws.dynamodb.delete_table(TableName=TABLE)
    monkeypatch.setattr(bucket, "_DELETE_BATCH", 2)  # several rounds of delete_objects

    empty_for_destroy(region, aws)

    counted = inventory(region, aws)
    assert (counted.counts[0].records, counted.counts[0].versions) == (0, 0)
    aws.s3.delete_bucket(Bucket=BUCKET)
    aws.dynamodb.delete_table(TableName=TABLE)
    pool = aws.cognito.describe_user_pool(UserPoolId=pool_of(region))["UserPool"]
    assert pool["DeletionProtection"] == "INACTIVE"
    aws.cognito.delete_user_pool(UserPoolId=pool_of(region))
    assert inventory(region, aws).empty
    empty_for_destroy(region, aws)  # again, after Terraform deleted everything: nothing to do


def test_other_aws_failures_name_the_resource(region: RegionData, aws: Clients,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(**kwargs: Any) -> None:
        raise _denied("UpdateTable")

    monkeypatch.setattr(aws.dynamodb, "update_table", denied)
    with pytest.raises(ResidencyError, match=f"on table {TABLE}: .*AccessDenied"):
        empty_for_destroy(region, aws)


def test_clients_for_the_emulator_and_for_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "from-the-environment")  # spares a lookup of instance metadata
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-the-environment")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    local = clients(REGION, "http://127.0.0.1:4566")
    assert local.s3.meta.config.s3["addressing_style"] == "path"
    assert local.dynamodb.meta.endpoint_url == "http://127.0.0.1:4566"
    assert local.cognito._request_signer._credentials.access_key == "residency-local"
    remote = clients(REGION, None)
    assert remote.s3.meta.region_name == REGION
    assert remote.dynamodb.meta.endpoint_url == f"https://dynamodb.{REGION}.amazonaws.com"
    assert remote.cognito._request_signer._credentials.access_key == "from-the-environment"


def test_importing_the_module_does_not_import_boto3() -> None:
    probe = "import sys, residency.flows.region_data; print('boto3' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"


def test_an_export_that_could_not_be_written_is_refused_before_anything_happens(tmp_path):
    from residency.errors import UsageError
    from residency.flows.region_data import check_export_target

    check_export_target(tmp_path / "new" / "deeper", "eu-central-1")  # created later: fine
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(UsageError, match="cannot write an export"):
        check_export_target(tmp_path / "a-file", "eu-central-1")
    (tmp_path / "done" / "eu-central-1").mkdir(parents=True)
    with pytest.raises(UsageError, match="already exists"):
        check_export_target(tmp_path / "done", "eu-central-1")


ORDERS = "residency-eu-orders"


@pytest.fixture
def more_stores(region: RegionData, aws: Clients) -> RegionData:
    """The region with a second table and a queue, both holding personal data, declared after the others."""
    aws.dynamodb.create_table(
        TableName=ORDERS, BillingMode="PAY_PER_REQUEST", DeletionProtectionEnabled=True,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    for number in range(3):
        aws.dynamodb.put_item(TableName=ORDERS, Item={"id": {"S": f"order-{number}"}, "buyer": {"S": "alice"}})
    queue = aws.sqs.create_queue(QueueName="residency-eu-jobs")["QueueUrl"]
    for number in range(12):  # more than one ReceiveMessage returns
        aws.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"mail": f"user{number}@example.com"}),
                             MessageAttributes={"kind": {"DataType": "String", "StringValue": "welcome"}})
    return RegionData(REGION, (*region.stores, DeclaredStore("aws_dynamodb_table.orders", StoreKind.TABLE, ORDERS),
                               DeclaredStore("aws_sqs_queue.jobs", StoreKind.QUEUE, queue)))


def test_every_declared_store_is_counted_exported_and_emptied(more_stores: RegionData, aws: Clients,
                                                               tmp_path: Path) -> None:
    counted = inventory(more_stores, aws)
    assert [(count.store.kind, count.records) for count in counted.counts] == [
        (StoreKind.BUCKET, 3), (StoreKind.TABLE, 2), (StoreKind.USER_POOL, 2), (StoreKind.TABLE, 3),
        (StoreKind.QUEUE, 12)]
    assert counted.describe().endswith(f"3 items in table {ORDERS}, 12 messages in queue {more_stores.stores[-1].name}")

    report = export(more_stores, aws, tmp_path)

    files = _files(report.path)
    orders = [json.loads(line) for line in files[f"dynamodb/{ORDERS}.jsonl"].decode().splitlines()]
    assert sorted(item["id"]["S"] for item in orders) == ["order-0", "order-1", "order-2"]
    messages = [json.loads(line) for line in files["sqs/residency-eu-jobs.jsonl"].decode().splitlines()]
    assert sorted(json.loads(message["Body"])["mail"] for message in messages) == sorted(
        f"user{number}@example.com" for number in range(12))
    assert all(message["MessageAttributes"]["kind"]["StringValue"] == "welcome" for message in messages)
    manifest = json.loads(files["manifest.json"])
    assert [(store["address"], store["records"]) for store in manifest["stores"]][-2:] == [
        ("aws_dynamodb_table.orders", 3), ("aws_sqs_queue.jobs", 12)]
    # The export read the messages without deleting them: they are all still there.
    assert inventory(more_stores, aws) == counted

    empty_for_destroy(more_stores, aws)
    aws.dynamodb.delete_table(TableName=ORDERS)  # its deletion protection is off, as the data table's


def test_a_queue_that_takes_a_message_during_the_export_discards_it(more_stores: RegionData, aws: Clients,
                                                                     tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    queue = more_stores.stores[-1].name
    read_object = aws.s3.get_object

    def read_while_a_job_is_queued(**kwargs: Any) -> Any:
        aws.sqs.send_message(QueueUrl=queue, MessageBody="late")
        return read_object(**kwargs)

    monkeypatch.setattr(aws.s3, "get_object", read_while_a_job_is_queued)
    with pytest.raises(ResidencyError, match="changed during the export"):
        export(more_stores, aws, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("held", ["being handled", "delayed"])
def test_messages_that_cannot_be_read_yet_refuse_the_export_before_any_is_read(more_stores: RegionData, aws: Clients,
                                                                              tmp_path: Path, held: str) -> None:
    queue = more_stores.stores[-1].name
    if held == "being handled":  # a worker received one and has not deleted it yet
        aws.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1, VisibilityTimeout=43200)
    else:
        aws.sqs.send_message(QueueUrl=queue, MessageBody="{}", DelaySeconds=900)
    visible = int(aws.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"])
    with pytest.raises(ResidencyError, match="has 1 message being handled or delayed") as refused:
        export(more_stores, aws, tmp_path)
    assert "--force" in (refused.value.hint or "")
    assert not list(tmp_path.iterdir())
    assert int(aws.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"]) == visible  # none of the others was read (hidden)
