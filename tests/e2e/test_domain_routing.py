"""`domain`, `frontend`, `alerts`, `features`, `audit` and `tracing` on the local target: certificates, custom
domains, Route 53 routing and health checks, CloudFront, each region's alarms and alarm topic, the EU audit trail,
applied for real on the emulator; a second plan empty."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.projects import local_project, region
from tests.e2e.test_local_target import check, emulator_client

pytestmark = pytest.mark.terraform

REGIONS = (region("eu-central-1", "EU", ["DE"], failover="eu-west-1"), region("eu-west-1", "EU", ["IE"], default=True))
OPERATIONS = """alerts:
  email:
    EU: [eu-oncall@acme.example]
features:
  defaults: {new_checkout: false, max_upload_mb: 10}
  regions:
    eu-west-1: {new_checkout: true}
audit: {retention_days: 180}
tracing: true
"""


def test_routing_applies_and_is_idempotent(tmp_path, terraform_binary, provider_mirror):
    local_project(tmp_path, "acme-dns", REGIONS, domain="example.org", frontend=True, extra=OPERATIONS)
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        applied = run_cli(["apply", "--all", "--json"], tmp_path, env)
        check(applied, 0)
        assert "created the hosted zone example.org in the emulator" in applied.stderr
        assert [w["workspace"] for w in json.loads(applied.stdout)["workspaces"]] == [
            "eu-central-1", "eu-west-1", "global"]

        route53 = emulator_client(tmp_path, "route53", "us-east-1")
        (zone,) = route53.list_hosted_zones_by_name(DNSName="example.org")["HostedZones"]
        records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        api = {r["GeoLocation"].get("CountryCode"): r["AliasTarget"]["DNSName"]
               for r in records if r["Name"].rstrip(".") == "api.example.org"}
        assert set(api) == {"DE", "IE", "*"}
        assert api["DE"].rstrip(".") == "eu-central-1.failover.example.org"
        failover = {r["Failover"] for r in records if r["Name"].rstrip(".") == "eu-central-1.failover.example.org"}
        assert failover == {"PRIMARY", "SECONDARY"}
        assert {r["Name"].rstrip(".") for r in records if r["Type"] == "A"} >= {
            "eu-central-1.example.org", "eu-west-1.example.org"}
        assert "app.example.org" in {r["Name"].rstrip(".") for r in records}
        cloudfront = emulator_client(tmp_path, "cloudfront", "us-east-1")
        (distribution,) = cloudfront.list_distributions()["DistributionList"]["Items"]
        assert distribution["Aliases"]["Items"] == ["app.example.org"]
        checks = route53.list_health_checks()["HealthChecks"]
        assert {c["HealthCheckConfig"]["FullyQualifiedDomainName"] for c in checks} == {
            "eu-central-1.example.org", "eu-west-1.example.org"}

        for region in ("eu-central-1", "eu-west-1"):  # alarms and their topic, in each region
            sns = emulator_client(tmp_path, "sns", region)
            (topic,) = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith("-alerts")]
            assert topic == f"arn:aws:sns:{region}:123456789012:acme-dns-{region}-alerts"
            assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"].startswith("arn:aws:kms:")
            assert [(s["Protocol"], s["Endpoint"]) for s in sns.list_subscriptions_by_topic(TopicArn=topic)[
                "Subscriptions"]] == [("email", "eu-oncall@acme.example")]
            alarms = emulator_client(tmp_path, "cloudwatch", region).describe_alarms()["MetricAlarms"]
            assert len(alarms) == 16 and all(alarm["AlarmActions"] == [topic] for alarm in alarms)  # 6 functions
            api = emulator_client(tmp_path, "lambda", region).get_function_configuration(
                FunctionName=f"acme-dns-{region}-api")  # the region's own flags, deployed with its API
            assert json.loads(api["Environment"]["Variables"]["FEATURE_FLAGS"]) == {
                "max_upload_mb": 10, "new_checkout": region == "eu-west-1"}

        audit_bucket = "acme-dns-eu-central-1-audit-123456789012"  # the EU audit home is its first region
        for region in ("eu-central-1", "eu-west-1"):
            cloudtrail = emulator_client(tmp_path, "cloudtrail", region)
            (trail,) = cloudtrail.describe_trails()["trailList"]
            assert (trail["Name"], trail["S3BucketName"], trail["IsMultiRegionTrail"]) == (
                f"acme-dns-{region}-audit", audit_bucket, False)
            assert trail["KmsKeyId"].startswith("arn:aws:kms:eu-central-1:")
            assert cloudtrail.get_trail_status(Name=trail["Name"])["IsLogging"]
            functions = emulator_client(tmp_path, "lambda", region).list_functions()["Functions"]
            assert {f["TracingConfig"]["Mode"] for f in functions} == {"Active"}
        s3 = emulator_client(tmp_path, "s3", "eu-central-1")
        assert s3.get_bucket_location(Bucket=audit_bucket)["LocationConstraint"] == "eu-central-1"
        assert s3.get_bucket_versioning(Bucket=audit_bucket)["Status"] == "Enabled"
        (rule,) = s3.get_bucket_lifecycle_configuration(Bucket=audit_bucket)["Rules"]
        assert rule["Expiration"]["Days"] == 180 and rule["NoncurrentVersionExpiration"]["NoncurrentDays"] == 180
        (sse,) = s3.get_bucket_encryption(Bucket=audit_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert sse["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"

        check(run_cli(["plan", "--all", "--detailed-exitcode"], tmp_path, env), 0)

        # The live routing proves residency: every country answered by its region.
        verified = run_cli(["verify", "--json"], tmp_path, env)
        check(verified, 0)
        routing = {row["country"]: (row["answered"], row["ok"]) for row in json.loads(verified.stdout)["routing"]}
        assert routing == {"DE": ("eu-central-1", True), "IE": ("eu-west-1", True), "*": ("eu-west-1", True)}

        # The emulator's Cognito runs no triggers: a sign-up test there would prove nothing, so it is refused.
        users = run_cli(["verify", "--users"], tmp_path, env)
        check(users, 64)
        assert "trigger" in users.stderr

        # A drill takes eu-central-1 out: Germany goes to its EU failover, then back.
        drilled = run_cli(["drill", "eu-central-1", "--json", "--report", str(tmp_path / "drill.json")], tmp_path,
                          env)
        check(drilled, 0)
        report = json.loads((tmp_path / "drill.json").read_text())
        assert report["passed"] and report["restored"] and report["violations"] == []
        assert {row["country"]: row["answered"] for row in report["during"]} == {
            "DE": "eu-west-1", "IE": "eu-west-1", "*": "eu-west-1"}
        assert report["failover_seconds"] is not None and report["failback_seconds"] is not None
        assert not any(c["HealthCheckConfig"].get("Inverted") for c in route53.list_health_checks()["HealthChecks"])
        refused = run_cli(["drill", "eu-west-1"], tmp_path, env)
        assert refused.returncode == 64 and "eu-west-1 has no `failover`" in refused.stderr

        # A closed terminal (SIGHUP) in the middle of a held drill: the check is put back all the same.
        hung_up = hang_up_a_held_drill(tmp_path, env)
        assert hung_up.returncode == 1 and "health check restored" in hung_up.stderr, hung_up.stderr
        assert not any(c["HealthCheckConfig"].get("Inverted") for c in route53.list_health_checks()["HealthChecks"])
        assert list((tmp_path / ".residency" / "drills" / "unfinished").iterdir()) == []

        # A drill killed outright leaves its check inverted and its marker: verify fails (exit 3) naming it, every
        # command warns, and `drill --restore` puts it back.
        (germany_check,) = [c["Id"] for c in route53.list_health_checks()["HealthChecks"]
                            if c["HealthCheckConfig"]["FullyQualifiedDomainName"].startswith("eu-central-1.")]
        route53.update_health_check(HealthCheckId=germany_check, Inverted=True)
        (tmp_path / ".residency" / "drills" / "unfinished" / "eu-central-1.json").write_text(
            json.dumps({"region": "eu-central-1", "health_check": germany_check}))
        inverted = run_cli(["verify"], tmp_path, env)
        check(inverted, 3)
        assert "the health check of eu-central-1's API is inverted" in inverted.stdout
        assert "a drill of eu-central-1 did not finish" in inverted.stderr
        restored = run_cli(["drill", "--restore"], tmp_path, env)
        check(restored, 0)
        assert "eu-central-1's health check restored" in restored.stderr
        check(run_cli(["verify"], tmp_path, env), 0)
        assert "did not finish" not in run_cli(["list"], tmp_path, env).stderr

        # A record edited by hand sends Ireland abroad: verify names it, exit 3.
        (ireland,) = [r for r in records if r["Name"].rstrip(".") == "api.example.org"
                      and r["GeoLocation"].get("CountryCode") == "IE"]
        ireland["AliasTarget"]["DNSName"] = "d-abroad1234.execute-api.us-east-1.amazonaws.com"
        route53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": [
            {"Action": "UPSERT", "ResourceRecordSet": ireland}]})
        broken = run_cli(["verify"], tmp_path, env)
        check(broken, 3)
        assert "IE" in broken.stdout and "Route 53's answer cannot be placed in a listed region" in broken.stdout
    finally:
        run_cli(["local", "down"], tmp_path)


def hang_up_a_held_drill(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`residency drill eu-central-1 --hold 120`, sent SIGHUP once the failover answers."""
    process = subprocess.Popen([sys.executable, "-m", "residency", "drill", "eu-central-1", "--hold", "120"],
                               cwd=project, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 300
    for line in process.stderr:
        seen.append(line)
        if "answered by eu-west-1" in line:
            process.send_signal(signal.SIGHUP)
            break
        assert time.monotonic() < deadline, "".join(seen)
    stdout, stderr = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, "".join(seen) + stderr)
