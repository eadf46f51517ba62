"""Which resources an interrupted apply left tainted, and which of them residency protects."""

from __future__ import annotations

from residency.terraform.tainted_stores import protected_addresses, tainted_addresses


def test_protected_addresses_are_those_marked_prevent_destroy():
    synthesized = {"resource": {
        "aws_kms_key": {"data": {"lifecycle": {"prevent_destroy": True}}, "other": {}},
        "aws_s3_bucket": {"data": {"lifecycle": {"prevent_destroy": False, "ignore_changes": ["tags"]}}},
        "aws_dynamodb_table": {"data": {"lifecycle": {"ignore_changes": ["x"], "prevent_destroy": True}}},
        "weird": ["not", "a", "mapping"],
    }}
    assert protected_addresses(synthesized) == {"aws_kms_key.data", "aws_dynamodb_table.data"}
    assert protected_addresses({}) == set()


def test_tainted_instances_are_found_with_their_index():
    state = {"resources": [
        {"mode": "managed", "type": "aws_kms_key", "name": "data", "instances": [{"status": "tainted"}]},
        {"mode": "managed", "type": "aws_iam_role", "name": "r", "instances": [{}]},
        {"mode": "managed", "type": "aws_s3_bucket", "name": "b",
         "instances": [{"index_key": 0}, {"index_key": 1, "status": "tainted"}]},
        {"mode": "managed", "type": "aws_sqs_queue", "name": "q",
         "instances": [{"index_key": "eu", "status": "tainted"}]},
        {"mode": "data", "type": "aws_caller_identity", "name": "a", "instances": [{"status": "tainted"}]},
        {"mode": "managed", "type": "aws_kms_key", "name": "m", "module": "module.x",
         "instances": [{"status": "tainted"}]},
    ]}
    assert tainted_addresses(state) == {"aws_kms_key.data", "aws_s3_bucket.b[1]", 'aws_sqs_queue.q["eu"]'}
    assert tainted_addresses({}) == set()
