"""A step: one operation's work on one workspace, and how a run of many workspaces is shaped for it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from residency.terraform.manifest import Workspace
from residency.terraform.outcome import Outcome
from residency.terraform.steps.context import StepContext

# The workspaces in the order they start, and for each the selected workspaces it waits for.
Schedule = tuple[list[str], dict[str, list[str]]]


@dataclass
class Step(ABC):
    context: StepContext
    # Whether a selected workspace fails at once when it needs a workspace left out of the selection and
    # never applied (operations.py asks, before anything runs).
    needs_dependencies_applied: ClassVar[bool] = False

    def prepare(self, order: list[str]) -> list[Outcome]:
        """Work before any workspace starts (`order` lists dependencies first); outcomes returned end the run
        with nothing run."""
        return []

    def schedule(self, order: list[str]) -> Schedule:
        """By default read-only: nothing waits, nothing is skipped."""
        return order, {}

    @abstractmethod
    def run(self, workspace: Workspace) -> Outcome:
        """The work on one workspace, initialised and without an earlier plan's renames."""


def after_dependencies(order: list[str], workspaces: dict[str, Workspace]) -> Schedule:
    """A workspace starts once the selected workspaces it depends on succeeded."""
    selected = set(order)
    return order, {name: [dep for dep in workspaces[name].depends_on if dep in selected] for name in order}


def after_dependents(order: list[str], workspaces: dict[str, Workspace]) -> Schedule:
    """A workspace starts once the selected workspaces that depend on it succeeded (what they read stays
    until they are gone)."""
    selected = set(order)
    reverse = order[::-1]
    return reverse, {name: [other for other in selected if name in workspaces[other].depends_on]
                     for name in reverse}
