"""SQS, SNS, EventBridge (with Scheduler and Pipes), Kinesis, Firehose and SES."""

from __future__ import annotations

from residency.guard.placement.catalog.entries import (
    REGION_AND_GLOBAL,
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


_DLQ = out("redrive_policy#deadLetterTargetArn")
_REDRIVE_SOURCES = into("redrive_allow_policy#sourceQueueArns")
_QUEUE = keep("queue_url", Kind.HOST)
_BUS = keep("event_bus_name")
_FIREHOSE = (
    out("**.bucket_arn", Kind.BUCKET), out("**.kms_key_arn"),
    out("elasticsearch_configuration.domain_arn"), out("elasticsearch_configuration.cluster_endpoint", Kind.HOST),
    out("opensearch_configuration.domain_arn"), out("opensearch_configuration.cluster_endpoint", Kind.HOST),
    out("opensearchserverless_configuration.collection_endpoint", Kind.HOST),
    out("redshift_configuration.cluster_jdbcurl", Kind.HOST), out("http_endpoint_configuration.url", Kind.HOST),
    out("snowflake_configuration.account_url", Kind.HOST), out("splunk_configuration.hec_endpoint", Kind.HOST),
    out("iceberg_configuration.catalog_arn"),
    into("kinesis_source_configuration.kinesis_stream_arn"), into("msk_source_configuration.msk_cluster_arn"),
    Place("**.processors.parameters.parameter_value", Kind.ARN, Flow.PROCESS, when=("parameter_name", ("LambdaArn",))),
    process("extended_s3_configuration.data_format_conversion_configuration.schema_configuration.region",
            Kind.REGION),
    keep("server_side_encryption.key_arn", Kind.ARN), keep("**.cloudwatch_logging_options.log_group_name"),
)
_PIPE = (
    into("source", Kind.ANY), out("target"), process("enrichment"), keep("kms_key_identifier"),
    into("source_parameters.self_managed_kafka_parameters.additional_bootstrap_servers", Kind.HOST),
    out("source_parameters.dynamodb_stream_parameters.dead_letter_config.arn"),
    out("source_parameters.kinesis_stream_parameters.dead_letter_config.arn"),
    process("target_parameters.ecs_task_parameters.task_definition_arn"),
    out("target_parameters.eventbridge_event_bus_parameters.endpoint_id", Kind.NAME_OR_ARN),
    keep("log_configuration.cloudwatch_logs_log_destination.log_group_arn", Kind.ARN),
    keep("log_configuration.firehose_log_destination.delivery_stream_arn", Kind.ARN),
    keep("log_configuration.s3_log_destination.bucket_name", Kind.BUCKET),
    keep("log_configuration.s3_log_destination.bucket_owner", Kind.ACCOUNT),
)
_RECEIPT_ACTIONS = ("bounce_action", "lambda_action", "s3_action", "sns_action", "stop_action", "workmail_action")
_SES_V2_DESTINATIONS = ("event_bridge_destination.event_bus_arn", "kinesis_firehose_destination.delivery_stream_arn",
                        "pinpoint_destination.application_arn", "sns_destination.topic_arn")

ENTRIES: tuple[Entry, ...] = (
    # SQS
    _e("aws_sqs_queue", keep("kms_master_key_id"), _DLQ, _REDRIVE_SOURCES, policies=(resource_policy(),),
       personal=True),
    _e("aws_sqs_queue_policy", _QUEUE, policies=(resource_policy(),)),
    _e("aws_sqs_queue_redrive_policy", _QUEUE, out("redrive_policy#deadLetterTargetArn")),
    _e("aws_sqs_queue_redrive_allow_policy", _QUEUE, _REDRIVE_SOURCES),
    # SNS
    # In global too: the directory replicas' lag alarms go to global's own alarm topic (its subscriptions are
    # copies out like anywhere else, but for the operator addresses `alerts:` lists on that alarm-only topic).
    _e("aws_sns_topic", keep("kms_master_key_id"), policies=(resource_policy(),), personal=True,
       note="A FIFO topic's archive_policy keeps messages in the topic's region", ws=REGION_AND_GLOBAL),
    _e("aws_sns_topic_policy", keep("arn", Kind.ARN), policies=(resource_policy(),), ws=REGION_AND_GLOBAL),
    _e("aws_sns_topic_subscription", keep("topic_arn", Kind.ARN), out("endpoint", Kind.ANY), _DLQ,
       note="email, sms and http(s) endpoints leave AWS: the endpoint is read by protocol", ws=REGION_AND_GLOBAL),
    _e("aws_sns_topic_data_protection_policy", keep("arn", Kind.ARN)),
    _e("aws_sns_platform_application", process("platform", Kind.UNPLACEABLE),
       *(out(f"event_{name}_topic_arn") for name in ("delivery_failure", "endpoint_created", "endpoint_deleted",
                                                      "endpoint_updated")),
       note="Push notifications are delivered by Apple, Google, Amazon or Baidu outside any AWS region"),
    _e("aws_sns_sms_preferences", out("usage_report_s3_bucket", Kind.BUCKET),
       note="Region-wide; usage reports list phone numbers; SMS travel through carriers"),
    # EventBridge
    _e("aws_cloudwatch_event_bus", keep("kms_key_identifier"), out("dead_letter_config.arn"),
       into("event_source_name", Kind.NAME_OR_ARN), personal=True),
    _e("aws_cloudwatch_event_bus_policy", _BUS, policies=(resource_policy(),)),
    _e("aws_cloudwatch_event_permission", _BUS, access("principal", Kind.PRINCIPAL)),
    _e("aws_cloudwatch_event_rule", _BUS),
    _e("aws_cloudwatch_event_target", _BUS, out("arn"), out("dead_letter_config.arn"),
       process("ecs_target.task_definition_arn"), process("batch_target.job_definition", Kind.NAME_OR_ARN)),
    _e("aws_cloudwatch_event_api_destination", out("invocation_endpoint", Kind.HOST)),
    _e("aws_cloudwatch_event_connection", keep("kms_key_identifier"),
       process("auth_parameters.oauth.authorization_endpoint", Kind.HOST),
       process("invocation_connectivity_parameters.resource_parameters.resource_configuration_arn")),
    _e("aws_cloudwatch_event_archive", into("event_source_arn"), personal=True),
    _e("aws_cloudwatch_event_endpoint", out("event_bus.event_bus_arn"),
       out("replication_config.state", Kind.UNPLACEABLE),
       out("routing_config.failover_config.secondary.route", Kind.REGION),
       note="A global endpoint spans two regions by design"),
    # EventBridge Scheduler and Pipes
    _e("aws_scheduler_schedule", keep("kms_key_arn", Kind.ARN), out("target.arn"), out("target.dead_letter_config.arn"),
       process("target.ecs_parameters.task_definition_arn"),
       *(out(f"target.input#**.{key}", kind) for key, kind in SERVICE_CALL_TARGETS),
       note="A universal target (arn:aws:scheduler:::aws-sdk:...) calls any API: its input names the target"),
    _e("aws_scheduler_schedule_group"),
    _e("aws_pipes_pipe", *_PIPE),
    # Kinesis and Firehose
    _e("aws_kinesis_stream", keep("kms_key_id"), personal=True),
    _e("aws_kinesis_stream_consumer", keep("stream_arn", Kind.ARN)),
    _e("aws_kinesis_resource_policy", keep("resource_arn", Kind.ARN), policies=(resource_policy(),)),
    _e("aws_kinesis_firehose_delivery_stream", *_FIREHOSE, personal=True,
       note="Buffers records; http_endpoint, snowflake and splunk deliver outside AWS"),
    # SES
    _e("aws_ses_domain_identity"),
    _e("aws_ses_domain_identity_verification"),
    _e("aws_ses_email_identity"),
    _e("aws_ses_domain_dkim"),
    _e("aws_ses_domain_mail_from"),
    _e("aws_ses_identity_policy", policies=(resource_policy(),)),
    _e("aws_ses_identity_notification_topic", out("topic_arn"), note="Bounces and complaints name recipients"),
    _e("aws_ses_configuration_set", process("tracking_options.custom_redirect_domain", Kind.HOST)),
    _e("aws_ses_event_destination", out("kinesis_destination.stream_arn"), out("sns_destination.topic_arn")),
    _e("aws_ses_receipt_rule", *(out(f"{action}.topic_arn") for action in _RECEIPT_ACTIONS),
       out("s3_action.bucket_name", Kind.BUCKET), out("s3_action.kms_key_arn"), process("lambda_action.function_arn"),
       out("workmail_action.organization_arn"), note="Handles received mail"),
    _e("aws_ses_receipt_rule_set"),
    _e("aws_ses_active_receipt_rule_set"),
    _e("aws_ses_template"),
    _e("aws_sesv2_email_identity"),
    _e("aws_sesv2_email_identity_policy", policies=(resource_policy(),)),
    _e("aws_sesv2_email_identity_mail_from_attributes"),
    _e("aws_sesv2_email_identity_feedback_attributes"),
    _e("aws_sesv2_configuration_set", process("tracking_options.custom_redirect_domain", Kind.HOST)),
    _e("aws_sesv2_configuration_set_event_destination",
       *(out(f"event_destination.{path}") for path in _SES_V2_DESTINATIONS),
       note="Sending events name recipients"),
    _e("aws_sesv2_contact_list", personal=True, note="Keeps contacts (email addresses)"),
)
