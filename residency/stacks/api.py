"""A region's HTTP API: JWT authorizer on the region's pool, one Lambda backend, access logs."""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.apigatewayv2_api import Apigatewayv2Api
from cdktf_cdktf_provider_aws.apigatewayv2_authorizer import (
    Apigatewayv2Authorizer,
    Apigatewayv2AuthorizerJwtConfiguration,
)
from cdktf_cdktf_provider_aws.apigatewayv2_integration import Apigatewayv2Integration
from cdktf_cdktf_provider_aws.apigatewayv2_route import Apigatewayv2Route
from cdktf_cdktf_provider_aws.apigatewayv2_stage import (
    Apigatewayv2Stage,
    Apigatewayv2StageAccessLogSettings,
    Apigatewayv2StageDefaultRouteSettings,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission
from constructs import Construct

from residency.config.model import LimitsConfig
from residency.stacks.identity import UserPool
from residency.stacks.region_spec import RegionSpec

# route key -> needs a signed-in user of this region. The product's own routes are extensions: they add
# routes to this API with its authorizer (RegionContext.api_id, api_authorizer_id).
ROUTES = {
    "GET /health": False,
    "GET /config": False,
    "DELETE /me": True,
}

# Access logs name the route and outcome, never the caller's identity or address.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId",
    "routeKey": "$context.routeKey",
    "status": "$context.status",
    "latencyMs": "$context.responseLatency",
    "requestTime": "$context.requestTime",
})


class RegionApi(Construct):
    """The API of the region `spec` names, signing in through `identity`, answered by `backend`."""

    def __init__(self, scope: Construct, id_: str, *, spec: RegionSpec, backend: LambdaFunction, identity: UserPool,
                 access_log_group: CloudwatchLogGroup) -> None:
        super().__init__(scope, id_)
        self.api = Apigatewayv2Api(self, "api", name=spec.name("api"), protocol_type="HTTP")
        self.authorizer = Apigatewayv2Authorizer(
            self, "authorizer",
            api_id=self.api.id,
            name="cognito",
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration=Apigatewayv2AuthorizerJwtConfiguration(
                audience=[identity.client.id],
                issuer=f"https://cognito-idp.{spec.region}.amazonaws.com/{identity.pool.id}",
            ),
        )
        integration = Apigatewayv2Integration(
            self, "backend",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=backend.invoke_arn,
            integration_method="POST",
            payload_format_version="2.0",
        )
        self.routes = {route_key: self._route(route_key, signed_in, integration)
                       for route_key, signed_in in ROUTES.items()}
        self.stage = self._stage(access_log_group, spec.limits)
        LambdaPermission(
            self, "invoke",
            action="lambda:InvokeFunction",
            function_name=backend.function_name,
            principal="apigateway.amazonaws.com",
            source_arn=f"{self.api.execution_arn}/*/*",
        )

    def _route(self, route_key: str, signed_in: bool, integration: Apigatewayv2Integration) -> Apigatewayv2Route:
        return Apigatewayv2Route(
            self, f"route-{route_key.replace(' ', '').replace('/', '-').lower()}",
            api_id=self.api.id,
            route_key=route_key,
            target=f"integrations/{integration.id}",
            authorization_type="JWT" if signed_in else "NONE",
            authorizer_id=self.authorizer.id if signed_in else None,
        )

    def _stage(self, access_log_group: CloudwatchLogGroup, limits: LimitsConfig) -> Apigatewayv2Stage:
        return Apigatewayv2Stage(
            self, "stage",
            api_id=self.api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings=Apigatewayv2StageAccessLogSettings(
                destination_arn=access_log_group.arn, format=ACCESS_LOG_FORMAT),
            # Every route, the public ones included, answers 429 beyond these; each route gets them
            # on its own (API Gateway's account-wide limits are far higher).
            default_route_settings=Apigatewayv2StageDefaultRouteSettings(
                throttling_rate_limit=limits.api_rate, throttling_burst_limit=limits.api_burst),
        )
