"""A reporter that records what a run reports, for tests."""

from __future__ import annotations

import threading

from residency.terraform.operations import Operation, Outcome, describe


class Recorder:
    def __init__(self) -> None:
        self.events: list[str] = []
        self._lock = threading.Lock()

    def started(self, name: str, operation: Operation) -> None:
        with self._lock:
            self.events.append(f"start {name} {operation.value}")

    def finished(self, outcome: Outcome, operation: Operation) -> None:
        with self._lock:
            self.events.append(f"end {outcome.workspace} {describe(operation, outcome)}")

    def line(self, name: str, text: str) -> None:
        pass

    def say(self, text: str) -> None:
        with self._lock:
            self.events.append(text)
