"""Run a rendered pipeline's jobs on this machine, as the platform would, with what each job is given.

Enough of GitHub Actions and GitLab CI for residency's own pipelines: the run steps and scripts run with bash,
exactly as rendered; the actions they use are stood in for (a checkout is a git clone, artifacts are
directories, configure-aws-credentials sets the session variables it sets); `${{ }}` expressions and `if:`
conditions are evaluated over the event's context. A job given an ID token (GitHub `id-token: write`, GitLab
`id_tokens`) gets the variables the platform gives it; tools the jobs install (pip, terraform, apt) are the
ones already on this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# What a job that holds credentials carries in its environment, on either platform.
CREDENTIAL_PREFIXES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_WEB_IDENTITY_TOKEN",
                       "AWS_ID_TOKEN", "AWS_ROLE_ARN", "ACTIONS_ID_TOKEN_REQUEST_", "TF_TOKEN_")
FAKE_JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwOnB1bGxfcmVxdWVzdCJ9.c2lnbmF0dXJl"
SESSION = {"AWS_ACCESS_KEY_ID": "ASIAFAKESESSIONKEY00", "AWS_SECRET_ACCESS_KEY": "fake-secret",
           "AWS_SESSION_TOKEN": "fake-session-token"}
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(&&|\|\||==|!=|!|\(|\)|,)|([A-Za-z_][\w\-]*(?:\.[\w\-*]+)*)|(\d+))")


@dataclass
class JobResult:
    name: str
    ok: bool
    log: str
    outputs: dict[str, str] = field(default_factory=dict)
    holds_credentials: bool = False


class Machine:
    """Where jobs run: a bin directory of stand-ins ahead of the real tools, and the environment every job
    starts from (nothing of the test process's own, so nothing leaks in)."""

    def __init__(self, root: Path, extra_env: dict[str, str]) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        for tool in ("pip", "gh", "apt-get"):  # installed already; the GitHub API is not reached
            stub = self.bin / tool
            stub.write_text("#!/usr/bin/env bash\nexit 0\n")
            stub.chmod(0o755)
        real = ":".join(dict.fromkeys([str(Path(sys.executable).parent), *os.environ["PATH"].split(":")]))
        self.env = {"PATH": f"{self.bin}:{real}", "HOME": os.environ.get("HOME", str(root)),
                    "LANG": "C.UTF-8", "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1", **extra_env}

    def bash(self, script: str, cwd: Path, env: dict[str, str], timeout: float = 1200) -> tuple[int, str]:
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script], cwd=cwd,
                              env=env, capture_output=True, text=True, timeout=timeout, check=False)
        return done.returncode, done.stdout + done.stderr


# --- GitHub Actions ------------------------------------------------------------------------------------------

class GitHubRun:
    """One workflow run (one event): its jobs run in the order asked, sharing the run's artifacts."""

    def __init__(self, machine: Machine, workflow: dict[str, Any], repository: Path, *, event: str, sha: str,
                 context: dict[str, Any], artifacts: Path, earlier_runs: dict[str, Path] | None = None) -> None:
        self.machine, self.workflow, self.repository = machine, workflow, repository
        self.event, self.sha = event, sha
        self.context = {"github": {"event_name": event, "repository": "acme/app", "run_id": "1",
                                   "token": "fake-github-token", "server_url": "https://github.com"},
                        "runner": {"os": "Linux"}, "secrets": {}, **context}
        self.artifacts = artifacts
        self.earlier_runs = earlier_runs or {}
        self.results: dict[str, JobResult] = {}

    def run(self, name: str) -> JobResult:
        job = self.workflow["jobs"][name]
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        context = {**self.context, "needs": {need: {"result": "success" if self.results[need].ok else "failure",
                                                    "outputs": self.results[need].outputs}
                                             for need in needs if need in self.results}}
        workspace = self.machine.root / "jobs" / f"{self.event}-{name}"
        shutil.rmtree(workspace, ignore_errors=True)
        workspace.mkdir(parents=True)
        env = {**self.machine.env, **_strings(self.workflow.get("env", {})), **_strings(job.get("env", {})),
               "GITHUB_EVENT_NAME": self.event, "GITHUB_REPOSITORY": "acme/app", "GITHUB_SHA": self.sha}
        holds = (job.get("permissions") or {}).get("id-token") == "write"
        if holds:  # GitHub gives every step of such a job the means to ask for an ID token
            env |= {"ACTIONS_ID_TOKEN_REQUEST_URL": "https://token.actions.example/", "ACTIONS_ID_TOKEN_REQUEST_TOKEN":
                    "fake-request-token"}
        steps: dict[str, Any] = {}
        failed, log = False, []
        for index, step in enumerate(job["steps"]):
            context["steps"] = steps
            condition = step.get("if", "success()")
            if not _truthy(evaluate(str(condition), context, workspace, failed)):
                continue
            step_env = {**env, **{key: _substitute(str(value), context, workspace)
                                  for key, value in (step.get("env") or {}).items()}}
            ok, text, outputs, new_env = self._step(step, workspace, step_env, context, index)
            log.append(f"--- {step.get('name') or step.get('uses') or step.get('run', '')[:60]}\n{text}")
            env |= new_env
            holds = holds or any(key.startswith(CREDENTIAL_PREFIXES) for key in new_env)
            if "id" in step:
                steps[step["id"]] = {"outputs": outputs}
            if not ok and not step.get("continue-on-error"):
                failed = True
        outputs = {key: _substitute(str(value), {**context, "steps": steps}, workspace)
                   for key, value in (job.get("outputs") or {}).items()}
        result = JobResult(name, not failed, "\n".join(log), outputs, holds)
        self.results[name] = result
        return result

    def _step(self, step: dict[str, Any], workspace: Path, env: dict[str, str], context: dict[str, Any],
              index: int) -> tuple[bool, str, dict[str, str], dict[str, str]]:
        uses = str(step.get("uses", "")).split("@")[0]
        given = {k: _substitute(str(v), context, workspace) for k, v in (step.get("with") or {}).items()}
        if not uses:
            files = {name: workspace.parent / f".{workspace.name}-{index}-{name}" for name in ("output", "env",
                                                                                              "summary")}
            for path in files.values():
                path.write_text("")
            code, text = self.machine.bash(_substitute(step["run"], context, workspace), workspace,
                                           {**env, "GITHUB_OUTPUT": str(files["output"]),
                                            "GITHUB_ENV": str(files["env"]),
                                            "GITHUB_STEP_SUMMARY": str(files["summary"])})
            return code == 0, text, _pairs(files["output"]), _pairs(files["env"])
        if uses == "actions/checkout":
            target = workspace / given.get("path", "")
            subprocess.run(["git", "clone", "-q", str(self.repository), str(target)], check=True)
            subprocess.run(["git", "-C", str(target), "checkout", "-q", self.sha], check=True)
            return True, f"checked out {self.sha}", {}, {}
        if uses == "actions/upload-artifact":
            source = workspace / given["path"].rstrip("/")
            if not source.exists():
                return given.get("if-no-files-found") != "error", f"no {source}", {}, {}
            target = self.artifacts / given["name"]
            shutil.rmtree(target, ignore_errors=True)
            if source.is_dir():
                shutil.copytree(source, target, symlinks=True)
            else:
                target.mkdir(parents=True)
                shutil.copy2(source, target / source.name)
            return True, f"uploaded {given['name']}", {}, {}
        if uses == "actions/download-artifact":
            store = self.earlier_runs.get(given.get("run-id", ""), self.artifacts)
            source = store / given.get("name", "")
            if "pattern" in given or not source.is_dir():
                return False, f"no artifact {given.get('name')}", {}, {}
            shutil.copytree(source, workspace / given.get("path", "."), dirs_exist_ok=True, symlinks=True)
            return True, f"downloaded {given['name']}", {}, {}
        if uses == "aws-actions/configure-aws-credentials":
            return True, f"assumed {given['role-to-assume']}", {}, {**SESSION, "AWS_REGION": given["aws-region"]}
        return True, f"{uses}: stood in for (tools are installed here)", {}, {}


def evaluate(expression: str, context: dict[str, Any], workspace: Path, failed: bool = False) -> Any:
    """A GitHub expression over `context`: the operators, literals and functions residency's workflows use."""
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    python: list[str] = []
    position = 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read {text!r} at {position}")
        position = match.end()
        string, operator, name, number = match.groups()
        if string is not None:
            python.append(repr(string[1:-1].replace("''", "'")))
        elif operator is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(operator, operator))
        elif number is not None:
            python.append(number)
        elif text[position:].lstrip().startswith("("):
            python.append(f"_{name.replace('-', '_')}")
        else:
            python.append(repr(_lookup(context, name)))
    functions = {
        "_always": lambda: True, "_success": lambda: not failed, "_failure": lambda: failed,
        "_cancelled": lambda: False, "_contains": lambda haystack, needle: needle in haystack,
        "_hashFiles": lambda *patterns: "hash" if any((workspace / p).exists() for p in patterns) else "",
        "_startsWith": lambda value, prefix: str(value).startswith(prefix),
    }
    return eval("".join(python), {"__builtins__": {}}, functions)  # noqa: S307 - our own translation, test input


def _lookup(context: dict[str, Any], name: str) -> Any:
    value: Any = context
    parts = name.split(".")
    for index, part in enumerate(parts):
        if part == "*" and isinstance(value, dict):
            rest = ".".join(parts[index + 1:])
            return [_lookup(item, rest) if rest else item for item in value.values()]
        value = value.get(part, "") if isinstance(value, dict) else ""
    return value


def _substitute(text: str, context: dict[str, Any], workspace: Path) -> str:
    def value(match: re.Match[str]) -> str:
        found = evaluate(match.group(1), context, workspace)
        return ("true" if found else "false") if isinstance(found, bool) else str(found)

    return EXPRESSION.sub(value, text)


def _truthy(value: Any) -> bool:
    return bool(value) and value != "false"


def _pairs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def _strings(mapping: dict[str, Any]) -> dict[str, str]:
    return {key: str(value) for key, value in mapping.items()}


# --- GitLab CI -----------------------------------------------------------------------------------------------

TOOL_INSTALLATION = re.compile(r"^(?:apt-get|curl|unzip|pip install|echo \"\$\(grep)")


class GitLabPipeline:
    """One pipeline: jobs in the order asked; `needs` with artifacts hands over their artifact paths."""

    def __init__(self, machine: Machine, document: dict[str, Any], repository: Path, *, sha: str,
                 variables: dict[str, str]) -> None:
        self.machine, self.document, self.repository, self.sha = machine, document, repository, sha
        self.variables = variables
        self.workspaces: dict[str, Path] = {}
        self.results: dict[str, JobResult] = {}

    def job(self, name: str) -> dict[str, Any]:
        """The job with its `extends` merged in, as GitLab merges them (hashes deeply, the rest replaced)."""
        job = dict(self.document[name])
        parent = job.pop("extends", None)
        return _deep_merge(self.job(parent), job) if parent else job

    def run(self, name: str) -> JobResult:
        job = self.job(name)
        workspace = self.machine.root / "jobs" / f"gitlab-{name.replace(':', '-')}"
        shutil.rmtree(workspace, ignore_errors=True)
        if _strings(job.get("variables") or {}).get("GIT_STRATEGY") == "none":
            workspace.mkdir(parents=True)
        else:
            subprocess.run(["git", "clone", "-q", str(self.repository), str(workspace)], check=True)
            subprocess.run(["git", "-C", str(workspace), "checkout", "-q", self.sha], check=True)
        for need in job.get("needs", []):
            need = need if isinstance(need, dict) else {"job": need, "artifacts": True}
            if need.get("artifacts", True) and need["job"] in self.workspaces:
                for pattern in self.job(need["job"]).get("artifacts", {}).get("paths", []):
                    source = self.workspaces[need["job"]] / pattern.rstrip("/")
                    if source.is_dir():
                        shutil.copytree(source, workspace / pattern.rstrip("/"), dirs_exist_ok=True, symlinks=True)
                    elif source.is_file():
                        shutil.copy2(source, workspace / pattern)
        env = {**self.machine.env, **_strings(self.document.get("variables", {})), **self.variables,
               **_strings(job.get("variables") or {}), "CI_PROJECT_DIR": str(workspace), "CI_JOB_ID": "1"}
        env = {key: re.sub(r"\$CI_PROJECT_DIR", str(workspace), value) for key, value in env.items()}
        holds = "id_tokens" in job
        for token in job.get("id_tokens", {}):
            env[token] = FAKE_JWT
        lines = [line for line in job.get("before_script", []) if not TOOL_INSTALLATION.match(line)]
        code, text = self.machine.bash("\n".join([*lines, *job.get("script", [])]), workspace, env)
        self.workspaces[name] = workspace
        result = JobResult(name, code == 0, text, holds_credentials=holds)
        self.results[name] = result
        return result


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (_deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict)
                       else value)
    return merged
