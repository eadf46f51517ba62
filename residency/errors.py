"""Every failure a user can cause, with the exit code DESIGN.md documents for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    CHANGES = 2
    VIOLATION = 3
    STALE_PLANS = 4  # `apply --plans`: the reviewed plans are not current; nothing of them was applied
    USAGE = 64
    INVALID_CONFIG = 65
    CONFIG_MISSING = 66


class ResidencyError(Exception):
    """Base of every error residency reports without a traceback."""

    exit_code: ExitCode = ExitCode.FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(ResidencyError):
    exit_code = ExitCode.USAGE


class ViolationError(ResidencyError):
    """The residency rules found a personal-data path out of its jurisdiction; the message is the report."""

    exit_code = ExitCode.VIOLATION

    def render(self) -> str:
        return self.message + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in regions.yaml, located as precisely as the file allows."""

    line: int | None
    location: str
    message: str
    hint: str | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line is not None else file
        text = f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ConfigError(ResidencyError):
    """regions.yaml is invalid; renders as `file:line: location: message` lines."""

    exit_code = ExitCode.INVALID_CONFIG

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = sorted(problems, key=lambda p: (p.line or 0, p.location))
        super().__init__("\n".join(p.render(file) for p in self.problems))

    def render(self) -> str:
        return self.message


class ConfigMissingError(ResidencyError):
    exit_code = ExitCode.CONFIG_MISSING


class TerraformError(ResidencyError):
    """Terraform is missing or one of its commands failed."""


class EmulatorError(ResidencyError):
    """The embedded AWS emulator could not be started or reached."""


class ExtensionNotUsable(ResidencyError):
    """An `extensions:` entry of regions.yaml cannot be imported, or names no callable."""

    exit_code = ExitCode.INVALID_CONFIG


class ExtensionFailed(ResidencyError):
    """An extension raised while it built its constructs."""


class ExtensionRefused(ResidencyError):
    """An extension reached past what it may add to its workspace (another workspace, residency's own
    configuration), or built what CDKTF refuses to synthesize."""

    exit_code = ExitCode.INVALID_CONFIG
