"""The files of an export: JSON lines, and names that are safe on any file system."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def write_lines(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write one JSON document a line; how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False, default=_base64) + "\n")
            count += 1
    return count


def safe_name(name: str) -> str:
    plain = name.replace("/", "_")
    return plain if plain not in ("", ".", "..") and len(plain.encode()) <= 200 else hashlib.sha256(
        name.encode()).hexdigest()


def _base64(value: object) -> str:
    # Binary attribute values (B, BS) arrive as bytes; DynamoDB JSON carries them as base64.
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
