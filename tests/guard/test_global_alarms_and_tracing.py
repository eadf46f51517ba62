"""On AWS: the directory replicas' lag alarms (global's, where claims are written, to global's operators) and
X-Ray tracing (off by default; traces encrypted with each region's key). What is synthesized, that the residency
rules accept it, and what they refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from residency.config import Config, load_config
from residency.errors import ConfigError
from residency.guard.check import check_synthesized
from residency.stacks import synthesize
from tests.guard.synthesized import findings_after, resources, synthesized

CONFIG = """project: acme-ops
target: aws
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE, FR, EU]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
  ap-southeast-2: {jurisdiction: AU, countries: [AU]}
alerts:
  email:
    default: [oncall@acme.example]
    global: [directory-oncall@acme.example]
  replication_latency_ms: 750
tracing: true
"""
EU, US, AU = "eu-west-1", "us-east-1", "ap-southeast-2"
GLOBAL_TOPIC = "acme-ops-global-alerts"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Config, Path]:
    return synthesized(tmp_path_factory.mktemp("ops"), CONFIG)


def test_global_alarms_on_each_replicas_lag_to_global_operators_on_an_encrypted_alarm_only_topic(base):
    config, out = base
    found = resources(out, "global")
    ((topic_name, topic),) = found["aws_sns_topic"].items()
    assert topic["name"] == GLOBAL_TOPIC
    directory_key_arn = found["aws_dynamodb_table"]["directory"]["server_side_encryption"]["kms_key_arn"]
    assert topic["kms_master_key_id"] == directory_key_arn  # global's own key, in its region
    directory_key = directory_key_arn.split(".")[1]
    key_policy = json.loads(found["aws_kms_key"][directory_key]["policy"])["Statement"]
    (alarm_use,) = [s for s in key_policy if s.get("Sid") == "AlarmsOfThisRegion"]
    assert alarm_use["Condition"]["StringEquals"]["kms:ViaService"] == f"sns.{US}.amazonaws.com"
    assert {s["endpoint"] for s in found["aws_sns_topic_subscription"].values()} == {"directory-oncall@acme.example"}
    alarms = {alarm["dimensions"]["ReceivingRegion"]: alarm for alarm in found["aws_cloudwatch_metric_alarm"].values()}
    assert set(alarms) == {EU, AU}  # the replicas; global's own region is the source, not a receiver
    for replica, alarm in alarms.items():
        assert alarm["alarm_name"] == f"{GLOBAL_TOPIC}-directory-replication-{replica}"
        assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == \
            ("AWS/DynamoDB", "ReplicationLatency", "Average")
        assert alarm["threshold"] == 750 and alarm["evaluation_periods"] == 3
        assert alarm["dimensions"]["TableName"].startswith("${aws_dynamodb_table.directory")
        assert alarm["alarm_actions"] == [f"${{aws_sns_topic.{topic_name}.arn}}"]
    report = check_synthesized(config, out)
    assert report.clean, [f.message for f in report.findings]


def test_an_address_alerts_does_not_list_for_global_on_its_topic_is_a_copy_out_of_global(base, tmp_path):
    def subscribe_others(found: dict[str, Any]) -> None:
        (topic_name,) = found["aws_sns_topic"]
        for index, endpoint in enumerate(("someone@partner.example", "oncall@acme.example")):  # not global's
            found["aws_sns_topic_subscription"][f"extra{index}"] = {
                "topic_arn": f"${{aws_sns_topic.{topic_name}.arn}}", "protocol": "email", "endpoint": endpoint}

    found = findings_after(base, tmp_path, "global", subscribe_others)
    assert {("RES003", "aws_sns_topic_subscription.extra0"), ("RES003", "aws_sns_topic_subscription.extra1")} <= found
    assert not any(address.startswith("aws_sns_topic_subscription.alarms_operator") for _rule, address in found)


def test_once_anything_else_may_publish_to_globals_topic_its_operators_and_the_topic_are_refused(base, tmp_path):
    """An extension's role allowed to publish there could send anything (a user's data) out by email."""
    def publisher(found: dict[str, Any]) -> None:
        (topic_name,) = found["aws_sns_topic"]
        found.setdefault("aws_iam_role_policy", {})["reports"] = {
            "role": "reports", "name": "reports", "policy": json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sns:Publish", "Resource": f"${{aws_sns_topic.{topic_name}.arn}}"}]})}

    found = findings_after(base, tmp_path, "global", publisher)
    assert any(rule == "RES003" and address.startswith("aws_sns_topic_subscription.alarms_operator")
               for rule, address in found), found
    assert any(rule == "RES003" and address.startswith("aws_sns_topic.alarms_topic") for rule, address in found)


def test_without_an_address_for_global_the_replicas_lag_would_reach_no_one(tmp_path):
    (tmp_path / "regions.yaml").write_text(CONFIG.replace("    default: [oncall@acme.example]\n", "")
                                           .replace("    global: [directory-oncall@acme.example]\n",
                                                    "    EU: [eu@acme.example]\n    US: [us@acme.example]\n"
                                                    "    AU: [au@acme.example]\n"))
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "regions.yaml")
    assert "no operator address for global (the directory replicas' lag)" in str(raised.value)


def test_tracing_traces_every_function_in_its_region_encrypted_with_the_regions_key(base):
    config, out = base
    for region in (EU, US, AU):
        found = resources(out, region)
        functions = found["aws_lambda_function"].values()
        assert {f["tracing_config"]["mode"] for f in functions} == {"Active"} and len(functions) == 6
        main = [policy for policy in found["aws_iam_role_policy"].values() if policy["name"] == "least-privilege"]
        assert len(main) == 6  # each function's own (post-authentication's pool read is a policy of its own)
        for policy in main:
            statements = json.loads(policy["policy"])["Statement"]
            (traces,) = [s for s in statements if "xray:PutTraceSegments" in s["Action"]]
            assert traces["Condition"]["StringEquals"]["aws:RequestedRegion"] == [region]
        (data_key,) = [name for name in found["aws_kms_key"] if name.startswith("data")]
        ((_name, encryption),) = found["aws_xray_encryption_config"].items()
        assert encryption == {**encryption, "type": "KMS", "key_id": f"${{aws_kms_key.{data_key}.arn}}"}
        key_policy = json.loads(found["aws_kms_key"][data_key]["policy"])["Statement"]
        (via,) = [s for s in key_policy if s.get("Sid") == "UseThroughItsServices"]
        assert f"xray.{region}.amazonaws.com" in via["Condition"]["StringEquals"]["kms:ViaService"]
    assert check_synthesized(config, out).clean


def test_traces_encrypted_with_a_key_of_another_jurisdiction_are_a_violation(base, tmp_path):
    def foreign_key(found: dict[str, Any]) -> None:
        (encryption,) = found["aws_xray_encryption_config"].values()
        encryption["key_id"] = f"arn:aws:kms:{US}:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    found = findings_after(base, tmp_path, EU, foreign_key)
    assert any(address.startswith("aws_xray_encryption_config.") for _rule, address in found), found


def test_tracing_is_off_by_default_and_the_local_target_leaves_out_xrays_encryption(tmp_path):
    (tmp_path / "regions.yaml").write_text(CONFIG.replace("tracing: true\n", ""))
    assert load_config(tmp_path / "regions.yaml").tracing is False
    (tmp_path / "regions.yaml").write_text(CONFIG.replace("target: aws\n", ""))
    local = load_config(tmp_path / "regions.yaml")
    assert any("X-Ray" in text for text in local.local_limitations())
    synthesize(local, tmp_path / "cdktf.out", project_dir=tmp_path)
    found = resources(tmp_path / "cdktf.out", EU)
    assert "aws_xray_encryption_config" not in found
    assert {f["tracing_config"]["mode"] for f in found["aws_lambda_function"].values()} == {"Active"}
    # No replicas on the emulator, so no lag to watch: global has no alarm topic there.
    assert "aws_sns_topic" not in resources(tmp_path / "cdktf.out", "global")
