"""`local up|down|status|reset`: the embedded AWS emulator of `target: local`, and what lives beside it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from residency.errors import ResidencyError
from residency.local.emulator import Emulator, EmulatorRecord, EmulatorStatus
from residency.paths import ProjectPaths
from residency.target import FAKE_CREDENTIAL

if TYPE_CHECKING:
    from residency.config import Config

__all__ = ["EmulatorRecord", "EmulatorStatus", "environment", "limitations", "reset", "start", "status", "stop"]


def start(paths: ProjectPaths, progress: Callable[[str], None]) -> EmulatorRecord:
    """The running emulator, started if there is none."""
    record, _started = Emulator(paths).ensure_running(progress)
    return record


def environment(paths: ProjectPaths, progress: Callable[[str], None], region: str) -> dict[str, str]:
    """What an AWS SDK or CLI needs to talk to the project's emulator (started if need be): its endpoint, the
    credentials it accepts, and a region."""
    record = start(paths, progress)
    return {"AWS_ENDPOINT_URL": record.url, "AWS_ACCESS_KEY_ID": FAKE_CREDENTIAL,
            "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIAL, "AWS_REGION": region, "AWS_DEFAULT_REGION": region}


def stop(paths: ProjectPaths) -> bool:
    """Whether an emulator was running (its resources are lost; state under .residency/ is kept)."""
    return Emulator(paths).stop()


def status(paths: ProjectPaths) -> EmulatorStatus:
    return Emulator(paths).status()


def reset(paths: ProjectPaths) -> None:
    """Stop the emulator and forget local Terraform state and saved plans."""
    Emulator(paths).stop()
    for directory in (paths.work / "state", paths.work / "plans"):
        shutil.rmtree(directory, ignore_errors=True)


def limitations(config: Callable[[], Config]) -> tuple[str, ...]:
    """What the local target leaves out for this regions.yaml (nothing when it cannot be read)."""
    try:
        loaded = config()
        return loaded.local_limitations() if loaded.profile.uses_emulator else ()
    except ResidencyError:
        return ()
