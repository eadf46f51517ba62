"""Run one step per workspace across a dependency graph: independent workspaces in parallel.

The main thread schedules and waits; each workspace runs in a worker thread. A workspace starts
when every selected workspace it depends on has succeeded; when one fails, what depends on it is
skipped while independent work goes on (or, with fail_fast, nothing new starts). An interrupt
stops scheduling: running workspaces finish (Terraform saves state and releases its lock) and
the rest are reported as not started.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

POLL_SECONDS = 0.2


class Result(Protocol):
    @property
    def succeeded(self) -> bool: ...

    @property
    def summary(self) -> str:
        """What dependents are told when this did not succeed, e.g. `eu-central-1 failed`."""
        ...


@dataclass
class Stop:
    """Why no new workspace may start, set from the signal handler or on a failure with fail_fast."""

    reason: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, reason: str) -> None:
        with self._lock:
            self.reason = self.reason or reason

    @property
    def requested(self) -> bool:
        return self.reason is not None


R = TypeVar("R", bound=Result)


def run_graph(
    order: list[str],
    depends_on: Mapping[str, Iterable[str]],
    run_one: Callable[[str], R],
    skip: Callable[[str, str], R],
    *,
    parallelism: int,
    fail_fast: bool = False,
    stop: Stop | None = None,
    on_done: Callable[[R], None] = lambda result: None,
) -> dict[str, R]:
    """Results by workspace for every name in `order` (which lists dependencies first).

    `depends_on[name]` are the workspaces that must succeed before `name` starts; `skip(name,
    reason)` makes the result of a workspace that never starts.
    """
    stop = stop or Stop()
    results: dict[str, R] = {}
    waiting = list(order)
    running: dict[Future[R], str] = {}
    with ThreadPoolExecutor(max_workers=max(1, parallelism), thread_name_prefix="workspace") as pool:
        while waiting or running:
            before = len(waiting)
            for name in list(waiting):
                reason = _blocked(name, depends_on, results, stop)
                if reason is not None:
                    waiting.remove(name)
                    results[name] = skip(name, reason)
                    on_done(results[name])
                elif _ready(name, depends_on, results) and len(running) < max(1, parallelism):
                    waiting.remove(name)
                    running[pool.submit(run_one, name)] = name
            if not running:
                if waiting and len(waiting) == before:  # nothing can ever start: a dependency outside `order`
                    raise ValueError(f"unsatisfiable dependencies for {', '.join(waiting)}")
                continue
            done, _ = wait(list(running), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                name = running.pop(future)
                results[name] = future.result()
                on_done(results[name])
                if fail_fast and not results[name].succeeded:
                    stop.set(f"{name} failed (--fail-fast)")
    return {name: results[name] for name in order}


def _ready(name: str, depends_on: Mapping[str, Iterable[str]], results: Mapping[str, Result]) -> bool:
    return all(dependency in results for dependency in depends_on.get(name, ()))


def _blocked(name: str, depends_on: Mapping[str, Iterable[str]], results: Mapping[str, Result],
             stop: Stop) -> str | None:
    for dependency in depends_on.get(name, ()):
        if dependency in results and not results[dependency].succeeded:
            return results[dependency].summary
    if stop.requested:
        return f"not started: {stop.reason}"
    return None
