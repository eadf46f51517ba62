"""Asking before a change: each workspace's changes on AWS (y/n, or --auto-approve); and a change that destroys
data, where the user types the name of what goes, or passes both --yes and --i-understand-data-loss where nobody
can be asked (`region retire`, `store retire`)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import typer

from residency.errors import UsageError
from residency.flows.terraform_runs import Changes, Confirm, Operation
from residency.target import TargetProfile

# Shown what is about to go, and the name to type: whether the user typed it.
AskToType = Callable[[str, str], bool]


def typed_confirmation(yes: bool, understood: bool, *, noun: str, destroys: str) -> AskToType:
    """How to confirm retiring a `noun` ("region"); UsageError up front when nobody can be asked. `destroys` says
    what --yes alone would have destroyed."""
    if yes and not understood:
        raise UsageError("--yes needs --i-understand-data-loss as well", hint=destroys)
    if yes:
        return lambda question, name: True
    if not sys.stdin.isatty():
        raise UsageError(f"refusing to retire a {noun} without confirmation",
                         hint=f"run it in a terminal and type the {noun}'s name, or pass --yes "
                              "--i-understand-data-loss")

    def ask(question: str, name: str) -> bool:
        typed = typer.prompt(f"{question}\nType {name} to confirm", default="", show_default=False)
        return str(typed).strip() == name

    return ask


def confirmation(operation: Operation, target: TargetProfile, auto_approve: bool) -> tuple[Confirm, bool]:
    """How each workspace's changes are confirmed, and whether that asks the user."""
    if operation not in (Operation.APPLY, Operation.DESTROY) or auto_approve or not target.asks_before_changes:
        return (lambda workspace, changes: True), False
    if not sys.stdin.isatty():
        raise UsageError(
            f"refusing to {operation.value} on AWS without confirmation",
            hint="run it in a terminal to confirm each workspace, or pass --auto-approve",
        )

    asking = threading.Lock()  # parallel workspaces ask one at a time

    def ask(workspace: str, changes: Changes) -> bool:
        with asking:
            return typer.confirm(f"{operation.value} {workspace} ({changes.describe()})?", default=False)

    return ask, True
