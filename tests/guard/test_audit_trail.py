"""The audit trail per jurisdiction (`audit:`): what is synthesized, that the residency rules accept it as it is,
and that they catch a trail, key or bucket moved out of the jurisdiction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from residency.config import Config, load_config
from residency.errors import ConfigError
from residency.guard.check import check_synthesized
from residency.terraform.manifest import read_manifest
from tests.guard.synthesized import findings_after, resources, synthesized

CONFIG = """project: acme-audit
target: aws
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE, EU]}
  eu-west-1: {jurisdiction: EU, countries: [IE]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
audit:
  retention_days: 400
"""
HOME, OTHER, US = "eu-central-1", "eu-west-1", "us-east-1"
ACCOUNT = "${data.aws_caller_identity.account.account_id}"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Config, Path]:
    return synthesized(tmp_path_factory.mktemp("audit"), CONFIG)


def only(resources_: dict[str, Any], type_: str) -> tuple[str, dict[str, Any]]:
    ((name, body),) = resources_[type_].items()
    return name, body


def test_every_region_has_a_trail_into_its_jurisdictions_one_bucket(base):
    config, out = base
    home = resources(out, HOME)
    buckets = {body["bucket"] for body in home["aws_s3_bucket"].values()}
    audit_bucket = f"acme-audit-{HOME}-audit-{ACCOUNT}"
    assert audit_bucket in buckets
    for workspace, bucket, key_prefix in (
            (HOME, "${aws_s3_bucket.audit-bucket", "${aws_kms_key.audit-bucket"),
            (OTHER, audit_bucket, f"arn:aws:kms:{HOME}:{ACCOUNT}:alias/acme-audit-{HOME}-audit"),
            (US, "${aws_s3_bucket.audit-bucket", "${aws_kms_key.audit-bucket")):
        _, trail = only(resources(out, workspace), "aws_cloudtrail")
        assert trail["name"] == f"acme-audit-{workspace}-audit"
        assert trail["s3_bucket_name"].startswith(bucket)
        assert trail["kms_key_id"].startswith(key_prefix)
        assert trail["is_multi_region_trail"] is False and trail["include_global_service_events"] is False
        assert trail["enable_log_file_validation"] is True
    assert "aws_s3_bucket" not in resources(out, OTHER) or audit_bucket not in {
        body["bucket"] for body in resources(out, OTHER)["aws_s3_bucket"].values()}
    assert "aws_cloudtrail" not in resources(out, "global")
    # The other EU region is applied after the home, whose bucket its trail needs.
    workspaces = read_manifest(out)
    assert workspaces[OTHER].depends_on == (HOME,)
    assert workspaces[HOME].depends_on == () and workspaces[US].depends_on == ()
    report = check_synthesized(config, out)
    assert report.clean, [f.message for f in report.findings]


def test_the_bucket_is_a_protected_encrypted_versioned_store_only_the_jurisdictions_trails_write_to(base):
    _config, out = base
    home = resources(out, HOME)
    bucket_name = next(name for name, body in home["aws_s3_bucket"].items() if "-audit-" in body["bucket"])
    assert home["aws_s3_bucket"][bucket_name]["lifecycle"]["prevent_destroy"] is True
    declared = json.loads(json.dumps(json.loads((out / "stacks" / HOME / "cdk.tf.json").read_text())
                                     ["output"]["personal_data_stores"]["value"]))
    assert f"aws_s3_bucket.{bucket_name}" in {store["address"] for store in declared}
    policy = next(json.loads(body["policy"]) for body in home["aws_s3_bucket_policy"].values()
                  if bucket_name in body["bucket"])
    statements = {statement.get("Sid"): statement for statement in policy["Statement"]}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    trails = [f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/acme-audit-{region}-audit" for region in (HOME, OTHER)]
    assert statements["TrailsWriteTheirLogs"]["Condition"]["StringEquals"]["aws:SourceArn"] == trails
    assert statements["TrailsWriteTheirLogs"]["Resource"].endswith(f"/AWSLogs/{ACCOUNT}/*")
    key_name = next(name for name in home["aws_kms_key"] if name.startswith("audit-bucket"))
    key_policy = {s["Sid"]: s for s in json.loads(home["aws_kms_key"][key_name]["policy"])["Statement"]}
    assert key_policy["TheJurisdictionsTrailsEncrypt"]["Condition"]["StringEquals"]["aws:SourceArn"] == trails
    assert key_policy["ReadThroughS3OfTheHomeRegion"]["Condition"]["StringEquals"]["kms:ViaService"] == \
        f"s3.{HOME}.amazonaws.com"
    encryption = next(body for body in home["aws_s3_bucket_server_side_encryption_configuration"].values()
                      if bucket_name in body["bucket"])
    assert encryption["rule"][0]["apply_server_side_encryption_by_default"]["kms_master_key_id"] == \
        f"${{aws_kms_key.{key_name}.arn}}"
    lifecycle = next(body for body in home["aws_s3_bucket_lifecycle_configuration"].values()
                     if bucket_name in body["bucket"])
    (rule,) = lifecycle["rule"]
    assert rule["expiration"][0]["days"] == 400 and rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 400
    assert any(bucket_name in body["bucket"] and body["versioning_configuration"]["status"] == "Enabled"
               for body in home["aws_s3_bucket_versioning"].values())


def trail_field(field: str, value: Any):  # type: ignore[no-untyped-def]
    def edit(resources_: dict[str, Any]) -> None:
        _, trail = only(resources_, "aws_cloudtrail")
        trail[field] = value
    return edit


@pytest.mark.parametrize(("workspace", "edit"), [
    # The EU trail delivered to the US jurisdiction's audit bucket, or a bucket residency cannot place.
    (OTHER, trail_field("s3_bucket_name", f"acme-audit-{US}-audit-{ACCOUNT}")),
    (OTHER, trail_field("s3_bucket_name", "central-audit-archive")),
    # A bucket named like an audit bucket of a region that is not its jurisdiction's audit home.
    (OTHER, trail_field("s3_bucket_name", f"acme-audit-{OTHER}-audit-{ACCOUNT}")),
    # The home's audit bucket name, but in another account: anyone's, anywhere.
    (OTHER, trail_field("s3_bucket_name", f"acme-audit-{HOME}-audit-999999999999")),
    # Encrypted with a key of another jurisdiction.
    (OTHER, trail_field("kms_key_id", f"arn:aws:kms:{US}:{ACCOUNT}:alias/acme-audit-{US}-audit")),
    # What the rules cannot place fails: a key or a bucket given from outside the configuration.
    (OTHER, trail_field("kms_key_id", "${var.audit_key}")),
    (OTHER, trail_field("s3_bucket_name", "${var.audit_bucket}")),
    # Collecting every region's events into one jurisdiction.
    (HOME, trail_field("is_multi_region_trail", True)),
    (US, trail_field("is_organization_trail", True)),
], ids=["other-jurisdictions-bucket", "unknown-bucket", "not-the-home", "another-accounts-bucket", "foreign-key",
        "key-from-a-variable", "bucket-from-a-variable", "multi-region", "organization"])
def test_a_trail_that_leaves_its_jurisdiction_is_a_violation(base, tmp_path, workspace, edit):
    found = findings_after(base, tmp_path, workspace, edit)
    assert any(address.startswith("aws_cloudtrail.") for _rule, address in found), found


def test_an_audit_home_outside_its_jurisdiction_is_refused_with_its_line(tmp_path):
    (tmp_path / "regions.yaml").write_text(CONFIG + "  home: {EU: us-east-1, US: us-east-2}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "regions.yaml")
    text = str(raised.value) + "".join(str(p) for p in getattr(raised.value, "problems", ()))
    assert "us-east-1 is in US, not EU" in text and "us-east-2" in text


def test_audit_true_takes_the_defaults_and_false_turns_it_off(tmp_path):
    for switch, expected in (("true", 365), ("false", None)):
        (tmp_path / "regions.yaml").write_text(CONFIG.split("audit:")[0] + f"audit: {switch}\n")
        config = load_config(tmp_path / "regions.yaml")
        assert (config.audit.retention_days if config.audit else None) == expected
        assert config.audit_home("EU") == (HOME if expected else None)
