"""residency as a team installs it: the wheel built from this tree, in a fresh virtualenv, used in an
empty directory outside any clone (no regions.yaml, handlers or cdktf.json of the repository)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `residency` executable of a fresh virtualenv holding the wheel (dependencies from the package
    index, as `pip install` gets them)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: the build writes build/ and *.egg-info beside the sources
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = source / name
        if (REPO / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((REPO / name).read_bytes())
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(source)], root)
    (wheel,) = (root / "dist").glob("residency-*.whl")
    run([sys.executable, "-m", "venv", str(root / "venv")], root)
    run([str(root / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], root)
    return root / "venv" / "bin" / "residency"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if key not in ("RESIDENCY_CONFIG", "PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(command, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def test_init_validate_and_synth_from_the_installed_wheel(installed, tmp_path):
    assert run([str(installed), "--version"], tmp_path).stdout.startswith("residency ")
    project = tmp_path / "billing"
    run([str(installed), "init", str(project), "--region", "eu-west-1:IE,FR", "--region", "us-east-1:US"], tmp_path)
    assert run([str(installed), "validate"], project).stdout.startswith("regions.yaml: valid")
    synthesized = run([str(installed), "synth", "--json"], project)
    assert '"eu-west-1"' in synthesized.stdout
    assert (project / "cdktf.out" / "stacks" / "global" / "cdk.tf.json").is_file()
    # It runs the installed code, not this tree's.
    location = run([str(installed.parent / "python"), "-c", "import residency; print(residency.__file__)"], project)
    assert str(REPO) not in location.stdout and "site-packages" in location.stdout
