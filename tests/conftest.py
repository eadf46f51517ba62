"""Shared fixtures. Tests that need the real terraform binary skip only outside CI: in CI
(CI=true) a missing terraform or provider mirror is a failure, never a silent skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "regions.yaml"


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is required in CI", pytrace=False)
    pytest.skip(f"{what} not available")


@pytest.fixture(scope="session")
def terraform_binary() -> Path:
    found = shutil.which("terraform") or shutil.which("tofu")
    if not found:
        _missing("terraform (or tofu) on PATH")
    return Path(found)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def provider_mirror() -> str | None:
    """RESIDENCY_PROVIDER_MIRROR when set; CI machines have no registry, so there it must be."""
    mirror = os.environ.get("RESIDENCY_PROVIDER_MIRROR")
    if not mirror and os.environ.get("CI"):
        _missing("RESIDENCY_PROVIDER_MIRROR (a provider mirror; CI has no registry)")
    return mirror or None


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of the sample project: regions.yaml in its own directory."""
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    return tmp_path


def run_cli(args: list[str], cwd: Path, env: dict[str, str] | None = None,
            timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """`residency ARGS` as a user runs it: a separate process in the project directory."""
    return subprocess.run(
        [sys.executable, "-m", "residency", *args],
        cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
        timeout=timeout, stdin=subprocess.DEVNULL,
    )
