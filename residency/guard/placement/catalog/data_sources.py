"""Data sources. A lookup finds something that already exists, so what it returns is of unknown placement; the
others describe the workspace's own context or build a value from their arguments."""

from __future__ import annotations

from residency.guard.placement.catalog.entries import (
    GLOBAL,
    REGION,
    REGION_AND_GLOBAL,
    REGION_GLOBAL_AND_BOOTSTRAP,
    DataSource,
    Kind,
    Place,
    Workspace,
    into,
    keep,
    process,
)


def _lookup(type_: str, *places: Place, note: str = "", ws: frozenset[Workspace] = REGION) -> DataSource:
    return DataSource(type_, ws, True, places, note=note)


def _context(type_: str, *places: Place, note: str = "", ws: frozenset[Workspace] = REGION_AND_GLOBAL) -> DataSource:
    return DataSource(type_, ws, False, places, note=note)


_OTHER_REGION = "Describes another region when `region` is set"

DATA_SOURCES: tuple[DataSource, ...] = (
    # Context: this workspace's account, region and partition, or values built from arguments
    _context("aws_caller_identity", ws=REGION_GLOBAL_AND_BOOTSTRAP),
    _context("aws_partition", ws=REGION_GLOBAL_AND_BOOTSTRAP),
    _context("aws_region", keep("name", Kind.REGION), ws=REGION_GLOBAL_AND_BOOTSTRAP,
             note="Describes another region when `name` is set"),
    _context("aws_default_tags", ws=REGION_GLOBAL_AND_BOOTSTRAP),
    _context("aws_iam_policy_document", ws=REGION_GLOBAL_AND_BOOTSTRAP,
             note="Checked where its json is used, as the policy kind of that attribute"),
    _context("aws_availability_zones"),
    _context("aws_availability_zone"),
    _context("aws_regions", note="Lists region names; using one elsewhere is placed there"),
    _context("aws_canonical_user_id"),
    _context("aws_billing_service_account"),
    _context("aws_service_principal", keep("region", Kind.REGION), note=_OTHER_REGION),
    _context("aws_elb_service_account", keep("region", Kind.REGION), note=_OTHER_REGION),
    _context("aws_cloudtrail_service_account", keep("region", Kind.REGION), ws=REGION, note=_OTHER_REGION),
    _context("aws_cloudfront_log_delivery_canonical_user_id", keep("region", Kind.REGION), note=_OTHER_REGION),
    _context("aws_ip_ranges", note="AWS's published address ranges"),
    _context("aws_secretsmanager_random_password", ws=REGION),
    _context("terraform_remote_state", ws=GLOBAL,
             note="Not an AWS type: global reads the regions' outputs; the checker resolves it itself"),
    # Lookups in every kind of workspace that routes
    _lookup("aws_route53_zone", ws=REGION_AND_GLOBAL),
    _lookup("aws_acm_certificate", ws=REGION_AND_GLOBAL),
    _lookup("aws_cloudfront_cache_policy", ws=GLOBAL),
    _lookup("aws_cloudfront_origin_request_policy", ws=GLOBAL),
    _lookup("aws_cloudfront_response_headers_policy", ws=GLOBAL),
    _lookup("aws_cloudfront_distribution", ws=GLOBAL),
    _lookup("aws_ec2_managed_prefix_list", note="The CloudFront origin-facing prefix list, for one"),
    _lookup("aws_prefix_list"),
    # Data read into the plan and state: IN
    _lookup("aws_s3_object", into("bucket", Kind.BUCKET)),
    _lookup("aws_s3_objects", into("bucket", Kind.BUCKET), note="Lists object keys, which can be personal"),
    _lookup("aws_s3_bucket_object", into("bucket", Kind.BUCKET)),
    _lookup("aws_s3_bucket_objects", into("bucket", Kind.BUCKET)),
    _lookup("aws_dynamodb_table_item", into("table_name", Kind.NAME_OR_ARN)),
    _lookup("aws_ssm_parameter", into("name", Kind.NAME_OR_ARN)),
    _lookup("aws_ssm_parameters_by_path"),
    _lookup("aws_secretsmanager_secret_version", into("secret_id", Kind.NAME_OR_ARN)),
    _lookup("aws_kms_secrets", process("secret.key_id", Kind.NAME_OR_ARN), note="Sends ciphertext to the key"),
    _lookup("aws_kms_ciphertext", process("key_id", Kind.NAME_OR_ARN), note="Sends the plaintext to the key"),
    _lookup("aws_lambda_invocation", process("function_name", Kind.NAME_OR_ARN), note="Invokes the function"),
    _lookup("aws_ecr_authorization_token"),
    # Lookups of existing things by name, id or ARN
    *(_lookup(type_) for type_ in (
        "aws_arn", "aws_s3_bucket", "aws_s3_bucket_policy", "aws_kms_key", "aws_kms_alias", "aws_kms_public_key",
        "aws_secretsmanager_secret", "aws_secretsmanager_secrets", "aws_iam_role", "aws_iam_roles", "aws_iam_policy",
        "aws_iam_user", "aws_iam_group", "aws_iam_instance_profile", "aws_iam_openid_connect_provider",
        "aws_iam_session_context", "aws_dynamodb_table", "aws_dynamodb_tables", "aws_lambda_function",
        "aws_lambda_functions", "aws_lambda_layer_version", "aws_vpc", "aws_subnet", "aws_subnets",
        "aws_security_group", "aws_security_groups", "aws_route_table", "aws_internet_gateway", "aws_nat_gateway",
        "aws_vpc_endpoint", "aws_vpc_endpoint_service", "aws_sns_topic", "aws_sqs_queue", "aws_sqs_queues",
        "aws_db_instance", "aws_db_instances", "aws_rds_cluster", "aws_rds_clusters", "aws_db_subnet_group",
        "aws_rds_engine_version", "aws_rds_orderable_db_instance", "aws_docdb_engine_version",
        "aws_elasticache_cluster", "aws_elasticache_replication_group", "aws_opensearch_domain", "aws_ecr_repository",
        "aws_ecr_image", "aws_cognito_user_pools", "aws_cognito_user_pool", "aws_cognito_user_pool_client",
        "aws_cloudwatch_log_group", "aws_cloudwatch_log_groups", "aws_lb", "aws_lb_listener", "aws_lb_target_group",
        "aws_ecs_cluster", "aws_ecs_task_definition", "aws_api_gateway_rest_api", "aws_apigatewayv2_api",
        "aws_sfn_state_machine", "aws_kinesis_stream", "aws_kinesis_firehose_delivery_stream",
        "aws_cloudwatch_event_bus", "aws_backup_vault", "aws_appconfig_configuration_profile", "aws_wafv2_web_acl",
        "aws_wafv2_ip_set",
    )),
)
