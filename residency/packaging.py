"""Deterministic Lambda bundles: the same handler sources always give the same zip bytes,
so an unchanged handler never shows up as a change in a plan."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import zipfile
from pathlib import Path

from residency.errors import ResidencyError

HANDLERS_PACKAGE = "handlers"
# Zip entries carry a timestamp; a fixed one keeps the bytes independent of checkout times.
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)


def handlers_source() -> Path:
    spec = importlib.util.find_spec(HANDLERS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ResidencyError(
            "the Lambda handlers package `handlers` is not installed",
            hint="install residency with `pip install -e .` from its repository",
        )
    return Path(next(iter(spec.submodule_search_locations)))


def build_bundle(source: Path, destination: Path, package: str | None = HANDLERS_PACKAGE) -> str:
    """Zip every .py file of `source` as the package `package` (at the zip's root for None), sorted, with
    fixed timestamps and modes, so the same files give the same bytes; return the base64 SHA-256."""
    files = sorted(path for path in source.rglob("*.py") if "__pycache__" not in path.parts)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w") as bundle:
        for path in files:
            inside = path.relative_to(source).as_posix()
            entry = zipfile.ZipInfo(f"{package}/{inside}" if package else inside, FIXED_TIMESTAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(entry, path.read_bytes(), compresslevel=9)
    return base64.b64encode(hashlib.sha256(destination.read_bytes()).digest()).decode()
