"""What one workspace's run ends in (its status, counts, log and diff), and the failures read from Terraform's
output that every operation reports the same way."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from residency.terraform.events import Changes
from residency.terraform.runner import RunResult, Terraform

# How `terraform init` reports an s3 backend whose bucket is missing.
MISSING_STATE_BUCKET = re.compile(r'S3 bucket "[^"]+" does not exist')


class Status(StrEnum):
    NO_CHANGES = "no changes"
    CHANGES = "changes"
    APPLIED = "applied"
    DESTROYED = "destroyed"
    DRIFTED = "drifted"
    DECLINED = "declined"
    REFUSED = "refused"  # the saved plan breaks a residency rule
    STALE = "stale"  # `apply --plans`: the reviewed plan is not current; not applied
    INTERRUPTED = "interrupted"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Outcome:
    workspace: str
    status: Status
    changes: Changes = field(default_factory=Changes)
    drifted: list[dict[str, Any]] = field(default_factory=list)  # address, action, attributes (before -> after)
    seconds: float = 0.0
    error: str | None = None
    log_file: str | None = None
    plan_digest: str | None = None  # of the change set planned (and applied): what a review saw
    diff: list[dict[str, object]] = field(default_factory=list)  # plan_diff.py: what changes, attribute by attribute

    @property
    def succeeded(self) -> bool:
        return self.status in (Status.NO_CHANGES, Status.CHANGES, Status.APPLIED, Status.DESTROYED, Status.DRIFTED)

    @property
    def summary(self) -> str:
        return f"{self.workspace} {self.status.value}"

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["status"] = self.status.value
        return data


def failed(name: str, what: str, result: RunResult) -> Outcome:
    """FAILED, with Terraform's errors (or the end of its output) under what failed."""
    detail = "\n".join(result.events.errors) or result.tail()
    return Outcome(name, Status.FAILED, error=f"{what}:\n{detail}", log_file=str(result.log_file))


def state_bucket_missing(init: RunResult) -> bool:
    """Whether `terraform init` failed because an s3 backend's bucket does not exist."""
    return MISSING_STATE_BUCKET.search(init.tail(60)) is not None


def init_failed(name: str, init: RunResult, terraform: Terraform) -> Outcome:
    unreachable_registry = "could not connect to registry" in init.tail(40)
    hint = ""
    if unreachable_registry and terraform.settings.cli_config is None:
        hint = (" (the provider registry is unreachable: set RESIDENCY_PROVIDER_MIRROR or "
                "--provider-mirror to a provider mirror directory)")
    elif state_bucket_missing(init):
        hint = " (its state bucket does not exist: run `residency bootstrap` first)"
    return failed(name, f"terraform init failed{hint}", init)
