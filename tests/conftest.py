"""Shared fixtures. Tests that need the real terraform binary skip only outside CI: in CI
(CI=true) a missing terraform or provider mirror is a failure, never a silent skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "regions.yaml"


# The end-to-end scenarios, longest first (measured: the lifecycle takes about twice the others).
LONGEST_FIRST = ("test_region_lifecycle.py", "test_local_target.py", "test_wheel.py", "test_domain_routing.py",
                 "test_emulator_concurrency.py", "test_parallel_runs.py", "test_s3_state.py", "test_pipeline_jobs.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest tests first, one to a worker, so that parallel workers (pytest-xdist) start them at
    once instead of one worker meeting several in a row: the end-to-end scenarios (minutes each),
    then the other tests that run Terraform, then the rest, each group in its usual order.

    xdist deals the first tests out two to a worker, so under xdist every other place of the first
    round holds a short test."""
    def weight(item: pytest.Item) -> tuple[int, int]:
        if item.path.name in LONGEST_FIRST and item.get_closest_marker("terraform"):
            return 0, LONGEST_FIRST.index(item.path.name)
        return (1 if item.get_closest_marker("terraform") else 2), 0

    items.sort(key=weight)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers > 1:
        longest = [item for item in items if weight(item)[0] == 0]
        rest = [item for item in items if weight(item)[0] != 0]
        first_round: list[pytest.Item] = []
        for _ in range(workers):
            if longest and rest:
                first_round += [longest.pop(0), rest.pop()]
        items[:] = first_round + longest + rest


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


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server of its own on 127.0.0.1 (in-process, threaded), for the tests of one module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
