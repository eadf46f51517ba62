"""Files residency writes for people and other tools: all or nothing."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

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


# Written into cdktf.out by `terraform init`, not by synth: they say nothing about the configuration.
NOT_SYNTHESIZED = (".terraform.lock.hcl",)


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
