"""`residency bootstrap`'s own workspaces: per state region, a bucket and a key in that region that
keep their own state in that bucket and can never be destroyed by a plan."""

from __future__ import annotations

import json

from residency.config import load_config
from residency.stacks import synthesize_state_stores

TEXT = """project: acme-health
target: {target}
state:
  backend: s3
global:
  region: eu-west-1
regions:
  eu-central-1: {{jurisdiction: EU, countries: [DE, EU]}}
  us-east-1: {{jurisdiction: US, countries: [US], default: true}}
"""


def stores(tmp_path, target: str) -> dict[str, dict]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(TEXT.format(target=target))
    names = synthesize_state_stores(load_config(config_file), tmp_path / "out")
    return {name: json.loads((tmp_path / "out" / "stacks" / name / "cdk.tf.json").read_text()) for name in names}


def only(document: dict, resource_type: str) -> dict:
    [resource] = document["resource"][resource_type].values()
    return resource


def test_one_state_store_per_region_that_keeps_state(tmp_path):
    documents = stores(tmp_path, "aws")
    assert sorted(documents) == ["bootstrap-eu-central-1", "bootstrap-eu-west-1", "bootstrap-us-east-1"]
    for name, document in documents.items():
        region = name.removeprefix("bootstrap-")
        assert document["provider"]["aws"][0]["region"] == region
        assert only(document, "aws_s3_bucket")["bucket"] == f"acme-health-tfstate-{region}"
        assert only(document, "aws_kms_alias")["name"] == "alias/acme-health-tfstate"
        # its own state goes into the bucket it creates
        assert document["terraform"]["backend"]["s3"]["bucket"] == f"acme-health-tfstate-{region}"
        assert document["terraform"]["backend"]["s3"]["key"] == f"{name}/terraform.tfstate"
    assert documents["bootstrap-eu-west-1"]["provider"]["aws"][0]["default_tags"][0]["tags"]["jurisdiction"] == "global"


def test_state_stores_are_encrypted_versioned_private_and_never_destroyed(tmp_path):
    document = stores(tmp_path, "aws")["bootstrap-eu-central-1"]
    assert only(document, "aws_s3_bucket")["lifecycle"] == {"prevent_destroy": True}
    assert only(document, "aws_kms_key")["lifecycle"] == {"prevent_destroy": True}
    assert only(document, "aws_kms_key")["enable_key_rotation"] is True
    assert only(document, "aws_s3_bucket_versioning")["versioning_configuration"]["status"] == "Enabled"
    [rule] = only(document, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    assert all(only(document, "aws_s3_bucket_public_access_block")[flag] for flag in (
        "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    policy = json.loads(only(document, "aws_s3_bucket_policy")["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_local_target_leaves_out_only_the_tls_policy(tmp_path):
    aws = stores(tmp_path / "aws", "aws")["bootstrap-us-east-1"]["resource"]
    local = stores(tmp_path / "local", "local")["bootstrap-us-east-1"]["resource"]
    assert set(aws) - set(local) == {"aws_s3_bucket_policy"}
