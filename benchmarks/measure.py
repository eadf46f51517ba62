"""Wall time and peak memory of one command, standard library only.

Peak memory is the largest sum of resident memory over the command's whole process tree (python,
and for synth the Node process jsii starts), sampled every 20 ms from /proc. Where /proc is missing
it falls back to `resource`: the largest single child process, which is smaller.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02
PROC = Path("/proc")


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    output: str  # stdout and stderr, for diagnosing a failed run
    cpu_seconds: float = 0.0  # user + system time of the whole process tree (every process waited for)


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    with tempfile.TemporaryFile("w+") as output:
        cpu_before = _children_cpu()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        peak_kb = 0
        while process.poll() is None:
            peak_kb = max(peak_kb, _tree_rss_kb(process.pid))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        if not PROC.is_dir():
            peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        output.seek(0)
        return Run(seconds, peak_kb / 1024, process.returncode, output.read(), _children_cpu() - cpu_before)


def median_of(runs: list[Run]) -> Run:
    """The run with the median time; its memory is the highest seen in any of them."""
    ordered = sorted(runs, key=lambda r: r.seconds)
    middle = ordered[len(ordered) // 2]
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs), middle.returncode,
               middle.output, middle.cpu_seconds)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _tree_rss_kb(root: int) -> int:
    total, frontier = 0, [root]
    while frontier:
        pid = frontier.pop()
        total += _rss_kb(pid)
        frontier.extend(_children(pid))
    return total


def _rss_kb(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            found.extend(int(child) for child in (task / "children").read_text().split())
    except (OSError, ValueError):
        pass
    return found
