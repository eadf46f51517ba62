"""A region's alarms, in the region: its API, its functions (the sign-up and sign-in triggers each on their own:
a failing trigger locks users out) and its data table, sent to the region's own SNS topic, encrypted with the
region's key, which emails the operators regions.yaml names. Alarms carry metric names and states, never
personal data; the topic accepts publications from CloudWatch alarms of this account and region only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from residency.stacks.policies import PARTITION, document

PERIOD_SECONDS = 300


@dataclass(frozen=True)
class Watched:
    """What a region's alarms watch, by the names CloudWatch's dimensions take."""

    api_id: str
    functions: Mapping[str, str]  # purpose -> function name
    triggers: frozenset[str]  # the purposes that are Cognito triggers
    table_name: str
    jobs: frozenset[str] = frozenset()  # the purposes that are scheduled jobs (the claim reconciler)


@dataclass(frozen=True)
class AlarmTopic:
    """Where a workspace's alarms go: its topic, encrypted with `kms_key_arn`, emailing `addresses`."""

    name: str
    region: str
    account_id: str
    kms_key_arn: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Alarm:
    """One metric alarm, named after its topic: `name` is its suffix and construct id."""

    name: str
    description: str
    namespace: str
    metric: str
    dimensions: Mapping[str, str]
    threshold: float
    statistic: str = "Sum"
    extended: str | None = None  # an extended statistic (p99) instead of `statistic`
    periods: int = 1


class RegionAlarms(Construct):
    def __init__(self, scope: Construct, id_: str, *, topic: AlarmTopic, watched: Watched, api_latency_ms: int) -> None:
        super().__init__(scope, id_)
        self.topic = alarm_topic(self, topic)
        for alarm in region_alarms(watched, api_latency_ms):
            metric_alarm(self, self.topic, alarm)


def region_alarms(watched: Watched, api_latency_ms: int) -> list[Alarm]:
    """The API's errors and latency, each function's errors and throttles, the data table's throttles."""
    api = {"ApiId": watched.api_id}
    alarms = [
        Alarm("api-5xx", "The region's API answered 5xx five times or more in 5 minutes", "AWS/ApiGateway", "5xx",
              api, 5),
        Alarm("api-latency", f"The region's API p99 latency was {api_latency_ms} ms or more for 15 minutes",
              "AWS/ApiGateway", "Latency", api, api_latency_ms, extended="p99", periods=3),
    ]
    for purpose, function_name in watched.functions.items():
        trigger, job = purpose in watched.triggers, purpose in watched.jobs
        what = ("a sign-up or sign-in trigger failed: users may be locked out" if trigger
                else "the claim reconciler failed: addresses of deleted accounts may stay bound" if job
                else "the API function failed")
        function = {"FunctionName": function_name}
        alarms += [
            Alarm(f"{purpose}-errors", f"{function_name}: {what}", "AWS/Lambda", "Errors", function,
                  1 if trigger or job else 5),
            Alarm(f"{purpose}-throttles", f"{function_name} was throttled (its reserved concurrency is reached)",
                  "AWS/Lambda", "Throttles", function, 1),
        ]
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        alarms.append(Alarm(f"data-{metric.removesuffix('Events').lower().replace('throttle', '-throttles')}",
                            f"The region's data table throttled requests ({metric})", "AWS/DynamoDB", metric,
                            {"TableName": watched.table_name}, 1))
    return alarms


class DirectoryReplicationAlarms(Construct):
    """How far each directory replica lags behind the global region, where every claim is written. DynamoDB
    publishes ReplicationLatency in the region a write is made, one series per receiving region: so these alarms,
    and the topic they go to, are the global workspace's. A lagging replica lets its region's sign-in read a
    stale claim."""

    def __init__(self, scope: Construct, id_: str, *, topic: AlarmTopic, table_name: str, replica_regions: list[str],
                 latency_ms: int) -> None:
        super().__init__(scope, id_)
        self.topic = alarm_topic(self, topic)
        for replica in replica_regions:
            metric_alarm(self, self.topic, Alarm(
                f"directory-replication-{replica}",
                f"The directory's replica in {replica} was {latency_ms} ms or more behind {topic.region} on "
                "average for 15 minutes", "AWS/DynamoDB", "ReplicationLatency",
                {"TableName": table_name, "ReceivingRegion": replica}, latency_ms, statistic="Average", periods=3))


def alarm_topic(scope: Construct, topic: AlarmTopic) -> SnsTopic:
    """An alarm-only topic, encrypted with its key, that emails its addresses."""
    made = SnsTopic(scope, "topic", name=topic.name, kms_master_key_id=topic.kms_key_arn)
    SnsTopicPolicy(scope, "topic-policy", arn=made.arn,
                   policy=alarms_only_policy(made.arn, topic.region, topic.account_id))
    for index, address in enumerate(topic.addresses):
        SnsTopicSubscription(scope, f"operator-{index}", topic_arn=made.arn, protocol="email", endpoint=address)
    return made


def metric_alarm(scope: Construct, topic: SnsTopic, alarm: Alarm) -> None:
    """An alarm (and its recovery) sent to `topic`, named after it."""
    actions = [topic.arn]
    CloudwatchMetricAlarm(
        scope, alarm.name, alarm_name=f"{topic.name_input}-{alarm.name}", alarm_description=alarm.description,
        namespace=alarm.namespace, metric_name=alarm.metric, dimensions=dict(alarm.dimensions),
        statistic=alarm.statistic if alarm.extended is None else None, extended_statistic=alarm.extended,
        period=PERIOD_SECONDS, evaluation_periods=alarm.periods, threshold=alarm.threshold,
        comparison_operator="GreaterThanOrEqualToThreshold", treat_missing_data="notBreaching",
        alarm_actions=actions, ok_actions=actions)


def alarms_only_policy(topic_arn: str, region: str, account_id: str) -> str:
    """Only CloudWatch alarms of this account and region publish to the topic."""
    return document([{
        "Sid": "AlarmsOfThisRegionOnly",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id},
                      "ArnLike": {"aws:SourceArn": f"arn:{PARTITION}:cloudwatch:{region}:{account_id}:alarm:*"}},
    }])
