"""Files written all or nothing: an existing file keeps its permissions, a symlink its target. Files read only when
they are regular files of a bounded size: a FIFO, a device, a directory or a huge file is refused at once."""

from __future__ import annotations

import hashlib
import re
import resource
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from residency.errors import ResidencyError, UsageError
from residency.files import file_sha256, open_handed_file, read_handed_text, read_text_file, write_atomically
from residency.flows.orphans import resource_count
from residency.pipelines import pipeline_drift
from residency.synth.cache import is_current
from residency.terraform import locks
from residency.terraform.creation_adoption import read_record
from residency.terraform.manifest import SYNTHESIZED, Workspace, read_manifest, read_synthesized, synthesized_document
from residency.terraform.plan_archive import UnreadablePlanFile, read_plan_archive
from tests.hostile_files import plant


def test_a_new_file_is_an_ordinary_readable_file(tmp_path):
    written = write_atomically(tmp_path / "deep" / "out.json", "{}\n")
    assert written.read_text() == "{}\n" and written.stat().st_mode & 0o777 == 0o644


def test_an_existing_file_keeps_its_mode_and_a_symlink_keeps_pointing_at_it(tmp_path):
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    target.chmod(0o600)
    link = tmp_path / "regions.yaml"
    link.symlink_to(target)
    write_atomically(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.yaml", "regions.yaml"]


# --- reading: only a regular file of a bounded size, refused at once otherwise -----------------------------------

KINDS = {
    "fifo": "is a named pipe (FIFO), not a regular file",
    "zero": "is a character device, not a regular file",  # a symbolic link to /dev/zero
    "directory": "is a directory, not a regular file",
    "oversized": "more than residency reads",
}
LIMIT = 1024


class Hung(BaseException):
    """Raised by the alarm: not an OSError (as TimeoutError is), so no reader's `except OSError` takes it for a
    file it could not read."""


@pytest.fixture
def hostile(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A file of the requested kind, and an alarm that fails the test rather than let a read hang it."""
    path = tmp_path / "hostile.json"
    kind = request.param
    plant(path, kind)

    def hung(signum: int, frame: object) -> None:
        raise Hung(f"reading a {kind} did not give up at once")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    with _memory_bounded():  # a read of /dev/zero without end fails with MemoryError, not the machine
        try:
            yield path
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_bounded(headroom: int = 1 << 30) -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    bound = in_use + headroom if hard == resource.RLIM_INFINITY else min(in_use + headroom, hard)
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _read_through_handle(path: Path) -> str:
    with open_handed_file(path) as file:
        return file.read().hex()


# The helpers of files.py; file_sha256 and open_handed_file stream what they read, so they have no limit.
HELPERS = {
    "read_handed_text": (lambda path: read_handed_text(path, LIMIT), OSError),
    "read_text_file": (lambda path: read_text_file(path, LIMIT, error=UsageError), UsageError),
    "open_handed_file": (_read_through_handle, OSError),
    "file_sha256": (file_sha256, OSError),
}


@pytest.mark.parametrize("hostile", KINDS, indirect=True)
@pytest.mark.parametrize("helper", HELPERS)
def test_a_hostile_file_is_refused_at_once_saying_what_it_is(hostile: Path, helper: str, request):
    kind = request.node.callspec.params["hostile"]
    read, error = HELPERS[helper]
    if kind == "oversized" and helper in ("open_handed_file", "file_sha256"):
        pytest.skip("streamed: no limit")
    with pytest.raises(error, match=re.escape(KINDS[kind])):
        read(hostile)


def test_a_regular_file_reads_as_before(tmp_path: Path):
    path = tmp_path / "plain.txt"
    path.write_bytes(b"caf\xc3\xa9\r\n")
    assert read_handed_text(path, LIMIT) == "café\r\n"
    assert file_sha256(path) == hashlib.sha256(b"caf\xc3\xa9\r\n").hexdigest()
    path.write_bytes(b"\xe9")
    with pytest.raises(UsageError, match="is not UTF-8 text"):
        read_text_file(path, LIMIT, error=UsageError)
    with pytest.raises(FileNotFoundError, match="gone.txt: no such file"):
        read_handed_text(tmp_path / "gone.txt")


def _renamed(path: Path, name: str) -> Path:
    """The hostile file moved to where a reader looks for it."""
    target = path.parent / name
    target.parent.mkdir(parents=True, exist_ok=True)
    path.rename(target)
    return target


def _unfinished_creations(path: Path) -> object:
    _renamed(path, "unfinished-creations/ws.json")
    return read_record(path.parent, "ws")


# Readers of files residency or Terraform write and a user or another process could replace: each gives up at once,
# the way it already gives up on a missing or broken file (raises that error type, or returns that value).
WORK_FILES: dict[str, tuple[Callable[[Path], object], object]] = {
    "cdk.tf.json": (lambda path: read_synthesized(_renamed(path, SYNTHESIZED).parent), ResidencyError),
    "cdk.tf.json, tolerant": (lambda path: synthesized_document(Workspace("ws", _renamed(path, SYNTHESIZED).parent,
                                                                          ())), {}),
    "cdktf.out manifest": (lambda path: read_manifest(_renamed(path, "manifest.json").parent), ResidencyError),
    "synth cache record": (lambda path: is_current(path, path.parent, "key"), False),
    "unfinished creations": (_unfinished_creations, []),
    "lock holder": (locks._holder, "another residency process"),
    "local state (orphans)": (resource_count, 0),
    "saved plan": (read_plan_archive, UnreadablePlanFile),
    "pipeline file": (pipeline_drift._pipeline_text, None),
}


@pytest.mark.parametrize("hostile", KINDS, indirect=True)
@pytest.mark.parametrize("reader", WORK_FILES)
def test_readers_of_work_files_give_up_on_a_hostile_one_at_once(hostile: Path, reader: str):
    read, expected = WORK_FILES[reader]
    if isinstance(expected, type):
        with pytest.raises(expected):
            read(hostile)
    else:
        assert read(hostile) == expected
