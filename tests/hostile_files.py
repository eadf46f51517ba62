"""Files that are not what a reader expects: one planter for every test of residency's hardened reads."""

from __future__ import annotations

import os
from pathlib import Path

OVERSIZED = 300 * 1024 * 1024  # beyond every limit (the largest is 256 MiB, for files handed to residency)
KINDS = ("fifo", "zero", "directory", "oversized")


def plant(path: Path, kind: str) -> None:
    """A FIFO, a link to /dev/zero, a directory or a sparse oversized file at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "directory":
        path.mkdir()
    else:
        with path.open("wb") as file:
            file.truncate(OVERSIZED)
