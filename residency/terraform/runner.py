"""Every Terraform process goes through here: argument lists, explicit cwd and environment,
`-input=false`, output folded into an EventLog and kept in a per-workspace log file."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from residency import processes
from residency.errors import TerraformError
from residency.files import WORK_FILE_LIMIT, read_handed_text
from residency.paths import ProjectPaths
from residency.terraform.events import EventLog
from residency.terraform.manifest import Workspace, read_synthesized

LineSink = Callable[[str, str], None]
INIT_STAMP = "residency-init.sha256"
INTERRUPTED_EXIT = 130
# Terraform and the AWS provider are Go programs that spend about a third of a plan's CPU in garbage
# collection at Go's default GOGC (100). Measured on the sample: 400 cuts a plan's CPU time by a
# third for about 170 MB more per provider process. A GOGC the user set wins.
GO_GC_PERCENT = "400"


@dataclass(frozen=True)
class TerraformSettings:
    binary: Path
    paths: ProjectPaths
    cli_config: Path | None
    variables: Mapping[str, str] = field(default_factory=dict)
    base_env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    log_dir: Path | None = None
    lock_timeout: str = "0s"  # how long Terraform waits for a state lock held by someone else


@dataclass
class RunResult:
    returncode: int
    events: EventLog
    log_file: Path

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text().splitlines()[-lines:])
        except OSError:
            return ""


class Terraform:
    def __init__(self, settings: TerraformSettings, on_line: LineSink | None = None) -> None:
        self.settings = settings
        self.on_line = on_line or (lambda workspace, text: None)
        self._running: dict[str, subprocess.Popen[str]] = {}
        self._signalled: set[int] = set()
        self._guard = threading.Lock()
        self.interrupted = threading.Event()

    # -- interrupts -----------------------------------------------------------------------

    def interrupt(self) -> list[str]:
        """One SIGINT to each running Terraform, never two: it stops gracefully, saving state and
        releasing its lock. Terraform runs in its own session, so the terminal's Ctrl-C reaches
        residency only. Returns the interrupted workspaces."""
        self.interrupted.set()
        with self._guard:
            running = [(name, process) for name, process in self._running.items()
                       if process.pid not in self._signalled]
            for _name, process in running:
                self._signalled.add(process.pid)
                _signal_group(process, signal.SIGINT)
        return [name for name, _process in running]

    def kill(self) -> list[str]:
        """Hard stop: SIGKILL to every running Terraform; its state lock may remain."""
        self.interrupted.set()
        with self._guard:
            running = list(self._running.items())
        for _name, process in running:
            _signal_group(process, signal.SIGKILL)
        return [name for name, _process in running]

    # -- commands -------------------------------------------------------------------------

    def init(self, workspace: Workspace) -> RunResult | None:
        """`terraform init`, skipped when nothing it depends on changed since the last one."""
        stamp = self.data_dir(workspace) / INIT_STAMP
        fingerprint = self._init_fingerprint(workspace)
        if _text_or_nothing(stamp) == fingerprint:
            return None
        stamp.unlink(missing_ok=True)  # a failed init must not leave the stamp of an earlier good one
        self.prepare_state_directory(workspace)
        args = ["init", "-input=false", "-no-color", "-reconfigure"]
        # One init at a time: parallel inits race on the shared plugin cache.
        with self._exclusive(self.settings.paths.work / "init.lock"):
            result = self._run(workspace, args, "init", json_output=False)
        if result.returncode == 0:
            stamp.write_text(self._init_fingerprint(workspace))
        return result

    def plan(self, workspace: Workspace, *, plan_file: Path | None = None, destroy: bool = False,
             refresh_only: bool = False, targets: tuple[str, ...] = ()) -> RunResult:
        args = ["plan", "-input=false", "-detailed-exitcode", self._lock_timeout(),
                *(f"-target={target}" for target in targets)]
        if destroy:
            args.append("-destroy")
        if refresh_only:
            args.append("-refresh-only")
        if plan_file is not None:
            plan_file.parent.mkdir(parents=True, exist_ok=True)
            args.append(f"-out={plan_file}")
        return self._run(workspace, args, "plan")

    def apply(self, workspace: Workspace, plan_file: Path) -> RunResult:
        return self._run(workspace, ["apply", "-input=false", self._lock_timeout(), str(plan_file)], "apply")

    def record_refreshed_state(self, workspace: Workspace) -> RunResult:
        """Write what AWS now reports into the state, changing no resource.

        Right after creation AWS reports attributes that other resources set (a bucket's
        policy, encryption, versioning) or fills in defaults; recording them now keeps the
        next `drift` about real changes only.
        """
        return self._run(workspace, ["apply", "-refresh-only", "-input=false", "-auto-approve", self._lock_timeout()],
                         "refresh")

    def show_plan(self, workspace: Workspace, plan_file: Path) -> dict[str, object]:
        """The saved plan as JSON (`terraform show -json`), for the residency rules."""
        return self._captured_json(workspace, ["show", "-json", "-no-color", str(plan_file)])

    def version(self) -> str:
        """The binary's version (`terraform version -json`), e.g. `1.11.4`."""
        try:
            completed = processes.capture([str(self.settings.binary), "version", "-json"],
                                          env=self.settings.base_env, timeout=60)
            version = json.loads(completed.stdout).get("terraform_version")
        except (processes.CouldNotRun, ValueError, AttributeError) as error:
            raise TerraformError(f"cannot tell the version of {self.settings.binary}: {error}") from None
        if not isinstance(version, str):
            raise TerraformError(f"cannot tell the version of {self.settings.binary}")
        return version

    def outputs(self, workspace: Workspace) -> dict[str, object]:
        """The root outputs in the workspace's state (`terraform output -json`): name -> value."""
        document = self.output_document(workspace)
        return {name: entry.get("value") for name, entry in document.items() if isinstance(entry, dict)}

    def output_document(self, workspace: Workspace) -> dict[str, object]:
        """`terraform output -json` as it is: name -> {value, type, sensitive}."""
        return self._captured_json(workspace, ["output", "-json", "-no-color"])

    def state_document(self, workspace: Workspace) -> dict[str, object]:
        """The workspace's current state as JSON (`terraform show -json`)."""
        return self._captured_json(workspace, ["show", "-json", "-no-color"])

    def pull_state(self, workspace: Workspace) -> dict[str, object]:
        """The workspace's raw state (`terraform state pull`; no provider is started); {} if none."""
        log_file = self._log_file(workspace)
        try:
            completed = processes.capture([str(self.settings.binary), "state", "pull"], cwd=workspace.directory,
                                          env=self.environment(workspace))
        except processes.CouldNotRun as error:
            raise TerraformError(str(error)) from error
        with log_file.open("a") as log:
            log.write(f"$ terraform state pull\n{completed.stderr}[state pull exited {completed.returncode}]\n")
        if completed.returncode != 0:
            raise TerraformError(f"{workspace.name}: terraform state pull failed; see {log_file}")
        try:
            document = json.loads(completed.stdout) if completed.stdout.strip() else {}
        except ValueError:
            raise TerraformError(f"{workspace.name}: terraform state pull printed no state; see {log_file}") from None
        return document if isinstance(document, dict) else {}

    def untaint(self, workspace: Workspace, address: str) -> RunResult:
        return self._run(workspace, ["untaint", self._lock_timeout(), address], "untaint", json_output=False)

    def import_resource(self, workspace: Workspace, address: str, import_id: str) -> RunResult:
        """Record an existing object at `address` (`terraform import`)."""
        return self._run(workspace, ["import", "-input=false", self._lock_timeout(), address, import_id], "import",
                         json_output=False)

    def forget(self, workspace: Workspace, address: str) -> RunResult:
        """Drop `address` from the state without touching what it manages (`terraform state rm`)."""
        return self._run(workspace, ["state", "rm", self._lock_timeout(), address], "state rm", json_output=False)

    def _captured_json(self, workspace: Workspace, args: list[str]) -> dict[str, object]:
        """Run a read-only command whose stdout is one JSON object; its stderr goes to the log."""
        log_file = self._log_file(workspace)
        try:
            completed = processes.capture([str(self.settings.binary), *args], cwd=workspace.directory,
                                          env=self.environment(workspace))
        except processes.CouldNotRun as error:
            raise TerraformError(str(error)) from error
        command = f"terraform {' '.join(args)}"
        with log_file.open("a") as log:
            log.write(f"$ {command}\n{completed.stderr}[{args[0]} exited {completed.returncode}]\n")
        try:
            document = json.loads(completed.stdout) if completed.returncode == 0 else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise TerraformError(f"{workspace.name}: {command} failed; see {log_file}")
        return document

    def push_state(self, workspace: Workspace, state_file: Path) -> RunResult:
        """Write `state_file` as the workspace's state in its (empty) backend."""
        return self._run(workspace, ["state", "push", self._lock_timeout(), str(state_file)], "state push",
                         json_output=False)

    def destroy(self, workspace: Workspace) -> RunResult:
        return self._run(workspace, ["apply", "-destroy", "-input=false", "-auto-approve", self._lock_timeout()],
                         "destroy")

    # -- environment ----------------------------------------------------------------------

    def data_dir(self, workspace: Workspace) -> Path:
        return self.data_dir_path(workspace.name)

    def data_dir_path(self, name: str) -> Path:
        user_data_dir = self.settings.base_env.get("TF_DATA_DIR")
        if user_data_dir:
            return Path(user_data_dir) / name
        return self.settings.paths.data_dir(name)

    def prepare_state_directory(self, workspace: Workspace) -> None:
        """A local backend's directory: Terraform does not create it."""
        synthesized = read_synthesized(workspace.directory)
        local = synthesized.get("terraform", {}).get("backend", {}).get("local")
        if local is not None and "path" in local:
            (workspace.directory / local["path"]).parent.mkdir(parents=True, exist_ok=True)

    def environment(self, workspace: Workspace) -> dict[str, str]:
        env = dict(self.settings.base_env)
        env["TF_IN_AUTOMATION"] = "1"
        env["TF_INPUT"] = "0"
        env["CHECKPOINT_DISABLE"] = "1"
        env["TF_DATA_DIR"] = str(self.data_dir(workspace))
        env.setdefault("GOGC", GO_GC_PERCENT)
        if self.settings.cli_config is not None:
            env["TF_CLI_CONFIG_FILE"] = str(self.settings.cli_config)
        else:
            env.setdefault("TF_PLUGIN_CACHE_DIR", str(self.settings.paths.plugin_cache))
            Path(env["TF_PLUGIN_CACHE_DIR"]).mkdir(parents=True, exist_ok=True)
        for name, value in self.settings.variables.items():
            env[f"TF_VAR_{name}"] = value
        return env

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, workspace: Workspace, args: list[str], step: str, *, json_output: bool = True) -> RunResult:
        # Options must precede a plan file argument, so -json goes right after the subcommand.
        command = [str(self.settings.binary), args[0], *(["-json"] if json_output else []), *args[1:]]
        log_file = self._log_file(workspace)
        events = EventLog()
        self.data_dir(workspace).mkdir(parents=True, exist_ok=True)
        with log_file.open("a") as log:
            log.write(f"$ terraform {' '.join(args)}\n")
            log.flush()
            if self.interrupted.is_set():  # nothing new starts once the run is interrupted
                log.write(f"[{step} not started: interrupted]\n")
                return RunResult(INTERRUPTED_EXIT, events, log_file)
            try:
                process = processes.start(command, cwd=workspace.directory, env=self.environment(workspace))
            except processes.CouldNotRun as error:
                raise TerraformError(str(error)) from error
            with self._guard:
                self._running[workspace.name] = process
            try:
                assert process.stdout is not None
                for line in process.stdout:
                    text = events.feed(line) if json_output else line.rstrip("\n")
                    if text:
                        log.write(text + "\n")
                        log.flush()
                        self.on_line(workspace.name, text)
                returncode = process.wait()
            finally:
                with self._guard:
                    self._running.pop(workspace.name, None)
            log.write(f"[{step} exited {returncode}]\n")
        return RunResult(returncode, events, log_file)

    def _lock_timeout(self) -> str:
        return f"-lock-timeout={self.settings.lock_timeout}"

    def _log_file(self, workspace: Workspace) -> Path:
        log_dir = self.settings.log_dir or self.settings.paths.logs
        log_dir.mkdir(parents=True, exist_ok=True)
        return log_dir / f"{workspace.name}.log"

    def _init_fingerprint(self, workspace: Workspace) -> str:
        synthesized = read_synthesized(workspace.directory)
        lock_file = workspace.directory / ".terraform.lock.hcl"
        cli_config = self.settings.cli_config
        # Where init last pointed the backend: another init in this data directory (by hand, or a
        # bootstrap's seed copy) invalidates the stamp.
        backend_record = self.data_dir(workspace) / "terraform.tfstate"
        parts = [
            _text_or_nothing(backend_record, refuse=True),
            json.dumps(synthesized.get("terraform", {}), sort_keys=True),
            _text_or_nothing(lock_file, refuse=True),
            _text_or_nothing(cli_config, refuse=True) if cli_config else "",
            str(self.settings.binary),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    @staticmethod
    @contextmanager
    def _exclusive(lock_path: Path) -> Iterator[None]:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _text_or_nothing(path: Path, *, refuse: bool = False) -> str:
    """A small file's text, "" when there is none; one that cannot be read (a FIFO, a device, too large) is ""
    too, or with `refuse` a TerraformError that says why."""
    try:
        return read_handed_text(path, WORK_FILE_LIMIT)
    except FileNotFoundError:
        return ""
    except OSError as error:
        if refuse:
            raise TerraformError(str(error)) from None
        return ""


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass  # it has just ended
