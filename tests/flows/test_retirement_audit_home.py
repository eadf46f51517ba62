"""Retiring a region that keeps its jurisdiction's audit bucket waits until no trail of the jurisdiction delivers
there any more (read from CloudTrail, here moto's in-process CloudTrail): destroyed with the region, what they
deliver meanwhile would be lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from residency.config import Config, load_config
from residency.flows.retirement import RetirementRefused, _refuse_while_trails_deliver_here
from residency.personal_data import DeclaredStore, StoreKind

CONFIG = """project: acme-retire
target: aws
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE, DE, EU]}
  eu-south-1: {jurisdiction: EU, countries: [IT]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
audit: true
"""
OLD_HOME_BUCKET = "acme-retire-eu-central-1-audit-123456789012"
STORES = (DeclaredStore("aws_s3_bucket.audit-bucket_1", StoreKind.BUCKET, OLD_HOME_BUCKET),
          DeclaredStore("aws_s3_bucket.data_bucket_1", StoreKind.BUCKET, "acme-retire-eu-central-1-data-123456789012"))


@pytest.fixture
def aws(monkeypatch) -> Iterator[None]:
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        for bucket in (OLD_HOME_BUCKET, "acme-retire-eu-west-1-audit-123456789012"):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        yield


def config_in(tmp_path: Path, text: str = CONFIG) -> Config:
    (tmp_path / "regions.yaml").write_text(text)
    return load_config(tmp_path / "regions.yaml")


def trail(region: str, bucket: str) -> None:
    boto3.client("cloudtrail", region_name=region).create_trail(Name=f"acme-retire-{region}-audit", S3BucketName=bucket)


def test_retiring_the_audit_home_waits_until_the_other_trails_have_moved(tmp_path, aws):
    config = config_in(tmp_path)
    trail("eu-west-1", OLD_HOME_BUCKET)
    trail("eu-south-1", OLD_HOME_BUCKET)
    with pytest.raises(RetirementRefused) as refused:
        _refuse_while_trails_deliver_here(config, "eu-central-1", STORES, None, force=False)
    assert "the audit trail of eu-west-1, eu-south-1 still delivers there" in refused.value.message
    assert "`residency apply eu-west-1 eu-south-1`" in str(refused.value.hint)
    assert "new audit home, eu-west-1" in str(refused.value.hint)
    _refuse_while_trails_deliver_here(config, "eu-central-1", STORES, None, force=True)  # --force: it goes anyway
    for region in ("eu-west-1", "eu-south-1"):  # applied: both now deliver to eu-west-1's new bucket
        boto3.client("cloudtrail", region_name=region).update_trail(
            Name=f"acme-retire-{region}-audit", S3BucketName="acme-retire-eu-west-1-audit-123456789012")
    _refuse_while_trails_deliver_here(config, "eu-central-1", STORES, None, force=False)


def test_nothing_to_wait_for_without_an_audit_bucket_or_another_region_of_the_jurisdiction(tmp_path, aws):
    trail("eu-west-1", OLD_HOME_BUCKET)
    _refuse_while_trails_deliver_here(config_in(tmp_path), "eu-central-1", STORES[1:], None, force=False)  # no home
    us_only = ("project: acme-retire\ntarget: aws\nregions:\n"
               "  us-east-1: {jurisdiction: US, countries: [US], default: true}\n")
    _refuse_while_trails_deliver_here(config_in(tmp_path, us_only + "audit: true\n"), "eu-central-1", STORES, None,
                                      force=False)  # the EU has no region left: nothing delivers to the bucket


def test_an_unreadable_trail_refuses_unless_forced(tmp_path, aws, monkeypatch):
    config = config_in(tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")  # no credentials: CloudTrail cannot be asked
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(RetirementRefused) as refused:
        _refuse_while_trails_deliver_here(config, "eu-central-1", STORES, None, force=False)
    assert "cannot be read" in refused.value.message
