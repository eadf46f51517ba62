"""Per-region feature flags: each region's own flags in its own AppConfig (on AWS), served by its API; a change
to one jurisdiction's flags changes only its regions' workspaces."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from residency.config import load_config
from residency.guard.check import check_synthesized
from residency.stacks import synthesize
from residency.terraform.reviewed_plans import synth_digest

CONFIG = """project: acme-flags
target: aws
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE, EU]}
  eu-west-1: {jurisdiction: EU, countries: [IE]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
features:
  defaults: {new_checkout: false, max_upload_mb: 10, banner: ""}
  jurisdictions:
    EU: {new_checkout: true}
  regions:
    eu-west-1: {max_upload_mb: 5}
"""
WORKSPACES = ("eu-central-1", "eu-west-1", "us-east-1", "global")


def synthesized(root: Path, text: str) -> tuple[Any, Path]:
    root.mkdir(parents=True, exist_ok=True)
    (root / "regions.yaml").write_text(text)
    config = load_config(root / "regions.yaml")
    synthesize(config, root / "cdktf.out", project_dir=root)
    return config, root / "cdktf.out"


def resources(out: Path, workspace: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())["resource"]
    return document


def api_function(out: Path, workspace: str) -> dict[str, Any]:
    return next(f for f in resources(out, workspace)["aws_lambda_function"].values()
                if f["function_name"].endswith("-api"))


@pytest.fixture(scope="module")
def aws_flags(tmp_path_factory) -> tuple[Any, Path]:
    return synthesized(tmp_path_factory.mktemp("flags"), CONFIG)


def test_each_region_serves_its_own_flags_from_its_own_appconfig(aws_flags):
    config, out = aws_flags
    expected = {"eu-central-1": {"banner": "", "max_upload_mb": 10, "new_checkout": True},
                "eu-west-1": {"banner": "", "max_upload_mb": 5, "new_checkout": True},
                "us-east-1": {"banner": "", "max_upload_mb": 10, "new_checkout": False}}
    for region, flags in expected.items():
        found = resources(out, region)
        (version,) = found["aws_appconfig_hosted_configuration_version"].values()
        assert json.loads(version["content"]) == flags
        (application,) = found["aws_appconfig_application"].values()
        assert application["name"] == f"acme-flags-{region}-features"
        (deployment,) = found["aws_appconfig_deployment"].values()
        assert deployment["deployment_strategy_id"] == "AppConfig.AllAtOnce"
        settings = api_function(out, region)["environment"]["variables"]
        assert json.loads(settings["FEATURE_FLAGS"]) == flags
        assert settings["APPCONFIG_APPLICATION"].startswith("${aws_appconfig_application.")
        policy = next(json.loads(p["policy"]) for p in found["aws_iam_role_policy"].values()
                      if "appconfig:GetLatestConfiguration" in p["policy"])
        (reads,) = [s for s in policy["Statement"] if "appconfig:GetLatestConfiguration" in s["Action"]]
        (resource,) = reads["Resource"]
        assert resource.startswith(f"arn:aws:appconfig:{region}:") and "/configuration/" in resource
        assert reads["Condition"] == {"StringEquals": {"aws:RequestedRegion": [region]}}
    assert "aws_appconfig_application" not in resources(out, "global")
    report = check_synthesized(config, out)
    assert report.clean, [f.message for f in report.findings]


def test_changing_one_jurisdictions_flag_changes_only_its_regions(aws_flags, tmp_path):
    _config, out = aws_flags
    _changed_config, changed = synthesized(tmp_path / "changed", CONFIG.replace("EU: {new_checkout: true}",
                                                                                "EU: {new_checkout: false}"))
    differs = {workspace for workspace in WORKSPACES
               if synth_digest(out / "stacks" / workspace) != synth_digest(changed / "stacks" / workspace)}
    assert differs == {"eu-central-1", "eu-west-1"}


def test_on_the_local_target_the_api_serves_the_flags_deployed_with_it(tmp_path):
    _config, out = synthesized(tmp_path / "local", CONFIG.replace("target: aws", "target: local"))
    assert "aws_appconfig_application" not in resources(out, "eu-west-1")
    settings = api_function(out, "eu-west-1")["environment"]["variables"]
    assert json.loads(settings["FEATURE_FLAGS"])["max_upload_mb"] == 5 and "APPCONFIG_APPLICATION" not in settings
