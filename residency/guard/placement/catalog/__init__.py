"""The reviewed catalog of every resource type and data source residency permits, by type (see model.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from residency.guard.placement.catalog import compute, edge, identity, messaging, operations, storage
from residency.guard.placement.catalog.data_sources import DATA_SOURCES as _DATA_SOURCES
from residency.guard.placement.catalog.entries import DataSource, Entry

_T = TypeVar("_T", Entry, DataSource)


def _by_type(items: Iterable[_T]) -> dict[str, _T]:
    found: dict[str, _T] = {}
    for item in items:
        if item.type in found:
            raise ValueError(f"catalog: {item.type} is defined twice")
        found[item.type] = item
    return found


ENTRIES: dict[str, Entry] = _by_type(
    entry for module in (identity, compute, storage, messaging, operations, edge) for entry in module.ENTRIES
)
DATA_SOURCES: dict[str, DataSource] = _by_type(_DATA_SOURCES)


def entry(type_: str) -> Entry | None:
    """The catalog entry of a resource type; None for a type residency does not permit."""
    return ENTRIES.get(type_)


def data_source(type_: str) -> DataSource | None:
    """The catalog entry of a data source; None for one residency does not permit."""
    return DATA_SOURCES.get(type_)
