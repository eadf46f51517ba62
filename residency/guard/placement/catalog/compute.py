"""Lambda, API Gateway (v1 and v2), Step Functions, ECS, the VPC pieces an ECS or RDS setup needs, load
balancers and Application Auto Scaling."""

from __future__ import annotations

from dataclasses import replace

from residency.guard.placement.catalog.entries import (
    SERVICE_CALL_TARGETS,
    Entry,
    Flow,
    Kind,
    Place,
    access,
    entry,
    into,
    keep,
    out,
    process,
    resource_policy,
)

_e = entry


def _actions(prefix: str) -> tuple[Place, ...]:
    """A listener's or listener rule's actions: where requests are forwarded, redirected or authenticated."""
    oidc = f"{prefix}.authenticate_oidc"
    return (process(f"{prefix}.target_group_arn"), process(f"{prefix}.forward.target_group.arn"),
            process(f"{prefix}.redirect.host", Kind.HOST), process(f"{prefix}.authenticate_cognito.user_pool_arn"),
            *(process(f"{oidc}.{name}", Kind.HOST)
              for name in ("issuer", "authorization_endpoint", "token_endpoint", "user_info_endpoint")))


# API Gateway v2 AWS_PROXY integrations name their service target in request parameters.
_V2_SERVICE_PARAMETERS = (
    process("request_parameters.QueueUrl", Kind.HOST), process("request_parameters.StreamName", Kind.NAME_OR_ARN),
    process("request_parameters.StateMachineArn"), process("request_parameters.EventBusName", Kind.NAME_OR_ARN),
    process("request_parameters.Region", Kind.REGION),
)
# Where a state machine's tasks send or fetch data, in both query languages (JSONPath `Parameters`, JSONata
# `Arguments`); a `.$` key names it only at run time, so it cannot be placed.
_SFN_DEFINITION = (process("definition#**.Resource", Kind.ARN), *(
    process(f"definition#**.{block}.**.{key}{dynamic}", Kind.UNPLACEABLE if dynamic else kind)
    for block in ("Parameters", "Arguments") for key, kind in SERVICE_CALL_TARGETS for dynamic in ("", ".$")))


def _ROUTE_TARGETS(prefix: str) -> tuple[Place, ...]:  # noqa: N802 - reads as the constant it stands for
    # A route sends the region's traffic to its target: one this workspace makes (an id can be anyone's, and a
    # VPN, customer or Direct Connect gateway leads to a network residency cannot place); Outposts are on-premises.
    return (*(out(f"{prefix}{target}") for target in (
        "vpc_peering_connection_id", "transit_gateway_id", "gateway_id", "nat_gateway_id", "carrier_gateway_id",
        "egress_only_gateway_id", "network_interface_id", "vpc_endpoint_id")),
        out(f"{prefix}local_gateway_id", Kind.UNPLACEABLE))
_LISTENER = (keep("certificate_arn", Kind.ARN), keep("mutual_authentication.trust_store_arn", Kind.ARN),
             access("routing_http_response_access_control_allow_origin_header_value", Kind.HOST),
             *_actions("default_action"))
_LISTENER_RULE = _actions("action")
_PRIVATE_LINE = "A VPN or Direct Connect line leads to a network residency cannot place"


def _unplaceable(path: str) -> Place:
    """Any value set opens a path to places nobody can list."""
    return Place(path, Kind.UNPLACEABLE, Flow.OUT)


_LB_NOTE = "ALB access and connection logs must go to a bucket in the load balancer's region"

ENTRIES: tuple[Entry, ...] = (
    # Lambda
    _e("aws_lambda_function", keep("kms_key_arn", Kind.ARN), out("dead_letter_config.target_arn"),
       keep("file_system_config.arn", Kind.ARN), keep("logging_config.log_group"),
       personal=True, note="Processes payloads and keeps asynchronous events up to 6 hours; code places not listed"),
    _e("aws_lambda_permission", access("principal", Kind.PRINCIPAL), access("source_arn"),
       access("source_account", Kind.ACCOUNT), access("principal_org_id", Kind.UNPLACEABLE),
       note="principal_org_id lets any account of an organization invoke, from anywhere"),
    _e("aws_lambda_alias"),
    _e("aws_lambda_event_source_mapping", into("event_source_arn"),
       into("self_managed_event_source.endpoints.*", Kind.HOST), out("destination_config.on_failure.destination_arn"),
       keep("kms_key_arn", Kind.ARN)),
    _e("aws_lambda_function_event_invoke_config", out("destination_config.on_failure.destination"),
       out("destination_config.on_success.destination")),
    _e("aws_lambda_function_url",
       note="A public HTTPS endpoint in the function's region"),
    _e("aws_lambda_layer_version", note="Code only"),
    _e("aws_lambda_layer_version_permission", access("principal", Kind.PRINCIPAL)),
    _e("aws_lambda_provisioned_concurrency_config"),
    _e("aws_lambda_function_recursion_config"),
    _e("aws_lambda_invocation", process("function_name", Kind.NAME_OR_ARN)),
    # API Gateway v2
    _e("aws_apigatewayv2_api", process("target", Kind.ANY),
       note="An OpenAPI body can hold integrations: the string sweep reads it"),
    _e("aws_apigatewayv2_api_mapping"),
    _e("aws_apigatewayv2_authorizer", process("authorizer_uri"), process("jwt_configuration.issuer", Kind.HOST)),
    _e("aws_apigatewayv2_domain_name", keep("domain_name_configuration.certificate_arn", Kind.ARN),
       keep("domain_name_configuration.ownership_verification_certificate_arn", Kind.ARN),
       keep("mutual_tls_authentication.truststore_uri", Kind.BUCKET)),
    _e("aws_apigatewayv2_integration", process("integration_uri", Kind.ANY), *_V2_SERVICE_PARAMETERS),
    _e("aws_apigatewayv2_integration_response"),
    _e("aws_apigatewayv2_route"),
    _e("aws_apigatewayv2_route_response"),
    _e("aws_apigatewayv2_model"),
    _e("aws_apigatewayv2_deployment"),
    _e("aws_apigatewayv2_stage", keep("access_log_settings.destination_arn", Kind.ARN)),
    _e("aws_apigatewayv2_vpc_link"),
    # API Gateway v1
    _e("aws_api_gateway_rest_api", Place("endpoint_configuration.types", Kind.UNPLACEABLE, Flow.PROCESS,
                                         when=("types", ("EDGE",)), default="EDGE"),
       policies=(resource_policy(),),
       note="EDGE endpoints (the default without endpoint_configuration) enter through CloudFront edge locations"),
    _e("aws_api_gateway_rest_api_policy", policies=(resource_policy(),)),
    _e("aws_api_gateway_rest_api_put", note="The OpenAPI body can hold integrations: the string sweep reads it"),
    _e("aws_api_gateway_resource"),
    _e("aws_api_gateway_method"),
    _e("aws_api_gateway_method_response"),
    _e("aws_api_gateway_method_settings"),
    _e("aws_api_gateway_integration", process("uri", Kind.ANY)),
    _e("aws_api_gateway_integration_response"),
    _e("aws_api_gateway_authorizer", process("authorizer_uri"), process("provider_arns")),
    _e("aws_api_gateway_deployment"),
    _e("aws_api_gateway_stage", keep("access_log_settings.destination_arn", Kind.ARN),
       note="A stage cache keeps responses in the API's region"),
    _e("aws_api_gateway_domain_name", keep("certificate_arn", Kind.ARN), keep("regional_certificate_arn", Kind.ARN),
       keep("ownership_verification_certificate_arn", Kind.ARN),
       keep("mutual_tls_authentication.truststore_uri", Kind.BUCKET), policies=(resource_policy(),),
       note="EDGE domain names (certificate_arn, us-east-1) enter through CloudFront edge locations"),
    _e("aws_api_gateway_base_path_mapping"),
    _e("aws_api_gateway_domain_name_access_association"),
    _e("aws_api_gateway_gateway_response"),
    _e("aws_api_gateway_model"),
    _e("aws_api_gateway_request_validator"),
    _e("aws_api_gateway_vpc_link", process("target_arns")),
    _e("aws_api_gateway_account", note="Region-wide setting: the role API Gateway logs with"),
    _e("aws_api_gateway_usage_plan"),
    _e("aws_api_gateway_usage_plan_key"),
    _e("aws_api_gateway_api_key"),
    _e("aws_api_gateway_client_certificate"),
    # Step Functions
    _e("aws_sfn_state_machine", *_SFN_DEFINITION, keep("encryption_configuration.kms_key_id"),
       keep("logging_configuration.log_destination", Kind.ARN),
       personal=True, note="Keeps execution input and output (history) up to 90 days"),
    _e("aws_sfn_activity", keep("encryption_configuration.kms_key_id"), personal=True),
    _e("aws_sfn_alias"),
    # ECS
    _e("aws_ecs_cluster", keep("configuration.execute_command_configuration.kms_key_id"),
       keep("configuration.execute_command_configuration.log_configuration.cloud_watch_log_group_name"),
       keep("configuration.execute_command_configuration.log_configuration.s3_bucket_name", Kind.BUCKET),
       keep("configuration.managed_storage_configuration.kms_key_id"),
       keep("configuration.managed_storage_configuration.fargate_ephemeral_storage_kms_key_id")),
    _e("aws_ecs_cluster_capacity_providers"),
    _e("aws_ecs_capacity_provider"),
    _e("aws_ecs_service", keep("volume_configuration.managed_ebs_volume.kms_key_id"),
       into("volume_configuration.managed_ebs_volume.snapshot_id", Kind.NAME_OR_ARN),
       keep("service_connect_configuration.log_configuration.options.awslogs-region", Kind.REGION),
       keep("service_connect_configuration.log_configuration.options.awslogs-group"),
       keep("service_connect_configuration.service.tls.kms_key"),
       personal=True, note="Its tasks process data and may keep it on attached volumes"),
    _e("aws_ecs_task_definition", keep("container_definitions#**.logConfiguration.options.awslogs-region", Kind.REGION),
       keep("container_definitions#**.logConfiguration.options.awslogs-endpoint", Kind.HOST),
       keep("container_definitions#**.logConfiguration.options.awslogs-group"),
       keep("volume.efs_volume_configuration.file_system_id"),
       keep("volume.fsx_windows_file_server_volume_configuration.file_system_id"),
       note="Other log drivers (firelens, splunk...) are read by the string sweep"),
    # VPC
    _e("aws_vpc"),
    _e("aws_subnet"),
    _e("aws_security_group"),
    _e("aws_security_group_rule"),
    _e("aws_vpc_security_group_ingress_rule"),
    _e("aws_vpc_security_group_egress_rule"),
    _e("aws_default_security_group"),
    _e("aws_route_table", out("route.core_network_arn", Kind.UNPLACEABLE), *_ROUTE_TARGETS("route.")),
    _e("aws_route", out("core_network_arn", Kind.UNPLACEABLE), *_ROUTE_TARGETS(""),
       note="A peering connection or transit gateway must be one this workspace makes (which places its peer)"),
    _e("aws_route_table_association"),
    _e("aws_main_route_table_association"),
    _e("aws_internet_gateway"),
    _e("aws_egress_only_internet_gateway"),
    _e("aws_nat_gateway"),
    _e("aws_eip"),
    _e("aws_eip_association"),
    _e("aws_network_acl"),
    _e("aws_network_acl_rule"),
    _e("aws_network_acl_association"),
    _e("aws_vpc_dhcp_options"),
    _e("aws_vpc_dhcp_options_association"),
    _e("aws_vpc_ipv4_cidr_block_association"),
    _e("aws_vpc_endpoint", process("service_name", Kind.ANY), process("service_region", Kind.REGION),
       process("resource_configuration_arn"), process("service_network_arn"), policies=(resource_policy(),)),
    _e("aws_vpc_endpoint_policy", policies=(resource_policy(),)),
    _e("aws_vpc_endpoint_route_table_association"),
    _e("aws_vpc_endpoint_subnet_association"),
    _e("aws_vpc_endpoint_security_group_association"),
    _e("aws_flow_log", keep("log_destination", Kind.ARN), keep("log_group_name"),
       note="Flow logs record client IP addresses"),
    _e("aws_vpc_peering_connection", out("peer_region", Kind.REGION), out("peer_owner_id", Kind.ACCOUNT),
       out("peer_vpc_id", Kind.NAME_OR_ARN), note="Traffic flows both ways once accepted"),
    _e("aws_vpc_peering_connection_accepter", Place("vpc_peering_connection_id", Kind.UNPLACEABLE, Flow.OUT),
       note="Accepts a peering whose other side is not named here"),
    _e("aws_vpc_peering_connection_options"),
    # Private lines out of the VPC: a VPN or Direct Connect leads to a network residency cannot place (a data
    # centre, a partner), so any of them is a copy to an unknown place; a transit gateway may join only this
    # region's own VPCs and peer only within the jurisdiction.
    _e("aws_vpn_gateway", _unplaceable("vpc_id"), note=_PRIVATE_LINE),
    _e("aws_vpn_gateway_attachment", _unplaceable("vpn_gateway_id"), note=_PRIVATE_LINE),
    _e("aws_vpn_gateway_route_propagation", _unplaceable("vpn_gateway_id"), note=_PRIVATE_LINE),
    _e("aws_customer_gateway", out("ip_address", Kind.HOST), note="The other end of a VPN: somebody's network"),
    _e("aws_vpn_connection", _unplaceable("customer_gateway_id"), note=_PRIVATE_LINE),
    _e("aws_vpn_connection_route", _unplaceable("vpn_connection_id"), note=_PRIVATE_LINE),
    _e("aws_dx_gateway", _unplaceable("name"), note="A Direct Connect gateway joins networks in any region"),
    _e("aws_dx_gateway_association", _unplaceable("dx_gateway_id"), note=_PRIVATE_LINE),
    _e("aws_ec2_transit_gateway"),
    _e("aws_ec2_transit_gateway_vpc_attachment", out("transit_gateway_id"), out("vpc_id")),
    _e("aws_ec2_transit_gateway_route_table", out("transit_gateway_id")),
    _e("aws_ec2_transit_gateway_route", out("transit_gateway_attachment_id"), out("transit_gateway_route_table_id")),
    _e("aws_ec2_transit_gateway_route_table_association", out("transit_gateway_attachment_id")),
    _e("aws_ec2_transit_gateway_route_table_propagation", out("transit_gateway_attachment_id")),
    _e("aws_ec2_transit_gateway_peering_attachment", out("peer_region", Kind.REGION),
       out("peer_account_id", Kind.ACCOUNT), out("transit_gateway_id"), note="Traffic flows both ways once accepted"),
    _e("aws_ec2_transit_gateway_peering_attachment_accepter", _unplaceable("transit_gateway_attachment_id"),
       note="Accepts a peering whose other side is not named here"),
    # Load balancers
    _e("aws_lb", keep("access_logs.bucket", Kind.BUCKET), keep("connection_logs.bucket", Kind.BUCKET), note=_LB_NOTE),
    _e("aws_lb_listener", *_LISTENER),
    _e("aws_lb_listener_rule", *_LISTENER_RULE),
    _e("aws_lb_listener_certificate", keep("certificate_arn", Kind.ARN)),
    _e("aws_lb_target_group"),
    # An IP target declared outside the VPC (`availability_zone = "all"`: on premises, or a peered network
    # anywhere): its private address is not the VPC's own, and says nothing of where it is.
    _e("aws_lb_target_group_attachment", process("target_id", Kind.ANY),
       Place("target_id", Kind.UNPLACEABLE, Flow.PROCESS, when=("availability_zone", ("all",)),
             when_left_out="in the VPC")),
    _e("aws_lb_trust_store"),
    # Application Auto Scaling
    _e("aws_appautoscaling_target"),
    _e("aws_appautoscaling_policy"),
    _e("aws_appautoscaling_scheduled_action"),
)

# aws_alb* are the provider's aliases of aws_lb*.
_ALIASES = {"aws_lb": "aws_alb", "aws_lb_listener": "aws_alb_listener", "aws_lb_listener_rule": "aws_alb_listener_rule",
            "aws_lb_listener_certificate": "aws_alb_listener_certificate",
            "aws_lb_target_group": "aws_alb_target_group",
            "aws_lb_target_group_attachment": "aws_alb_target_group_attachment"}
ENTRIES += tuple(replace(entry, type=_ALIASES[entry.type]) for entry in ENTRIES if entry.type in _ALIASES)
