"""A synthesized output handed from the job that ran the project's code to the jobs that hold credentials.

`residency synth --bundle DIR` writes DIR as a small project of its own: `regions.yaml` (the configuration it
was synthesized from), `cdktf.out/` and `residency-bundle.json`, which lists the sha256 of every file with
residency's version, the commit and the workspaces the change affects. `plan`, `apply` and `drift --from DIR`
read the configuration and the output from there and never synthesize, so they import nothing of the
project; a file changed, added or missing since the bundle was written, or a bundle of another residency,
is refused before Terraform runs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from residency.errors import UsageError
from residency.files import LOCK_FILE, NOT_SYNTHESIZED, file_sha256, read_handed_text, write_atomically
from residency.paths import OUT_DIR_NAME, STATE_DIR_NAME

BUNDLE_FILE = "residency-bundle.json"
CONFIG_NAME = "regions.yaml"
FORMAT = 1


@dataclass(frozen=True)
class Bundle:
    directory: Path
    residency_version: str
    commit: str | None
    workspaces: tuple[str, ...] | None  # those the change affects; None: every workspace
    config_origin: str  # where regions.yaml was, for messages

    @property
    def config_path(self) -> Path:
        return self.directory / CONFIG_NAME


def write_bundle(directory: Path, *, config_file: Path, out_dir: Path, residency_version: str,
                 commit: str | None, workspaces: list[str] | None) -> Path:
    """Write DIR whole or not at all; DIR must not exist (a bundle is never mixed with another)."""
    if directory.exists():
        raise UsageError(f"{directory} already exists", hint="give a new directory to --bundle")
    staging = directory.with_name(f".{directory.name}.staging")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        shutil.copyfile(config_file, staging / CONFIG_NAME)
        shutil.copytree(out_dir, staging / OUT_DIR_NAME, symlinks=True,
                        ignore=shutil.ignore_patterns(*NOT_SYNTHESIZED, ".terraform"))
        record = {"format": FORMAT, "residency": residency_version, "commit": commit,
                  "config": config_file.as_posix(), "workspaces": workspaces, "files": _digests(staging)}
        write_atomically(staging / BUNDLE_FILE, json.dumps(record, indent=2) + "\n")
        staging.rename(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def open_bundle(directory: Path, *, residency_version: str) -> Bundle:
    """The bundle in `directory`, once every file is shown to be the one written there."""
    record = _record(directory)
    if record.get("residency") != residency_version:
        raise UsageError(f"{directory} was synthesized by residency {record.get('residency')}, this is "
                         f"{residency_version}", hint="install the same residency in both jobs")
    listed = record.get("files")
    if not isinstance(listed, dict):
        raise UsageError(f"{directory / BUNDLE_FILE} lists no files", hint="write it with `residency synth --bundle`")
    found = _digests(directory)
    changed = sorted(name for name in listed.keys() & found.keys() if listed[name] != found[name])
    missing = sorted(listed.keys() - found.keys())
    added = sorted(found.keys() - listed.keys())
    if changed or missing or added:
        parts = [f"{label}: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}"
                 for label, names in (("changed", changed), ("missing", missing), ("added", added)) if names]
        raise UsageError(f"{directory} is not what `residency synth --bundle` wrote ({'; '.join(parts)})",
                         hint="hand the bundle over unchanged (one artifact), or write it again")
    workspaces = record.get("workspaces")
    commit = record.get("commit")
    return Bundle(directory=directory, residency_version=residency_version,
                  commit=commit if isinstance(commit, str) else None,
                  workspaces=tuple(str(name) for name in workspaces) if isinstance(workspaces, list) else None,
                  config_origin=str(record.get("config") or CONFIG_NAME))


def forget_dependency_locks(directory: Path) -> None:
    """Lock files in a bundle are planted (the synth job writes none) or an earlier init's in this job: removed,
    so `terraform init` takes providers as the registry or mirror signs them, never as a planted lock and a shared
    plugin cache would have them."""
    for lock in (directory / OUT_DIR_NAME).glob(f"stacks/*/{LOCK_FILE}"):
        lock.unlink(missing_ok=True)


def _record(directory: Path) -> dict[str, object]:
    path = directory / BUNDLE_FILE
    try:
        record = json.loads(read_handed_text(path))
    except FileNotFoundError:
        raise UsageError(f"{directory} is not a synthesized bundle (no {BUNDLE_FILE})",
                         hint="write one with `residency synth --bundle DIR` in the job that synthesizes") from None
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path}: {error}") from error
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise UsageError(f"{path} is not a bundle this residency reads (format {FORMAT})")
    return record


def _digests(directory: Path) -> dict[str, str]:
    """sha256 of every file but residency's and Terraform's own working files (state, locks, moves)."""
    found: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if relative.parts[0] in (STATE_DIR_NAME, BUNDLE_FILE) or path.name in NOT_SYNTHESIZED:
            continue
        if path.is_symlink():
            found[relative.as_posix()] = "symlink:" + str(path.readlink())
        elif path.is_file():
            found[relative.as_posix()] = file_sha256(path)
    return found
