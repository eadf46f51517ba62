"""Which store `store retire` names, from the state (`terraform show -json`): an address wins over a name, a
queue is named by its name too, and a store the state no longer has is not one any more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from residency.errors import ResidencyError, UsageError
from residency.flows.region_data import ExportReport, Inventory, RegionData, refuse_if_stopped
from residency.flows.store_retirement import find_store
from residency.terraform.scheduler import Stop

QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/acme-eu-west-1-jobs"


def state(*resources: tuple[str, dict[str, Any]], declared: list[dict[str, str]]) -> dict[str, Any]:
    return {"values": {
        "outputs": {"personal_data_stores": {"value": declared, "sensitive": False}},
        "root_module": {"resources": [{"address": address, "mode": "managed", "type": address.split(".")[0],
                                       "name": address.split(".")[1], "values": values}
                                      for address, values in resources]}}}


STATE = state(
    ("aws_sqs_queue.jobs", {"url": QUEUE_URL, "name": "acme-eu-west-1-jobs"}),
    # A table whose name is another store's address.
    ("aws_dynamodb_table.odd", {"name": "aws_sqs_queue.jobs"}),
    declared=[{"address": "aws_sqs_queue.jobs", "kind": "sqs_queue", "name": QUEUE_URL},
              {"address": "aws_dynamodb_table.odd", "kind": "dynamodb_table", "name": "aws_sqs_queue.jobs"},
              # retired earlier: still declared until the next apply, no longer in the state
              {"address": "aws_s3_bucket.gone", "kind": "s3_bucket", "name": "acme-eu-west-1-jobs"}])


@pytest.mark.parametrize(("named", "address"), [
    ("aws_sqs_queue.jobs", "aws_sqs_queue.jobs"),  # the address wins over the table named like it
    (QUEUE_URL, "aws_sqs_queue.jobs"),
    ("acme-eu-west-1-jobs", "aws_sqs_queue.jobs"),  # the queue's name; the retired bucket of that name is gone
    ("aws_dynamodb_table.odd", "aws_dynamodb_table.odd"),
])
def test_a_store_is_found_by_its_address_or_its_name(named, address):
    assert find_store("eu-west-1", STATE, named).address == address


@pytest.mark.parametrize(("named", "says"), [
    ("aws_s3_bucket.gone", "declares no personal-data store"),
    ("nothing-of-that-name", "declares no personal-data store"),
])
def test_what_the_state_does_not_hold_is_a_usage_error_listing_the_stores(named, says):
    with pytest.raises(UsageError, match=says) as refused:
        find_store("eu-west-1", STATE, named)
    assert "aws_dynamodb_table.odd (table aws_sqs_queue.jobs)" in (refused.value.hint or "")


def test_two_stores_of_one_name_are_ambiguous():
    twins = state(("aws_s3_bucket.a", {"bucket": "same"}), ("aws_dynamodb_table.b", {"name": "same"}), declared=[
        {"address": "aws_s3_bucket.a", "kind": "s3_bucket", "name": "same"},
        {"address": "aws_dynamodb_table.b", "kind": "dynamodb_table", "name": "same"}])
    with pytest.raises(UsageError, match="has more than one"):
        find_store("eu-west-1", twins, "same")


def test_after_a_signal_nothing_is_emptied_or_destroyed_and_an_export_written_is_named():
    stop = Stop()
    refuse_if_stopped(stop, "eu-west-1", None)  # no signal: go on
    stop.set("interrupted")
    report = ExportReport(Path("/exports/eu-west-1.x"), Inventory(RegionData("x", ()), ()), files=1, bytes=3)
    with pytest.raises(ResidencyError, match="interrupted: nothing was emptied or destroyed; the export at "
                                             "/exports/eu-west-1.x is complete"):
        refuse_if_stopped(stop, "eu-west-1", report)
