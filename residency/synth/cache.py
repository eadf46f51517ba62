"""Skip synth when nothing it reads has changed: regions.yaml, the handlers, residency's own code
and the construct libraries' versions.

The check needs no cdktf or jsii (it takes milliseconds); the record also holds a digest of
cdktf.out, so an output someone edited or deleted is synthesized again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import residency
from residency.errors import ExtensionNotUsable
from residency.files import WORK_FILE_LIMIT, read_handed_text, synthesized_digest, write_atomically
from residency.packaging import handlers_source, read_source
from residency.synth import extension_modules

if TYPE_CHECKING:
    from residency.config import Config

# Distributions whose code decides what synth writes, besides residency itself.
CONSTRUCT_LIBRARIES = ("cdktf", "cdktf-cdktf-provider-aws", "constructs", "jsii")


def synth_key(config: Config, extra_files: Mapping[str, str], project_dir: Path | None = None) -> str:
    """What synth reads: `project_dir` (the directory of regions.yaml) holds the extension modules."""
    digest = hashlib.sha256()
    digest.update(config.model_dump_json(by_alias=True).encode())
    for name, text in sorted(extra_files.items()):
        digest.update(f"\0extra:{name}\0{text}".encode())
    for package, root in (("residency", Path(residency.__file__).parent), ("handlers", handlers_source())):
        for path in _source_files(root):
            digest.update(f"\0{package}:{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    if project_dir is not None:
        references = (*config.extensions.region, *config.extensions.global_)
        for path in extension_modules.source_files(project_dir, references):
            digest.update(f"\0extension:{path.relative_to(project_dir).as_posix()}\0".encode())
            digest.update(read_source(path, error=ExtensionNotUsable))
    for distribution in CONSTRUCT_LIBRARIES:
        digest.update(f"\0{distribution}=={_version(distribution)}".encode())
    return digest.hexdigest()


def output_digest(out_dir: Path) -> str | None:
    """What synth wrote into `out_dir`; None if there is no output."""
    return synthesized_digest(out_dir) if (out_dir / "manifest.json").is_file() else None


def is_current(record_file: Path, out_dir: Path, key: str) -> bool:
    try:
        record = json.loads(read_handed_text(record_file, WORK_FILE_LIMIT))
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and record.get("key") == key and record.get("output") == output_digest(out_dir)


def remember(record_file: Path, out_dir: Path, key: str) -> None:
    write_atomically(record_file, json.dumps({"key": key, "output": output_digest(out_dir)}, indent=2) + "\n")


def _source_files(root: Path) -> Iterable[Path]:
    return sorted(path for path in root.rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc")


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"
