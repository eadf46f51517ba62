"""Deferring Ctrl-C over a step that must not be cut in half (jsii starting its Node runtime)."""

from __future__ import annotations

import os
import signal

import pytest

from residency import processes


def test_an_interrupt_during_a_deferred_step_reaches_the_previous_handler_after_it():
    seen: list[str] = []

    def previous(signum: int, frame: object) -> None:
        seen.append("handler")
        raise KeyboardInterrupt

    with processes.interrupts_handled_by(previous), pytest.raises(KeyboardInterrupt):
        with processes.interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            seen.append("step finished")
    assert seen == ["step finished", "handler"]


def test_without_an_interrupt_the_step_just_runs():
    before = signal.getsignal(signal.SIGINT)  # default_int_handler, or SIG_IGN in a job started in the background
    with processes.interrupts_deferred():
        pass
    assert signal.getsignal(signal.SIGINT) is before
