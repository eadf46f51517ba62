"""The billing team's constructs: an invoices queue and the function that fills it, in every region.

residency calls `region_resources(scope, context)` once in each region workspace and
`global_resources(scope, context)` once in the global one (see regions.yaml's `extensions:`).
"""

import json

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction, LambdaFunctionEnvironment
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

from residency.stacks.extensions import GlobalContext, RegionContext, StoreKind

# Where the invoicer sends: None for this region's own queue. Naming a queue elsewhere, such as
# "arn:aws:sqs:us-east-1:123456789012:central-invoices" from an EU region, makes `residency check`
# exit 3: invoices hold personal data, and they stay in their jurisdiction.
DESTINATION = None


def region_resources(scope, context: RegionContext) -> None:
    queue = SqsQueue(scope, "invoices", name=context.name("invoices"), kms_master_key_id=context.kms_key_arn,
                     message_retention_seconds=14 * 24 * 3600)
    # Invoices name people: protected, exported and emptied by `residency region retire`.
    context.declare_personal_data(queue, StoreKind.QUEUE)
    target = DESTINATION or queue.arn

    function_name = context.name("invoicer")
    logs = CloudwatchLogGroup(scope, "logs", name=f"/aws/lambda/{function_name}", retention_in_days=30,
                              kms_key_id=context.kms_key_arn)
    role = IamRole(scope, "role", name=function_name, assume_role_policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    in_region = {"StringEquals": {"aws:RequestedRegion": context.region}}
    IamRolePolicy(scope, "policy", role=role.id, name="invoicer", policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": target, "Condition": in_region},
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": context.kms_key_arn,
             "Condition": in_region},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"{logs.arn}:*", "Condition": in_region},
        ]}))
    code = context.package_lambda("billing/handler")
    LambdaFunction(scope, "invoicer", function_name=function_name, role=role.arn, runtime="python3.12",
                   handler="invoicer.handler", filename=code.filename, source_code_hash=code.source_code_hash,
                   kms_key_arn=context.kms_key_arn, depends_on=[logs],
                   environment=LambdaFunctionEnvironment(variables={"INVOICES_QUEUE_URL": DESTINATION or queue.url}))
    context.output("invoices_queue_url", queue.url)
    context.output("invoicer_code_hash", code.source_code_hash)


def global_resources(scope, context: GlobalContext) -> None:
    # The global workspace knows which region a user belongs to, never their invoices.
    context.output("billing_regions", sorted(context.regions))
