"""One residency process per workspace at a time.

Terraform locks the state, but residency also owns per-workspace files around it (the saved plan,
the data directory), so a second residency on the same workspace waits for the first (up to the
lock timeout) or stops with a message naming the holder. The lock is an flock, which the system
releases when its holder dies, so a killed residency never leaves one behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from residency.errors import ResidencyError, UsageError

RETRY_SECONDS = 0.5


class WorkspaceBusyError(ResidencyError):
    """Another residency process holds the workspace."""


@contextmanager
def workspace_lock(lock_dir: Path, workspace: str, timeout_seconds: float, command: str) -> Iterator[None]:
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"{workspace}.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WorkspaceBusyError(
                        f"{workspace} is in use by {_holder(path)}",
                        hint="wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait here",
                    ) from None
                time.sleep(RETRY_SECONDS)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(json.dumps({"pid": os.getpid(), "command": command, "since": time.strftime("%H:%M:%S"),
                                     "argv": " ".join(sys.argv[1:])}))
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text())
        return f"another residency {holder['command']} (pid {holder['pid']}, since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another residency process"


def parse_duration(text: str) -> float:
    """`30s`, `10m`, `1h` or plain seconds, as Terraform's -lock-timeout takes them."""
    units = {"s": 1, "m": 60, "h": 3600}
    value = text.strip().lower()
    try:
        if value and value[-1] in units:
            return float(value[:-1]) * units[value[-1]]
        return float(value)
    except ValueError:
        raise UsageError(f"--lock-timeout {text!r}: expected a duration such as 30s, 10m or 1h") from None
