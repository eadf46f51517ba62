"""Writing a synthesized output directory (cdktf.out) whole or not at all, whatever builds it.

The new output is built beside the old one and swapped in only when complete, so a failed synth never
leaves a half-written directory; Terraform's dependency lock files are carried over; output identical to
what is there is not swapped in, and an unchanged workspace keeps its very files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Protocol

from residency import processes
from residency.files import LOCK_FILE


class Synthesizable(Protocol):
    def synth(self) -> None: ...


def write_output(build: Callable[[Path], Synthesizable], out_dir: Path, extra_files: Mapping[str, str] | None,
           exclusive: Callable[[], AbstractContextManager[object]] | None) -> list[str]:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    _sweep_leftovers(out_dir)
    staging = out_dir.with_name(f".{out_dir.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        build(staging).synth()
        workspaces = [p.name for p in sorted((staging / "stacks").iterdir())]
        for name, text in (extra_files or {}).items():
            (staging / name).write_text(text)
        _carry_over_lock_files(out_dir, staging)
        if not _same_tree(staging, out_dir):
            _keep_unchanged_workspaces(out_dir, staging)
            with exclusive() if exclusive is not None else nullcontext():
                _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return workspaces


def _sweep_leftovers(out_dir: Path) -> None:
    """Remove the staging and retired directories of synths whose process is gone (killed, or a
    machine that stopped mid-synth); those of a live process are its own business."""
    for leftover in out_dir.parent.glob(f".{out_dir.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if kind.endswith((".staging", ".retired")) and pid.isdigit() and not processes.exists(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _same_tree(new: Path, old: Path) -> bool:
    def files(root: Path) -> dict[str, Path]:
        return {path.relative_to(root).as_posix(): path for path in root.rglob("*") if path.is_file()}

    if not old.is_dir():
        return False
    new_files, old_files = files(new), files(old)
    return new_files.keys() == old_files.keys() and all(
        new_files[name].read_bytes() == old_files[name].read_bytes() for name in new_files)


def _keep_unchanged_workspaces(old: Path, new: Path) -> None:
    """A workspace synthesized exactly as before keeps its very files (hard links: same inode and
    modification time), so only what changed is rewritten; the whole directory is still swapped in
    at once."""
    for stack in list((new / "stacks").iterdir()) if (new / "stacks").is_dir() else []:
        previous = old / "stacks" / stack.name
        if not _same_tree(stack, previous):
            continue
        relinked = stack.with_name(f".{stack.name}.relinked")
        try:
            shutil.copytree(previous, relinked, copy_function=os.link)
        except OSError:  # a file system without hard links: the fresh copy is as good
            shutil.rmtree(relinked, ignore_errors=True)
            continue
        shutil.rmtree(stack)
        relinked.rename(stack)


def _carry_over_lock_files(old: Path, new: Path) -> None:
    for lock in old.glob(f"stacks/*/{LOCK_FILE}"):
        target = new / "stacks" / lock.parent.name
        if target.is_dir() and lock.is_file():  # copy2 would wait on a FIFO, or copy a device without end
            shutil.copy2(lock, target / LOCK_FILE)


def _swap_in(staging: Path, out_dir: Path) -> None:
    retired = out_dir.with_name(f".{out_dir.name}.retired-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)
