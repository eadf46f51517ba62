"""Ctrl-C and SIGTERM during a run: once stops gracefully, twice stops hard.

Terraform runs in its own session, so the terminal's Ctrl-C reaches residency alone, which sends
exactly one SIGINT to each running Terraform: it stops what it is doing, saves state and releases
its lock. A second Ctrl-C kills them; a state lock may then remain, and residency says which and
how to release it, but never unlocks by itself.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from residency import processes
from residency.files import WORK_FILE_LIMIT, read_handed_text
from residency.terraform.runner import Terraform
from residency.terraform.scheduler import Stop

LOCK_INFO = ".terraform.tfstate.lock.info"  # the local backend's lock record, beside the state


@dataclass
class Interrupts:
    count: int = 0
    killed: list[str] = field(default_factory=list)


@contextmanager
def forwarding_interrupts(terraform: Terraform, stop: Stop, say: Callable[[str], None]) -> Iterator[Interrupts]:
    seen = Interrupts()

    def handle(signum: int, _frame: FrameType | None) -> None:
        seen.count += 1
        if seen.count == 1:
            stop.set("interrupted")
            running = terraform.interrupt()
            waiting = f"; waiting for {', '.join(running)} to save state and release locks" if running else ""
            say(f"interrupted ({signal.Signals(signum).name}): starting nothing new{waiting} "
                "(Ctrl-C again to stop hard)")
        else:
            seen.killed = terraform.kill()
            say(f"stopping hard: killed Terraform in {', '.join(seen.killed) or 'no workspace'}")

    with processes.interrupts_handled_by(handle):
        yield seen


def remaining_locks(terraform: Terraform, workspaces: list[str]) -> list[str]:
    """What to tell the user about state locks a hard stop may have left."""
    paths = terraform.settings.paths
    notes = []
    for name in workspaces:
        info_file = paths.state_file(name).parent / LOCK_INFO
        try:
            lock_id = str(json.loads(read_handed_text(info_file, WORK_FILE_LIMIT))["ID"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        command = (f"TF_DATA_DIR={terraform.data_dir_path(name)} terraform "
                   f"-chdir={_relative(paths.stack_dir(name))} force-unlock {lock_id}")
        notes.append(f"{name}: the state lock {lock_id} may remain. Once nothing runs there, release it with:\n"
                     f"    {command}")
    return notes


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
