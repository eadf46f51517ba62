"""Deterministic Lambda bundles: the same handler sources always give the same zip bytes,
so an unchanged handler never shows up as a change in a plan."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import zipfile
from pathlib import Path

from residency.errors import ResidencyError
from residency.files import FileTooLarge, UnreadableFile, read_regular_file

HANDLERS_PACKAGE = "handlers"
# Zip entries carry a timestamp; a fixed one keeps the bytes independent of checkout times.
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# The most residency reads of one Python source file it bundles or hashes (Lambda takes 250 MB unzipped in all).
SOURCE_FILE_LIMIT = 64 * 1024 * 1024


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
            bundle.writestr(entry, read_source(path), compresslevel=9)
    return base64.b64encode(hashlib.sha256(destination.read_bytes()).digest()).decode()


def read_source(path: Path, *, error: type[ResidencyError] = ResidencyError) -> bytes:
    """A Python source file of the team's or residency's; `error` when it is not a regular file of at most
    SOURCE_FILE_LIMIT bytes (a FIFO named `x.py` would stop synth for good)."""
    try:
        return read_regular_file(path, SOURCE_FILE_LIMIT)
    except UnreadableFile as problem:
        raise error(problem.reason, hint="Python code is read from plain files") from None
    except FileTooLarge as problem:
        raise error(f"{path} holds {problem.size} bytes, more than residency reads of a source file "
                    f"({SOURCE_FILE_LIMIT})") from None
