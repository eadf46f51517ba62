"""Find the Terraform (or OpenTofu) executable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from residency.errors import TerraformError

CANDIDATES = ("terraform", "tofu")


def find_terraform(path: str | None = None) -> Path:
    for name in CANDIDATES:
        found = shutil.which(name, path=path if path is not None else os.environ.get("PATH"))
        if found:
            return Path(found)
    raise TerraformError(
        "neither `terraform` nor `tofu` was found on PATH",
        hint="install Terraform >= 1.6 (or OpenTofu) and make sure it is on PATH",
    )
