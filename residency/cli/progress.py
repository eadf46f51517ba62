"""How a run of many workspaces shows its progress without interleaving their output.

On a terminal: a live view, one line per workspace with its state, elapsed time and latest
resource event, redrawn in place. Otherwise (or with --no-progress): whole lines prefixed with
the workspace, each written in one piece. Either way each workspace's full Terraform output is in
its log file, and a failure's detail is printed once, in the summary.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from residency.flows.terraform_runs import NOTE, Operation, Outcome, describe

PROGRESS_WORDS = ("Creation complete", "Modifications complete", "Destruction complete", "Still ")
REDRAW_SECONDS = 0.5
_ACTIVE = {Operation.PLAN: "planning", Operation.APPLY: "applying", Operation.DESTROY: "destroying",
           Operation.DRIFT: "checking drift"}


def is_progress(text: str) -> bool:
    return text.startswith(("Error", NOTE)) or text.split(": ", 1)[-1].startswith(PROGRESS_WORDS)


class LineReporter:
    """Prefixed, complete lines on stderr: for logs, CI and pipes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        # Re-entrant: a signal handler says what it does on the thread it interrupted, maybe inside say().
        self._lock = threading.RLock()

    def say(self, text: str) -> None:
        with self._lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    def started(self, name: str, operation: Operation) -> None:
        self.say(f"==> {name}: {operation.value}")

    def line(self, name: str, text: str) -> None:
        if is_progress(text):
            self.say(f"    {name}: {text.splitlines()[0]}")

    def finished(self, outcome: Outcome, operation: Operation) -> None:
        first, *rest = describe(operation, outcome).splitlines() or [""]
        seconds = f" ({outcome.seconds:.1f}s)" if outcome.seconds else ""
        self.say(f"<== {outcome.workspace}: {first}{seconds}")

    def close(self) -> None:
        pass


class LiveReporter:
    """One line per workspace, redrawn in place on a terminal."""

    def __init__(self, names: list[str], stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.names = names
        self.state = {name: "waiting" for name in names}
        self.detail = {name: "" for name in names}
        self.since: dict[str, float] = {}
        self.took: dict[str, float] = {}
        self._lock = threading.RLock()  # re-entrant, as LineReporter's
        self._drawn = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._redraw_loop, daemon=True)
        self._thread.start()

    def say(self, text: str) -> None:
        with self._lock:
            self._erase()
            self.stream.write(text + "\n")
            self._draw()

    def started(self, name: str, operation: Operation) -> None:
        with self._lock:
            self.state[name] = _ACTIVE[operation]
            self.since[name] = time.monotonic()

    def line(self, name: str, text: str) -> None:
        if is_progress(text):
            with self._lock:
                self.detail[name] = text.splitlines()[0]

    def finished(self, outcome: Outcome, operation: Operation) -> None:
        with self._lock:
            self.state[outcome.workspace] = outcome.status.value
            self.detail[outcome.workspace] = describe(operation, outcome).splitlines()[0]
            self.took[outcome.workspace] = outcome.seconds

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        with self._lock:
            self._erase()
            self._draw()

    def _redraw_loop(self) -> None:
        while not self._done.wait(REDRAW_SECONDS):
            with self._lock:
                self._erase()
                self._draw()

    def _erase(self) -> None:
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")  # up to the view's first line, clear below
        self._drawn = 0

    def _draw(self) -> None:
        width = max(len(name) for name in self.names)
        for name in self.names:
            seconds = self.took.get(name, time.monotonic() - self.since[name] if name in self.since else 0.0)
            clock = f"{seconds:6.1f}s" if name in self.since else "       "
            self.stream.write(f"  {name:<{width}}  {self.state[name]:<14} {clock}  {self.detail[name][:80]}\n")
        self._drawn = len(self.names)
        self.stream.flush()
