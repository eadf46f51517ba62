"""regions.yaml that is not a plain small UTF-8 file: refused at once with the documented exit code,
never a hang or a traceback; and `region add` keeps the file's own line endings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_cli

ADD = ["region", "add", "ca-central-1", "--jurisdiction", "CA", "--countries", "CA"]


def refused(result, code: int, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["validate"], ADD, ["synth"]], ids=["validate", "region-add", "synth"])
def test_a_fifo_is_refused_at_once_not_waited_on(tmp_path: Path, command: list[str]):
    fifo = tmp_path / "regions.yaml"
    os.mkfifo(fifo)
    result = run_cli(["--config", str(fifo), *command], tmp_path, timeout=60)
    refused(result, 66, "is a named pipe (FIFO), not a regular file")


def test_a_symlink_loop_is_named_as_one(tmp_path: Path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    refused(run_cli(["--config", "a.yaml", "validate"], tmp_path), 66, "a.yaml is a symbolic link loop")


def test_a_dangling_symlink_names_what_it_points_to(tmp_path: Path):
    (tmp_path / "regions.yaml").symlink_to(tmp_path / "gone.yaml")
    refused(run_cli(["validate"], tmp_path), 66,
            "regions.yaml is a symbolic link to", "gone.yaml, which does not exist")


def test_a_symlink_to_a_real_file_is_followed(tmp_path: Path):
    (tmp_path / "real.yaml").write_text(SAMPLE.read_text())
    (tmp_path / "regions.yaml").symlink_to(tmp_path / "real.yaml")
    assert run_cli(["validate"], tmp_path).returncode == 0


@pytest.mark.parametrize("command", [["validate"], ADD], ids=["validate", "region-add"])
def test_a_directory_is_refused(tmp_path: Path, command: list[str]):
    (tmp_path / "regions.yaml").mkdir()
    refused(run_cli(command, tmp_path), 66, "is a directory, not a regular file")


def test_region_add_refuses_a_file_that_is_not_utf8(tmp_path: Path):
    (tmp_path / "regions.yaml").write_bytes(SAMPLE.read_bytes().replace(b"acme-health", b"acme-h\xe9alth"))
    refused(run_cli(ADD, tmp_path), 65, "not valid UTF-8 (byte 0xe9)")


def test_region_add_does_not_read_a_huge_file(tmp_path: Path):
    huge = tmp_path / "regions.yaml"
    with huge.open("wb") as file:
        file.truncate(100 * 1024 * 1024)  # sparse: 100 MB that take no disk
    refused(run_cli(ADD, tmp_path, timeout=60), 65, "file is larger than 1 MiB (104,857,600 bytes)")


def test_region_add_keeps_crlf_line_endings_and_a_byte_order_mark(tmp_path: Path):
    config = tmp_path / "regions.yaml"
    original = b"\xef\xbb\xbf" + SAMPLE.read_bytes().replace(b"\n", b"\r\n")
    config.write_bytes(original)
    result = run_cli(ADD, tmp_path)
    assert result.returncode == 0, result.stderr
    written = config.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf")
    assert b"ca-central-1:" in written
    assert written.count(b"\n") == written.count(b"\r\n") > original.count(b"\r\n")
    assert run_cli(["validate"], tmp_path).returncode == 0


def test_region_add_refuses_mixed_line_endings_and_leaves_the_file(tmp_path: Path):
    config = tmp_path / "regions.yaml"
    lines = SAMPLE.read_bytes().split(b"\n")
    original = b"\r\n".join(lines[:3]) + b"\n" + b"\n".join(lines[3:])
    config.write_bytes(original)
    refused(run_cli(ADD, tmp_path), 64, "mixes CRLF and LF line endings")
    assert config.read_bytes() == original


# --- files handed to residency: saved plans, run reports, a bundle, a plan's JSON ----------------------------------

def handed(tmp_path: Path, kind: str) -> Path:
    """A FIFO (a plain read would wait forever) or a link to /dev/zero (a plain read would never end)."""
    target = tmp_path / f"handed-{kind}"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    return target


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_files_handed_to_residency_are_refused_at_once_when_not_plain_files(tmp_path: Path, kind: str):
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text())
    reason = "named pipe (FIFO)" if kind == "fifo" else "a character device"
    plans = tmp_path / "plans"
    plans.mkdir()
    handed(tmp_path, kind).rename(plans / "manifest.json")
    refused(run_cli(["apply", "--plans", str(plans)], tmp_path, timeout=60), 64, reason)
    refused(run_cli(["ci", "summary", str(handed(tmp_path, kind))], tmp_path, timeout=60), 64, reason)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (tmp_path / f"handed-{kind}").unlink()
    handed(tmp_path, kind).rename(bundle / "residency-bundle.json")
    refused(run_cli(["plan", "--from", str(bundle)], tmp_path, timeout=60), 64, reason)
