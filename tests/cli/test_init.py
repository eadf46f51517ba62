"""`residency init`: a project from nothing, with options, by questions, never over a file."""

from __future__ import annotations

import io
import json

import pytest

from residency.cli.main import main
from residency.config import load_config
from tests.conftest import run_cli


def test_without_a_terminal_or_options_it_writes_a_valid_commented_sample(tmp_path):
    made = run_cli(["init", "billing-service"], tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "billing-service"
    config = load_config(project / "regions.yaml")
    assert config.project == "billing-service"
    assert list(config.regions) == ["eu-west-1", "us-east-1", "ap-southeast-2"]
    assert [code for code, region in config.regions.items() if region.default] == ["us-east-1"]
    text = (project / "regions.yaml").read_text()
    assert text.count("#") > 10  # commented for the person who edits it
    assert ".residency/" in (project / ".gitignore").read_text().splitlines()
    assert "cdktf.out/" in (project / ".gitignore").read_text().splitlines()
    assert "residency apply --all" in made.stdout
    # The example in residency's own documentation works on what init writes.
    listed = run_cli(["list", "--json"], project)
    assert [w["workspace"] for w in json.loads(listed.stdout)["workspaces"]] == [
        "eu-west-1", "us-east-1", "ap-southeast-2", "global"]


def test_options_choose_project_regions_default_and_pipeline(tmp_path):
    options = ["init", "--project", "acme-pay", "--region", "eu-central-1:de,at", "--region", "us-east-1:US",
               "--default", "us-east-1", "--target", "aws", "--ci", "github"]
    # A pipeline on AWS assumes roles (OIDC) and installs a pinned residency: without them, nothing is written.
    refused = run_cli(options, tmp_path)
    assert refused.returncode == 64 and "does not name ci.plan_role" in refused.stderr, refused.stderr
    assert list(tmp_path.iterdir()) == []
    made = run_cli([*options, "--install", "residency==0.1.0", "--plan-role", "arn:aws:iam::123456789012:role/plan",
                    "--apply-role", "arn:aws:iam::123456789012:role/apply"], tmp_path)
    assert made.returncode == 0, made.stderr
    config = load_config(tmp_path / "regions.yaml")
    assert (config.project, config.target) == ("acme-pay", "aws")
    assert {code: (r.jurisdiction, r.countries, r.default) for code, r in config.regions.items()} == {
        "eu-central-1": ("EU", ("DE", "AT", "EU"), False), "us-east-1": ("US", ("US",), True)}
    assert (config.ci.install, config.ci.plan_role, config.ci.apply_role) == (
        "residency==0.1.0", "arn:aws:iam::123456789012:role/plan", "arn:aws:iam::123456789012:role/apply")
    pipeline = (tmp_path / ".github" / "workflows" / "residency.yml").read_text()
    assert 'pip install residency==0.1.0' in pipeline and "role-to-assume: arn:aws:iam::123456789012:role/apply" \
        in pipeline
    # The same pipeline as `ci render` writes from that regions.yaml.
    rendered = run_cli(["ci", "render", "--platform", "github", "--stdout"], tmp_path)
    assert rendered.returncode == 0 and rendered.stdout == pipeline, rendered.stderr


def test_an_existing_gitignore_gets_only_the_missing_entries(tmp_path):
    (tmp_path / ".gitignore").write_text("node_modules/\ncdktf.out/")  # no final newline
    assert run_cli(["init"], tmp_path).returncode == 0
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["node_modules/", "cdktf.out/"]
    assert lines.count("cdktf.out/") == 1 and ".residency/" in lines


@pytest.mark.parametrize("args, code, message", [
    (["--region", "eu-west-1:IE,XX"], 65, "'XX' is not an ISO 3166-1 alpha-2 country code"),
    (["--region", "eu-west-1"], 64, "expected REGION:COUNTRIES"),
    (["--region", "eu-west-1:IE", "--default", "us-east-1"], 64, "not one of the regions given"),
    (["--project", "X"], 65, "project"),
    (["--target", "gcp"], 64, "unknown target"),
    (["--ci", "jenkins"], 64, "unknown platform 'jenkins'"),
])
def test_bad_input_is_one_message_and_nothing_is_written(tmp_path, args, code, message):
    made = run_cli(["init", "new", *args], tmp_path)
    assert made.returncode == code, made.stderr
    assert message in made.stderr and "Traceback" not in made.stderr
    assert not (tmp_path / "new" / "regions.yaml").exists()
    assert not (tmp_path / "new" / ".gitignore").exists()


def test_it_never_overwrites(tmp_path):
    (tmp_path / "regions.yaml").write_text("project: mine\n")
    again = run_cli(["init"], tmp_path)
    assert again.returncode == 64 and "already exists" in again.stderr
    assert (tmp_path / "regions.yaml").read_text() == "project: mine\n"
    assert not (tmp_path / ".gitignore").exists()
    other = tmp_path / "other"
    (other / ".github" / "workflows").mkdir(parents=True)
    (other / ".github" / "workflows" / "residency.yml").write_text("mine")
    refused = run_cli(["init", "other", "--ci", "github", "--install", "residency==0.1.0"], tmp_path)
    assert refused.returncode == 64 and "residency.yml already exists" in refused.stderr
    assert not (other / "regions.yaml").exists() and not (other / ".gitignore").exists()
    assert run_cli(["init", "regions.yaml"], tmp_path).returncode == 64  # a file, not a directory


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_it_asks(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    answers = "health-app\neu-west-1, ap-southeast-2\n\nAU\nap-southeast-2\n"  # EU countries: the suggestion
    monkeypatch.setattr("sys.stdin", Terminal(answers))
    assert main(["init"]) == 0
    config = load_config(tmp_path / "regions.yaml")
    assert config.project == "health-app"
    assert {code: (r.countries, r.default) for code, r in config.regions.items()} == {
        "eu-west-1": (("IE", "FR", "DE", "EU"), False), "ap-southeast-2": (("AU",), True)}
    assert "Countries whose users' data stays in eu-west-1" in capsys.readouterr().out


def test_the_help_needs_no_regions_yaml(tmp_path):
    shown = run_cli(["init", "--help"], tmp_path)
    assert shown.returncode == 0 and "--region" in shown.stdout
