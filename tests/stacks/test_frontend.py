"""With `global.frontend`: CloudFront with origin access control in front of a private bucket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.stacks.test_synth import only, reference, stack


def synth(tmp_path: Path, *, target: str = "local", domain: str | None = None, region: str = "us-east-1") -> dict:
    text = SAMPLE.read_text().replace("frontend: false", "frontend: true").replace("target: local", f"target: {target}")
    text = text.replace("  region: us-east-1 ", f"  region: {region} ")
    if domain:
        text = text.replace("global:", f"domain: {domain}\nglobal:")
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "regions.yaml").write_text(text)
    synthesize(load_config(tmp_path / "regions.yaml"), tmp_path / "cdktf.out")
    return stack(tmp_path / "cdktf.out", "global")


def test_private_bucket_behind_cloudfront_with_https_and_security_headers(tmp_path):
    resources = synth(tmp_path, target="aws")["resource"]
    distribution = only(resources, "aws_cloudfront_distribution")
    (origin,) = distribution["origin"]
    assert origin["origin_access_control_id"] == reference(resources, "aws_cloudfront_origin_access_control", "id")
    assert origin["domain_name"] == reference(resources, "aws_s3_bucket", "bucket_regional_domain_name")
    behavior = distribution["default_cache_behavior"]
    assert behavior["viewer_protocol_policy"] == "redirect-to-https"
    headers_policy = reference(resources, "aws_cloudfront_response_headers_policy", "id")
    assert behavior["response_headers_policy_id"] == headers_policy
    headers = only(resources, "aws_cloudfront_response_headers_policy")["security_headers_config"]
    assert headers["strict_transport_security"]["access_control_max_age_sec"] >= 31536000
    assert headers["frame_options"]["frame_option"] == "DENY"
    assert distribution["viewer_certificate"] == {"cloudfront_default_certificate": True}

    block = only(resources, "aws_s3_bucket_public_access_block")
    assert all(block[flag] is True for flag in ("block_public_acls", "block_public_policy",
                                                "ignore_public_acls", "restrict_public_buckets"))
    statements = json.loads(only(resources, "aws_s3_bucket_policy")["policy"])["Statement"]
    reader = next(s for s in statements if s["Effect"] == "Allow")
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reader["Condition"]["StringEquals"]["AWS:SourceArn"] == reference(
        resources, "aws_cloudfront_distribution", "arn")


def test_emulator_quirks_are_ignored_only_on_the_local_target(tmp_path):
    local = only(synth(tmp_path / "local")["resource"], "aws_cloudfront_distribution")
    assert local["lifecycle"]["ignore_changes"] == [
        "origin", "default_cache_behavior[0].forwarded_values", "viewer_certificate"]
    assert local["wait_for_deployment"] is False
    assert "response_headers_policy_id" not in local["default_cache_behavior"]
    aws = only(synth(tmp_path / "aws", target="aws")["resource"], "aws_cloudfront_distribution")
    assert "lifecycle" not in aws and aws["wait_for_deployment"] is True


@pytest.mark.parametrize("global_region", ["us-east-1", "eu-central-1"])
def test_with_a_domain_the_certificate_is_in_us_east_1(tmp_path, global_region):
    synthesized = synth(tmp_path, domain="example.com", region=global_region)
    resources = synthesized["resource"]
    certificate = next(c for c in resources["aws_acm_certificate"].values() if c["domain_name"] == "app.example.com")
    if global_region == "us-east-1":
        assert "provider" not in certificate
    else:
        assert certificate["provider"] == "aws.us-east-1"
        providers = {p.get("alias"): p["region"] for p in synthesized["provider"]["aws"]}
        assert providers["us-east-1"] == "us-east-1"
    distribution = only(resources, "aws_cloudfront_distribution")
    assert distribution["aliases"] == ["app.example.com"]
    assert distribution["viewer_certificate"]["minimum_protocol_version"] == "TLSv1.2_2021"
    record = next(r for r in resources["aws_route53_record"].values() if r["name"] == "app.example.com")
    assert record["alias"]["name"] == reference(resources, "aws_cloudfront_distribution", "domain_name")
