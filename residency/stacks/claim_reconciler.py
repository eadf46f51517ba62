"""The claim reconciler's schedule: EventBridge runs the function (handlers/claim_reconciler.py) in its region."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from residency.stacks.functions import HandlerFunction

# Claims of deleted accounts wait at most this long; a run reads the region's claims and accounts once.
SCHEDULE = "rate(6 hours)"


class ReconcilerSchedule(Construct):
    def __init__(self, scope: Construct, id_: str, *, name: str, reconciler: HandlerFunction) -> None:
        super().__init__(scope, id_)
        self.rule = CloudwatchEventRule(self, "schedule", name=name, schedule_expression=SCHEDULE,
                                        description="Releases directory claims whose account no longer exists")
        CloudwatchEventTarget(self, "target", rule=self.rule.name, arn=reconciler.function.arn)
        # Only this rule may invoke it on EventBridge's behalf.
        LambdaPermission(self, "invoke", action="lambda:InvokeFunction",
                         function_name=reconciler.function.function_name, principal="events.amazonaws.com",
                         source_arn=self.rule.arn)
