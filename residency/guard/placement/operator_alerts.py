"""Alarm emails to operators: the one way out of a region that residency accepts because regions.yaml asks for it.

An email subscription leaves AWS, so it is a copy to a place residency cannot establish (RES002). It is
accepted when it is exactly what `alerts:` configures, and nothing more:
- protocol `email`, to an address regions.yaml lists for this workspace (a region's own, its jurisdiction's, global's
  or the default);
- on the workspace's alarm topic (by its name): a region's, or global's for the directory replicas' lag;
- and that topic carries alarms only: its policies let CloudWatch alone publish, and nothing else in the workspace
  refers to it (no role, function, rule or extension that could send other data through it).
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from residency import naming
from residency.config import Config
from residency.guard.terraform_json.workspace import Resource, SynthesizedWorkspace


class AlertsView(Protocol):
    """What this module reads of the workspace being judged (the rules' Context has it)."""

    @property
    def config(self) -> Config: ...

    @property
    def workspace(self) -> SynthesizedWorkspace: ...

    @property
    def is_region(self) -> bool: ...


# What may refer to the alarm topic: its subscriptions, its policy, and the alarms that publish to it.
ALARM_TOPIC_USERS = ("aws_sns_topic_subscription", "aws_sns_topic_policy", "aws_cloudwatch_metric_alarm")
REFERENCE = re.compile(r"^\$\{aws_sns_topic\.([^.}]+)\.arn\}$")


def is_operator_alert(context: AlertsView, resource: Resource, endpoint: Any) -> bool:
    """Whether this subscription endpoint is a configured operator address on the region's alarm-only topic."""
    config = context.config
    if config.alerts is None or resource.type != "aws_sns_topic_subscription":
        return False
    if resource.body.get("protocol") != "email" or not isinstance(endpoint, str):
        return False
    workspace = context.workspace.name
    jurisdiction = config.regions[workspace].jurisdiction if context.is_region else naming.GLOBAL_JURISDICTION
    if endpoint not in config.alerts.addresses_for(workspace, jurisdiction):
        return False
    topic = _alarm_topic(context, resource.body.get("topic_arn"), naming.alerts_topic_name(config.project, workspace))
    return topic is not None and _carries_alarms_only(context, topic)


def is_alarm_topic(context: AlertsView, resource: Resource) -> bool:
    """Whether `resource` is the workspace's alarm topic, as residency makes it: named so, alarms only."""
    return (context.config.alerts is not None and resource.type == "aws_sns_topic"
            and resource.body.get("name") == naming.alerts_topic_name(context.config.project, context.workspace.name)
            and _carries_alarms_only(context, resource))


def _alarm_topic(context: AlertsView, topic_arn: Any, name: str) -> Resource | None:
    """The workspace's topic `topic_arn` names, if it is the alarm topic (by reference, or by its ARN in a plan)."""
    if not isinstance(topic_arn, str):
        return None
    matched = REFERENCE.match(topic_arn)
    candidates = [topic for topic in context.workspace.resources("aws_sns_topic") if topic.body.get("name") == name]
    if matched:
        return next((topic for topic in candidates if topic.name == matched.group(1)), None)
    # A literal ARN (a saved plan's known value) must be the alarm topic's own: same region, account and name.
    return next((topic for topic in candidates if topic.body.get("arn") == topic_arn), None)


def _carries_alarms_only(context: AlertsView, topic: Resource) -> bool:
    markers = (f"aws_sns_topic.{topic.name}.", str(topic.body.get("name")))
    workspace = context.workspace
    for other in (*workspace.resources(), *workspace.data_sources()):
        if other.type == "aws_sns_topic" and other.name == topic.name:
            continue
        text = json.dumps(other.body)
        if not any(marker in text for marker in markers):
            continue
        if other.mode == "data" or other.type not in ALARM_TOPIC_USERS:
            return False
        if other.type == "aws_sns_topic_policy" and not _only_cloudwatch_publishes(other.body.get("policy")):
            return False
    return _only_cloudwatch_publishes(topic.body.get("policy"), missing_is_fine=True)


def _only_cloudwatch_publishes(policy: Any, *, missing_is_fine: bool = False) -> bool:
    if policy is None:
        return missing_is_fine
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except ValueError:
        return False
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return False
    for statement in statements:
        if not isinstance(statement, dict):
            return False
        if statement.get("Effect") == "Deny":
            continue
        actions = statement.get("Action")
        if statement.get("Principal") != {"Service": "cloudwatch.amazonaws.com"} or \
                actions not in ("sns:Publish", ["sns:Publish"]):
            return False
    return True
