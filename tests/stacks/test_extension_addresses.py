"""Extension addresses come from the construct ids the extension chooses, never from its callable's name; the
addresses residency gave before are moved to them; two constructs on one address are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.errors import ExtensionRefused
from residency.stacks.extension_addresses import (
    ExtensionAddressing,
    extension_scope,
    move_from_earlier_addresses,
    unique_id,
)


def synthesized(tmp_path: Path, build) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from cdktf import App
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    app = App(outdir=str(tmp_path / "out"))
    stack = ExtensionAddressing(app, "eu-west-1")
    AwsProvider(stack, "aws", region="eu-west-1")
    build(stack)
    app.synth()
    return json.loads((tmp_path / "out" / "stacks" / "eu-west-1" / "cdk.tf.json").read_text())


@pytest.mark.parametrize("path", [["invoices"], ["region_resources", "invoices"],
                                  ["a", "documents", "documents"], ["x", "bucket-policy.v2", "Resource"],
                                  ["Default", "y"], ["region_resources", "Default", "table"]])
def test_unique_id_is_cdktfs_own(tmp_path, path):
    from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
    from constructs import Construct

    def build(stack) -> None:  # type: ignore[no-untyped-def]
        scope = stack
        for part in path[:-1]:
            scope = Construct(scope, part)
        SqsQueue(scope, path[-1], name="q")

    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    app = App(outdir=str(tmp_path / "plain"))
    stack = TerraformStack(app, "ws")
    AwsProvider(stack, "aws", region="eu-west-1")
    build(stack)
    app.synth()
    [address] = json.loads((tmp_path / "plain" / "stacks" / "ws" / "cdk.tf.json").read_text())["resource"][
        "aws_sqs_queue"]
    assert unique_id(path) == address


def test_an_extensions_addresses_are_its_construct_ids_and_earlier_ones_move_to_them(tmp_path):
    from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
    from constructs import Construct

    def build(stack) -> None:  # type: ignore[no-untyped-def]
        scope = extension_scope(stack, "region_resources")
        SqsQueue(scope, "invoices", name="invoices")
        SqsQueue(Construct(scope, "documents"), "queue", name="documents")
        SqsQueue(stack, "own", name="own")  # residency's own: addressed as CDKTF addresses it
        move_from_earlier_addresses(stack, scope, "extensions.region[0]")

    document = synthesized(tmp_path, build)
    assert sorted(document["resource"]["aws_sqs_queue"]) == ["documents_queue_" + unique_id(
        ["documents", "queue"]).rsplit("_", 1)[1], "invoices", "own"]
    assert sorted((move["from"], move["to"]) for move in document["moved"]) == sorted([
        (f"aws_sqs_queue.{unique_id(['region_resources', 'invoices'])}", "aws_sqs_queue.invoices"),
        (f"aws_sqs_queue.{unique_id(['region_resources', 'documents', 'queue'])}",
         f"aws_sqs_queue.{unique_id(['documents', 'queue'])}")])


def test_two_constructs_on_one_address_are_refused(tmp_path):
    from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

    def build(stack) -> None:  # type: ignore[no-untyped-def]
        first = extension_scope(stack, "billing")
        SqsQueue(first, "invoices", name="a")
        move_from_earlier_addresses(stack, first, "extensions.region[0]")
        second = extension_scope(stack, "documents")
        SqsQueue(second, "invoices", name="b")
        move_from_earlier_addresses(stack, second, "extensions.region[1]")

    with pytest.raises(ExtensionRefused, match=r"extensions.region\[1\]: eu-west-1/documents/invoices would have "
                                               r"the address aws_sqs_queue.invoices, which eu-west-1/billing/invoices"):
        synthesized(tmp_path, build)
