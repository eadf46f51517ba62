"""Processes and signals, as residency's commands share them."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], None]


def exists(pid: int) -> bool:
    """Whether a process with this id exists (possibly another user's, or a zombie)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def interrupts_handled_by(handler: Handler) -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM go to `handler` for the duration; the previous handlers after."""
    previous = {signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
