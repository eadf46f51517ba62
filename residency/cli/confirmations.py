"""Confirming a change that destroys data: the user types the name of what goes, or passes both --yes and
--i-understand-data-loss where nobody can be asked (`region retire`, `store retire`)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import typer

from residency.errors import UsageError

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
