"""The personal data a region still holds before `region retire` destroys it: count, export, empty.

A resource that no longer exists counts as empty, so a retirement interrupted after Terraform
deleted part of the region can simply run again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError, UsageError
from residency.personal_data import DeclaredStore, StoreKind
from residency.terraform.scheduler import Stop

_MISSING = {"NoSuchBucket", "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue",
            "QueueDoesNotExist"}
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes
# A message read for the export stays hidden this long; a failed export leaves it to reappear, whole.
_EXPORT_VISIBILITY_SECONDS = 3600
_QUEUE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                 "ApproximateNumberOfMessagesDelayed")


@dataclass(frozen=True)
class RegionData:
    """The personal-data stores of a region: what its workspace's state declares (and any store it misses)."""

    region: str
    stores: tuple[DeclaredStore, ...]

    def of_kind(self, kind: StoreKind) -> list[DeclaredStore]:
        return [store for store in self.stores if store.kind == kind]


@dataclass(frozen=True)
class Clients:
    s3: Any
    dynamodb: Any
    cognito: Any
    sqs: Any


@dataclass(frozen=True)
class StoreCount:
    store: DeclaredStore
    records: int  # current objects, items, users or messages
    versions: int = 0  # a bucket's every object version and delete marker: what must go before the bucket can

    @property
    def empty(self) -> bool:
        # Noncurrent versions count: an overwritten or deleted file lives on in them.
        return self.records == self.versions == 0

    def describe(self) -> str:
        counted = _count(self.records, _RECORD[self.store.kind])
        if self.store.kind == StoreKind.BUCKET:
            counted += f" ({_count(self.versions, 'version')})"
        return f"{counted} in {self.store.describe()}"


_RECORD = {StoreKind.BUCKET: "object", StoreKind.TABLE: "item", StoreKind.USER_POOL: "user",
           StoreKind.QUEUE: "message"}


@dataclass(frozen=True)
class Inventory:
    data: RegionData
    counts: tuple[StoreCount, ...]

    @property
    def empty(self) -> bool:
        return all(count.empty for count in self.counts)

    def describe(self) -> str:
        return ", ".join(count.describe() for count in self.counts) or "no personal-data resources"


@dataclass(frozen=True)
class ExportReport:
    path: Path
    inventory: Inventory
    files: int  # besides manifest.json
    bytes: int


def clients(region: str, endpoint_url: str | None) -> Clients:
    """boto3 clients for `region`: the standard credential chain, or the local emulator at `endpoint_url`."""
    from botocore.config import Config

    session = _session(region, endpoint_url)
    if endpoint_url is None:
        return Clients(session.client("s3"), session.client("dynamodb"), session.client("cognito-idp"),
                       session.client("sqs"))
    return Clients(session.client("s3", endpoint_url=endpoint_url, config=Config(s3={"addressing_style": "path"})),
                   session.client("dynamodb", endpoint_url=endpoint_url),
                   session.client("cognito-idp", endpoint_url=endpoint_url),
                   session.client("sqs", endpoint_url=endpoint_url))


def inventory(data: RegionData, clients: Clients) -> Inventory:
    return Inventory(data=data, counts=tuple(_count_store(store, clients) for store in data.stores))


def _count_store(store: DeclaredStore, clients: Clients) -> StoreCount:
    if store.kind == StoreKind.BUCKET:
        objects = versions = 0
        for version in _versions(clients.s3, store.name):
            versions += 1
            objects += _is_current(version)
        return StoreCount(store, objects, versions)
    if store.kind == StoreKind.TABLE:
        return StoreCount(store, sum(page["Count"] for page in scan(clients.dynamodb, store.name, Select="COUNT")))
    if store.kind == StoreKind.USER_POOL:
        return StoreCount(store, sum(1 for _ in _users(clients.cognito, store.name)))
    return StoreCount(store, _queued(clients.sqs, store.name))


def check_export_target(directory: Path, region: str) -> None:
    """Refuse, before anything is changed, an export that could not be written."""
    target = directory / region
    if target.exists():
        raise UsageError(f"{target} already exists", hint="move the earlier export away or choose another directory")
    existing = next((parent for parent in (directory, *directory.parents) if parent.exists()), None)
    if existing is None or not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write an export under {directory}",
                         hint=f"{existing} is not a writable directory" if existing else None)


def export(data: RegionData, clients: Clients, directory: Path) -> ExportReport:
    """Write `directory/<region>/` whole or not at all: it appears only once complete and checked."""
    check_export_target(directory, data.region)
    target = directory / data.region
    _refuse_unreadable_messages(data, clients)
    before = inventory(data, clients)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # mkdtemp makes it readable by this user only, and the rename keeps that: it holds personal data.
        staging = Path(tempfile.mkdtemp(prefix=f".{data.region}.", suffix=".partial", dir=directory))
    except OSError as error:
        raise ResidencyError(f"cannot write the export of {data.region} to {directory}: {error}") from error
    try:
        objects: dict[str, ExportedObject] = {}
        exported: list[int] = []
        for store in data.stores:
            written, records = _export_store(store, clients, staging)
            objects.update(written)
            exported.append(records)
        after = inventory(data, clients)
        if exported != [count.records for count in before.counts] or after != before:
            raise ResidencyError(f"the personal data of {data.region} changed during the export "
                                 f"(before: {before.describe()}; after: {after.describe()}); nothing was written",
                                 hint="stop whatever writes to it, then export again")
        files = _write_manifest(staging, before, objects)
        _private(staging)
        staging.rename(target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ResidencyError(f"cannot write the export of {data.region} to {directory}: {error}") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportReport(path=target, inventory=before, files=len(files), bytes=sum(f["bytes"] for f in files))


def _export_store(store: DeclaredStore, clients: Clients, staging: Path) -> tuple[dict[str, ExportedObject], int]:
    """Write one store under `staging`; (the object files written, how many current records it held)."""
    if store.kind == StoreKind.BUCKET:
        objects = _export_objects(store.name, clients.s3, staging)
        return objects, sum(exported.current for exported in objects.values())
    if store.kind == StoreKind.TABLE:
        return {}, _write_lines(staging / "dynamodb" / f"{_safe_name(store.name)}.jsonl",
                                (item for page in scan(clients.dynamodb, store.name) for item in page["Items"]))
    if store.kind == StoreKind.USER_POOL:
        return {}, _write_lines(staging / "cognito" / f"{_safe_name(store.name)}.jsonl",
                                map(_user_record, _users(clients.cognito, store.name)))
    queue_name = store.name.rstrip("/").rsplit("/", 1)[-1]
    return {}, _write_lines(staging / "sqs" / f"{_safe_name(queue_name)}.jsonl", _messages(clients.sqs, store.name))


def empty_for_destroy(data: RegionData, clients: Clients) -> None:
    """Leave nothing Terraform cannot delete: no object versions, no deletion protection. (Terraform
    deletes a queue with its messages.)"""
    for bucket in data.of_kind(StoreKind.BUCKET):
        _delete_all_versions(clients.s3, bucket.name)
    for table in data.of_kind(StoreKind.TABLE):
        with _aws(f"table {table.name}"):
            if clients.dynamodb.describe_table(TableName=table.name)["Table"].get("DeletionProtectionEnabled"):
                clients.dynamodb.update_table(TableName=table.name, DeletionProtectionEnabled=False)
    for pool in data.of_kind(StoreKind.USER_POOL):
        with _aws(f"user pool {pool.name}"):
            described = clients.cognito.describe_user_pool(UserPoolId=pool.name)["UserPool"]
            if described.get("DeletionProtection") == "ACTIVE":
                # UpdateUserPool resets every setting it is not given (Lambda triggers, MFA, messages...)
                # to its default. Harmless here: the pool is about to be deleted.
                clients.cognito.update_user_pool(UserPoolId=pool.name, DeletionProtection="INACTIVE")


@contextmanager
def _aws(resource: str) -> Iterator[None]:
    """Ends the block quietly when `resource` no longer exists; any other AWS failure names it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in _MISSING:
            raise ResidencyError(f"AWS refused an operation on {resource}: {error}") from error
    except BotoCoreError as error:
        raise ResidencyError(f"could not ask AWS about {resource}: {error}") from error


def _versions(s3: Any, bucket: str) -> Iterator[dict[str, Any]]:
    if bucket:
        with _aws(f"bucket {bucket}"):
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                yield from page.get("Versions", [])
                yield from page.get("DeleteMarkers", [])


def _is_current(version: dict[str, Any]) -> bool:
    # Delete markers carry no ETag; a current one means the object is deleted.
    return bool(version.get("IsLatest")) and "ETag" in version


def dynamodb_client(region: str, endpoint_url: str | None) -> Any:
    """A DynamoDB client for `region`, as `clients` makes it."""
    return service_client("dynamodb", region, endpoint_url)


def service_client(service: str, region: str, endpoint_url: str | None) -> Any:
    """A client of `service` for `region`, as `clients` makes them (a session of its own)."""
    return _session(region, endpoint_url).client(service, endpoint_url=endpoint_url)


def _session(region: str, endpoint_url: str | None) -> Any:
    import boto3

    from residency.target import FAKE_CREDENTIAL

    # A session of our own: boto3's default session must not be shared between threads.
    if endpoint_url is None:
        return boto3.Session(region_name=region)
    return boto3.Session(region_name=region, aws_access_key_id=FAKE_CREDENTIAL, aws_secret_access_key=FAKE_CREDENTIAL)


def scan(dynamodb: Any, table: str | None, **options: Any) -> Iterator[dict[str, Any]]:
    """The pages of a consistent scan of `table`; none when the table is gone. Any other AWS failure
    is a ResidencyError naming the table."""
    if table:
        with _aws(f"table {table}"):
            yield from dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True, **options)


def _users(cognito: Any, pool: str) -> Iterator[dict[str, Any]]:
    if pool:
        with _aws(f"user pool {pool}"):
            for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool):
                yield from page["Users"]


def _queued(sqs: Any, queue_url: str) -> int:
    """Every message in the queue: waiting, being handled (not visible) and delayed."""
    with _aws(f"queue {queue_url}"):
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=list(_QUEUE_COUNTS))["Attributes"]
        return sum(int(attributes.get(name, 0)) for name in _QUEUE_COUNTS)
    return 0


def _refuse_unreadable_messages(data: RegionData, clients: Clients) -> None:
    """An export reads every message; one being handled or delayed cannot be read until it is visible again."""
    for queue in data.of_kind(StoreKind.QUEUE):
        with _aws(f"queue {queue.name}"):
            attributes = clients.sqs.get_queue_attributes(QueueUrl=queue.name,
                                                          AttributeNames=list(_QUEUE_COUNTS))["Attributes"]
            hidden = sum(int(attributes.get(name, 0)) for name in _QUEUE_COUNTS[1:])
            if hidden:
                raise ResidencyError(
                    f"queue {queue.name} has {_count(hidden, 'message')} being handled or delayed, which cannot be "
                    "read for the export until visible again; nothing was exported",
                    hint="stop what receives from it and run it again once its visibility timeout or delay has "
                         "passed, or pass --force to destroy them unexported")


def _messages(sqs: Any, queue_url: str) -> Iterator[dict[str, Any]]:
    """Each message once, read without deleting it: it stays hidden for an hour, then reappears."""
    seen: set[str] = set()
    with _aws(f"queue {queue_url}"):
        while True:
            received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           VisibilityTimeout=_EXPORT_VISIBILITY_SECONDS,
                                           AttributeNames=["All"], MessageAttributeNames=["All"])
            fresh = [message for message in received.get("Messages", []) if message["MessageId"] not in seen]
            if not fresh:
                return
            for message in fresh:
                seen.add(message["MessageId"])
                yield {"MessageId": message["MessageId"], "Body": message["Body"],
                       "Attributes": message.get("Attributes", {}),
                       "MessageAttributes": message.get("MessageAttributes", {})}


def _user_record(user: dict[str, Any]) -> dict[str, Any]:
    created = user.get("UserCreateDate")
    return {"Username": user["Username"], "Attributes": user.get("Attributes", []),
            "UserStatus": user.get("UserStatus"), "Enabled": user.get("Enabled"),
            "UserCreateDate": created.isoformat() if created else None}


@dataclass(frozen=True)
class ExportedObject:
    key: str
    version_id: str
    current: bool


def _export_objects(bucket: str, s3: Any, staging: Path) -> dict[str, ExportedObject]:
    """Every object version's bytes: the current ones under s3/<bucket>/<key>, the noncurrent ones (an
    overwritten or deleted file lives on in them) under s3-noncurrent/<bucket>/<sha256 of key>/<version id>.
    Returns path relative to `staging` -> what it holds."""
    written: dict[str, ExportedObject] = {}
    folder = _safe_name(bucket)
    for version in _versions(s3, bucket):
        if "ETag" not in version:
            continue  # a delete marker holds no data
        key, current = version["Key"], _is_current(version)
        relative = (_object_path(staging, folder, key) if current else
                    f"s3-noncurrent/{folder}/{hashlib.sha256(key.encode()).hexdigest()}/"
                    f"{_safe_name(version['VersionId'])}")
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        with _aws(f"object {key!r} in bucket {bucket}"), (staging / relative).open("wb") as out:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])["Body"]
            for chunk in body.iter_chunks():
                out.write(chunk)
            written[relative] = ExportedObject(key, version["VersionId"], current)
    return written


def _safe_name(version_id: str) -> str:
    plain = version_id.replace("/", "_")
    return plain if plain not in ("", ".", "..") and len(plain.encode()) <= 200 else hashlib.sha256(
        version_id.encode()).hexdigest()


def _private(root: Path) -> None:
    """The export holds personal data: readable by its owner alone, whatever the umask."""
    for path in root.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    root.chmod(0o700)


def _object_path(staging: Path, folder: str, key: str) -> str:
    """`s3/<folder>/<key>` if that is a plain relative path still free on disk, else
    `s3-escaped/<folder>/<sha256 of key>`.

    Escaped: `..`, `.` and empty segments (`/abs`, `a//b`, `folder/`), names too long for the file
    system, and a key that is also another key's folder (`a` beside `a/b`). The manifest names
    every file's key, so nothing is lost either way.
    """
    parts = key.split("/")
    if all(part not in ("", ".", "..") and "\0" not in part and len(part.encode()) <= 255 for part in parts):
        natural = Path("s3", folder, *parts)
        if not (staging / natural).exists() and not any((staging / up).is_file() for up in natural.parents):
            return natural.as_posix()
    return f"s3-escaped/{folder}/{hashlib.sha256(key.encode()).hexdigest()}"


def _write_lines(path: Path, records: Iterable[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, default=_base64) + "\n")
            count += 1
    return count


def _base64(value: object) -> str:
    # Binary attribute values (B, BS) arrive as bytes; DynamoDB JSON carries them as base64.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _write_manifest(staging: Path, counted: Inventory, objects: dict[str, ExportedObject]) -> list[dict[str, Any]]:
    files = []
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            with path.open("rb") as source:
                digest = hashlib.file_digest(source, "sha256").hexdigest()
            relative = path.relative_to(staging).as_posix()
            exported = objects.get(relative)
            files.append({"path": relative, "bytes": path.stat().st_size, "sha256": digest}
                         | ({"key": exported.key, "version_id": exported.version_id, "current": exported.current}
                            if exported else {}))
    manifest = {
        "region": counted.data.region,
        "exported_at": datetime.now(UTC).isoformat(),
        "stores": [count.store.record() | {"records": count.records}
                   | ({"versions": count.versions} if count.store.kind == StoreKind.BUCKET else {})
                   for count in counted.counts],
        "files": files,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return files


def _delete_all_versions(s3: Any, bucket: str) -> None:
    # Lists from the start each round: what the last round listed is gone, so no marker goes stale.
    with _aws(f"bucket {bucket}"):
        while True:
            page = s3.list_object_versions(Bucket=bucket, MaxKeys=_DELETE_BATCH)
            batch = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                     for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if not batch:
                return
            failed = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True}).get("Errors", [])
            if failed:
                raise ResidencyError(f"could not delete {len(failed)} object versions from bucket {bucket}, "
                                     f"e.g. {failed[0].get('Key')!r}: {failed[0].get('Code')}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def refuse_if_stopped(stop: Stop, name: str, exported: ExportReport | None) -> None:
    """Raise when a signal asked the run to stop: nothing is emptied or destroyed after it (an export already
    written stays, whole)."""
    if stop.requested:
        kept = f"; the export at {exported.path} is complete" if exported else ""
        raise ResidencyError(f"{name}: {stop.reason}: nothing was emptied or destroyed{kept}",
                             hint="run the same command again to retire it")
