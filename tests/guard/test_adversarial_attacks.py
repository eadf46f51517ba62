"""What a second reviewer, who had not read the rules, found against the open-world rules: each leak is caught,
each legitimate setup stays clean. One change to synthesized output per case, on the six-region base ("rich")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from residency.guard.check import check_synthesized
from tests.guard.adversarial_harness import (
    EU,
    GLOBAL,
    US,
    Case,
    add,
    assert_caught,
    assert_clean,
    body,
    case,
    ecs_service,
    env,
    mutated,
    record,
)


def event_rule(pattern: dict[str, Any]) -> Any:
    return add("aws_cloudwatch_event_rule.tick", {"name": "tick", "event_pattern": json.dumps(pattern)})


LEAKS: dict[str, Case] = {
    "a relay URL on the product's own host forwards to another host": case(
        "RES011", env(RELAY="https://api.example.com/relay?to=https://collector.partner.example/ingest")),
    "an egress proxy in the VPC with the real host in its path": case(
        "RES011", env(PROXY="http://10.0.0.5/proxy/collector.partner.example/ingest")),
    "the region's own API proxying to another host in its query": case("RES011", env(
        FORWARD="https://abc123.execute-api.eu-central-1.amazonaws.com/prod/proxy?url=https://x.partner.example/")),
    "a connection string whose second host is a partner's": case(
        "RES011", env(MONGO="mongodb://10.0.0.5:27017,db.partner.example:27017/app")),
    "a protocol-relative URL": case("RES011", env(ENDPOINT="//collector.partner.example/ingest")),
    "a wildcard host": case("RES011", env(CONNECT_SRC="*.collector.partner.example")),
    "a backslash before user information (urllib reads the second host)": case(
        "RES011", env(LOGS="https://api.datadoghq.eu\\@collector.partner.example/")),
    "a host spelled by a for expression over literals": case(
        "RES011", env(HOST='${join(".", [for s in ["collector", "partner", "example"] : s])}')),
    "a public address computed by cidrhost": case("RES011", env(PEER='${cidrhost("8.8.8.0/24", 8)}')),
    "a template directive spelling a host": case(
        "RES011", env(HOST='%{ for p in ["collector.", "partner.", "example"] }${p}%{ endfor }')),
    "a Datadog agent sidecar with its key from secrets and no DD_SITE": case("RES011", ecs_service({
        "name": "datadog-agent", "image": "public.ecr.aws/datadog/agent:latest", "essential": True,
        "environment": [{"name": "ECS_FARGATE", "value": "true"}],
        "secrets": [{"name": "DD_API_KEY", "valueFrom": "arn:aws:ssm:eu-central-1:123456789012:parameter/dd"}]})),
    "a Segment write key without a host (its default is the US)": case("RES011", env(SEGMENT_WRITE_KEY="k")),
    "global hands the routed API name to other name servers": case("RES005", record(
        "api.example.com", "NS", "ns1.partner.example"), ws=GLOBAL),
    "a region points the front end's name somewhere": case("RES005", record(
        "app.example.com", "CNAME", "abc.execute-api.us-east-1.amazonaws.com"), ws=US),
    "a region answers for the apex": case("RES005", record("example.com", "A", "10.0.0.5"), ws=US),
}

LEGITIMATE: dict[str, Case] = {
    "EventBridge rules on AWS's own event sources": case("", event_rule(
        {"source": ["aws.events", "aws.health"], "detail-type": ["Scheduled Event"]})),
    "an SES MAIL FROM MX record to SES in the region": case("", record(
        "mail.eu-central-1.example.com", "MX", "10 feedback-smtp.eu-central-1.amazonses.com")),
    "a package id and a VPC-internal collector": case("", env(
        APP_ID="com.acme.app", OTEL_COLLECTOR="collector.internal:4317")),
    "a name of the region's own, aliasing its API, used by its function": case("", record(
        "reports.eu-central-1.example.com", "CNAME", "eu-central-1.example.com"), env(
        REPORTS="https://reports.eu-central-1.example.com/v1")),
}


def _described(document: dict) -> None:
    function = body(document, "aws_lambda_function", "api-function")
    function["description"] = "API; runbook: https://github.com/acme/runbooks/blob/main/api.md"
    function.setdefault("tags", {})["repo"] = "github.com/acme/api"


LEGITIMATE["a runbook link in a function's description and a repository tag"] = case("", _described)


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_each_reviewed_leak_is_caught_by_its_rule(name, bases, tmp_path):
    assert_caught(bases, tmp_path, LEAKS[name])


@pytest.mark.parametrize("name", sorted(LEGITIMATE))
def test_each_reviewed_legitimate_setup_stays_clean(name, bases, tmp_path):
    assert_clean(bases, tmp_path, LEGITIMATE[name])


def test_a_host_written_in_base64_is_a_host(bases, tmp_path):
    import base64

    encoded = base64.b64encode(b"https://collector.partner.example/ingest").decode()
    config, out = bases("rich")
    report = check_synthesized(config, mutated(out, tmp_path, EU, case("RES011", env(TARGET=encoded))[3]))
    assert [(f.rule, f.destination) for f in report.findings] == [("RES011", "collector.partner.example")]
    assert "names base64:https://collector.partner.example/ingest" in report.findings[0].message
    hashed = base64.b64encode(bytes(range(32))).decode()  # a source_code_hash holds bytes, not a place
    assert check_synthesized(config, mutated(out, tmp_path / "hash", EU, case("", env(HASH=hashed))[3])).clean
