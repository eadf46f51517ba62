"""The lazy command registry: every command loads, `--help` lists them all, and starting residency reads none of
the layers below the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

from residency.cli.registry import COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_registered_command_loads_with_its_help(name):
    command = COMMANDS[name].load(name)
    assert command.help or getattr(command, "callback", None) is not None


def test_help_lists_every_registered_command_in_order():
    listed = subprocess.run([sys.executable, "-m", "residency", "--help"], capture_output=True, text=True,
                            timeout=60, env={"COLUMNS": "200", "PATH": ""})
    assert listed.returncode == 0, listed.stderr
    commands = [line.split()[0] for line in listed.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert commands == list(COMMANDS)


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["plan", "--help"], ["region", "--help"]])
def test_starting_reads_neither_the_model_nor_the_constructs_nor_aws(argv):
    """typer itself imports pydantic to build a command's options; residency's model (~250 ms) waits for a command
    that reads regions.yaml."""
    probe = ("import sys\nfrom residency.cli.main import main\ncode = main(sys.argv[1:])\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'cdktf', 'moto') "
             "or m.startswith(('residency.config.model', 'residency.guard.', 'residency.stacks.'))))")
    found = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("typed", "expected"), [
    ("diff", "To do that, run `residency plan`"),
    ("deploy", "To do that, run `residency apply`"),
    ("plna", "Did you mean 'plan'?"),
    ("zzz", "`residency --help` lists them"),
])
def test_an_unknown_command_is_exit_64_with_what_to_run_instead(typed, expected, capsys):
    from residency.cli.main import main

    assert main([typed]) == 64
    assert f"No such command {typed!r}. {expected}" in capsys.readouterr().err
