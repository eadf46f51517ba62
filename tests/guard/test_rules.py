"""A corpus of violating workspaces: each hand-made change to the sample's synthesized JSON must
be caught by the right rule; the sample and the six-region config pass untouched."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from residency.config import load_config
from residency.guard.check import check_synthesized
from residency.stacks import synthesize
from tests.conftest import SAMPLE, run_cli

SIX_REGIONS = Path(__file__).resolve().parent.parent / "fixtures" / "six-regions.yaml"


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guard") / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    return out


def mutated(sample_out: Path, tmp_path: Path, workspace: str, change: Callable[[dict], None]) -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(sample_out, out)
    path = out / "stacks" / workspace / "cdk.tf.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return out


def first(document: dict, kind: str) -> dict:
    return next(iter(document["resource"][kind].values()))


def add_resource(kind: str, body: dict) -> Callable[[dict], None]:
    return lambda document: document["resource"].setdefault(kind, {}).__setitem__("injected", body)


CASES = {
    "extra provider alias": ("eu-central-1", "RES001", "provider.aws.elsewhere",
                             lambda d: d["provider"]["aws"].append({"alias": "elsewhere", "region": "us-east-1"})),
    "provider for another region": ("eu-central-1", "RES001", "provider.aws.default",
                                    lambda d: d["provider"]["aws"][0].__setitem__("region", "us-east-1")),
    "resource through another provider": ("eu-central-1", "RES001", "aws_s3_bucket.",
                                          lambda d: first(d, "aws_s3_bucket").__setitem__("provider", "aws.us")),
    "dynamodb replica abroad": ("eu-central-1", "RES002", "aws_dynamodb_table.",
                                lambda d: first(d, "aws_dynamodb_table").__setitem__(
                                    "replica", [{"region_name": "us-east-1"}])),
    "dynamodb replica to an unresolvable region": ("eu-central-1", "RES002", "aws_dynamodb_table.",
                                                   lambda d: first(d, "aws_dynamodb_table").__setitem__(
                                                       "replica", [{"region_name": "${var.somewhere}"}])),
    "table replica resource from abroad": ("eu-central-1", "RES002", "aws_dynamodb_table_replica.injected",
                                           add_resource("aws_dynamodb_table_replica", {
                                               "global_table_arn": "arn:aws:dynamodb:us-east-1:1:table/t"})),
    "s3 replication to a bucket unknown to regions.yaml": (
        "eu-central-1", "RES002", "aws_s3_bucket_replication_configuration.injected",
        add_resource("aws_s3_bucket_replication_configuration", {
            "bucket": "b", "role": "r", "rule": [{"status": "Enabled", "destination": {
                "bucket": "arn:aws:s3:::someone-elses-bucket"}}]})),
    "s3 replication to another jurisdiction's data bucket": (
        "eu-central-1", "RES002", "aws_s3_bucket_replication_configuration.injected",
        add_resource("aws_s3_bucket_replication_configuration", {
            "bucket": "b", "role": "r", "rule": [{"status": "Enabled", "destination": {
                "bucket": "arn:aws:s3:::acme-health-us-east-1-data-123456789012"}}]})),
    "backup copy abroad": ("ap-southeast-2", "RES002", "aws_backup_plan.injected",
                           add_resource("aws_backup_plan", {"name": "p", "rule": [{"copy_action": [{
                               "destination_vault_arn": "arn:aws:backup:eu-west-1:1:backup-vault:v"}]}]})),
    "multi-region key": ("us-east-1", "RES002", "aws_kms_key.",
                         lambda d: first(d, "aws_kms_key").__setitem__("multi_region", True)),
    "email in a tag": ("eu-central-1", "RES007", "aws_dynamodb_table.",
                       lambda d: first(d, "aws_dynamodb_table").__setitem__("tags", {"owner": "ada@example.org"})),
    "personal key in a function environment": (
        "eu-central-1", "RES007", "aws_lambda_function.",
        lambda d: first(d, "aws_lambda_function")["environment"]["variables"].__setitem__("ADMIN_EMAIL", "x")),
    "email in an output": ("global", "RES007", "output.contact",
                           lambda d: d.setdefault("output", {}).__setitem__("contact", {"value": "a@b.io"})),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_violation_is_caught_by_its_rule(case, sample_out, tmp_path):
    workspace, rule, address, change = CASES[case]
    report = check_synthesized(load_config(SAMPLE), mutated(sample_out, tmp_path, workspace, change))
    assert [(f.rule, f.workspace) for f in report.findings] == [(rule, workspace)], report.findings
    assert report.findings[0].address.startswith(address)


def test_an_in_jurisdiction_copy_is_allowed(tmp_path):
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(SIX_REGIONS.read_text())
    out = tmp_path / "cdktf.out"
    synthesize(load_config(config_file), out)
    path = out / "stacks" / "eu-central-1" / "cdk.tf.json"
    document = json.loads(path.read_text())
    first(document, "aws_dynamodb_table")["replica"] = [{"region_name": "eu-west-1"}]
    path.write_text(json.dumps(document))
    report = check_synthesized(load_config(config_file), out)
    assert report.clean, report.findings
    assert len(report.workspaces) == 7


def test_the_sample_passes(sample_out):
    report = check_synthesized(load_config(SAMPLE), sample_out)
    assert report.clean and report.workspaces == ["ap-southeast-2", "eu-central-1", "global", "us-east-1"]


def test_check_command_exits_3_with_rule_workspace_address_and_path(sample_out, tmp_path, project):
    out = mutated(sample_out, tmp_path, "eu-central-1", CASES["dynamodb replica abroad"][3])
    result = run_cli(["check", "--out", str(out)], project)
    assert result.returncode == 3, result.stderr
    assert "RES002 eu-central-1: aws_dynamodb_table." in result.stdout
    assert "[eu-central-1 -> us-east-1]" in result.stdout
    as_json = run_cli(["check", "--out", str(out), "--json"], project)
    assert as_json.returncode == 3
    (finding,) = json.loads(as_json.stdout)["findings"]
    assert (finding["rule"], finding["from"], finding["to"]) == ("RES002", "eu-central-1", "us-east-1")
    clean = run_cli(["check", "--out", str(sample_out)], project)
    assert clean.returncode == 0 and "no violation in 4 workspace(s)" in clean.stdout
