"""With `domain`: certificates and custom domains per region, and Route 53 in global that sends
each listed country only to its region, the rest to the default, failover within a jurisdiction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.stacks.test_synth import only, stack

CONFIG = """
project: acme-health
target: local
domain: example.com
global:
  region: us-east-1
  routing: {routing}
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE, FR]
    failover: eu-west-1
  eu-west-1:
    jurisdiction: EU
    countries: [IE]
  us-east-1:
    jurisdiction: US
    countries: [US, CA]
    default: true
"""


def synth(tmp_path: Path, routing: str, target: str = "local") -> Path:
    (tmp_path / "regions.yaml").write_text(CONFIG.format(routing=routing).replace("target: local", f"target: {target}"))
    synthesize(load_config(tmp_path / "regions.yaml"), tmp_path / "cdktf.out")
    return tmp_path / "cdktf.out"


@pytest.fixture(scope="module")
def geo(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("geo"), "geolocation")


def api_records(out: Path) -> list[dict]:
    records = stack(out, "global")["resource"]["aws_route53_record"].values()
    return [record for record in records if record["name"] == "api.example.com"]


def target_region(record: dict) -> str:
    """Which region's API a record sends users to, read from its alias."""
    alias = record["alias"]["name"]
    if alias.startswith("${aws_route53_record.routing_failover-"):  # the pair's primary record, by reference
        return alias.removeprefix("${aws_route53_record.routing_failover-").split("-primary")[0] + " (failover pair)"
    return alias.split("cross-stack-reference-input-")[1].split(".")[0]


def test_global_reads_region_outputs_through_cross_stack_references(geo):
    manifest = json.loads((geo / "manifest.json").read_text())
    assert sorted(manifest["stacks"]["global"]["dependencies"]) == ["eu-central-1", "eu-west-1", "us-east-1"]
    remote = stack(geo, "global")["data"]["terraform_remote_state"]
    assert remote["cross-stack-reference-input-eu-west-1"]["config"]["path"] == (
        "../../../.residency/state/eu-west-1/terraform.tfstate")


def test_geolocation_sends_each_listed_country_only_to_its_region_plus_a_default(geo):
    routes = {record["geolocation_routing_policy"]["country"]: target_region(record) for record in api_records(geo)}
    assert routes == {
        "DE": "eu-central-1 (failover pair)",
        "FR": "eu-central-1 (failover pair)",
        "IE": "eu-west-1",
        "US": "us-east-1",
        "CA": "us-east-1",
        "*": "us-east-1",
    }
    assert all(record["alias"]["evaluate_target_health"] for record in api_records(geo))


def test_failover_stays_inside_the_jurisdiction(geo):
    records = stack(geo, "global")["resource"]["aws_route53_record"].values()
    pair = {r["failover_routing_policy"]["type"]: r for r in records if "failover_routing_policy" in r}
    assert set(pair) == {"PRIMARY", "SECONDARY"}
    assert target_region(pair["PRIMARY"]) == "eu-central-1"
    assert target_region(pair["SECONDARY"]) == "eu-west-1"
    assert {r["name"] for r in pair.values()} == {"eu-central-1.failover.example.com"}


def test_health_checks_probe_each_regions_health_route(geo):
    checks = stack(geo, "global")["resource"]["aws_route53_health_check"].values()
    assert {(c["fqdn"], c["resource_path"], c["type"]) for c in checks} == {
        (f"{region}.example.com", "/health", "HTTPS") for region in ("eu-central-1", "eu-west-1", "us-east-1")}


def test_latency_routing_has_one_record_per_region(tmp_path):
    out = synth(tmp_path, "latency")
    routes = {record["latency_routing_policy"]["region"]: target_region(record) for record in api_records(out)}
    assert routes == {"eu-central-1": "eu-central-1 (failover pair)", "eu-west-1": "eu-west-1",
                      "us-east-1": "us-east-1"}


def test_region_gets_a_validated_certificate_and_both_custom_domains(tmp_path):
    aws = synth(tmp_path, "geolocation", target="aws")
    resources = stack(aws, "eu-central-1")["resource"]
    certificate = only(resources, "aws_acm_certificate")
    assert certificate["domain_name"] == "eu-central-1.example.com"
    assert certificate["subject_alternative_names"] == ["api.example.com"]
    assert certificate["validation_method"] == "DNS"
    domains = {d["domain_name"]: d for d in resources["aws_apigatewayv2_domain_name"].values()}
    assert set(domains) == {"eu-central-1.example.com", "api.example.com"}
    validation = next(iter(resources["aws_acm_certificate_validation"]))
    for domain in domains.values():
        configuration = domain["domain_name_configuration"]
        assert configuration["certificate_arn"] == (
            f"${{aws_acm_certificate_validation.{validation}.certificate_arn}}")
        assert (configuration["endpoint_type"], configuration["security_policy"]) == ("REGIONAL", "TLS_1_2")
    assert len(resources["aws_apigatewayv2_api_mapping"]) == 2
    zone = stack(aws, "eu-central-1")["data"]["aws_route53_zone"]
    assert [z["name"] for z in zone.values()] == ["example.com"]


def test_without_domain_there_is_no_dns(tmp_path):
    from tests.conftest import SAMPLE

    synthesize(load_config(SAMPLE), tmp_path / "out")
    for workspace in ("eu-central-1", "global"):
        resources = stack(tmp_path / "out", workspace)["resource"]
        assert not {"aws_route53_record", "aws_acm_certificate", "aws_route53_health_check"} & set(resources)


def test_validation_records_have_names_known_at_plan_time(geo):
    """A for_each over the certificate's validation options has keys unknown until apply,
    which Terraform refuses; one record per name, known at synth time, avoids that."""
    resources = stack(geo, "eu-central-1")["resource"]
    records = [r for r in resources["aws_route53_record"].values() if "domain_validation_options" in str(r)]
    assert not any("for_each" in record for record in records)
    assert sorted(r["name"].split('option.domain_name == "')[1].split('"')[0] for r in records) == [
        "api.example.com", "eu-central-1.example.com"]
    validation = only(resources, "aws_acm_certificate_validation")
    assert len(validation["validation_record_fqdns"]) == 2


def test_local_target_points_records_at_the_default_api_endpoint(geo):
    resources = stack(geo, "eu-central-1")["resource"]
    assert "aws_apigatewayv2_domain_name" not in resources
    assert only(resources, "aws_acm_certificate")["domain_name"] == "eu-central-1.example.com"
    direct = next(r for r in resources["aws_route53_record"].values() if r["name"] == "eu-central-1.example.com")
    (api_id,) = resources["aws_apigatewayv2_api"]
    assert direct["alias"]["name"] == f'${{replace(aws_apigatewayv2_api.{api_id}.api_endpoint, "https://", "")}}'
