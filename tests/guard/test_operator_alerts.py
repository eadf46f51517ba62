"""Alarms in every region, emailed to the operators regions.yaml names: what is synthesized, and what the
residency rules accept (exactly the configured addresses on the region's alarm-only topic) and refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from residency.config import Config, load_config
from residency.guard.check import check_synthesized
from tests.guard.synthesized import findings_after, synthesized

CONFIG = """project: acme-alerts
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE, FR, EU]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
alerts:
  email:
    default: [oncall@acme.example]
    EU: [eu-oncall@acme.example, dpo@acme.example]
  api_latency_ms: 2500
"""
EU, US = "eu-west-1", "us-east-1"
TOPIC_NAME = "acme-alerts-eu-west-1-alerts"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Config, Path]:
    return synthesized(tmp_path_factory.mktemp("alerts"), CONFIG)


def stack(out: Path, workspace: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
    return document


def test_each_region_gets_its_alarms_and_an_encrypted_topic_for_its_operators(base):
    config, out = base
    for workspace, addresses in ((EU, {"eu-oncall@acme.example", "dpo@acme.example"}),
                                 (US, {"oncall@acme.example"})):
        resources = stack(out, workspace)["resource"]
        ((topic_address, topic),) = resources["aws_sns_topic"].items()
        (key,) = resources["aws_kms_key"]
        assert topic["name"] == f"acme-alerts-{workspace}-alerts"
        assert topic["kms_master_key_id"] == f"${{aws_kms_key.{key}.arn}}"  # the region's own key
        subscriptions = resources["aws_sns_topic_subscription"].values()
        assert {s["endpoint"] for s in subscriptions} == addresses
        assert {s["protocol"] for s in subscriptions} == {"email"}
        (policy,) = resources["aws_sns_topic_policy"].values()
        (statement,) = json.loads(policy["policy"])["Statement"]
        assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert statement["Condition"]["ArnLike"]["aws:SourceArn"].startswith(f"arn:aws:cloudwatch:{workspace}:")
        alarms = {alarm["alarm_name"].removeprefix(f"acme-alerts-{workspace}-alerts-"): alarm
                  for alarm in resources["aws_cloudwatch_metric_alarm"].values()}
        triggers = ("pre-sign-up", "pre-auth", "post-confirm", "post-auth")
        assert set(alarms) == {"api-5xx", "api-latency", "data-read-throttles", "data-write-throttles",
                               *(f"{f}-{kind}" for f in (*triggers, "api", "reconcile")
                                 for kind in ("errors", "throttles"))}
        for alarm in alarms.values():
            assert alarm["alarm_actions"] == alarm["ok_actions"] == [f"${{aws_sns_topic.{topic_address}.arn}}"]
        assert alarms["api-latency"]["extended_statistic"] == "p99" and alarms["api-latency"]["threshold"] == 2500
        for trigger in triggers:  # a failing trigger locks users out: the first error raises it
            assert alarms[f"{trigger}-errors"]["threshold"] == 1
            assert alarms[f"{trigger}-errors"]["dimensions"]["FunctionName"].startswith("${aws_lambda_function.")
        key_policy = json.loads(resources["aws_kms_key"][key]["policy"])["Statement"]
        (alarm_use,) = [s for s in key_policy if s.get("Sid") == "AlarmsOfThisRegion"]
        assert alarm_use["Condition"]["StringEquals"]["kms:ViaService"] == f"sns.{workspace}.amazonaws.com"
        assert stack(out, workspace)["output"]["alerts_topic_arn"]
    report = check_synthesized(config, out)
    assert report.clean, [f.message for f in report.findings]
    assert "aws_sns_topic" not in stack(out, "global").get("resource", {})  # global holds no alarms of a region


def changed(base: tuple[Config, Path], tmp_path: Path, edit) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return findings_after(base, tmp_path, EU, edit)


def alarm_topic(resources: dict[str, Any]) -> str:
    (name,) = resources["aws_sns_topic"]
    return name


def subscribe(endpoint: str, protocol: str = "email", topic: str | None = None):  # type: ignore[no-untyped-def]
    def edit(resources: dict[str, Any]) -> None:
        resources["aws_sns_topic_subscription"]["extra"] = {
            "topic_arn": topic or f"${{aws_sns_topic.{alarm_topic(resources)}.arn}}", "protocol": protocol,
            "endpoint": endpoint}
    return edit


def publisher_role(resources: dict[str, Any]) -> None:
    """An extension's function may publish to the alarm topic: it is no longer alarms-only."""
    resources.setdefault("aws_iam_role_policy", {})["reports"] = {
        "role": "reports", "name": "reports", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sns:Publish",
            "Resource": f"${{aws_sns_topic.{alarm_topic(resources)}.arn}}"}]})}


def open_topic_policy(resources: dict[str, Any]) -> None:
    (policy,) = resources["aws_sns_topic_policy"].values()
    document = json.loads(policy["policy"])
    document["Statement"].append({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish",
                                  "Resource": "*"})
    policy["policy"] = json.dumps(document)


def own_topic_for_configured_address(resources: dict[str, Any]) -> None:
    resources["aws_sns_topic"]["reports"] = {"name": "acme-alerts-eu-west-1-reports"}
    subscribe("dpo@acme.example", topic="${aws_sns_topic.reports.arn}")(resources)


@pytest.mark.parametrize("edit", [
    pytest.param(subscribe("someone@partner.example"), id="an address regions.yaml does not list"),
    pytest.param(subscribe("oncall@acme.example"), id="the US operators' address on the EU topic"),
    pytest.param(subscribe("dpo@acme.example", protocol="email-json"), id="another protocol"),
    pytest.param(subscribe("dpo@acme.example", protocol="https"), id="a configured address as a webhook"),
    pytest.param(own_topic_for_configured_address, id="a configured address on another topic"),
    pytest.param(subscribe("dpo@acme.example", topic=f"arn:aws:sns:us-east-1:123456789012:{TOPIC_NAME}"),
                 id="a topic of that name in another region"),
])
def test_a_subscription_other_than_the_configured_ones_is_a_copy_out(base, tmp_path, edit):
    found = changed(base, tmp_path, edit)
    assert ("RES002", "aws_sns_topic_subscription.extra") in found, found


@pytest.mark.parametrize("edit", [publisher_role, open_topic_policy], ids=["a role may publish to the topic",
                                                                          "the topic policy lets anyone publish"])
def test_operator_addresses_are_refused_once_the_topic_can_carry_more_than_alarms(base, tmp_path, edit):
    found = changed(base, tmp_path, edit)
    subscriptions = sorted(address for rule, address in found
                           if rule == "RES002" and address.startswith("aws_sns_topic_subscription."))
    assert len(subscriptions) == 2, found  # both EU operator subscriptions


def planned_arn(account: str):  # type: ignore[no-untyped-def]
    """As in a saved plan once the topic exists: its ARN known, the subscription naming it literally."""
    def edit(resources: dict[str, Any]) -> None:
        resources["aws_sns_topic"][alarm_topic(resources)]["arn"] = f"arn:aws:sns:{EU}:123456789012:{TOPIC_NAME}"
        subscribe("dpo@acme.example", topic=f"arn:aws:sns:{EU}:{account}:{TOPIC_NAME}")(resources)
    return edit


def test_a_literal_arn_is_accepted_only_when_it_is_the_alarm_topics_own(base, tmp_path):
    assert ("RES002", "aws_sns_topic_subscription.extra") not in changed(base, tmp_path / "own",
                                                                         planned_arn("123456789012"))
    found = changed(base, tmp_path / "foreign", planned_arn("999999999999"))  # same name, another account
    assert ("RES002", "aws_sns_topic_subscription.extra") in found, found


def test_without_alerts_there_are_no_alarms_and_an_operator_subscription_is_not_accepted(base, tmp_path):
    config, out = base
    without = tmp_path / "regions.yaml"
    without.write_text(CONFIG.split("alerts:")[0])
    plain = load_config(without)
    report = check_synthesized(plain, out)  # the same output, judged without `alerts:`
    assert {f.rule for f in report.findings if f.address.startswith("aws_sns_topic_subscription.")} == {"RES002"}
