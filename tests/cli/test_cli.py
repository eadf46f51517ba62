"""The command line as users meet it: exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from residency.cli.main import main
from tests.conftest import SAMPLE, run_cli


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_validate_summarizes_the_sample(capsys):
    code, out, _ = run(capsys, "--config", str(SAMPLE), "validate")
    assert code == 0
    assert f"{SAMPLE}: valid" in out
    assert "acme-health" in out
    assert "us-east-1" in out and "(default)" in out


def test_validate_json_is_one_document(capsys):
    code, out, _ = run(capsys, "--config", str(SAMPLE), "validate", "--json")
    assert code == 0
    document = json.loads(out)
    assert document["valid"] is True
    assert list(document["config"]["regions"]) == ["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2"]


def test_config_comes_from_the_environment(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("RESIDENCY_CONFIG", str(tmp_path / "elsewhere.yaml"))
    code, _, err = run(capsys, "validate")
    assert code == 66
    assert "elsewhere.yaml" in err


def test_missing_config_exits_66(capsys, tmp_path):
    code, _, err = run(capsys, "--config", str(tmp_path / "nope.yaml"), "validate")
    assert code == 66
    assert "nope.yaml" in err and "Traceback" not in err


def test_invalid_config_exits_65_with_file_line_and_location(capsys, tmp_path):
    bad = tmp_path / "regions.yaml"
    bad.write_text(SAMPLE.read_text().replace("jurisdiction: AU", "jurisdiction: EU"))
    code, out, err = run(capsys, "--config", str(bad), "validate")
    assert code == 65
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if "jurisdiction: EU" in text
                and n > 15)
    assert f"{bad}:{line}: regions.ap-southeast-2.jurisdiction:" in err
    assert "Sydney" in err
    assert out == ""


def test_schema_is_json_schema_of_the_file(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"project", "regions", "global"} <= set(schema["properties"])
    assert "project" in schema["required"]


def test_list_shows_workspaces_in_order(capsys):
    code, out, _ = run(capsys, "--config", str(SAMPLE), "list", "--json")
    assert code == 0
    rows = json.loads(out)["workspaces"]
    assert [(r["workspace"], r["jurisdiction"]) for r in rows] == [
        ("eu-central-1", "EU"), ("eu-west-1", "EU"), ("us-east-1", "US"), ("ap-southeast-2", "AU"),
        ("global", "global")]
    assert rows[-1]["region"] == "us-east-1"
    assert rows[0]["state"] == ".residency/state/eu-central-1/terraform.tfstate"


def test_list_says_where_each_workspace_keeps_its_state(tmp_path, capsys):
    config = tmp_path / "regions.yaml"
    config.write_text(SAMPLE.read_text() + "state:\n  backend: s3\n  bucket_prefix: acme-state-42\n")
    code, out, _ = run(capsys, "--config", str(config), "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[-1] == "STATE"
    assert lines[2].endswith("s3://acme-state-42-eu-central-1/eu-central-1/terraform.tfstate")
    assert lines[-1].endswith("s3://acme-state-42-us-east-1/global/terraform.tfstate")


@pytest.mark.parametrize("args", [["frobnicate"], ["validate", "--nope"], ["plan", "--bogus"]])
def test_parser_errors_are_usage_errors(capsys, args):
    code, _, err = run(capsys, "--config", str(SAMPLE), *args)
    assert code == 64
    assert "Traceback" not in err


def test_unknown_workspace_is_a_usage_error_listing_valid_ones(capsys):
    code, _, err = run(capsys, "--config", str(SAMPLE), "plan", "eu-centrl-1")
    assert code == 64
    assert "unknown workspace 'eu-centrl-1'" in err
    assert "did you mean 'eu-central-1'?" in err
    assert "eu-central-1, eu-west-1, us-east-1, ap-southeast-2, global" in err


def test_plan_without_workspaces_asks_for_names_or_all(capsys):
    code, _, err = run(capsys, "--config", str(SAMPLE), "plan")
    assert code == 64
    assert "name one or more workspaces, or use --all" in err


def test_terraform_missing_is_a_clear_failure(tmp_path, project):
    result = run_cli(["plan", "--all"], project, env={"PATH": str(tmp_path)})
    assert result.returncode == 1
    assert "neither `terraform` nor `tofu` was found on PATH" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_provider_mirror_is_a_usage_error(project, terraform_binary, tmp_path):
    result = run_cli(["plan", "--all"], project, env={"RESIDENCY_PROVIDER_MIRROR": str(tmp_path / "x")})
    assert result.returncode == 64
    assert "is not a directory" in result.stderr
    assert not (project / "cdktf.out").exists() or (project / "cdktf.out" / "manifest.json").exists()


def test_aws_target_refuses_to_apply_without_a_terminal_or_auto_approve(project):
    config = project / "regions.yaml"
    config.write_text(config.read_text().replace("target: local", "target: aws"))
    result = run_cli(["apply", "--all"], project)
    assert result.returncode == 64
    assert "refusing to apply on AWS without confirmation" in result.stderr
    assert not (project / ".residency").exists()  # refused before touching anything


HEAVY = ("cdktf", "jsii", "cdktf_cdktf_provider_aws", "constructs", "boto3", "moto")


@pytest.mark.parametrize("args", [["--help"], ["--config", str(SAMPLE), "validate"]])
def test_help_and_validate_do_not_import_heavy_modules(args):
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "residency", *args],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert "residency.cli.main" in imported  # the measurement did see our own imports
    assert not {name for name in imported if name.split(".")[0] in HEAVY}


def test_bootstrap_is_for_the_s3_backend_only(project):
    result = run_cli(["bootstrap"], project)
    assert result.returncode == 64
    assert result.stderr.startswith("error: bootstrap creates the state buckets of `state: {backend: s3}`; "
                                    "this regions.yaml uses backend: local")
    assert not (project / ".residency" / "bootstrap").exists()


def test_workspaces_run_at_twice_the_cpu_count_at_most_eight_on_both_targets(monkeypatch):
    from residency.flows.terraform_runs import default_parallelism

    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert default_parallelism() == 4
    monkeypatch.setattr("os.cpu_count", lambda: 64)
    assert default_parallelism() == 8
    monkeypatch.setattr("os.cpu_count", lambda: None)
    assert default_parallelism() == 2


@pytest.mark.parametrize(("args", "message"), [
    (["plan", "mars-*"], "'mars-*' matches no workspace"),
    (["apply", "EU", "--exclude", "eu-*"], "--exclude leaves out every workspace selected"),
    (["destroy", "--all", "--exclude", "XX"], "--exclude unknown workspace 'XX'"),
    (["drift", "eu-centrl-1"], "did you mean 'eu-central-1'?"),
    (["output", "AU", "--exclude", "ap-*"], "--exclude leaves out every workspace selected"),
    (["tf", "EU", "--", "state", "list"], "'EU' names 2 workspaces; `tf` runs in one"),
])
def test_workspaces_by_jurisdiction_glob_and_exclusion_are_checked_before_anything_runs(capsys, args, message):
    code, _, err = run(capsys, "--config", str(SAMPLE), *args)
    assert code == 64 and message in err, err
