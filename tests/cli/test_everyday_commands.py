"""The commands a team uses every day: --version, completion, output, tf, finding regions.yaml from a
subdirectory, and the hints for a region that is not (yet) in regions.yaml."""

from __future__ import annotations

import json
import re
import shutil
from importlib.metadata import version

import pytest

from tests.conftest import SAMPLE, run_cli


def test_version_prints_the_installed_version(tmp_path):
    shown = run_cli(["--version"], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == f"residency {version('residency')}\n"


def test_completion_script_and_completions(tmp_path):
    script = run_cli(["completion", "bash"], tmp_path)
    assert script.returncode == 0, script.stderr
    assert "_RESIDENCY_COMPLETE=complete_bash" in script.stdout and "complete " in script.stdout
    assert "compdef _residency_completion residency" in run_cli(["completion", "zsh"], tmp_path).stdout
    unknown = run_cli(["completion", "tcsh"], tmp_path)
    assert unknown.returncode == 64 and "unknown shell 'tcsh'" in unknown.stderr
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    (tmp_path / "deep" / "er").mkdir(parents=True)

    def complete(words: str, index: int) -> list[str]:
        done = run_cli([], tmp_path / "deep" / "er",
                       {"_RESIDENCY_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(index)})
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert "plan" in complete("residency pl", 1)
    assert complete("residency region ", 2) == ["add", "remove", "retire"]
    # Workspace names, from the regions.yaml the command would read (two directories up).
    assert complete("residency plan ", 2) == ["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"]
    assert complete("residency apply a", 2) == ["ap-southeast-2"]


def test_regions_yaml_is_found_from_a_subdirectory(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    below = tmp_path / "services" / "billing"
    below.mkdir(parents=True)
    listed = run_cli(["list", "--json"], below)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["project"] == "acme-health"
    validated = run_cli(["validate"], below)
    assert validated.stdout.startswith(f"{tmp_path / 'regions.yaml'}: valid")
    # Files residency writes go next to regions.yaml, not into the subdirectory.
    status = run_cli(["local", "status", "--json"], below)
    assert status.returncode == 0, status.stderr
    assert (tmp_path / ".residency").is_dir() and not (below / ".residency").exists()


def test_without_regions_yaml_here_or_above_it_says_how_to_begin(tmp_path):
    missing = run_cli(["validate"], tmp_path)
    assert missing.returncode == 66
    assert "regions.yaml" in missing.stderr and "Traceback" not in missing.stderr


def test_list_columns_stay_aligned_with_long_country_lists(tmp_path):
    config = tmp_path / "regions.yaml"
    config.write_text(SAMPLE.read_text().replace(
        "countries: [AU, NZ]", "countries: [AU, NZ, FJ, PG, WS, TO, VU, SB, KI, NR, TV, FM, MH, PW]"))
    listed = run_cli(["list"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()[1:]
    state_column = header.index("STATE")
    for row in rows:
        assert re.match(r"\.residency/state/\S+/terraform\.tfstate$", row[state_column:]), (header, row)
        assert row[state_column - 2:state_column] == "  "


def test_a_valid_aws_region_that_is_not_listed_suggests_adding_it(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    planned = run_cli(["plan", "ca-central-1"], tmp_path)
    assert planned.returncode == 64
    assert "ca-central-1 (Montreal, jurisdiction CA) is not a region in" in planned.stderr
    assert "residency region add ca-central-1 --countries" in planned.stderr
    typo = run_cli(["plan", "eu-centrl-1"], tmp_path)
    assert typo.returncode == 64 and "did you mean 'eu-central-1'?" in typo.stderr


@pytest.mark.parametrize(("args", "command"), [
    (["state", "list"], "state list"), (["state", "show", "a.b"], "state show"), (["output", "-json"], "output"),
    (["show", "-json"], "show"), (["plan", "-destroy"], "plan"), (["-help"], ""), (["providers"], "providers"),
    (["state", "rm", "a.b"], "state rm"), (["-chdir=/tmp", "state", "list"], ""), (["-chdir", "x", "show"], "")])
def test_tf_reads_the_terraform_command_with_its_subcommand_and_any_global_option(args, command):
    from residency.flows.workspace_access import READ_ONLY, _command

    assert _command(args) == command
    assert (command in READ_ONLY) == (command in ("state list", "state show", "output", "show", "plan", "providers"))


def test_tf_refuses_apply_and_destroy_unless_told_and_needs_a_command(tmp_path):
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    for command in (["apply"], ["destroy"]):
        refused = run_cli(["tf", "eu-central-1", "--", *command, "-auto-approve"], tmp_path)
        assert refused.returncode == 64, refused.stderr
        assert f"use `residency {command[-1]} eu-central-1`" in refused.stderr and "--i-know" in refused.stderr
    # Whatever writes state, infrastructure or residency's files, however it is spelled.
    for command in (["state", "rm", "aws_s3_bucket.data"], ["import", "aws_s3_bucket.x", "x"], ["taint", "a.b"],
                    ["-chdir=.", "plan", "-destroy", "-out", "p"], ["refresh"], ["fmt"], ["providers", "lock"],
                    ["state", "push", "x"], ["force-unlock", "1"], ["workspace", "new", "x"]):
        refused = run_cli(["tf", "eu-central-1", "--", *command], tmp_path)
        assert refused.returncode == 64 and "--i-know" in refused.stderr, (command, refused.stderr)
    empty = run_cli(["tf", "eu-central-1"], tmp_path)
    assert empty.returncode == 64 and "residency tf eu-central-1 -- state list" in empty.stderr
    unknown = run_cli(["tf", "mars-north-1", "--", "state", "list"], tmp_path)
    assert unknown.returncode == 64 and "unknown workspace 'mars-north-1'" in unknown.stderr
    assert not (tmp_path / "cdktf.out").exists()  # refused before anything was synthesized
    try:
        for told in (["tf", "--i-know", "eu-central-1"], ["tf", "eu-central-1", "--i-know"]):  # before or after it
            ran = run_cli([*told, "--", "state", "rm", "aws_sqs_queue.none"], tmp_path)
            assert "--i-know" not in ran.stderr and ran.returncode != 64, ran.stderr
    finally:
        run_cli(["local", "down"], tmp_path, timeout=120)


@pytest.mark.terraform
def test_output_and_tf_in_a_workspace_never_applied(tmp_path, provider_mirror):
    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        shown = run_cli(["output", "eu-central-1", "global", "--json"], tmp_path, env)
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout) == {"workspaces": {"eu-central-1": {}, "global": {}}}
        human = run_cli(["output", "global"], tmp_path, env)
        assert human.stdout == "global: no outputs (not applied yet)\n"
        # Terraform's own exit code comes back; its output is Terraform's.
        listed = run_cli(["tf", "global", "--", "state", "list"], tmp_path, env)
        assert listed.returncode == 1 and "No state file was found" in listed.stdout + listed.stderr
        checked = run_cli(["tf", "global", "--", "validate", "-no-color"], tmp_path, env)
        assert checked.returncode == 0 and "The configuration is valid" in checked.stdout
    finally:
        run_cli(["local", "down"], tmp_path)
