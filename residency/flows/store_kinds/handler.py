"""What a kind of personal-data store does in AWS, as `region retire` and `store retire` need it: count, export,
empty. One subclass per kind, in a module of its own; the registry in `__init__.py` lists them."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from residency.personal_data import DeclaredStore, StoreKind


@dataclass(frozen=True)
class StoreCount:
    store: DeclaredStore
    records: int  # current objects, items, users or messages
    versions: int = 0  # a bucket's every object version and delete marker: what must go before the bucket can

    @property
    def empty(self) -> bool:
        # Noncurrent versions count: an overwritten or deleted file lives on in them.
        return self.records == self.versions == 0


@dataclass(frozen=True)
class Exported:
    records: int  # the current records written
    # path relative to the export -> what the manifest says of that file besides its size and digest
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class StoreHandler(ABC):
    """The stores of one kind, through the boto3 client of `service` that every method is handed. A store that no
    longer exists counts as empty and has nothing to export or empty. Every kind says what stands in the way of
    its export and of its deletion, if only that nothing does."""

    kind: ClassVar[StoreKind]
    service: ClassVar[str]  # the boto3 service name of the stores' client
    record: ClassVar[str]  # what a store holds one of: "object", "item"...

    @abstractmethod
    def count(self, store: DeclaredStore, client: Any) -> StoreCount: ...

    def describe(self, count: StoreCount) -> str:
        return f"{counted(count.records, self.record)} in {count.store.describe()}"

    def manifest_entry(self, count: StoreCount) -> dict[str, Any]:
        """The store's entry in the export's manifest.json."""
        return count.store.record() | {"records": count.records}

    @abstractmethod
    def refuse_unexportable(self, store: DeclaredStore, client: Any) -> None:
        """Raise, before anything is read, when the export could not read all that the store holds."""

    @abstractmethod
    def export(self, store: DeclaredStore, client: Any, staging: Path) -> Exported:
        """Write the store's current records (and whatever else of it holds personal data) under `staging`."""

    @abstractmethod
    def empty_for_destroy(self, store: DeclaredStore, client: Any) -> None:
        """Leave nothing that keeps Terraform from deleting the store."""


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
