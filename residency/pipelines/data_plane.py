"""The AWS services residency's stacks may use, and the data plane of each: kept in one place.

One row per service: the IAM prefix whose configuration the plan role may read, the Terraform types it manages
(by name prefix, the longest prefix wins), and, for a service that keeps what people put in it, the catalog's store
types and every action that reads (or copies out) what those stores hold. `residency ci roles` allows the first
and denies the second. tests/pipelines/test_ci_roles.py holds this table to the residency rules' catalog: every
type the catalog permits belongs to one row, and every type it marks as holding personal data is a row's store,
so a store type added to the catalog fails the test until its reads are listed here.

Actions are concrete IAM action names (no wildcards), so that a test can ask the policy evaluator about each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

DEFAULT_CONFIGURATION = ("Describe*", "Get*", "List*")


class Spared(Enum):
    """What of Terraform's own state a service's deny leaves to the plan role."""

    NOTHING = "nothing"
    STATE_OBJECTS = "the state files and their lock files"  # S3: every other object of every bucket is denied
    STATE_KEY = "the state key, through S3; Lambda's own settings"  # KMS: see ci_roles.key_statements


@dataclass(frozen=True)
class Service:
    prefix: str  # the IAM service prefix
    types: tuple[str, ...]  # Terraform resource and data source types it manages, by name prefix
    stores: tuple[str, ...] = ()  # the catalog's personal-data types whose contents `reads` reach
    reads: tuple[str, ...] = ()  # the data plane: `service:Action`, concrete names
    configuration: tuple[str, ...] = DEFAULT_CONFIGURATION  # action patterns under `prefix` the plan role may use
    spared: Spared = Spared.NOTHING
    note: str = ""

    @property
    def configuration_actions(self) -> tuple[str, ...]:
        return tuple(f"{self.prefix}:{pattern}" for pattern in self.configuration)


def _s(prefix: str, *types: str, stores: tuple[str, ...] = (), reads: tuple[str, ...] = (),
       configuration: tuple[str, ...] = DEFAULT_CONFIGURATION, spared: Spared = Spared.NOTHING,
       note: str = "") -> Service:
    return Service(prefix, types, stores, reads, configuration, spared, note)


SERVICES: tuple[Service, ...] = (
    _s("s3", "aws_s3_", "aws_s3control_", "aws_canonical_user_id",
       stores=("aws_s3_bucket", "aws_s3_object", "aws_s3_bucket_object", "aws_s3_object_copy"),
       reads=("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes",
              "s3:GetObjectTorrent", "s3:GetObjectVersionTorrent", "s3:GetObjectVersionForReplication",
              "s3:RestoreObject", "s3:ListBucketVersions", "s3:ListMultipartUploadParts", "s3:GetDataAccess",
              "s3-object-lambda:GetObject"),
       # No object reads: Get* would hold GetObject. ListBucket stays (HeadBucket needs it): object names remain
       # listable, their contents do not.
       configuration=("GetBucket*", "Get*Configuration", "GetAccessPoint*", "GetMultiRegionAccessPoint*", "List*"),
       spared=Spared.STATE_OBJECTS),
    _s("dynamodb", "aws_dynamodb_",
       stores=("aws_dynamodb_table", "aws_dynamodb_global_table", "aws_dynamodb_table_replica",
               "aws_dynamodb_table_item", "aws_dynamodb_table_export"),
       reads=("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:Query",
              "dynamodb:Scan", "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime", "dynamodb:GetRecords",
              "dynamodb:GetShardIterator", "dynamodb:RestoreTableFromBackup", "dynamodb:RestoreTableToPointInTime"),
       configuration=("Describe*", "List*", "GetResourcePolicy")),
    _s("cognito-idp", "aws_cognito_", stores=("aws_cognito_user_pool", "aws_cognito_user"),
       reads=("cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup", "cognito-idp:AdminGetUser",
              "cognito-idp:AdminListGroupsForUser", "cognito-idp:AdminListDevices", "cognito-idp:AdminGetDevice",
              "cognito-idp:AdminListUserAuthEvents")),
    _s("cognito-identity", "aws_cognito_identity_pool", stores=("aws_cognito_identity_pool",),
       reads=("cognito-identity:ListIdentities", "cognito-identity:DescribeIdentity",
              "cognito-identity:LookupDeveloperIdentity", "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
              "cognito-sync:ListRecords")),
    _s("logs", "aws_cloudwatch_log_", "aws_cloudwatch_query_definition",
       stores=("aws_cloudwatch_log_group", "aws_cloudwatch_log_stream"),
       reads=("logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults",
              "logs:StartLiveTail", "logs:GetLogRecord", "logs:GetLogGroupFields", "logs:Unmask",
              "logs:CreateExportTask", "logs:ListAnomalies")),
    _s("kms", "aws_kms_",
       reads=("kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
              "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair",
              "kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateMac", "kms:VerifyMac"),
       spared=Spared.STATE_KEY,
       note="the keys of every store; GenerateMac and VerifyMac would let an email be tested against the directory"),
    _s("sqs", "aws_sqs_", stores=("aws_sqs_queue",), reads=("sqs:ReceiveMessage",)),
    _s("sns", "aws_sns_", stores=("aws_sns_topic",),
       reads=("sns:Subscribe", "sns:GetEndpointAttributes", "sns:ListEndpointsByPlatformApplication",
              "sns:ListPhoneNumbersOptedOut", "sns:CheckIfPhoneNumberIsOptedOut", "sns:ListSMSSandboxPhoneNumbers"),
       note="a topic keeps nothing: a new subscription is how its messages are read"),
    _s("kinesis", "aws_kinesis_", stores=("aws_kinesis_stream", "aws_rds_cluster_activity_stream"),
       reads=("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:SubscribeToShard"),
       configuration=("Describe*", "List*", "GetResourcePolicy")),
    _s("firehose", "aws_kinesis_firehose_", stores=("aws_kinesis_firehose_delivery_stream",),
       note="Firehose has no read: what it delivers lands in a store whose reads are denied here"),
    _s("secretsmanager", "aws_secretsmanager_",
       stores=("aws_secretsmanager_secret", "aws_secretsmanager_secret_version"),
       reads=("secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"),
       configuration=("Describe*", "List*", "GetResourcePolicy")),
    _s("ssm", "aws_ssm_", stores=("aws_ssm_parameter",),
       reads=("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"),
       configuration=("DescribeParameters", "ListTagsForResource")),
    _s("lambda", "aws_lambda_", stores=("aws_lambda_function",),
       reads=("lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:InvokeAsync"),
       note="a function answers with what it reads: invoking one directly skips its caller's sign-in"),
    _s("states", "aws_sfn_", stores=("aws_sfn_activity", "aws_sfn_state_machine"),
       reads=("states:GetActivityTask", "states:GetExecutionHistory", "states:DescribeExecution",
              "states:StartSyncExecution")),
    _s("ecs", "aws_ecs_", stores=("aws_ecs_service",), reads=("ecs:ExecuteCommand",)),
    _s("athena", "aws_athena_", stores=("aws_athena_workgroup",),
       reads=("athena:StartQueryExecution", "athena:GetQueryExecution", "athena:BatchGetQueryExecution",
              "athena:GetQueryResults", "athena:GetQueryResultsStream")),
    _s("glue", "aws_glue_", stores=("aws_glue_job",), reads=("glue:StartJobRun",)),
    _s("backup", "aws_backup_", stores=("aws_backup_vault", "aws_backup_logically_air_gapped_vault"),
       reads=("backup:StartRestoreJob", "backup:StartCopyJob")),
    _s("cloudtrail", "aws_cloudtrail", stores=("aws_cloudtrail", "aws_cloudtrail_event_data_store"),
       reads=("cloudtrail:LookupEvents", "cloudtrail:StartQuery", "cloudtrail:GetQueryResults")),
    _s("events", "aws_cloudwatch_event_", stores=("aws_cloudwatch_event_bus", "aws_cloudwatch_event_archive"),
       reads=("events:StartReplay",), note="a bus keeps nothing; an archive is read by replaying it"),
    _s("datasync", "aws_datasync_", stores=("aws_datasync_task",), reads=("datasync:StartTaskExecution",)),
    _s("rds", "aws_db_", "aws_rds_", "aws_docdb_",
       stores=("aws_db_instance", "aws_db_snapshot", "aws_db_cluster_snapshot", "aws_db_snapshot_copy",
               "aws_db_instance_automated_backups_replication", "aws_rds_cluster", "aws_rds_cluster_instance",
               "aws_rds_cluster_snapshot_copy", "aws_rds_export_task", "aws_rds_global_cluster",
               "aws_rds_integration", "aws_docdb_cluster", "aws_docdb_cluster_instance",
               "aws_docdb_cluster_snapshot", "aws_docdb_global_cluster"),
       reads=("rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement", "rds-db:connect",
              "rds:DownloadDBLogFilePortion", "rds:DownloadCompleteDBLogFile", "rds:StartExportTask",
              "rds:RestoreDBInstanceFromDBSnapshot", "rds:RestoreDBInstanceToPointInTime",
              "rds:RestoreDBClusterFromSnapshot", "rds:RestoreDBClusterToPointInTime", "rds:CopyDBSnapshot",
              "rds:CopyDBClusterSnapshot"),
       note="a database's rows are read over its own protocol: its password (Secrets Manager) is denied above"),
    _s("docdb-elastic", "aws_docdbelastic_", stores=("aws_docdbelastic_cluster",),
       reads=("docdb-elastic:RestoreClusterFromSnapshot", "docdb-elastic:CopyClusterSnapshot")),
    _s("dms", "aws_dms_", stores=("aws_dms_replication_config", "aws_dms_replication_instance",
                                  "aws_dms_replication_task"),
       reads=("dms:StartReplicationTask", "dms:StartReplication")),
    _s("elasticache", "aws_elasticache_",
       stores=("aws_elasticache_cluster", "aws_elasticache_replication_group",
               "aws_elasticache_global_replication_group", "aws_elasticache_serverless_cache"),
       reads=("elasticache:Connect", "elasticache:CopySnapshot", "elasticache:ExportServerlessCacheSnapshot")),
    _s("es", "aws_opensearch_", stores=("aws_opensearch_domain",),
       reads=("es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost")),
    _s("ses", "aws_ses_", "aws_sesv2_", stores=("aws_sesv2_contact_list",),
       reads=("ses:ListContacts", "ses:GetContact", "ses:ListSuppressedDestinations",
              "ses:GetSuppressedDestination")),
    _s("xray", "aws_xray_",
       reads=("xray:BatchGetTraces", "xray:GetTraceSummaries", "xray:GetTraceGraph", "xray:StartTraceRetrieval",
              "xray:ListRetrievedTraces", "xray:GetRetrievedTracesGraph"),
       note="traces of the functions (`tracing: true`) carry what their requests carried"),
    # Configuration only: nothing of theirs keeps what people put in it. What Terraform itself records (a schedule's
    # input, a Glue connection's password, an API key's value) is in the state, which the plan role reads anyway.
    _s("iam", "aws_iam_"),
    _s("ec2", "aws_availability_zone", "aws_customer_gateway", "aws_default_security_group", "aws_ec2_",
       "aws_egress_only_internet_gateway", "aws_eip", "aws_flow_log", "aws_internet_gateway",
       "aws_main_route_table_association", "aws_nat_gateway", "aws_network_acl", "aws_prefix_list", "aws_region",
       "aws_route", "aws_security_group", "aws_subnet", "aws_vpc", "aws_vpn_"),
    _s("elasticloadbalancing", "aws_alb", "aws_lb"),
    _s("apigateway", "aws_api_gateway_", "aws_apigatewayv2_", configuration=("GET",)),
    _s("application-autoscaling", "aws_appautoscaling_"),
    _s("appconfig", "aws_appconfig_"),
    _s("acm", "aws_acm_"),
    _s("cloudfront", "aws_cloudfront_"),
    _s("cloudwatch", "aws_cloudwatch_", reads=("cloudwatch:GetInsightRuleReport",),
       note="Contributor Insights reports name the top contributors: partition keys, client addresses"),
    _s("directconnect", "aws_dx_"),
    _s("ecr", "aws_ecr_"),
    _s("pipes", "aws_pipes_"),
    _s("scheduler", "aws_scheduler_"),
    _s("route53", "aws_route53_"),
    _s("route53resolver", "aws_route53_resolver_"),
    _s("wafv2", "aws_wafv2_", reads=("wafv2:GetSampledRequests",),
       note="sampled web requests carry client addresses, URIs and headers (cookies, authorization)"),
)


def service_of(terraform_type: str) -> Service | None:
    """The row that manages a Terraform type: the one with the longest matching type prefix."""
    matches = [(len(prefix), service) for service in SERVICES for prefix in service.types
               if terraform_type.startswith(prefix)]
    return max(matches, key=lambda match: match[0])[1] if matches else None


def data_plane_reads(spared: Spared | None = None) -> tuple[str, ...]:
    """Every data-plane action, in table order (only the services that spare `spared`, when given)."""
    return tuple(action for service in SERVICES if spared is None or service.spared is spared
                 for action in service.reads)
