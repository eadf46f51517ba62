"""Processes and signals, as residency's commands share them: every external program starts here.

Each runs with an argument list (never a shell), an explicit directory and environment, nothing on
stdin, and (except the one command a user runs on the terminal) in a session of its own, so that
Ctrl-C reaches residency alone, which decides what to forward (Terraform gets exactly one
interrupt; see `terraform/interrupts.py`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

Handler = Callable[[int, FrameType | None], None]


@dataclass(frozen=True)
class Captured:
    returncode: int
    stdout: str
    stderr: str


class CouldNotRun(Exception):
    """The program did not start (not found, not executable) or overran its time."""


def capture(command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            timeout: float | None = None) -> Captured:
    """Run `command` to its end with its output captured (as text; undecodable bytes replaced)."""
    try:
        completed = subprocess.run(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                                   check=False, timeout=timeout, start_new_session=True)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CouldNotRun(f"cannot run {command[0]}: {error}") from error
    return Captured(completed.returncode, completed.stdout, completed.stderr)


def start(command: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
          output: int | IO[bytes] | IO[str] = subprocess.PIPE) -> subprocess.Popen[str]:
    """Start `command` and return at once; its stdout and stderr go together to `output` (a pipe to read
    as text lines, by default, or an open file)."""
    try:
        return subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, text=True,
                                errors="replace", start_new_session=True)
    except OSError as error:
        raise CouldNotRun(f"cannot run {command[0]}: {error}") from error


def run_on_terminal(command: Sequence[str], *, cwd: Path | None = None,
                    env: Mapping[str, str] | None = None) -> int:
    """Run `command` with residency's stdin, stdout and stderr (an interactive `terraform console`,
    say) to its end; its exit code. The one program that is not in a session of its own: the
    terminal's Ctrl-C reaches it directly, so residency only waits for it; SIGTERM is passed on."""
    try:
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None)
    except OSError as error:
        raise CouldNotRun(f"cannot run {command[0]}: {error}") from error

    def pass_on(signum: int, frame: FrameType | None) -> None:
        if signum != signal.SIGINT:  # the terminal already sent Ctrl-C to the whole foreground group
            process.send_signal(signum)

    if threading.current_thread() is not threading.main_thread():
        return process.wait()
    with interrupts_handled_by(pass_on):
        return process.wait()


def exists(pid: int) -> bool:
    """Whether a process with this id exists (possibly another user's, or a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# What stops residency: each is handled like Ctrl-C (once gracefully, twice hard).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def interrupts_handled_by(handler: Handler) -> Iterator[None]:
    """SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal, a lost SSH session) go to `handler` for the
    duration; the previous handlers after."""
    previous = {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@contextmanager
def interrupts_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP wait until the block is done, then go to the handler that was in place.

    For a short step that must not be cut in half. Outside the main thread, where signals cannot be
    handled, the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    with interrupts_handled_by(lambda signum, frame: received.append(signum)):
        yield
    if received:
        handler = previous[signal.Signals(received[0])]
        if callable(handler):
            handler(received[0], None)
        raise KeyboardInterrupt
