"""What of residency's own configuration a later document changed or dropped (additions are not changes)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from residency.synth.own_configuration import changed

REFERENCE: dict[str, Any] = {
    "//": {"metadata": {"stackName": "eu-west-1"}},
    "terraform": {"backend": {"local": {"path": "state"}}, "required_providers": {"aws": {"version": "5.100.0"}}},
    "provider": {"aws": [{"region": "eu-west-1"}, {"alias": "us-east-1", "region": "us-east-1"}]},
    "resource": {"aws_s3_bucket": {"data": {"bucket": "b", "lifecycle": {"prevent_destroy": True}}}},
    "data": {"aws_caller_identity": {"account": {}}},
    "output": {"data_bucket": {"value": "${aws_s3_bucket.data.bucket}"}},
    "variable": {"endpoint": {"type": "string"}},
}


def edited(edit: Any) -> dict[str, Any]:
    document = copy.deepcopy(REFERENCE)
    edit(document)
    return document


def test_additions_of_every_kind_change_nothing():
    def add(document: dict[str, Any]) -> None:
        document["//"]["metadata"]["overrides"] = {"stack": ["output"]}
        document["terraform"]["required_providers"]["random"] = {"version": "3"}
        document["provider"]["aws"].append({"alias": "mine", "region": "eu-west-1"})
        document["provider"]["random"] = [{}]
        document["resource"]["aws_s3_bucket"]["theirs"] = {"bucket": "t"}
        document["resource"]["aws_sqs_queue"] = {"q": {}}
        document["output"]["theirs"] = {"value": 1}
        document["locals"] = {"x": 1}

    assert changed(REFERENCE, edited(add)) == []


@pytest.mark.parametrize("edit, expected", [
    (lambda d: d["terraform"]["backend"]["local"].update(path="elsewhere"), ["terraform.backend"]),
    (lambda d: d["terraform"]["backend"].update(s3={"bucket": "theirs"}), ["terraform.backend"]),
    (lambda d: d["terraform"].update(cloud={"organization": "theirs"}), ["terraform.cloud"]),
    (lambda d: d["terraform"]["required_providers"]["aws"].update(version="4"), ["terraform.required_providers.aws"]),
    (lambda d: d["provider"]["aws"][0].update(region="us-east-1"), ["provider.aws"]),
    (lambda d: d["provider"]["aws"].append({"region": "us-east-1"}), ["provider.aws"]),  # a second default
    (lambda d: d["provider"]["aws"].append({"alias": "us-east-1"}), ["provider.aws.us-east-1"]),
    (lambda d: d["provider"].pop("aws"), ["provider.aws", "provider.aws.us-east-1"]),
    (lambda d: d["resource"]["aws_s3_bucket"]["data"].pop("lifecycle"), ["aws_s3_bucket.data"]),
    (lambda d: d["data"]["aws_caller_identity"].clear(), ["data.aws_caller_identity.account"]),
    (lambda d: d["output"]["data_bucket"].update(sensitive=True), ["output.data_bucket"]),
    (lambda d: d.pop("output"), ["output.data_bucket"]),
    (lambda d: d["variable"]["endpoint"].update(default="http://elsewhere"), ["variable.endpoint"]),
])
def test_a_change_or_removal_is_named_by_its_address(edit, expected):
    assert changed(REFERENCE, edited(edit)) == expected


def test_a_provider_written_as_one_object_is_one_configuration():
    document = edited(lambda d: d["provider"].update(random={"alias": None}))
    assert changed({"provider": {"random": {"alias": None}}}, document) == []
