"""How a run of many workspaces goes: one set of options from the command line to the runner of each workspace."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from residency.terraform.locks import parse_duration
from residency.terraform.synthesized_bundle import Bundle


@dataclass(frozen=True)
class RunOptions:
    """How many workspaces at once, when to stop, how long to wait for a lock; for plan and apply, where the plans
    for review go or come from, and a handed-over synthesized output."""

    parallelism: int = 1
    fail_fast: bool = False
    lock_timeout: str = "0s"  # as given: 30s, 10m
    verbose: bool = False  # notes that are not news too (the local target's limitations)
    save_plans: Path | None = None  # plan: keep the plans for review here (`apply --plans`)
    reviewed_plans: Path | None = None  # apply: exactly the plans kept there, once shown current
    bundle: Bundle | None = None  # a handed-over synthesized output (`--from`): never synthesize

    @cached_property
    def lock_timeout_seconds(self) -> float:
        """The lock timeout in seconds; a usage error for a duration Terraform would not take."""
        return parse_duration(self.lock_timeout)
