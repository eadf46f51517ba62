"""S3 buckets: every object version is personal data (an overwritten or deleted file lives on in them)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError
from residency.flows.store_kinds.aws_calls import aws_call
from residency.flows.store_kinds.export_files import safe_name
from residency.flows.store_kinds.handler import Exported, StoreCount, StoreHandler, counted
from residency.personal_data import DeclaredStore, StoreKind

_GONE = ("NoSuchBucket",)
_DELETE_BATCH = 1000  # the most keys one DeleteObjects call takes


class BucketHandler(StoreHandler):
    kind = StoreKind.BUCKET
    service = "s3"
    record = "object"

    def count(self, store: DeclaredStore, client: Any) -> StoreCount:
        objects = versions = 0
        for version in _versions(client, store.name):
            versions += 1
            objects += _is_current(version)
        return StoreCount(store, objects, versions)

    def describe(self, count: StoreCount) -> str:
        return (f"{counted(count.records, self.record)} ({counted(count.versions, 'version')}) "
                f"in {count.store.describe()}")

    def manifest_entry(self, count: StoreCount) -> dict[str, Any]:
        return super().manifest_entry(count) | {"versions": count.versions}

    def refuse_unexportable(self, store: DeclaredStore, client: Any) -> None:
        pass  # every object version can be read at any time

    def export(self, store: DeclaredStore, client: Any, staging: Path) -> Exported:
        files = _export_objects(store.name, client, staging)
        return Exported(sum(bool(file["current"]) for file in files.values()), files)

    def empty_for_destroy(self, store: DeclaredStore, client: Any) -> None:
        _delete_all_versions(client, store.name)


def _versions(s3: Any, bucket: str) -> Iterator[dict[str, Any]]:
    if bucket:
        with aws_call(f"bucket {bucket}", _GONE):
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
                yield from page.get("Versions", [])
                yield from page.get("DeleteMarkers", [])


def _is_current(version: dict[str, Any]) -> bool:
    # Delete markers carry no ETag; a current one means the object is deleted.
    return bool(version.get("IsLatest")) and "ETag" in version


def _export_objects(bucket: str, s3: Any, staging: Path) -> dict[str, dict[str, Any]]:
    """Every object version's bytes: the current ones under s3/<bucket>/<key>, the noncurrent ones under
    s3-noncurrent/<bucket>/<sha256 of key>/<version id>. Returns path relative to `staging` -> the key, version
    and whether it is current, for the manifest."""
    written: dict[str, dict[str, Any]] = {}
    folder = safe_name(bucket)
    for version in _versions(s3, bucket):
        if "ETag" not in version:
            continue  # a delete marker holds no data
        key, current = version["Key"], _is_current(version)
        relative = (_object_path(staging, folder, key) if current else
                    f"s3-noncurrent/{folder}/{hashlib.sha256(key.encode()).hexdigest()}/"
                    f"{safe_name(version['VersionId'])}")
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        with aws_call(f"object {key!r} in bucket {bucket}", _GONE), (staging / relative).open("wb") as out:
            body = s3.get_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])["Body"]
            for chunk in body.iter_chunks():
                out.write(chunk)
            written[relative] = {"key": key, "version_id": version["VersionId"], "current": current}
    return written


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


def _delete_all_versions(s3: Any, bucket: str) -> None:
    # Lists from the start each round: what the last round listed is gone, so no marker goes stale.
    with aws_call(f"bucket {bucket}", _GONE):
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
