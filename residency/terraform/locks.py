"""One residency process per workspace at a time.

Terraform locks the state, but residency also owns per-workspace files around it (the saved plan,
the data directory), so a second residency on the same workspace waits for the first (up to the
lock timeout) or stops with a message naming the holder. The lock is an flock, which the system
releases when its holder dies, so a killed residency never leaves one behind.
"""

from __future__ import annotations

import fcntl
import json
import math
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from residency.errors import ResidencyError, UsageError
from residency.files import WORK_FILE_LIMIT, read_handed_text

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
        holder = json.loads(read_handed_text(path, WORK_FILE_LIMIT))
        return f"another residency {holder['command']} (pid {holder['pid']}, since {holder['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another residency process"


def parse_duration(text: str) -> float:
    """`30s`, `10m`, `1h` or plain seconds, as Terraform's -lock-timeout takes them."""
    units = {"s": 1, "m": 60, "h": 3600}
    value = text.strip().lower()
    try:
        seconds = float(value[:-1]) * units[value[-1]] if value and value[-1] in units else float(value)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:  # a negative, endless or NaN wait is no duration
        raise UsageError(f"--lock-timeout {text!r}: expected a duration such as 30s, 10m or 1h")
    return seconds


class OutputLock:
    """cdktf.out is shared by every residency process of a project: each holds this lock shared while
    it synthesizes and runs, and exclusively only for the moment synth replaces the directory, so a
    running Terraform never loses its files under it."""

    def __init__(self, lock_dir: Path, command: str, timeout_seconds: float, *, can_wait: bool = True) -> None:
        self.lock_dir = lock_dir
        self.command = command
        self.timeout_seconds = timeout_seconds
        self.can_wait = can_wait  # whether the command takes --lock-timeout
        self._handle: Any = None

    def __enter__(self) -> OutputLock:
        self.lock_dir.mkdir(parents=True, exist_ok=True)
        self._handle = (self.lock_dir / "cdktf.out.lock").open("a+")
        fcntl.flock(self._handle, fcntl.LOCK_SH)  # only ever held exclusively for a moment
        self._holder_file().write_text(json.dumps({"pid": os.getpid(), "command": self.command,
                                                   "since": time.strftime("%H:%M:%S")}))
        return self

    def __exit__(self, *exc: object) -> None:
        self._holder_file().unlink(missing_ok=True)
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout_seconds
        while True:
            try:
                fcntl.flock(self._handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                fcntl.flock(self._handle, fcntl.LOCK_SH)  # a failed conversion may have dropped it
                if time.monotonic() >= deadline:
                    raise WorkspaceBusyError(
                        f"cdktf.out is in use by {self._others()}, and this regions.yaml synthesizes "
                        "different workspaces",
                        hint="wait for it to finish, or pass --lock-timeout (e.g. 10m) to wait here"
                        if self.can_wait else f"wait for it to finish, then run `residency {self.command}` again",
                    ) from None
                time.sleep(RETRY_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(self._handle, fcntl.LOCK_SH)

    @contextmanager
    def one_synth_at_a_time(self) -> Iterator[None]:
        """Synthesize only while no other process of the project does.

        Two synths at once would each hold the output shared and wait for the other to let go
        before swapping in. While this one waits for the other synth, it lets go of the output, so
        the other can swap its result in; then the cache usually finds nothing left to do here.
        """
        with (self.lock_dir / "synth.lock").open("a+") as synthesizing:
            try:
                fcntl.flock(synthesizing, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fcntl.flock(self._handle, fcntl.LOCK_UN)
                try:
                    fcntl.flock(synthesizing, fcntl.LOCK_EX)
                finally:
                    fcntl.flock(self._handle, fcntl.LOCK_SH)
            try:
                yield
            finally:
                fcntl.flock(synthesizing, fcntl.LOCK_UN)

    def _holder_file(self) -> Path:
        return self.lock_dir / f"cdktf.out.{os.getpid()}.holder"

    def _others(self) -> str:
        holders = []
        for path in sorted(self.lock_dir.glob("cdktf.out.*.holder")):
            try:
                holder = json.loads(read_handed_text(path, WORK_FILE_LIMIT))
            except (OSError, ValueError):
                continue
            if holder.get("pid") != os.getpid():
                holders.append(f"residency {holder.get('command')} (pid {holder.get('pid')}, "
                               f"since {holder.get('since')})")
        return ", ".join(holders) or "another residency process"
