"""HCP Terraform workspace settings: keyed by residency workspace, so renames happen in place."""

from __future__ import annotations

import json

import pytest

from residency.config import load_config
from residency.errors import UsageError
from residency.pipelines.tfc import tfc_settings
from tests.conftest import SAMPLE, run_cli

CLOUD = "state:\n  backend: cloud\n  organization: acme\n  workspace_prefix: {prefix}\n"


def config_with(tmp_path, prefix: str = "acme-"):
    file = tmp_path / "regions.yaml"
    file.write_text(SAMPLE.read_text() + CLOUD.format(prefix=prefix))
    return load_config(file)


def test_one_workspace_per_residency_workspace_with_triggers_drift_checks_and_tags(tmp_path):
    settings = tfc_settings(config_with(tmp_path))
    workspaces = settings["locals"]["workspaces"]
    assert list(workspaces) == ["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"]
    assert workspaces["eu-central-1"] == {"name": "acme-eu-central-1", "jurisdiction": "EU"}
    workspace = settings["resource"]["tfe_workspace"]["residency"]
    assert workspace["assessments_enabled"] is True and workspace["lifecycle"] == {"prevent_destroy": True}
    assert workspace["working_directory"] == "cdktf.out/stacks/${each.key}"
    assert "jurisdiction:${lower(each.value.jurisdiction)}" in workspace["tag_names"]
    trigger = settings["resource"]["tfe_run_trigger"]["regions_to_global"]
    assert trigger["for_each"] == '${toset(["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2"])}'
    assert trigger["workspace_id"] == '${tfe_workspace.residency["global"].id}'
    assert settings["resource"]["tfe_workspace_settings"]["residency"]["execution_mode"] == "remote"


def test_a_new_prefix_renames_in_place(tmp_path):
    before = tfc_settings(config_with(tmp_path, "acme-"))
    after = tfc_settings(config_with(tmp_path, "acme-prod-"))
    assert before["resource"] == after["resource"]  # same resources, same keys: nothing is replaced
    assert after["locals"]["workspaces"]["global"]["name"] == "acme-prod-global"


def test_without_the_cloud_backend_it_is_a_usage_error(tmp_path, project):
    with pytest.raises(UsageError, match="backend: cloud"):
        tfc_settings(load_config(SAMPLE))
    result = run_cli(["tfc"], project)
    assert result.returncode == 64 and "backend: cloud" in result.stderr


def test_the_command_prints_or_writes_the_configuration(tmp_path, project):
    (project / "regions.yaml").write_text(SAMPLE.read_text() + CLOUD.format(prefix="acme-"))
    printed = run_cli(["tfc"], project)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout)["provider"]["tfe"] == {"hostname": "app.terraform.io", "organization": "acme"}
    written = run_cli(["tfc", "--out", str(tmp_path / "hcp")], project)
    assert written.returncode == 0 and json.loads((tmp_path / "hcp" / "tfc.tf.json").read_text()) == json.loads(
        printed.stdout)
