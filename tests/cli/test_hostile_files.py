"""regions.yaml that is not a plain small UTF-8 file: refused at once with the documented exit code,
never a hang or a traceback; and `region add` keeps the file's own line endings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, run_cli
from tests.hostile_files import plant

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


# --- every other file a command reads: handed to it, or found in the project --------------------------------------

KINDS = {  # what each hostile file is said to be: a plain read would wait forever, read without end, or fail later
    "fifo": "is a named pipe (FIFO), not a regular file",
    "zero": "is a character device, not a regular file",  # a symbolic link to /dev/zero
    "directory": "is a directory, not a regular file",
    "oversized": "more than residency reads",  # sparse: hundreds of MB that take no disk
}


def saved_plans(root: Path) -> None:
    """A manifest of `plan --save-plans` whose one plan file is the hostile one."""
    from importlib.metadata import version

    entry = {"status": "changes", "synth_digest": "0", "state": {}, "plan_file": "eu-central-1.tfplan",
             "plan_sha256": "0"}
    (root / "plans").mkdir()
    (root / "plans" / "manifest.json").write_text(json.dumps({
        "format": 2, "residency_version": version("residency"), "terraform_version": "1.11.4", "commit": None,
        "created": "2026-01-01T00:00:00Z", "workspaces": {"eu-central-1": entry}}))

EXTENSIONS = "extensions:\n  region: [billing.infra:region_resources]\n"


def extension_package(root: Path) -> None:
    (root / "regions.yaml").write_text(SAMPLE.read_text() + EXTENSIONS)
    (root / "billing").mkdir()
    (root / "billing" / "__init__.py").write_text("")
    (root / "billing" / "infra.py").write_text("def region_resources(scope, context):\n    pass\n")


# (command, the file it reads that is made hostile, its exit code for bad input, what else the project needs)
READERS = {
    "ci-summary": (["ci", "summary", "report.json"], "report.json", 64, None),
    "check-plan": (["check", "--plan", "eu-central-1=plan.json"], "plan.json", 64, None),
    "baseline-suppressions": (["baseline", "--suppressions", "reviewed.yaml"], "reviewed.yaml", 64, None),
    "apply-plans-manifest": (["apply", "--plans", "plans"], "plans/manifest.json", 64, None),
    "apply-plans-plan-file": (["apply", "--plans", "plans"], "plans/eu-central-1.tfplan", 64, saved_plans),
    "plan-from-bundle": (["plan", "--from", "bundle"], "bundle/residency-bundle.json", 64, None),
    "init-gitignore": (["init", "new"], "new/.gitignore", 64, None),
    "synth-extension-module": (["synth"], "billing/stray.py", 65, extension_package),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reader", READERS)
def test_a_file_that_is_not_a_plain_file_of_a_sane_size_is_refused_at_once(tmp_path: Path, reader: str, kind: str):
    command, hostile, code, prepare = READERS[reader]
    if reader == "apply-plans-plan-file" and kind == "oversized":
        pytest.skip("a saved plan has no size limit: it is hashed a block at a time, never held")
    (tmp_path / "regions.yaml").write_text(SAMPLE.read_text())
    if prepare is not None:
        prepare(tmp_path)
    plant(tmp_path / hostile, kind)
    refused(run_bounded(command, tmp_path), code, KINDS[kind], Path(hostile).name)


def run_bounded(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """run_cli in at most 2 GiB of address space and 60 seconds: a read of /dev/zero without end fails, rather
    than take the machine's memory, and a wait on a FIFO fails the test rather than hang it."""
    return subprocess.run([sys.executable, "-c", BOUNDED, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


BOUNDED = """import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, resource.getrlimit(resource.RLIMIT_AS)[1]))
os.execv(sys.executable, [sys.executable, "-m", "residency", *sys.argv[1:]])
"""
