"""Walking a raw state: every managed instance, with its address as Terraform writes it."""

from residency.terraform.raw_state import managed_instances

STATE = {"resources": [
    {"mode": "managed", "type": "aws_s3_bucket", "name": "data", "instances": [{"attributes": {"bucket": "b"}}]},
    {"mode": "managed", "type": "aws_sqs_queue", "name": "q", "instances": [{"index_key": "eu"}, {"index_key": 1}]},
    {"mode": "data", "type": "aws_caller_identity", "name": "me", "instances": [{}]},
    {"mode": "managed", "module": "module.billing", "type": "aws_iam_role", "name": "r", "instances": [{}]},
    "not a resource", {"mode": "managed", "type": "aws_kms_key", "name": "k", "instances": ["not an instance"]},
]}


def test_root_instances_with_their_index_keys():
    assert [(address, base) for address, base, _ in managed_instances(STATE)] == [
        ("aws_s3_bucket.data", "aws_s3_bucket.data"), ('aws_sqs_queue.q["eu"]', "aws_sqs_queue.q"),
        ("aws_sqs_queue.q[1]", "aws_sqs_queue.q")]


def test_module_instances_when_asked():
    addresses = [address for address, _, _ in managed_instances(STATE, root_only=False)]
    assert addresses[-1] == "module.billing.aws_iam_role.r" and len(addresses) == 4


def test_a_state_without_resources_has_none():
    assert list(managed_instances({})) == [] and list(managed_instances({"resources": "x"})) == []
