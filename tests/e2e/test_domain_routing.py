"""`domain` and `frontend` on the local target: certificates, custom domains, Route 53 routing and
health checks, CloudFront, applied for real on the emulator; a second plan empty."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.e2e.test_local_target import check, emulator_client

pytestmark = pytest.mark.terraform

CONFIG = """
project: acme-dns
target: local
domain: example.org
global:
  region: us-east-1
  frontend: true
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE]
    failover: eu-west-1
  eu-west-1:
    jurisdiction: EU
    countries: [IE]
    default: true
"""


def test_routing_applies_and_is_idempotent(tmp_path, terraform_binary, provider_mirror):
    (tmp_path / "regions.yaml").write_text(CONFIG)
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

        check(run_cli(["plan", "--all", "--detailed-exitcode"], tmp_path, env), 0)
    finally:
        run_cli(["local", "down"], tmp_path)
