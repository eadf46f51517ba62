"""A workspace directory read the way Terraform reads it: every file, overrides, array bodies, dynamic
blocks; what Terraform and residency could read differently is a problem (RES012), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.guard.terraform_json.documents import read_document, read_workspace, workspace_files

TABLE = {"name": "t", "hash_key": "id"}


def write(directory: Path, name: str, content: object) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(content if isinstance(content, str) else json.dumps(content))


def table(document: dict, name: str = "t") -> dict:
    return document["resource"]["aws_dynamodb_table"][name]


def test_every_file_is_read_and_overrides_come_last(tmp_path):
    write(tmp_path, "cdk.tf.json", {"resource": {"aws_dynamodb_table": {"t": TABLE}}})
    write(tmp_path, "extra.tf.json", {"resource": {"aws_sqs_queue": {"q": {"name": "q"}}}})
    write(tmp_path, "cdk_override.tf.json", {"resource": {"aws_dynamodb_table": {"t": {
        "replica": [{"region_name": "us-east-1"}]}}}})
    write(tmp_path, "notes.json", {"resource": {"aws_sns_topic": {"n": {}}}})  # not a Terraform file
    assert [p.name for p in workspace_files(tmp_path)] == ["cdk.tf.json", "extra.tf.json", "cdk_override.tf.json"]
    read = read_workspace(tmp_path)
    assert table(read.document) == {**TABLE, "replica": [{"region_name": "us-east-1"}]}
    assert "aws_sqs_queue" in read.document["resource"] and "aws_sns_topic" not in read.document["resource"]
    assert read.problems == []


def test_an_override_of_the_provider_region_replaces_it(tmp_path):
    write(tmp_path, "cdk.tf.json", {"provider": {"aws": [{"region": "eu-central-1"}]}})
    write(tmp_path, "override.tf.json", {"provider": {"aws": {"region": "us-east-1"}}})
    assert read_workspace(tmp_path).document["provider"]["aws"] == [{"region": "us-east-1"}]


def test_bodies_as_arrays_at_every_level_are_read():
    document = {"resource": [{"aws_dynamodb_table": [{"t": [{**TABLE, "replica": {"region_name": "us-east-1"}}]}]}],
                "provider": {"aws": {"region": "eu-central-1"}}}
    read = read_document(document)
    assert table(read.document)["replica"] == {"region_name": "us-east-1"}
    assert read.document["provider"]["aws"] == [{"region": "eu-central-1"}]
    assert read.problems == []


def test_dynamic_blocks_are_read_as_the_blocks_they_make():
    generator = {"for_each": ["us-east-1"], "content": {"region_name": "${replica.value}"}}
    body = {**TABLE, "dynamic": {"replica": generator}}
    read = read_document({"resource": {"aws_dynamodb_table": {"t": body}}})
    assert table(read.document)["replica"] == [{"region_name": "${replica.value}"}]
    assert table(read.document)["dynamic"]  # kept, for the sweep of every string


def test_a_check_blocks_data_sources_are_data_sources():
    read = read_document({"check": {"c": {"data": {"aws_s3_object": {"o": {"bucket": "b", "key": "k"}}}}}})
    assert read.document["data"]["aws_s3_object"] == {"check.c.o": {"bucket": "b", "key": "k"}}


@pytest.mark.parametrize("name, content, problem", [
    ("cdk.tf.json", '{"resource": {"aws_dynamodb_table": {"t": {"replica": {"region_name": "us-east-1"}, '
                    '"replica": {"region_name": "eu-west-1"}}}}}', "the key 'replica' twice"),
    ("cdk.tf.json", "{not json", "is not valid JSON"),
    ("cdk.tf.json", b"\xff\xfe{}", "cannot be read"),
    ("main.tf", 'resource "aws_s3_bucket" "b" {}', "native-syntax (HCL) file"),
    ("cdk.tf.json", {"resource": "nope"}, "not an object or an array of objects"),
    ("cdk.tf.json", {"resourse": {}}, "is not a Terraform block type"),
    ("cdk.tf.json", ["a"], "not an object or an array of objects"),
])
def test_what_terraform_and_residency_could_read_differently_is_a_problem(tmp_path, name, content, problem):
    tmp_path.joinpath("w").mkdir()
    target = tmp_path / "w" / name
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content if isinstance(content, str) else json.dumps(content))
    if name != "cdk.tf.json":
        write(tmp_path / "w", "cdk.tf.json", {})
    problems = read_workspace(tmp_path / "w").problems
    assert any(problem in p.message for p in problems), problems


def test_duplicate_keys_keep_the_first_value_as_terraform_does(tmp_path):
    write(tmp_path, "cdk.tf.json", '{"resource": {"aws_dynamodb_table": {"t": {"replica": {"region_name": '
                                   '"us-east-1"}, "replica": {"region_name": "eu-west-1"}}}}}')
    assert table(read_workspace(tmp_path).document)["replica"] == {"region_name": "us-east-1"}


def test_declaring_a_resource_twice_is_a_problem(tmp_path):
    write(tmp_path, "a.tf.json", {"resource": {"aws_dynamodb_table": {"t": TABLE}}})
    write(tmp_path, "b.tf.json", {"resource": {"aws_dynamodb_table": {"t": {**TABLE, "name": "other"}}}})
    read = read_workspace(tmp_path)
    assert any("declared twice" in p.message for p in read.problems)
    assert table(read.document)["name"] == "t"


def test_an_empty_directory_is_a_problem(tmp_path):
    assert [p.message for p in read_workspace(tmp_path).problems] == [
        "no Terraform configuration files in the workspace"]
