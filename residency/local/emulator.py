"""Start, find, stop and reset the moto server that stands in for AWS on the local target.

The server listens on 127.0.0.1 on a free port and is recorded in `.residency/emulator.json`
so that every command reuses it. Its state lives only in its memory.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from residency import processes
from residency.errors import EmulatorError
from residency.files import WORK_FILE_LIMIT, read_handed_text
from residency.paths import ProjectPaths

START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0

Notice = Callable[[str], None]


@dataclass(frozen=True)
class EmulatorRecord:
    pid: int
    port: int
    started_at: float
    # Which emulator code it runs (residency's fixes and moto's version): "" in a record from before.
    code: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class EmulatorStatus:
    running: bool
    record: EmulatorRecord | None
    # True when a record exists but its server is gone: its resources went with it.
    lost: bool

    def as_json(self) -> dict[str, object]:
        return {
            "running": self.running,
            "url": self.record.url if self.record and self.running else None,
            "pid": self.record.pid if self.record and self.running else None,
            "lost": self.lost,
        }


class Emulator:
    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths

    def status(self) -> EmulatorStatus:
        record = self._read_record()
        if record is None:
            return EmulatorStatus(running=False, record=None, lost=False)
        running = _is_alive(record.pid) and _responds(record.url)
        return EmulatorStatus(running=running, record=record, lost=not running)

    def ensure_running(self, notice: Notice) -> tuple[EmulatorRecord, bool]:
        """The running emulator, started if need be; True when it was started just now."""
        current = self.status()
        if current.running and current.record is not None:
            if current.record.code != emulator_code():
                notice("the running local emulator was started by another version of residency, whose "
                       "emulator may answer differently (`residency local reset` starts the current one; the "
                       "resources in the running one go with it)")
            return current.record, False
        if current.lost:
            notice("the local emulator recorded in .residency/emulator.json is gone "
                   "(its resources lived in its memory); starting a new one")
            self._forget()
        return self.start(notice), True

    def start(self, notice: Notice) -> EmulatorRecord:
        # A free port can be taken by another process between the probe and the server's bind
        # (two projects starting emulators at once): then try another one.
        for _ in range(PORT_ATTEMPTS - 1):
            try:
                return self._start_on(_free_port(), notice)
            except _PortTaken:
                continue
        return self._start_on(_free_port(), notice)

    def _start_on(self, port: int, notice: Notice) -> EmulatorRecord:
        self.paths.work.mkdir(parents=True, exist_ok=True)
        log_start = self.paths.emulator_log.stat().st_size if self.paths.emulator_log.exists() else 0
        # No CORS headers: moto would allow any web page's scripts (any Origin) to call the emulator, which holds
        # this machine's local deployment; without them only requests from its own origin, and tools, get answers.
        env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true", "MOTO_DISABLE_GLOBAL_CORS": "true"}
        with self.paths.emulator_log.open("ab") as log:
            # In a session of its own, it survives this command; `local down` stops it.
            process = processes.start([sys.executable, "-m", SERVER_MODULE, "-H", "127.0.0.1", "-p", str(port)],
                                      env=env, output=log)
        record = EmulatorRecord(pid=process.pid, port=port, started_at=time.time(), code=emulator_code())
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                if b"Address already in use" in _read_from(self.paths.emulator_log, log_start):
                    raise _PortTaken(port)
                raise EmulatorError(
                    f"the local AWS emulator exited during start-up (code {process.returncode})",
                    hint=f"see {self.paths.emulator_log}; is moto[server] installed?",
                )
            if _responds(record.url):
                self._write_record(record)
                notice(f"local AWS emulator started at {record.url} (pid {record.pid})")
                return record
            time.sleep(0.2)
        process.kill()
        raise EmulatorError(
            f"the local AWS emulator did not answer within {START_TIMEOUT_SECONDS:.0f}s",
            hint=f"see {self.paths.emulator_log}",
        )

    def stop(self) -> bool:
        """Stop the recorded emulator; False when none was running."""
        record = self._read_record()
        self._forget()
        if record is None or not _is_alive(record.pid):
            return False
        try:
            os.kill(record.pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _is_alive(record.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _is_alive(record.pid):
            os.kill(record.pid, signal.SIGKILL)
        return True

    def _read_record(self) -> EmulatorRecord | None:
        try:
            data = json.loads(read_handed_text(self.paths.emulator_record, WORK_FILE_LIMIT))
            return EmulatorRecord(pid=int(data["pid"]), port=int(data["port"]),
                                  started_at=float(data["started_at"]), code=str(data.get("code", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _write_record(self, record: EmulatorRecord) -> None:
        temporary = self.paths.emulator_record.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(record)))
        temporary.replace(self.paths.emulator_record)

    def _forget(self) -> None:
        self.paths.emulator_record.unlink(missing_ok=True)


# moto's server with residency's fixes (see that module).
SERVER_MODULE = "residency.local.moto_server"
PORT_ATTEMPTS = 3


def emulator_code() -> str:
    """A fingerprint of the emulator this residency starts: its fixes' source and moto's version."""
    from importlib.metadata import version

    source = Path(__file__).with_name("moto_server.py").read_bytes()
    return hashlib.sha256(source + version("moto").encode()).hexdigest()[:16]


class _PortTaken(Exception):
    pass


def _read_from(path: Path, offset: int) -> bytes:
    try:
        with path.open("rb") as log:
            log.seek(offset)
            return log.read(64 * 1024)
    except OSError:
        return b""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _is_alive(pid: int) -> bool:
    if not processes.exists(pid):
        return False
    # A zombie child of this very process still answers kill(0); reap it if so.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
        return finished == 0
    except ChildProcessError:
        return _cmdline_mentions_moto(pid)


def _cmdline_mentions_moto(pid: int) -> bool:
    # Guards against a recycled pid: only a moto server counts as our emulator.
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
        return SERVER_MODULE.encode() in command_line or b"moto.server" in command_line
    except OSError:
        return True  # no /proc (macOS): trust kill(0)


def _responds(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def ensure_hosted_zone(url: str, domain: str) -> bool:
    """Create the public hosted zone of `domain` in the emulator; True if it was missing.

    On AWS the zone belongs to the user and must exist before the first apply; the emulator
    starts empty, so residency stands in for the user here.
    """
    import boto3

    from residency.target import FAKE_CREDENTIAL

    route53 = boto3.client("route53", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id=FAKE_CREDENTIAL, aws_secret_access_key=FAKE_CREDENTIAL)
    zones = route53.list_hosted_zones_by_name(DNSName=domain)["HostedZones"]
    if any(zone["Name"].rstrip(".") == domain for zone in zones):
        return False
    route53.create_hosted_zone(Name=domain, CallerReference=f"residency-{domain}")
    return True
