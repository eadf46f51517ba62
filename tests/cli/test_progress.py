"""The two progress views: whole prefixed lines when not on a terminal, a live table on one."""

from __future__ import annotations

import io
import threading

from residency.cli.progress import LineReporter, LiveReporter
from residency.terraform.events import Changes
from residency.terraform.operations import Operation, Outcome, Status


def test_lines_are_whole_prefixed_and_never_interleaved():
    stream = io.StringIO()
    reporter = LineReporter(stream)

    def workspace(name: str) -> None:
        reporter.started(name, Operation.APPLY)
        for index in range(200):
            reporter.line(name, f"aws_s3_bucket.b{index}: Creation complete after 1s")
            reporter.line(name, "some plan chatter that is not progress")
        reporter.finished(Outcome(name, Status.APPLIED, Changes(add=200), seconds=3.0), Operation.APPLY)

    threads = [threading.Thread(target=workspace, args=(name,)) for name in ("eu-central-1", "us-east-1")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 * (1 + 200 + 1)
    progress = [line for line in lines if line.startswith("    ")]
    assert all(line.startswith(("    eu-central-1: aws_s3_bucket.b", "    us-east-1: aws_s3_bucket.b"))
               and line.endswith("Creation complete after 1s") for line in progress)
    assert "<== us-east-1: applied: 200 to add, 0 to change, 0 to destroy (3.0s)" in lines
    assert not any("chatter" in line for line in lines)


def test_the_live_view_redraws_one_line_per_workspace_in_place():
    stream = io.StringIO()
    reporter = LiveReporter(["eu-central-1", "global"], stream)
    reporter.started("eu-central-1", Operation.APPLY)
    reporter.line("eu-central-1", "aws_kms_key.data: Creation complete after 2s [id=abc]")
    reporter.say("local target: a notice printed above the view")
    reporter.finished(Outcome("eu-central-1", Status.APPLIED, Changes(add=3), seconds=4.2), Operation.APPLY)
    reporter.close()
    text = stream.getvalue()
    assert "\x1b[2F\x1b[J" in text  # moved back over its two lines to redraw them
    final = text.rsplit("\x1b[J", 1)[-1].splitlines()
    assert final[0].split() == ["eu-central-1", "applied", "4.2s", "applied:", "3", "to", "add,", "0", "to",
                                "change,", "0", "to", "destroy"]
    assert final[1].split() == ["global", "waiting"]
    assert "local target: a notice printed above the view" in text


def test_a_signal_handler_may_say_something_while_a_line_is_being_written():
    """The handler runs on the interrupted thread, maybe inside say(): it must not wait for itself."""
    class Interrupted(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.handled = False

        def write(self, text: str) -> int:
            if not self.handled:  # the signal arrives in the middle of the first line
                self.handled = True
                reporter.say("interrupted (SIGTERM): starting nothing new")
            return super().write(text)

    stream = Interrupted()
    reporter = LineReporter(stream)
    done = threading.Thread(target=reporter.say, args=("==> eu-west-1: plan",), daemon=True)
    done.start()
    done.join(timeout=5)
    assert not done.is_alive(), "say() waited for itself"
    assert stream.getvalue().splitlines() == ["interrupted (SIGTERM): starting nothing new", "==> eu-west-1: plan"]
