"""The personal data a region still holds before `region retire` destroys it: count, export, empty.

A resource that no longer exists counts as empty, so a retirement interrupted after Terraform
deleted part of the region can simply run again. What each kind of store holds and how it is read
and emptied is its handler's (`flows/store_kinds/`); this module goes over the stores and writes the export.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError, UsageError
from residency.flows.store_kinds import HANDLERS, handler_of
from residency.flows.store_kinds.handler import StoreCount
from residency.personal_data import DeclaredStore, StoreKind, of_kind
from residency.terraform.scheduler import Stop


@dataclass(frozen=True)
class RegionData:
    """The personal-data stores of a region: what its workspace's state declares (and any store it misses)."""

    region: str
    stores: tuple[DeclaredStore, ...]

    def of_kind(self, kind: StoreKind) -> list[DeclaredStore]:
        return of_kind(self.stores, kind)


class Clients:
    """The boto3 clients of one region, each made when first needed and then kept (what is registered on a
    client, as the audit bucket's governance bypass is, stays with it)."""

    def __init__(self, session: Any, endpoint_url: str | None) -> None:
        self._session = session
        self._endpoint_url = endpoint_url
        self._made: dict[str, Any] = {}

    def of(self, service: str) -> Any:
        if service not in self._made:
            self._made[service] = self._make(service)
        return self._made[service]

    def _make(self, service: str) -> Any:
        if self._endpoint_url is None:
            return self._session.client(service)
        from botocore.config import Config

        # The emulator answers S3 by path only (the other services ignore the setting).
        return self._session.client(service, endpoint_url=self._endpoint_url,
                                    config=Config(s3={"addressing_style": "path"}))

    @property
    def s3(self) -> Any:
        return self.of("s3")

    @property
    def dynamodb(self) -> Any:
        return self.of("dynamodb")

    @property
    def cognito(self) -> Any:
        return self.of("cognito-idp")

    @property
    def sqs(self) -> Any:
        return self.of("sqs")


@dataclass(frozen=True)
class Inventory:
    data: RegionData
    counts: tuple[StoreCount, ...]

    @property
    def empty(self) -> bool:
        return all(count.empty for count in self.counts)

    def describe(self) -> str:
        return ", ".join(handler_of(count.store.kind).describe(count) for count in self.counts
                         ) or "no personal-data resources"


@dataclass(frozen=True)
class ExportReport:
    path: Path
    inventory: Inventory
    files: int  # besides manifest.json
    bytes: int


def clients(region: str, endpoint_url: str | None) -> Clients:
    """boto3 clients for `region`: the standard credential chain, or the local emulator at `endpoint_url`."""
    return Clients(_session(region, endpoint_url), endpoint_url)


def inventory(data: RegionData, clients: Clients) -> Inventory:
    return Inventory(data=data, counts=tuple(_count_store(store, clients) for store in data.stores))


def _count_store(store: DeclaredStore, clients: Clients) -> StoreCount:
    handler = handler_of(store.kind)
    return handler.count(store, clients.of(handler.service))


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
    for store in data.stores:
        handler = handler_of(store.kind)
        handler.refuse_unexportable(store, clients.of(handler.service))
    before = inventory(data, clients)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # mkdtemp makes it readable by this user only, and the rename keeps that: it holds personal data.
        staging = Path(tempfile.mkdtemp(prefix=f".{data.region}.", suffix=".partial", dir=directory))
    except OSError as error:
        raise ResidencyError(f"cannot write the export of {data.region} to {directory}: {error}") from error
    try:
        described: dict[str, Mapping[str, Any]] = {}
        exported: list[int] = []
        for store in data.stores:
            handler = handler_of(store.kind)
            written = handler.export(store, clients.of(handler.service), staging)
            described.update(written.files)
            exported.append(written.records)
        after = inventory(data, clients)
        if exported != [count.records for count in before.counts] or after != before:
            raise ResidencyError(f"the personal data of {data.region} changed during the export "
                                 f"(before: {before.describe()}; after: {after.describe()}); nothing was written",
                                 hint="stop whatever writes to it, then export again")
        files = _write_manifest(staging, before, described)
        _private(staging)
        staging.rename(target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ResidencyError(f"cannot write the export of {data.region} to {directory}: {error}") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportReport(path=target, inventory=before, files=len(files), bytes=sum(f["bytes"] for f in files))


def empty_for_destroy(data: RegionData, clients: Clients) -> None:
    """Leave nothing Terraform cannot delete: no object versions, no deletion protection. (Terraform
    deletes a queue with its messages.)"""
    for handler in HANDLERS.values():
        for store in data.of_kind(handler.kind):
            handler.empty_for_destroy(store, clients.of(handler.service))


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


def _private(root: Path) -> None:
    """The export holds personal data: readable by its owner alone, whatever the umask."""
    for path in root.rglob("*"):
        path.chmod(0o700 if path.is_dir() else 0o600)
    root.chmod(0o700)


def _write_manifest(staging: Path, counted: Inventory, described: Mapping[str, Mapping[str, Any]]
                    ) -> list[dict[str, Any]]:
    """manifest.json: every store with its counts, every file with its size and digest (and what its store's
    handler says of it: an object's key and version)."""
    files = []
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            with path.open("rb") as source:
                digest = hashlib.file_digest(source, "sha256").hexdigest()
            relative = path.relative_to(staging).as_posix()
            files.append({"path": relative, "bytes": path.stat().st_size, "sha256": digest}
                         | dict(described.get(relative, {})))
    manifest = {
        "region": counted.data.region,
        "exported_at": datetime.now(UTC).isoformat(),
        "stores": [handler_of(count.store.kind).manifest_entry(count) for count in counted.counts],
        "files": files,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return files


def refuse_if_stopped(stop: Stop, name: str, exported: ExportReport | None) -> None:
    """Raise when a signal asked the run to stop: nothing is emptied or destroyed after it (an export already
    written stays, whole)."""
    if stop.requested:
        kept = f"; the export at {exported.path} is complete" if exported else ""
        raise ResidencyError(f"{name}: {stop.reason}: nothing was emptied or destroyed{kept}",
                             hint="run the same command again to retire it")
