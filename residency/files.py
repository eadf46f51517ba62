"""Files residency writes for people and other tools (all or nothing), and files it reads (only what a regular file
of a bounded size holds: never waiting on a FIFO, never reading a device without end)."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from residency.errors import ResidencyError


def write_atomically(path: Path, text: str) -> Path:
    """A reader never sees half a file: write beside it, then rename over it. A file that exists
    keeps its permissions, and a symlink keeps pointing at the file it names, which is replaced."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", delete=False) as file:
            temporary = Path(file.name)
            file.write(text.encode("utf-8"))
        os.chmod(temporary, mode)  # a temporary file is private; these are ordinary files
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise ResidencyError(f"cannot write {path}: {error.strerror or error}") from error
    return path


class UnreadableFile(Exception):
    """Why a file cannot be read, said for a person; `missing` when nothing is there at all."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


class FileTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (through symlinks), at most `limit`, refusing anything else at once.

    A FIFO would block a plain open() or read() forever and a device may never end, so the file is
    opened without blocking and judged by what was opened; a symlink loop is named as one.
    """
    descriptor, status = _open_regular(path)
    try:
        if status.st_size > limit:
            raise FileTooLarge(status.st_size)
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as error:
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while being read
        raise FileTooLarge(len(data))
    return data


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """A blocking descriptor of the regular file at `path`, opened without waiting on a FIFO; UnreadableFile else."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        if path.is_symlink():
            raise UnreadableFile(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist",
                                 missing=True) from None
        raise UnreadableFile(f"{path}: no such file", missing=True) from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableFile(f"{path} is a symbolic link loop (it never reaches a file)") from None
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UnreadableFile(f"{path} is {_kind(status.st_mode)}, not a regular file")
        os.set_blocking(descriptor, True)
    except OSError as error:
        os.close(descriptor)
        raise UnreadableFile(f"cannot read {path}: {error.strerror or error}") from None
    except UnreadableFile:
        os.close(descriptor)
        raise
    return descriptor, status


# What residency reads of a file handed to it (a plan's JSON, a manifest, a run's report): far more than any it writes.
HANDED_FILE_LIMIT = 256 * 1024 * 1024
# What residency reads of its own small records (a lock's holder, a stamp, a marker, the synth cache's record).
WORK_FILE_LIMIT = 1024 * 1024


def read_handed_text(path: Path, limit: int = HANDED_FILE_LIMIT) -> str:
    """A file a user or another job handed to residency, as UTF-8 text: a regular file of at most `limit` bytes.
    OSError for anything else (a FIFO, a device, a directory, a file too large, not UTF-8), with the reason
    said for a person, so callers that catch OSError need nothing more."""
    try:
        return read_regular_file(path, limit).decode("utf-8")
    except UnreadableFile as error:
        raise _os_error(error) from None
    except FileTooLarge as error:
        raise OSError(f"{path} holds {error.size} bytes, more than residency reads ({limit})") from None
    except UnicodeDecodeError as error:
        raise OSError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start})") from None


def read_text_file(path: Path, limit: int, *, error: type[ResidencyError] = ResidencyError,
                   hint: str | None = None) -> str:
    """read_handed_text for a caller with nothing to do about a file it cannot read but stop: one `error` (the
    ResidencyError whose exit code the command documents for it) saying why."""
    try:
        return read_handed_text(path, limit)
    except OSError as problem:
        raise error(str(problem), hint=hint) from None


def open_handed_file(path: Path) -> BinaryIO:
    """The regular file at `path` opened for reading, for a library that reads it itself (a zip) or a digest
    streamed from it; OSError as read_handed_text says it for anything else, before anything waits on it."""
    try:
        descriptor, _status = _open_regular(path)
    except UnreadableFile as error:
        raise _os_error(error) from None
    return os.fdopen(descriptor, "rb")


def file_sha256(path: Path) -> str:
    """The sha256 of a regular file's bytes, read a block at a time; OSError as open_handed_file says it."""
    digest = hashlib.sha256()
    with open_handed_file(path) as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _os_error(error: UnreadableFile) -> OSError:
    return (FileNotFoundError if error.missing else OSError)(error.reason)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


# A workspace's `moved` blocks for the renames a plan found (terraform/renames.py): written by plan, not synth.
MOVES_FILE = "residency_moves.tf.json"
# Written into cdktf.out by `terraform init` or a plan, not by synth: they say nothing about the configuration.
LOCK_FILE = ".terraform.lock.hcl"  # Terraform's dependency lock, written by `terraform init`
NOT_SYNTHESIZED = (LOCK_FILE, MOVES_FILE)


def synthesized_digest(directory: Path) -> str | None:
    """A digest of what synth wrote under `directory` (names and contents); None if it is missing."""
    if not directory.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.name not in NOT_SYNTHESIZED and ".terraform" not in path.parts:
            digest.update(f"\0{path.relative_to(directory).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
