"""One stand-in for the terraform binary, for tests of residency's runner, scheduling and reporting (the real binary
runs in tests/e2e). `FakeTerraform.install(directory)` writes it there as `terraform`; every call appends to a record
that `calls`, `steps` and `events` read back.

It answers as Terraform's `-json` output would: `init`, `plan`, `apply` (and `apply -destroy`) print one change
summary, `show` the saved plan as one JSON document, `output` the workspace's outputs; `plan` writes the file that
`-out=` names and exits 2 (changes). Its workspace is the name of the directory it runs in. Everything else is
switched by environment variables, described here and nowhere else:

    FAKE_RECORD         the record to append to (required; `FakeTerraform.env` sets it)
    FAKE_EXEC           a real terraform binary: record the call, then hand it over to that binary unchanged
    FAKE_ADD            how many resources the plan creates, in the change summary and in `show` (default 2)
    FAKE_NO_CHANGES     set: `plan` finds nothing to do (exits 0)
    FAKE_EXIT           the exit status of every command that ends with its change summary (default: 2 for a plan
                        with changes, else 0)
    FAKE_FAIL           workspaces (comma-separated) whose plan and apply fail with the diagnostic "boom", exit 1
    FAKE_SHOW           workspace=behaviour pairs (comma-separated) for `show`: fail (exit 1) or garbage (exit 0 with
                        two JSON lines, i.e. not one document)
    FAKE_NEVER_APPLIED  workspaces (comma-separated) without outputs, as when never applied
    FAKE_SLEEP          seconds each plan and apply takes (not the quick `-refresh-only` after an apply; default 0)
    FAKE_LOCK           set: plan and apply first write a local-backend lock record under FAKE_STATE_ROOT/<workspace>,
                        as Terraform does while it holds one

On SIGINT it records "SIGINT", stops gracefully after 0.3 s (recording "stopped") and exits 1.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCRIPT = r'''#!/usr/bin/env python3
"""A stand-in for terraform; what it does is described in tests/terraform/fake_terraform.py."""
import json, os, signal, sys, time

workspace = os.path.basename(os.getcwd())
command = sys.argv[1] if len(sys.argv) > 1 else ""
setting = os.environ.get


def named(variable):
    return [item for item in setting(variable, "").split(",") if item]


def record(event):
    entry = {"event": event, "workspace": workspace, "command": command, "time": time.monotonic(),
             "argv": sys.argv[1:], "cwd": os.getcwd(),
             "env": {k: v for k, v in os.environ.items() if k.startswith(("TF_", "CHECKPOINT", "GOGC"))}}
    with open(os.environ["FAKE_RECORD"], "a") as out:
        out.write(json.dumps(entry) + "\n")


def finish(status, *documents):
    for document in documents:
        print(json.dumps(document))
    record("end")
    sys.exit(status)


def on_sigint(signum, frame):
    record("SIGINT")
    time.sleep(0.3)
    record("stopped")
    sys.exit(1)


record("start")
if setting("FAKE_EXEC"):
    os.execv(setting("FAKE_EXEC"), [setting("FAKE_EXEC"), *sys.argv[1:]])
signal.signal(signal.SIGINT, on_sigint)
add = int(setting("FAKE_ADD", "2"))

if command == "output":
    never = workspace in named("FAKE_NEVER_APPLIED")
    finish(0, {} if never else {"endpoint": {"value": "https://api.example", "type": "string"}})
if command == "show":
    plan_file = sys.argv[-1]
    behaviour = dict(item.split("=") for item in named("FAKE_SHOW"))
    if behaviour.get(workspace) == "fail":
        print("Error: Failed to read the given file as a state or plan file", file=sys.stderr)
        finish(1)
    if behaviour.get(workspace) == "garbage":
        finish(0, {"type": "version"}, {"type": "log"})
    finish(0, {"format_version": "1.2", "planned_values": {"root_module": {}}, "workspace": workspace,
               "args": sys.argv[1:-1], "plan_file": plan_file, "plan_exists": os.path.exists(plan_file),
               "resource_changes": [{"address": f"terraform_data.a{i}", "mode": "managed", "type": "terraform_data",
                                     "change": {"actions": ["create"], "after": {}}} for i in range(1, add + 1)]})
if command != "init":
    if setting("FAKE_LOCK"):
        state_dir = os.path.join(os.environ["FAKE_STATE_ROOT"], workspace)
        os.makedirs(state_dir, exist_ok=True)
        with open(os.path.join(state_dir, ".terraform.tfstate.lock.info"), "w") as info:
            json.dump({"ID": "lock-" + workspace, "Operation": "OperationTypeApply"}, info)
    if "-refresh-only" not in sys.argv:
        time.sleep(float(setting("FAKE_SLEEP", "0")))
    if workspace in named("FAKE_FAIL"):
        finish(1, {"type": "diagnostic", "diagnostic": {"severity": "error", "summary": "boom"}})
changes = command == "plan" and not setting("FAKE_NO_CHANGES")
if command == "plan":
    for argument in sys.argv:
        if argument.startswith("-out="):
            with open(argument[len("-out="):], "w") as plan:
                plan.write("saved plan of " + workspace)
    add = add if changes else 0
status = int(setting("FAKE_EXIT", "2" if changes else "0"))
finish(status, {"type": "change_summary", "@message": f"Plan: {add} to add",
                "changes": {"add": add, "change": 0, "remove": 0}})
'''


@dataclass(frozen=True)
class FakeTerraform:
    binary: Path
    record: Path

    @classmethod
    def install(cls, directory: Path) -> FakeTerraform:
        directory.mkdir(parents=True, exist_ok=True)
        binary = directory / "terraform"
        binary.write_text(SCRIPT)
        binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
        return cls(binary, directory / "terraform-calls.jsonl")

    def env(self, **behaviour: str) -> dict[str, str]:
        """FAKE_RECORD and the given FAKE_* variables, for the runner's environment."""
        return {"FAKE_RECORD": str(self.record), **behaviour}

    def clear(self) -> None:
        self.record.unlink(missing_ok=True)

    def _entries(self) -> list[dict[str, Any]]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def calls(self) -> list[dict[str, Any]]:
        """Each call as it started: workspace, command, argv, cwd and its TF_*, CHECKPOINT* and GOGC variables."""
        return [entry for entry in self._entries() if entry["event"] == "start"]

    def steps(self, workspace: str | None = None) -> list[tuple[str, str]]:
        """(workspace, command) of each call, in order; only those in `workspace` when given."""
        return [(call["workspace"], call["command"]) for call in self.calls()
                if workspace is None or call["workspace"] == workspace]

    def events(self) -> list[tuple[str, str, str, float]]:
        """(workspace, command, event, monotonic time): start, end, SIGINT and stopped."""
        return [(entry["workspace"], entry["command"], entry["event"], entry["time"]) for entry in self._entries()]
