"""A profile API in every region: GET /me and PUT /me on the region's own API, for its signed-in users.

residency calls `region_resources(scope, context)` once in each region workspace (see regions.yaml's
`extensions:`). The routes use the API's Cognito authorizer, so only tokens of this region's user pool
reach the function; the profile is one item in the region's data table, under the `USER#<sub>` key that
residency's DELETE /me erases with the account.
"""

import json

from cdktf_cdktf_provider_aws.apigatewayv2_integration import Apigatewayv2Integration
from cdktf_cdktf_provider_aws.apigatewayv2_route import Apigatewayv2Route
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction, LambdaFunctionEnvironment
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission

from residency.stacks.extensions import RegionContext

ROUTES = ("GET /me", "PUT /me")


def region_resources(scope, context: RegionContext) -> None:
    function_name = context.name("profile")
    logs = CloudwatchLogGroup(scope, "logs", name=f"/aws/lambda/{function_name}", retention_in_days=30,
                              kms_key_id=context.kms_key_arn)
    role = IamRole(scope, "role", name=function_name, assume_role_policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))
    in_region = {"StringEquals": {"aws:RequestedRegion": context.region}}
    # Reads and writes one item at a time in this region's table (a delete only to take back a write that raced
    # the account's deletion): no scans, no queries.
    IamRolePolicy(scope, "policy", role=role.id, name="profile", policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
             "Resource": context.data_table_arn, "Condition": in_region},
            # Whether the caller's account still exists and is enabled (a token outlives a deleted account).
            {"Effect": "Allow", "Action": "cognito-idp:AdminGetUser", "Resource": context.user_pool_arn,
             "Condition": in_region},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": context.kms_key_arn, "Condition": in_region},
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"{logs.arn}:*", "Condition": in_region},
        ]}))
    code = context.package_lambda("profile_api/handler")
    function = LambdaFunction(
        scope, "profile", function_name=function_name, role=role.arn, runtime="python3.12", handler="me.handler",
        filename=code.filename, source_code_hash=code.source_code_hash, timeout=5,
        kms_key_arn=context.kms_key_arn, depends_on=[logs],
        environment=LambdaFunctionEnvironment(variables={"PROFILE_TABLE": context.data_table_name,
                                                         "HOME_REGION": context.region,
                                                         "USER_POOL_ID": context.user_pool_id}))
    integration = Apigatewayv2Integration(
        scope, "integration", api_id=context.api_id, integration_type="AWS_PROXY",
        integration_uri=function.invoke_arn, integration_method="POST", payload_format_version="2.0")
    for route_key in ROUTES:
        Apigatewayv2Route(
            scope, f"route-{route_key.split()[0].lower()}-me", api_id=context.api_id, route_key=route_key,
            target=f"integrations/{integration.id}",
            # Only tokens of this region's pool: the authorizer checks issuer and audience.
            authorization_type="JWT", authorizer_id=context.api_authorizer_id)
    LambdaPermission(scope, "invoke", action="lambda:InvokeFunction", function_name=function.function_name,
                     principal="apigateway.amazonaws.com", source_arn=f"{context.api_execution_arn}/*/*/me")
    context.output("profile_function", function.function_name)
