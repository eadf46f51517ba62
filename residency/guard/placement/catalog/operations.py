"""CloudWatch (logs, alarms, dashboards, metric streams), CloudTrail, X-Ray, AppConfig, DataSync, DMS, Glue and
Athena."""

from __future__ import annotations

from residency.guard.placement.catalog.entries import (
    REGION_AND_GLOBAL,
    Entry,
    Flow,
    Kind,
    Place,
    entry,
    into,
    keep,
    out,
    process,
    resource_policy,
)

_e = entry


def _both(path: str, kind: Kind = Kind.ARN) -> tuple[Place, Place]:
    """A place data is copied from or to, depending on how the resource is used (a DataSync or DMS endpoint)."""
    return into(path, kind), out(path, kind)


_LOG_GROUP = keep("log_group_name")
_ALARM_ACTIONS = (out("alarm_actions"), out("ok_actions"), out("insufficient_data_actions"))
_FINDINGS = tuple(out(f"policy_document#**.FindingsDestination.{path}", kind) for path, kind in (
    ("S3.Bucket", Kind.BUCKET), ("Firehose.DeliveryStream", Kind.NAME_OR_ARN),
    ("CloudWatchLogs.LogGroup", Kind.NAME_OR_ARN)))
_TRAIL_NOTE = "A multi-region or organization trail collects events from places nobody lists here"
_DMS_ENDPOINT = (
    *_both("server_name", Kind.HOST), *_both("elasticsearch_settings.endpoint_uri", Kind.HOST),
    *_both("kafka_settings.broker", Kind.HOST), *_both("kinesis_settings.stream_arn"),
    *_both("redis_settings.server_name", Kind.HOST), *_both("redshift_settings.bucket_name", Kind.BUCKET),
    *_both("s3_settings.bucket_name", Kind.BUCKET), out("redshift_settings.server_side_encryption_kms_key_id"),
    out("s3_settings.server_side_encryption_kms_key_id"), keep("kms_key_arn", Kind.ARN),
)
_GLUE_CONNECTION_URLS = ("JDBC_CONNECTION_URL", "CONNECTION_URL", "KAFKA_BOOTSTRAP_SERVERS", "HOST")
_GLUE_LOCATIONS = (keep("storage_descriptor.location", Kind.ANY), keep("storage_descriptor.additional_locations",
                                                                       Kind.ANY))

ENTRIES: tuple[Entry, ...] = (
    # CloudWatch Logs
    _e("aws_cloudwatch_log_group", keep("kms_key_id", Kind.ARN), personal=True),
    _e("aws_cloudwatch_log_stream", _LOG_GROUP, personal=True),
    _e("aws_cloudwatch_log_subscription_filter", _LOG_GROUP, out("destination_arn")),
    _e("aws_cloudwatch_log_destination", out("target_arn"),
       note="Receives log events from the accounts its destination policy allows"),
    _e("aws_cloudwatch_log_destination_policy", keep("destination_name"),
       policies=(resource_policy("access_policy"),)),
    _e("aws_cloudwatch_log_metric_filter", _LOG_GROUP,
       note="Dimensions copy log fields into metrics in the same region"),
    _e("aws_cloudwatch_log_resource_policy", policies=(resource_policy("policy_document"),)),
    _e("aws_cloudwatch_log_data_protection_policy", _LOG_GROUP, *_FINDINGS),
    _e("aws_cloudwatch_log_account_policy", out("policy_document#DestinationArn"), *_FINDINGS,
       note="A subscription filter policy sends every log group of the account to DestinationArn"),
    _e("aws_cloudwatch_log_index_policy", _LOG_GROUP),
    _e("aws_cloudwatch_log_anomaly_detector", keep("kms_key_id"), keep("log_group_arn_list", Kind.ARN)),
    _e("aws_cloudwatch_query_definition", keep("log_group_names")),
    _e("aws_cloudwatch_log_delivery_source", into("resource_arn"),
       note="Names the resource whose logs (a user pool's, for one) are delivered"),
    _e("aws_cloudwatch_log_delivery_destination", out("delivery_destination_configuration.destination_resource_arn")),
    _e("aws_cloudwatch_log_delivery_destination_policy",
       policies=(resource_policy("delivery_destination_policy"),)),
    _e("aws_cloudwatch_log_delivery", out("delivery_destination_arn")),
    # CloudWatch metrics
    _e("aws_cloudwatch_metric_alarm", *_ALARM_ACTIONS, into("metric_query.account_id", Kind.ACCOUNT),
       ws=REGION_AND_GLOBAL, note="global's alarms watch the directory replicas' lag"),
    _e("aws_cloudwatch_composite_alarm", *_ALARM_ACTIONS),
    _e("aws_cloudwatch_dashboard", into("dashboard_body#**.region", Kind.REGION),
       into("dashboard_body#**.accountId", Kind.ACCOUNT),
       note="Dashboards are global to the account; log widgets show log lines from the regions they name"),
    _e("aws_cloudwatch_metric_stream", out("firehose_arn")),
    _e("aws_cloudwatch_contributor_insight_rule", note="Reads the log groups its rule definition names"),
    # CloudTrail
    _e("aws_cloudtrail", keep("s3_bucket_name", Kind.BUCKET), keep("cloud_watch_logs_group_arn", Kind.ARN),
       keep("kms_key_id"), out("sns_topic_name"), into("is_multi_region_trail", Kind.UNPLACEABLE),
       into("is_organization_trail", Kind.UNPLACEABLE), personal=True,
       note=f"Records request parameters (user names, object keys); {_TRAIL_NOTE}"),
    _e("aws_cloudtrail_event_data_store", keep("kms_key_id"),
       Place("multi_region_enabled", Kind.UNPLACEABLE, Flow.IN, default=True),
       into("organization_enabled", Kind.UNPLACEABLE), personal=True,
       note="multi_region_enabled defaults to true: an event data store without it collects every region"),
    # X-Ray
    _e("aws_xray_encryption_config", keep("key_id")),
    _e("aws_xray_group"),
    _e("aws_xray_sampling_rule"),
    _e("aws_xray_resource_policy", policies=(resource_policy("policy_document"),)),
    # AppConfig
    _e("aws_appconfig_application"),
    _e("aws_appconfig_environment"),
    _e("aws_appconfig_configuration_profile", into("location_uri", Kind.NAME_OR_ARN), keep("kms_key_identifier"),
       Place("validator.content", Kind.ARN, Flow.PROCESS, when=("type", ("LAMBDA",))),
       note="location_uri `hosted` is AppConfig's own store in the region"),
    _e("aws_appconfig_hosted_configuration_version"),
    _e("aws_appconfig_deployment_strategy"),
    _e("aws_appconfig_deployment", keep("kms_key_identifier")),
    _e("aws_appconfig_extension", process("action_point.action.uri")),
    _e("aws_appconfig_extension_association", process("extension_arn"), keep("resource_arn", Kind.ARN)),
    # DataSync
    _e("aws_datasync_task", into("source_location_arn"), out("destination_location_arn"),
       keep("cloudwatch_log_group_arn", Kind.ARN), out("task_report_config.s3_destination.s3_bucket_arn", Kind.BUCKET),
       personal=True),
    _e("aws_datasync_agent"),
    _e("aws_datasync_location_s3", *_both("s3_bucket_arn", Kind.BUCKET)),
    _e("aws_datasync_location_efs", *_both("efs_file_system_arn")),
    _e("aws_datasync_location_fsx_windows_file_system", *_both("fsx_filesystem_arn")),
    _e("aws_datasync_location_fsx_lustre_file_system", *_both("fsx_filesystem_arn")),
    _e("aws_datasync_location_fsx_openzfs_file_system", *_both("fsx_filesystem_arn")),
    _e("aws_datasync_location_fsx_ontap_file_system", *_both("storage_virtual_machine_arn")),
    _e("aws_datasync_location_nfs", *_both("server_hostname", Kind.HOST)),
    _e("aws_datasync_location_smb", *_both("server_hostname", Kind.HOST)),
    _e("aws_datasync_location_object_storage", *_both("server_hostname", Kind.HOST)),
    _e("aws_datasync_location_azure_blob", *_both("container_url", Kind.HOST)),
    _e("aws_datasync_location_hdfs", *_both("name_node.hostname", Kind.HOST), keep("kms_key_provider_uri", Kind.HOST)),
    # DMS
    _e("aws_dms_replication_instance", keep("kms_key_arn", Kind.ARN), personal=True),
    _e("aws_dms_replication_subnet_group"),
    _e("aws_dms_replication_task", into("source_endpoint_arn"), out("target_endpoint_arn"),
       process("replication_instance_arn"), personal=True),
    _e("aws_dms_replication_config", into("source_endpoint_arn"), out("target_endpoint_arn"),
       keep("compute_config.kms_key_id"), personal=True),
    _e("aws_dms_endpoint", *_DMS_ENDPOINT, note="A source or a target, by endpoint_type"),
    _e("aws_dms_s3_endpoint", *_both("bucket_name", Kind.BUCKET), *_both("expected_bucket_owner", Kind.ACCOUNT),
       out("server_side_encryption_kms_key_id"), keep("kms_key_arn", Kind.ARN)),
    _e("aws_dms_certificate"),
    _e("aws_dms_event_subscription", out("sns_topic_arn")),
    # Glue
    _e("aws_glue_catalog_database", keep("location_uri", Kind.ANY), keep("catalog_id", Kind.ACCOUNT),
       into("target_database.region", Kind.REGION), into("target_database.catalog_id", Kind.ACCOUNT)),
    _e("aws_glue_catalog_table", *_GLUE_LOCATIONS, keep("catalog_id", Kind.ACCOUNT),
       into("target_table.region", Kind.REGION), into("target_table.catalog_id", Kind.ACCOUNT)),
    _e("aws_glue_partition", *_GLUE_LOCATIONS, keep("catalog_id", Kind.ACCOUNT),
       note="Partition values can be personal"),
    _e("aws_glue_partition_index"),
    _e("aws_glue_catalog_table_optimizer",
       keep("configuration.orphan_file_deletion_configuration.iceberg_configuration.location", Kind.BUCKET)),
    _e("aws_glue_connection", *(p for key in _GLUE_CONNECTION_URLS
                                for p in _both(f"connection_properties.{key}", Kind.HOST))),
    _e("aws_glue_crawler", into("s3_target.path", Kind.BUCKET), into("s3_target.event_queue_arn"),
       out("s3_target.dlq_event_queue_arn"), into("catalog_target.event_queue_arn"),
       out("catalog_target.dlq_event_queue_arn"), into("dynamodb_target.path", Kind.NAME_OR_ARN),
       into("delta_target.delta_tables", Kind.BUCKET), into("hudi_target.paths", Kind.BUCKET),
       into("iceberg_target.paths", Kind.BUCKET), note="Crawlers read samples of the data they catalog"),
    _e("aws_glue_job", keep("default_arguments.--TempDir", Kind.BUCKET),
       keep("default_arguments.--spark-event-logs-path", Kind.BUCKET), personal=True,
       note="The script reads and writes wherever its role allows"),
    _e("aws_glue_trigger"),
    _e("aws_glue_workflow"),
    _e("aws_glue_classifier"),
    _e("aws_glue_security_configuration",
       *(keep(f"encryption_configuration.{name}.kms_key_arn", Kind.ARN)
         for name in ("cloudwatch_encryption", "job_bookmarks_encryption", "s3_encryption"))),
    _e("aws_glue_data_catalog_encryption_settings", keep("catalog_id", Kind.ACCOUNT),
       keep("data_catalog_encryption_settings.connection_password_encryption.aws_kms_key_id"),
       keep("data_catalog_encryption_settings.encryption_at_rest.sse_aws_kms_key_id")),
    _e("aws_glue_resource_policy", policies=(resource_policy(),)),
    _e("aws_glue_data_quality_ruleset", keep("target_table.catalog_id", Kind.ACCOUNT)),
    _e("aws_glue_registry"),
    _e("aws_glue_schema"),
    # Athena
    _e("aws_athena_workgroup", keep("configuration.result_configuration.output_location", Kind.BUCKET),
       keep("configuration.result_configuration.expected_bucket_owner", Kind.ACCOUNT),
       keep("configuration.result_configuration.encryption_configuration.kms_key_arn", Kind.ARN),
       personal=True, note="Keeps query results"),
    _e("aws_athena_database", keep("bucket", Kind.BUCKET), keep("expected_bucket_owner", Kind.ACCOUNT),
       keep("encryption_configuration.kms_key")),
    _e("aws_athena_data_catalog", process("parameters.function"), process("parameters.metadata-function"),
       process("parameters.record-function"), into("parameters.catalog-id", Kind.ACCOUNT)),
    _e("aws_athena_named_query"),
    _e("aws_athena_prepared_statement"),
)
