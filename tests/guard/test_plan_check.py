"""Saved plans from the real terraform binary and AWS provider resolve what synthesized JSON cannot.

A hand-written region workspace replicates its table to `${var.replica_region}`: the synthesized JSON
alone must fail closed (destination unknown); the plan says where the replica really goes. Planning a
create needs no AWS call (fake credentials, every start-up lookup skipped), so this runs offline.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from residency.config import Config, load_config
from residency.guard.check import check_plan, evaluate
from residency.guard.terraform_json.plan_document import overlay_plan
from residency.guard.terraform_json.workspace import SynthesizedWorkspace
from residency.paths import ProjectPaths
from residency.personal_data import OUTPUT
from residency.terraform.cli_config import check_mirror, write_cli_config
from residency.terraform.manifest import Workspace
from residency.terraform.operations import Operation, OperationRunner, Status
from residency.terraform.runner import Terraform, TerraformSettings
from tests.terraform.recording import Recorder

pytestmark = pytest.mark.terraform

WORKSPACE = "eu-central-1"
TABLE = "aws_dynamodb_table.data"
CONFIG = """\
project: acme-health
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE]
    default: true
  eu-west-1:
    jurisdiction: EU
  us-east-1:
    jurisdiction: US
"""


def region_workspace(**table_changes: object) -> dict:
    """cdk.tf.json of a region workspace whose table is replicated to a region chosen at plan time."""
    table: dict[str, object] = {
        "name": "acme-health-eu-central-1-data", "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk",
        "attribute": [{"name": "pk", "type": "S"}], "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
        "replica": [{"region_name": "${var.replica_region}"}], "lifecycle": {"prevent_destroy": True},
    }
    table.update(table_changes)
    return {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
        "provider": {"aws": [{
            "region": WORKSPACE, "access_key": "test", "secret_key": "test", "skip_credentials_validation": True,
            "skip_requesting_account_id": True, "skip_metadata_api_check": True,
        }]},
        "variable": {"replica_region": {"type": "string"}},
        "resource": {"aws_dynamodb_table": {"data": table}},
        # declared and protected as residency's constructs declare a store (RES013)
        "output": {OUTPUT: {"value": [{"address": TABLE, "kind": "dynamodb_table",
                                       "name": f"${{one({TABLE}[*].name)}}" if "count" in table_changes
                                       else f"${{{TABLE}.name}}"}]}},
    }


class Project:
    """regions.yaml, cdktf.out/stacks/eu-central-1 and a terraform environment that uses the mirror."""

    def __init__(self, root: Path, terraform: Path, mirror: str | None, document: dict) -> None:
        self.root, self.terraform = root, terraform
        (root / "regions.yaml").write_text(CONFIG)
        self.config: Config = load_config(root / "regions.yaml")
        self.out = root / "cdktf.out"
        self.directory = self.out / "stacks" / WORKSPACE
        self.directory.mkdir(parents=True)
        (self.directory / "cdk.tf.json").write_text(json.dumps(document, indent=1))
        self.env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_INPUT": "0",
                    "TF_DATA_DIR": str(root / "tf-data")}
        if mirror:
            self.env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(
                root / "terraformrc", check_mirror(Path(mirror)), root.parent / "plugin-cache"))
        self.terraform_run("init", "-input=false")

    def terraform_run(self, *args: str) -> str:
        result = subprocess.run([str(self.terraform), *args, "-no-color"], cwd=self.directory, env=self.env,
                                capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
        if result.returncode != 0:  # pytest.fail, not assert: an expected failure below must not hide this
            pytest.fail(f"terraform {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def saved_plan(self, replica_region: str) -> dict:
        """`terraform plan -out` then `terraform show -json`, as residency vets a plan before applying it."""
        plan_file = self.root / f"{replica_region}.tfplan"
        self.terraform_run("plan", "-input=false", f"-var=replica_region={replica_region}", f"-out={plan_file}")
        return json.loads(self.terraform_run("show", "-json", str(plan_file)))

    def synthesized(self) -> SynthesizedWorkspace:
        return SynthesizedWorkspace.load(self.directory / "cdk.tf.json")


@pytest.fixture(scope="module")
def project(tmp_path_factory, terraform_binary, provider_mirror) -> Project:
    return Project(tmp_path_factory.mktemp("plan-check"), terraform_binary, provider_mirror, region_workspace())


@pytest.fixture(scope="module")
def plans(project) -> dict[str, dict]:
    return {region: project.saved_plan(region) for region in ("us-east-1", "eu-west-1")}


def copies(findings) -> list[tuple[str, str, str, str]]:
    return [(f.address, f.source, f.destination, f.origin) for f in findings if f.rule == "RES002"]


def test_the_synthesized_json_alone_fails_closed(project):
    findings, paths = evaluate(project.config, [project.synthesized()])
    assert copies(findings) == [(TABLE, WORKSPACE, "${var.replica_region}", "synthesized")]
    assert [(p.kind, p.destination) for p in paths] == [("replica", "unknown")]


def test_the_plan_shows_the_replica_going_abroad(project, plans):
    plan = plans["us-east-1"]
    assert plan["variables"]["replica_region"]["value"] == "us-east-1"  # really planned with that value
    findings, paths = evaluate(project.config, [overlay_plan(project.synthesized(), plan)])
    assert copies(findings) == [(TABLE, WORKSPACE, "us-east-1", "plan")]
    assert [(p.kind, p.destination) for p in paths] == [("replica", "us-east-1")]
    lines = check_plan(project.config, project.out, WORKSPACE, plan)
    assert any(line.startswith(f"RES002 {WORKSPACE}: {TABLE}: ")
               and line.endswith("[eu-central-1 -> us-east-1] (in the saved plan)") for line in lines), lines


def test_the_plan_shows_the_replica_staying_in_the_jurisdiction(project, plans):
    plan = plans["eu-west-1"]
    findings, paths = evaluate(project.config, [overlay_plan(project.synthesized(), plan)])
    assert copies(findings) == []
    assert [(p.kind, p.destination) for p in paths] == [("replica", "eu-west-1")]
    assert not [line for line in check_plan(project.config, project.out, WORKSPACE, plan)
                if line.startswith("RES002")]


def test_an_allowed_replica_can_be_applied(project, plans):
    assert check_plan(project.config, project.out, WORKSPACE, plans["eu-west-1"]) == []


def test_the_runner_refuses_the_real_plan_before_anything_is_applied(project):
    """The production path: Terraform.show_plan on a real saved plan, judged by check_plan."""
    paths = ProjectPaths(project.root)
    settings = TerraformSettings(binary=project.terraform, paths=paths,
                                 cli_config=Path(project.env["TF_CLI_CONFIG_FILE"])
                                 if "TF_CLI_CONFIG_FILE" in project.env else None,
                                 variables={"replica_region": "us-east-1"}, base_env=project.env)
    seen: list[dict] = []

    def vet(workspace: str, plan: dict) -> list[str]:
        seen.append(plan)
        return check_plan(project.config, project.out, workspace, plan)

    runner = OperationRunner(Terraform(settings), {WORKSPACE: Workspace(WORKSPACE, project.directory, ())},
                             Recorder(), vet_plan=vet)
    [outcome] = runner.run(Operation.PLAN, [WORKSPACE])
    assert outcome.status is Status.REFUSED, outcome
    assert outcome.changes.add == 1
    assert "[eu-central-1 -> us-east-1] (in the saved plan)" in (outcome.error or "")
    assert seen and seen[0]["variables"]["replica_region"]["value"] == "us-east-1"
    assert not paths.plan_file(WORKSPACE).exists()


def test_a_counted_resource_is_judged_by_its_planned_instances(tmp_path, terraform_binary, provider_mirror):
    counted = Project(tmp_path, terraform_binary, provider_mirror, region_workspace(count=1))
    plan = counted.saved_plan("eu-west-1")
    findings, _ = evaluate(counted.config, [overlay_plan(counted.synthesized(), plan)])
    assert copies(findings) == []


def test_a_provider_region_from_a_variable_is_resolved_by_the_plan(tmp_path, terraform_binary, provider_mirror):
    document = region_workspace(replica=[{"region_name": "eu-west-1"}])
    document["provider"]["aws"][0]["region"] = "${var.region}"
    document["variable"]["region"] = {"type": "string", "default": WORKSPACE}
    from_variable = Project(tmp_path, terraform_binary, provider_mirror, document)
    plan = from_variable.saved_plan("eu-west-1")
    findings, _ = evaluate(from_variable.config, [overlay_plan(from_variable.synthesized(), plan)])
    assert [f for f in findings if f.rule == "RES001"] == []
