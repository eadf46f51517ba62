"""State backends in the synthesized workspaces: local by default, HCP Terraform with `backend: cloud`,
and where that state is kept is judged by the residency rules (RES004)."""

from __future__ import annotations

import json

from residency.config import load_config
from residency.guard.check import check_synthesized
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.guard.test_rules import SIX_REGIONS

CLOUD = "state:\n  backend: cloud\n  organization: acme\n  workspace_prefix: acme-\n"


def synthesized(tmp_path, text: str):
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(text)
    config = load_config(config_file)
    synthesize(config, tmp_path / "cdktf.out")
    return config, {ws: json.loads((tmp_path / "cdktf.out" / "stacks" / ws / "cdk.tf.json").read_text())
                    for ws in config.workspaces}


def test_each_workspace_gets_its_own_hcp_terraform_workspace(tmp_path):
    _config, stacks = synthesized(tmp_path, SIX_REGIONS.read_text() + CLOUD)
    for name, document in stacks.items():
        assert document["terraform"]["cloud"] == {"organization": "acme", "workspaces": {"name": f"acme-{name}"}}
        assert "backend" not in document["terraform"]
    # global reads the regions' outputs from their HCP Terraform workspaces
    remote = stacks["global"]["data"]["terraform_remote_state"]["cross-stack-reference-input-eu-west-1"]
    assert remote == {"backend": "remote", "config": {"organization": "acme", "workspaces": {"name": "acme-eu-west-1"}}}


def test_state_in_us_hosted_hcp_terraform_is_a_violation_for_other_jurisdictions(tmp_path):
    config, _stacks = synthesized(tmp_path, SAMPLE.read_text() + CLOUD)
    report = check_synthesized(config, tmp_path / "cdktf.out")
    assert {(f.rule, f.workspace, f.destination) for f in report.findings} == {
        ("RES004", "eu-central-1", "app.terraform.io"), ("RES004", "eu-west-1", "app.terraform.io"),
        ("RES004", "ap-southeast-2", "app.terraform.io")}


def test_an_eu_only_project_keeps_its_state_in_the_eu_host(tmp_path):
    text = """project: acme-eu
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE], default: true}
  eu-west-1: {jurisdiction: EU, countries: [IE]}
global:
  region: eu-central-1
""" + CLOUD + "  hostname: app.eu.terraform.io\n"
    config, stacks = synthesized(tmp_path, text)
    assert stacks["eu-west-1"]["terraform"]["cloud"]["hostname"] == "app.eu.terraform.io"
    assert check_synthesized(config, tmp_path / "cdktf.out").clean


def test_local_state_stays_the_default(tmp_path):
    _config, stacks = synthesized(tmp_path, SAMPLE.read_text())
    assert stacks["eu-central-1"]["terraform"]["backend"] == {
        "local": {"path": "../../../.residency/state/eu-central-1/terraform.tfstate"}}


S3 = "state:\n  backend: s3\n  bucket_prefix: acme-tfstate\n"


def test_s3_state_lives_in_each_workspaces_own_region(tmp_path):
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws") + S3
    config, stacks = synthesized(tmp_path, text)
    for name, document in stacks.items():
        region = config.workspace_region(name)
        assert document["terraform"]["backend"] == {"s3": {
            "bucket": f"acme-tfstate-{region}", "key": f"{name}/terraform.tfstate", "region": region,
            "encrypt": True, "kms_key_id": "alias/acme-tfstate", "use_lockfile": True}}
    # global reads each region's outputs from that region's bucket
    remote = stacks["global"]["data"]["terraform_remote_state"]["cross-stack-reference-input-eu-west-1"]
    assert remote["backend"] == "s3"
    assert (remote["config"]["bucket"], remote["config"]["region"]) == ("acme-tfstate-eu-west-1", "eu-west-1")
    assert check_synthesized(config, tmp_path / "cdktf.out").clean


def test_s3_state_on_the_local_target_talks_to_the_emulator(tmp_path):
    config, stacks = synthesized(tmp_path, SIX_REGIONS.read_text() + S3)
    backend = stacks["eu-west-1"]["terraform"]["backend"]["s3"]
    # the endpoint is not written: the emulator's port changes, the runner sets AWS_ENDPOINT_URL_S3
    assert "endpoints" not in backend and "endpoint" not in backend
    assert {key: backend[key] for key in ("access_key", "secret_key", "use_path_style",
                                          "skip_credentials_validation", "skip_requesting_account_id")} == {
        "access_key": "residency-local", "secret_key": "residency-local", "use_path_style": True,
        "skip_credentials_validation": True, "skip_requesting_account_id": True}
    remote = stacks["global"]["data"]["terraform_remote_state"]["cross-stack-reference-input-eu-west-1"]
    assert remote["config"]["use_path_style"] is True and remote["config"]["access_key"] == "residency-local"
    assert check_synthesized(config, tmp_path / "cdktf.out").clean
