"""An open-world adversarial corpus: personal data leaving through places that do not look like places.

The harness, bases and helpers are tests/guard/adversarial_harness.py's; the cases are written the way a product
team writes configuration (shapes copied from vendors' docs), by seven classes:

1. hosts: sites, hosts and addresses without a scheme (env vars, parameters, AppConfig, container definitions,
   FireLens and Docker log drivers, SMTP relays, IP literals, observability and analytics sites, Kafka lists);
2. files: strings Terraform builds with file(), templatefile() and filebase64() from files in the workspace;
3. countries: regions.yaml country lists and routing (each case its own small regions.yaml, synthesized);
4. exceptions: an exception excuses exactly the workspace, resource, rule and destination it was reviewed for;
5. routes and the edge: VPN, Direct Connect, transit gateway and VPC peering paths; WAF samples and logs,
   CloudFront logs and origins in global;
6. stores: every kind of store `region retire` cannot see, undeclared or declared with a kind it cannot handle;
7. legitimate setups that look suspicious (false positives).

Every leak must make the rule meant for it fire in that workspace (other rules may fire too). An expected
verdict is one or more alternatives separated by "|": a rule id; "any" (some finding in the workspace: used
where the rule is a judgement call, said beside the case); "refused:TEXT" (regions.yaml is refused, the
message naming TEXT); "warned:TEXT" (a warning of the report names TEXT). Each legitimate twin must stay clean
everywhere. A case that fails today stays, xfail(strict), in MISSED or FALSE_POSITIVES with what was found.

Written against the contract residency is moving to (regions.yaml `processors:`, exceptions with a required
workspace and destination, `countries: [EU]`, every EU member state routed to an EU region when there is one),
without reading the rules' code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from residency.config import Config, load_config
from residency.errors import ConfigError
from residency.guard.check import check_synthesized
from tests.guard.adversarial_harness import (
    ACCOUNT,
    ACCOUNT_ID,
    BASES,
    BUCKET_ID,
    EU,
    FUNCTION_ARN,
    GLOBAL,
    KEY_ARN,
    OWN_QUEUE,
    OWN_TOPIC,
    QUEUE,
    ROLE_ARN,
    RULE,
    SIX_REGIONS,
    TABLE_ARN,
    TOPIC,
    US,
    US_BUCKET_NAME,
    US_FUNCTION,
    US_QUEUE,
    US_TOPIC,
    VPC,
    Bases,
    Case,
    Change,
    Edit,
    add,
    allow,
    body,
    case,
    distribution,
    doc,
    document_of,
    ecs_service,
    env,
    event_target,
    extra_file,
    files,
    invoke_config,
    made_once,
    mutated,
    origin,
    params,
    policy,
    record,
    remote,
    rest_api,
    six_regions_on_aws,
    state_machine,
    synthesized,
    undeclared,
    update,
)

EU_WEST, US_WEST = "eu-west-1", "us-west-2"
CONTRACT = "contract"  # the six regions with processors and exceptions (below)
IMAGE = f"{ACCOUNT_ID}.dkr.ecr.eu-central-1.amazonaws.com/acme/worker:1.4.2"
DD_SECRET = {"aws_secretsmanager_secret.dd": {"name": "acme-six-eu-central-1-datadog-api-key", "kms_key_id": KEY_ARN}}
LOG_ROUTER = {"name": "log_router", "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
              "essential": True, "firelensConfiguration": {"type": "fluentbit",
                                                           "options": {"enable-ecs-log-metadata": "true"}},
              "logConfiguration": {"logDriver": "awslogs", "options": {
                  "awslogs-region": EU, "awslogs-group": "/acme/firelens", "awslogs-stream-prefix": "firelens"}}}
# Where Lambda mounts a function's layers inside its sandbox (every runtime); the ADOT layer documents its wrapper
# script there. A value of the synthesized configuration, never read on the machine running the tests.
LAMBDA_LAYERS_DIR = PurePosixPath("/opt")
ADOT_WRAPPER = str(LAMBDA_LAYERS_DIR / "otel-instrument")
DATADOG_LAYER = "arn:aws:lambda:eu-central-1:464622532012:layer:Datadog-Extension:65"  # Datadog's public layer
EU_MEMBER_STATES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
                    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
# Where EU law applies too: parts of member states with ISO codes of their own (Aland, the French outermost
# regions, Saint-Martin: TFEU 349, 355), and the EEA states (the GDPR applies through the EEA Agreement).
EU_TERRITORIES = ("AX", "GF", "GP", "MF", "MQ", "RE", "YT")
EU_LAW_TOO = (*EU_TERRITORIES, "IS", "LI", "NO")
EU_ALL = EU_MEMBER_STATES + EU_LAW_TOO


# ----------------------------------------------------------------------------------------- bases


@dataclass(frozen=True)
class Refused:
    """regions.yaml was refused by the loader (nothing was synthesized)."""

    message: str


Built = tuple[Config, Path] | Refused


def _geo(*regions: str, routing: str = "geolocation") -> str:
    """A small regions.yaml (aws target, a domain) with these regions."""
    return ("project: acme-geo\ntarget: aws\ndomain: example.com\nglobal:\n  region: us-east-1\n"
            f"  routing: {routing}\nregions:\n" + "".join(regions))


def _region(code: str, jurisdiction: str, countries: Iterable[str] = (), default: bool = False) -> str:
    text = f"  {code}:\n    jurisdiction: {jurisdiction}\n"
    listed = list(countries)
    if listed:
        text += f"    countries: [{', '.join(listed)}]\n"
    return text + ("    default: true\n" if default else "")


def _but(*left_out: str) -> list[str]:
    return [country for country in EU_ALL if country not in left_out]


REASON = "reason: \"Reviewed by the DPO with the partner's SCCs, ticket PRIV-{}\"\n    expires: \"2027-12-31\"\n"
PROCESSORS = """processors:
  - name: datadog-eu
    hosts: ["datadoghq.eu", "*.datadoghq.eu"]
    jurisdiction: EU
    purpose: "observability: traces and logs"
    regions: [eu-central-1]
  - name: mailgun-eu
    hosts: ["smtp.eu.mailgun.org", "api.eu.mailgun.net"]
    jurisdiction: EU
    purpose: "transactional email: sign-up confirmations"
  - name: confluent-eu
    hosts: ["*.eu-central-1.aws.confluent.cloud"]
    jurisdiction: EU
    purpose: "event streaming (Confluent Cloud, Frankfurt)"
    regions: [eu-central-1]
  - name: zendesk-eu
    hosts: ["acme.zendesk.com"]
    jurisdiction: EU
    purpose: "support tickets (EU data locality)"
    regions: [eu-west-1]
  - name: stripe
    hosts: ["api.stripe.com", "files.stripe.com"]
    jurisdiction: US
    purpose: "payments"
"""
EXCEPTIONS = "exceptions:\n" + "".join(f"  - {entry}    {REASON.format(ticket)}" for ticket, entry in enumerate((
    "rule: RES011\n    workspace: eu-central-1\n    resource: aws_lambda_function.partner_sync\n"
    "    destination: hooks.partner.example\n",
    f"rule: RES002\n    workspace: eu-central-1\n    resource: aws_lambda_function_event_invoke_config.async\n"
    f"    destination: \"{US_QUEUE}\"\n",
    "rule: RES011\n    workspaces: [eu-central-1, eu-west-1]\n    resource: aws_ssm_parameter.partner_upload\n"
    "    destination: files.partner.example\n",
    "rule: RES011\n    workspace: eu-central-1\n    resource: aws_sfn_state_machine.flow\n"
    "    destination: hooks.partner.example\n",
    # nothing has this address any more: the legacy backend was removed
    "rule: RES010\n    workspace: eu-central-1\n    resource: aws_apigatewayv2_integration.legacy_backend\n"
    "    destination: backend.partner.example\n"), start=100))


def _six_with_exception(entry: str) -> str:
    return SIX_REGIONS.read_text() + f"exceptions:\n  - {entry}    {REASON.format(200)}"


# Bases of this module besides the shared ones: name -> regions.yaml text ("refusal/..." are only loaded).
OWN_BASES: dict[str, str] = {
    # countries (3.)
    "geo/DE under us-east-1": _geo(_region(EU, "EU", _but("DE")), _region(US, "US", ["US", "DE"], default=True)),
    "geo/EU members left unlisted": _geo(_region(EU, "EU", ["DE", "AT", "NL"]), _region(EU_WEST, "EU", ["IE", "FR"]),
                                         _region(US, "US", ["US"], default=True)),
    "geo/EU outermost regions left unlisted": _geo(_region(EU, "EU", [
        country for country in EU_ALL if country not in EU_TERRITORIES]), _region(US, "US", ["US"], default=True)),
    "geo/PL under ap-southeast-2": _geo(_region(EU, "EU", _but("PL")), _region("ap-southeast-2", "AU", [
        "AU", "NZ", "PL"]), _region(US, "US", ["US"], default=True)),
    "geo/latency across EU and US": _geo(_region(EU, "EU"), _region(US, "US"), routing="latency"),
    "geo/latency across EU and CH": _geo(_region(EU, "EU"), _region("eu-central-2", "CH"), routing="latency"),
    "geo/CH under eu-central-1 with a CH region": _geo(_region(EU, "EU", [*EU_ALL, "CH"]), _region(
        "eu-central-2", "CH"), _region(US, "US", ["US"], default=True)),
    "geo/GB under eu-west-1 with a UK region": _geo(_region(EU_WEST, "EU", [*EU_ALL, "GB"]), _region(
        "eu-west-2", "UK"), _region(US, "US", ["US"], default=True)),
    "geo/NZ under ap-southeast-2 with an NZ region": _geo(_region("ap-southeast-2", "AU", ["AU", "NZ"]), _region(
        "ap-southeast-6", "NZ"), _region(US, "US", ["US"], default=True)),
    "geo/PR under eu-central-1": _geo(_region(EU, "EU", [*EU_ALL, "PR"]), _region(US, "US", ["US"], default=True)),
    "geo/[EU] with the default in the US": _geo(_region(EU, "EU", ["EU"]), _region(US, "US", ["US"], default=True)),
    "geo/latency across EU regions only": _geo(_region(EU, "EU"), _region(EU_WEST, "EU"), routing="latency"),
    "geo/NZ under ap-southeast-2 without an NZ region": _geo(_region("ap-southeast-2", "AU", ["AU", "NZ"]), _region(
        US, "US", ["US"], default=True)),
    "geo/every EU country listed over two EU regions": _geo(_region(EU, "EU", _but("IE")), _region(
        EU_WEST, "EU", ["IE"]), _region(US, "US", ["US"], default=True)),
    # exceptions that must be refused (4.)
    "refusal/exception without a workspace": _six_with_exception(
        "rule: RES011\n    resource: aws_ssm_parameter.partner_upload\n    destination: files.partner.example\n"),
    "refusal/exception for an empty list of workspaces": _six_with_exception(
        "rule: RES011\n    workspaces: []\n    resource: aws_ssm_parameter.partner_upload\n"
        "    destination: files.partner.example\n"),
    "refusal/exception for workspace all": _six_with_exception(
        "rule: RES011\n    workspace: all\n    resource: aws_ssm_parameter.partner_upload\n"
        "    destination: files.partner.example\n"),
    "refusal/exception without a destination": _six_with_exception(
        "rule: RES011\n    workspace: eu-central-1\n    resource: aws_ssm_parameter.partner_upload\n"),
}


def _build(name: str, directory: Path) -> Built:
    if name == CONTRACT:
        config_file = six_regions_on_aws(directory, PROCESSORS + EXCEPTIONS, scp=False)
    else:
        config_file = directory / "regions.yaml"
        config_file.write_text(OWN_BASES[name])
    try:
        config = load_config(config_file)
    except ConfigError as refused:
        return Refused(refused.message)
    if name.startswith("refusal/"):
        return config, directory / "cdktf.out"
    return config, synthesized(config, directory)


@pytest.fixture(scope="module")
def open_bases(bases: Bases, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Built]:
    """The shared bases, and this module's, each made once when first asked for."""
    own = made_once(_build, tmp_path_factory)
    return lambda name: bases(name) if name in BASES else own(name)


def unchanged(directory: Path) -> None:
    """No change to the output: the case is its regions.yaml."""


def geo_case(expected: str, name: str) -> Case:
    assert name in OWN_BASES, name
    return (name, GLOBAL, expected, unchanged)


# ------------------------------------------------------------------------------------- how to change


def also_in(workspaces: Iterable[str], *edits: Edit) -> Change:
    """The same edits in the case's workspace and in each of `workspaces` (siblings in cdktf.out/stacks)."""
    names = list(workspaces)

    def change(directory: Path) -> None:
        for each in [directory, *(directory.parent / name for name in names)]:
            doc(*edits)(each)
    return change


def task(*containers: dict[str, Any], **more: Any) -> Edit:
    """A Fargate task definition with these containers (JSON text, as teams write it)."""
    return add("aws_ecs_task_definition.worker", {
        "family": "worker", "requires_compatibilities": ["FARGATE"], "network_mode": "awsvpc", "cpu": "512",
        "memory": "1024", "execution_role_arn": ROLE_ARN, "task_role_arn": ROLE_ARN,
        "container_definitions": json.dumps(list(containers)), **more})


def app(**values: Any) -> dict[str, Any]:
    return {"name": "app", "image": IMAGE, "essential": True, **values}


def firelens(**options: str) -> dict[str, Any]:
    """The app container, its logs routed by FireLens (Fluent Bit) with these output options."""
    return app(logConfiguration={"logDriver": "awsfirelens", "options": options, "secretOptions": [
        {"name": "apikey", "valueFrom": "${aws_secretsmanager_secret.dd.arn}"}]})


def parameter(value: str, name: str = "upstream", **more: Any) -> Edit:
    return add(f"aws_ssm_parameter.{name}", {"name": f"/acme/{name.replace('_', '-')}", "type": "String",
                                             "value": value, **more})


def appconfig(content: str) -> Edit:
    return add({
        "aws_appconfig_application.app": {"name": "acme-six-eu-central-1"},
        "aws_appconfig_configuration_profile.settings": {
            "application_id": "${aws_appconfig_application.app.id}", "name": "settings", "location_uri": "hosted",
            "type": "AWS.Freeform"},
        "aws_appconfig_hosted_configuration_version.settings": {
            "application_id": "${aws_appconfig_application.app.id}",
            "configuration_profile_id": "${aws_appconfig_configuration_profile.settings.configuration_profile_id}",
            "content_type": "application/json", "content": content}})


def http_task(endpoint: str, connection: str = "partner") -> Edit:
    """A state machine calling an HTTPS API through an EventBridge connection of the region."""
    def edit(document: dict[str, Any]) -> None:
        add(f"aws_cloudwatch_event_connection.{connection}", {
            "name": connection, "authorization_type": "API_KEY",
            "auth_parameters": {"api_key": {"key": "Authorization", "value": "Bearer redacted"}}})(document)
        state_machine({"Resource": "arn:aws:states:::http:invoke", "Parameters": {
            "ApiEndpoint": endpoint, "Method": "POST", "RequestBody.$": "$.customer",
            "Authentication": {"ConnectionArn": f"${{aws_cloudwatch_event_connection.{connection}.arn}}"}}})(document)
    return edit


def partner_function(**variables: str) -> Edit:
    """A second function of the region (the API function's package), with a role of its own and this environment."""
    def edit(document: dict[str, Any]) -> None:
        api = body(document, "aws_lambda_function", "api-function")
        region = document["provider"]["aws"][0]["region"]
        document["resource"]["aws_iam_role"]["partner_sync"] = {
            "name": f"acme-six-{region}-partner-sync", "assume_role_policy": document_of(
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}})}
        function = {key: value for key, value in api.items() if key not in ("//", "depends_on", "environment")}
        function.update(function_name=f"acme-six-{region}-partner-sync", role="${aws_iam_role.partner_sync.arn}",
                        environment={"variables": variables})
        document["resource"]["aws_lambda_function"]["partner_sync"] = function
    return edit


def vpc(*more: dict[str, dict]) -> Edit:
    """The region's VPC with two private subnets and a private route table, and more resources."""
    blocks: dict[str, dict] = {**VPC,
                               "aws_subnet.a": {"vpc_id": "${aws_vpc.main.id}", "cidr_block": "10.0.1.0/24",
                                                "availability_zone": "eu-central-1a"},
                               "aws_subnet.b": {"vpc_id": "${aws_vpc.main.id}", "cidr_block": "10.0.2.0/24",
                                                "availability_zone": "eu-central-1b"},
                               "aws_route_table.private": {"vpc_id": "${aws_vpc.main.id}"}}
    for each in more:
        blocks.update(each)
    return add(blocks)


def route(destination: str, **target: str) -> dict[str, dict]:
    return {f"aws_route.to_{destination.split('/')[0].replace('.', '_')}": {
        "route_table_id": "${aws_route_table.private.id}", "destination_cidr_block": destination, **target}}


def declared_as(kind: str, address: str, block: dict[str, Any], name_attribute: str = "id") -> Edit:
    """A store added, protected and listed in personal_data_stores with `kind`."""
    def edit(document: dict[str, Any]) -> None:
        undeclared(address, block)(document)
        document["output"]["personal_data_stores"]["value"].append(
            {"address": address, "kind": kind, "name": f"${{{address}.{name_attribute}}}"})
    return edit


def waf(edit: Callable[[dict[str, Any]], Any]) -> Edit:
    return lambda document: edit(body(document, "aws_wafv2_web_acl", "frontend"))


# --------------------------------------------------------------------------------------- the corpus
# 1. Hosts: places that do not look like places (RES011 for a string naming a place; RES010 processing;
#    RES002 a catalog copy).
HOSTS: dict[str, Case] = {
    "DD_SITE=datadoghq.com in an EU function": case("RES011", env(DD_SITE="datadoghq.com")),
    # no string names the place: the Datadog extension sends to datadoghq.com unless DD_SITE says otherwise
    "Datadog Lambda extension without DD_SITE (its default is the US site)": case("any", add(DD_SECRET), update(
        "aws_lambda_function", "api-function", layers=[DATADOG_LAYER]), env(
            DD_API_KEY_SECRET_ARN="${aws_secretsmanager_secret.dd.arn}", DD_SERVERLESS_LOGS_ENABLED="true")),
    "Datadog agent sidecar with DD_SITE=us5.datadoghq.com": case("RES011", add(DD_SECRET), task(
        app(), {"name": "datadog-agent", "image": "public.ecr.aws/datadog/agent:7", "essential": True,
                "environment": [{"name": "DD_SITE", "value": "us5.datadoghq.com"},
                                {"name": "ECS_FARGATE", "value": "true"}],
                "secrets": [{"name": "DD_API_KEY", "valueFrom": "${aws_secretsmanager_secret.dd.arn}"}]})),
    "FireLens sends container logs to Datadog's US intake": case("RES011", add(DD_SECRET), task(firelens(
        Name="datadog", Host="http-intake.logs.datadoghq.com", TLS="on", compress="gzip", dd_service="worker",
        dd_source="python", dd_tags="team:accounts", provider="ecs"), LOG_ROUTER)),
    # no string names the place: Fluent Bit's datadog output defaults Host to http-intake.logs.datadoghq.com
    "FireLens datadog output without Host (its default is the US intake)": case("any", add(DD_SECRET), task(
        firelens(Name="datadog", TLS="on", dd_service="worker", dd_source="python", provider="ecs"), LOG_ROUTER)),
    "FireLens http output to a partner's log host": case("RES011", add(DD_SECRET), task(firelens(
        Name="http", Host="logs.partner.example", Port="443", URI="/v1/ingest", Format="json_lines", tls="on"),
        LOG_ROUTER)),
    "fluentd log driver to a partner's aggregator host:port": case("RES011", task(app(logConfiguration={
        "logDriver": "fluentd", "options": {"fluentd-address": "fluentd.partner.example:24224",
                                            "tag": "acme.worker"}}), requires_compatibilities=["EC2"],
        network_mode="bridge")),
    "syslog log driver to a partner's IPv4 address": case("RES011", task(app(logConfiguration={
        "logDriver": "syslog", "options": {"syslog-address": "tcp+tls://198.51.100.23:6514",
                                           "syslog-format": "rfc5424"}}), requires_compatibilities=["EC2"],
        network_mode="bridge")),
    "New Relic APM collector host of the US": case("RES011", env(
        NEW_RELIC_HOST="collector.newrelic.com", NEW_RELIC_APP_NAME="accounts")),
    # also RES007: the DSN's key before '@' is read as an email address (see the EU twin)
    "Sentry DSN on Sentry's US ingest": case("RES011", env(
        SENTRY_DSN="https://4f1c2e9ab3d44c7f8e2a1b0c9d8e7f6a@o450123.ingest.us.sentry.io/4506789012345678")),
    "Honeycomb OTLP endpoint as host:port": case("RES011", env(
        OTEL_EXPORTER_OTLP_ENDPOINT="api.honeycomb.io:443", OTEL_EXPORTER_OTLP_PROTOCOL="grpc")),
    "Mixpanel API host": case("RES011", env(MIXPANEL_API_HOST="api.mixpanel.com")),
    "Segment write host": case("RES011", env(SEGMENT_HOST="api.segment.io")),
    "SMTP relay host:port of Mailgun's US region": case("RES011", env(SMTP_RELAY="smtp.mailgun.org:587")),
    "partner SFTP as an IPv4 literal": case("RES011", env(SFTP_HOST="203.0.113.10", SFTP_PORT="22")),
    "syslog target as an IPv6 literal": case("RES011", env(SYSLOG_TARGET="[2001:db8:4006:812::200e]:6514")),
    "Postgres host without scheme on Neon in us-east-2": case("RES011", env(
        PGHOST="ep-cool-darkness-123456.us-east-2.aws.neon.tech", PGDATABASE="accounts")),
    "Snowflake account host in Azure East US 2": case("RES011", env(
        SNOWFLAKE_HOST="xy12345.east-us-2.azure.snowflakecomputing.com")),
    "Redis Cloud endpoint in us-east-1": case("RES011", env(
        REDIS_ADDR="redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345")),
    "BigQuery dataset location US": case("RES011", env(
        BQ_DATASET_LOCATION="US", GOOGLE_CLOUD_PROJECT="acme-analytics")),
    "parameter with a Kafka bootstrap list whose third broker is a partner's": case("RES011", parameter(
        "b-1.users.abc123.c2.kafka.eu-central-1.amazonaws.com:9094,"
        "b-2.users.abc123.c2.kafka.eu-central-1.amazonaws.com:9094,kafka-dr.partner.example:9094",
        name="kafka_bootstrap")),
    "parameter holding JSON with a webhook host": case("RES011", parameter(json.dumps(
        {"slack": {"host": "hooks.slack.com", "path": "/services/T0000000/B0000000/XXXXXXXX"}}),
        name="alerts_webhook")),
    "AppConfig hosted configuration naming an analytics host": case("RES011", appconfig(json.dumps(
        {"analytics": {"host": "api.mixpanel.com", "batchSize": 50}, "features": {"newSignup": True}}))),
    "Step Functions HTTP task to Stripe": case("RES010", http_task("https://api.stripe.com/v1/customers")),
    "EventBridge API destination to Datadog's US events API": case("RES002", add(RULE), add({
        "aws_cloudwatch_event_connection.dd": {"name": "datadog", "authorization_type": "API_KEY",
                                               "auth_parameters": {"api_key": {"key": "DD-API-KEY",
                                                                               "value": "redacted"}}},
        "aws_cloudwatch_event_api_destination.dd": {
            "name": "datadog-events", "invocation_endpoint": "https://api.datadoghq.com/api/v1/events",
            "http_method": "POST", "invocation_rate_limit_per_second": 20,
            "connection_arn": "${aws_cloudwatch_event_connection.dd.arn}"},
        "aws_cloudwatch_event_target.dd": {"rule": "${aws_cloudwatch_event_rule.signups.name}",
                                           "arn": "${aws_cloudwatch_event_api_destination.dd.arn}",
                                           "role_arn": ROLE_ARN}})),
    # With processors declared (base "contract"): a declaration does not make another jurisdiction's host fine.
    "a declared processor of the US (Stripe) called from the EU": case(
        "RES010|RES011", env(STRIPE_API_BASE="api.stripe.com"), base=CONTRACT),
    "a processor declared for eu-west-1 only, used from eu-central-1": case(
        "RES010|RES011", env(ZENDESK_HOST="acme.zendesk.com"), base=CONTRACT),
    "a host that only starts with a processor's domain": case(
        "RES011", env(DD_SITE="datadoghq.eu.partner.example"), base=CONTRACT),
    "a host that only ends like a processor's domain": case(
        "RES011", env(DD_SITE="logs-datadoghq.eu"), base=CONTRACT),
    "DD_SITE=datadoghq.com with datadog-eu declared": case(
        "RES011", env(DD_SITE="datadoghq.com"), base=CONTRACT),
}

HOSTS_OK: dict[str, Case] = {
    "DD_SITE=datadoghq.eu in eu-central-1": case("", env(DD_SITE="datadoghq.eu")),
    "Datadog Lambda extension (Datadog's layer) with DD_SITE=datadoghq.eu": case("", add(DD_SECRET), update(
        "aws_lambda_function", "api-function", layers=[DATADOG_LAYER]), env(
            DD_SITE="datadoghq.eu", DD_API_KEY_SECRET_ARN="${aws_secretsmanager_secret.dd.arn}")),
    "FireLens sends container logs to Datadog's EU intake": case("", add(DD_SECRET), task(firelens(
        Name="datadog", Host="http-intake.logs.datadoghq.eu", TLS="on", compress="gzip", dd_service="worker",
        dd_source="python", provider="ecs"), LOG_ROUTER)),
    "Sentry DSN on Sentry's EU ingest": case("", env(
        SENTRY_DSN="https://4f1c2e9ab3d44c7f8e2a1b0c9d8e7f6a@o450123.ingest.de.sentry.io/4506789012345678")),
    "Honeycomb's EU endpoint": case("", env(OTEL_EXPORTER_OTLP_ENDPOINT="https://api.eu1.honeycomb.io:443")),
    "Mixpanel's EU API host": case("", env(MIXPANEL_API_HOST="api-eu.mixpanel.com")),
    "New Relic's EU collector": case("", env(NEW_RELIC_HOST="collector.eu01.nr-data.net")),
    "AppConfig hosted configuration naming the EU Datadog site": case("", appconfig(json.dumps(
        {"observability": {"site": "datadoghq.eu", "sampleRate": 0.1}}))),
    "regional AWS endpoints of the region, with and without scheme": case("", env(
        SQS_ENDPOINT="https://sqs.eu-central-1.amazonaws.com",
        BEDROCK_ENDPOINT="bedrock-runtime.eu-central-1.amazonaws.com",
        STS_ENDPOINT="sts.eu-central-1.amazonaws.com:443")),
    "the region's own resources by reference": case("", add({**QUEUE, **TOPIC}), env(
        JOBS_QUEUE_URL="${aws_sqs_queue.jobs.url}", EVENTS_TOPIC=OWN_TOPIC,
        API_BASE="${aws_apigatewayv2_api.@API@.api_endpoint}", DATA_BUCKET=BUCKET_ID)),
    "OpenTelemetry to the ADOT collector on localhost": case("", env(
        OTEL_EXPORTER_OTLP_ENDPOINT="http://localhost:4318", AWS_LAMBDA_EXEC_WRAPPER=ADOT_WRAPPER)),
    "handler, runtime, file names and versions": case("", update(
        "aws_lambda_function", "api-function", handler="index.handler", runtime="python3.12"), env(
            ENTRYPOINT="app.py", SETTINGS_FILE="settings.prod.json", APP_VERSION="1.2.3", SCHEMA_VERSION="2024.06.1",
            POWERTOOLS_SERVICE_NAME="accounts", LOG_LEVEL="INFO", TZ="Europe/Berlin")),
    "EventBridge input transformer with JSONPaths": case("", add(QUEUE), event_target(
        OWN_QUEUE, input_transformer={"input_paths": {"email": "$.detail.email", "id": "$.detail.id"},
                                      "input_template": "{\"id\": <id>, \"email\": <email>}"})),
    "a Bedrock EU inference profile id in the environment": case("", env(
        BEDROCK_MODEL_ID="eu.anthropic.claude-3-7-sonnet-20250219-v1:0")),
    "a private IP of the VPC and CIDR blocks": case("", vpc({"aws_security_group.db": {
        "name": "db", "vpc_id": "${aws_vpc.main.id}", "ingress": [{
            "from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"],
            "description": "postgres from the VPC", "ipv6_cidr_blocks": [], "prefix_list_ids": [],
            "security_groups": [], "self": False}]}}), env(DB_HOST="10.0.1.5", DB_PORT="5432")),
    "Mailgun's EU SMTP relay, a declared processor": case("", env(SMTP_RELAY="smtp.eu.mailgun.org:587"),
                                                                  base=CONTRACT),
    "Confluent's Frankfurt cluster, a declared processor, as a bootstrap list": case("", parameter(
        "pkc-r3kx1.eu-central-1.aws.confluent.cloud:9092,pkc-r3kx2.eu-central-1.aws.confluent.cloud:9092",
        name="kafka_bootstrap"), base=CONTRACT),
    "Zendesk, a processor declared for eu-west-1, used there": case("", env(ZENDESK_HOST="acme.zendesk.com"),
                                                                          ws=EU_WEST, base=CONTRACT),
    "Step Functions HTTP task to Mailgun's EU API, a declared processor": case("", http_task(
        "https://api.eu.mailgun.net/v3/mg.example.com/messages", connection="mailgun"), base=CONTRACT),
    "DD_SITE=datadoghq.eu with datadog-eu declared for eu-central-1": case("", env(DD_SITE="datadoghq.eu"),
                                                                                 base=CONTRACT),
}

# 2. Files read by file(), templatefile() and filebase64() (the workspace directory is Terraform's path.module).
GCP_KEY = json.dumps({"type": "service_account", "project_id": "acme-analytics", "private_key_id": "0123abcd",
                      "client_email": "exporter@acme-analytics.iam.gserviceaccount.com",
                      "token_uri": "https://oauth2.googleapis.com/token",
                      "auth_uri": "https://accounts.google.com/o/oauth2/auth"}, indent=2)
FLOW_TEMPLATE = """{
  "Comment": "Enrich and store a sign-up",
  "StartAt": "Enrich",
  "States": {
    "Enrich": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "${enrich}", "Payload.$": "$"}, "Next": "Store"},
    "Store": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
              "Parameters": {"TableName": "${table}", "Item": {"pk": {"S.$": "$.id"}}}, "End": true}
  }
}
"""
OPENAPI_TEMPLATE = """openapi: "3.0.1"
info:
  title: exports
  version: "1.0"
paths:
  /export:
    post:
      x-amazon-apigateway-integration:
        type: %s
        httpMethod: POST
        uri: "%s"
        payloadFormatVersion: "%s"
"""
FEATURE_FLAGS = json.dumps({"version": "1", "flags": {"new-signup": {"name": "new-signup"}},
                            "values": {"new-signup": {"enabled": True}}}, indent=2)


def http_api_with_body(body_expression: str) -> Edit:
    """An HTTP API imported from an OpenAPI document."""
    return add("aws_apigatewayv2_api.exports", {"name": "acme-six-eu-central-1-exports", "protocol_type": "HTTP",
                                                "body": body_expression})


def definition_from(expression: str) -> Edit:
    return add("aws_sfn_state_machine.flow", {"name": "acme-six-eu-central-1-flow", "role_arn": ROLE_ARN,
                                              "definition": expression})


FILES: dict[str, Case] = {
    # Caught today because file(...) inside trimspace(), chomp() or jsondecode() cannot be placed (fail closed), not
    # because the file is read (its legitimate twin, the EU Datadog site from a file, is refused the same way); the
    # template with a for-directive likewise.
    "function environment from a file holding a webhook URL": files("RES011", extra_file(
        "webhook.url", "https://hooks.partner.example/ingest\n"), doc(env(
            WEBHOOK='${trimspace(file("${path.module}/webhook.url"))}'))),
    "function environment from a local read with a relative path": files("RES011", extra_file(
        "webhook.url", "https://hooks.partner.example/ingest\n"), doc(lambda d: d.setdefault("locals", {}).update(
            webhook='${chomp(file("webhook.url"))}'), env(WEBHOOK="${local.webhook}"))),
    "AppConfig content from a JSON file naming an analytics endpoint": files("RES011", extra_file(
        "config/analytics.json", json.dumps({"analytics": {"endpoint": "https://api.mixpanel.com/track",
                                                           "batch": 50}})), doc(appconfig(
            '${file("${path.module}/config/analytics.json")}'))),
    "parameter from templatefile() whose variable is another region": files("RES011", extra_file(
        "upstream.tftpl", "https://sqs.${region}.amazonaws.com/${account}/exports"), doc(parameter(
            '${templatefile("${path.module}/upstream.tftpl", '
            '{region = "us-east-1", account = data.aws_caller_identity.account.account_id})}'))),
    "parameter from a template whose for-directive lists partner brokers": files("RES011", extra_file(
        "brokers.tftpl", "%{ for host in hosts ~}${host}:9094,%{ endfor ~}"), doc(parameter(
            '${trimsuffix(templatefile("${path.module}/brokers.tftpl", '
            '{hosts = ["kafka-1.partner.example", "kafka-2.partner.example"]}), ",")}', name="kafka_bootstrap"))),
    "OpenAPI body from a template whose backend is a partner's host": files("RES011", extra_file(
        "openapi.yaml.tftpl", OPENAPI_TEMPLATE % ("http_proxy", "https://${backend}/export", "1.0")), doc(
        http_api_with_body(
            '${templatefile("${path.module}/openapi.yaml.tftpl", {backend = "backend.partner.example"})}'))),
    "state machine from templatefile() invoking a function abroad": files("RES010", extra_file(
        "flow.asl.json.tftpl", FLOW_TEMPLATE), doc(definition_from(
            '${templatefile("${path.module}/flow.asl.json.tftpl", '
            f'{{enrich = "{US_FUNCTION}", table = aws_dynamodb_table.@TABLE@.name}})}}'))),
    "state machine from file() naming a function abroad in the file": files("RES010", extra_file(
        "flow.asl.json", FLOW_TEMPLATE.replace("${enrich}", US_FUNCTION).replace(
            "${table}", "acme-six-eu-central-1-data")), doc(definition_from(
                '${file("${path.module}/flow.asl.json")}'))),
    "secret binary from filebase64() of a Google service-account key": files("RES011", extra_file(
        "gcp-exporter.json", GCP_KEY), doc(add({
            "aws_secretsmanager_secret.gcp": {"name": "acme-six-eu-central-1-bigquery-exporter", "kms_key_id": KEY_ARN},
            "aws_secretsmanager_secret_version.gcp": {
                "secret_id": "${aws_secretsmanager_secret.gcp.id}",
                "secret_binary": '${filebase64("${path.module}/gcp-exporter.json")}'}}))),
    # also RES009: aws_launch_template is not in the catalog
    "launch template user data from filebase64() of a script syncing abroad": files("RES011", extra_file(
        "bootstrap.sh", "#!/bin/bash\nset -euo pipefail\n"
                        f"aws s3 sync /var/lib/app/exports s3://{US_BUCKET_NAME}/eu-exports/ --region us-east-1\n"),
        doc(add("aws_launch_template.worker", {
            "name_prefix": "worker-", "image_id": "ami-0abcdef1234567890", "instance_type": "t3.micro",
            "user_data": '${filebase64("${path.module}/bootstrap.sh")}'}))),
    "environment from jsondecode(file()) of a Kafka settings file": files("RES011", extra_file(
        "kafka.json", json.dumps({"bootstrap_servers": "pkc-619z3.us-east1.gcp.confluent.cloud:9092"})), doc(env(
            KAFKA_BOOTSTRAP='${jsondecode(file("${path.module}/kafka.json")).bootstrap_servers}'))),
    # cannot be read, so cannot be placed: which rule says so is the engine's choice
    "environment from a file that does not exist": case("any", env(
        PARTNER_ENDPOINTS='${file("${path.module}/partner-endpoints.json")}')),
    "environment from a file outside the workspace by an absolute path": case("any", env(
        UPSTREAM='${trimspace(file("/etc/acme/upstream.url"))}')),
}

FILES_OK: dict[str, Case] = {
    "state machine from templatefile() with the region's own function and table": files("", extra_file(
        "flow.asl.json.tftpl", FLOW_TEMPLATE), doc(definition_from(
            '${templatefile("${path.module}/flow.asl.json.tftpl", '
            '{enrich = aws_lambda_function.@FUNCTION@.arn, table = aws_dynamodb_table.@TABLE@.name})}'))),
    "OpenAPI body from a template integrating the region's own function": files("", extra_file(
        "openapi.yaml.tftpl", OPENAPI_TEMPLATE % (
            "aws_proxy", "arn:aws:apigateway:eu-central-1:lambda:path/2015-03-31/functions/${function_arn}"
                         "/invocations", "2.0")), doc(http_api_with_body(
            '${templatefile("${path.module}/openapi.yaml.tftpl", {function_arn = aws_lambda_function.@FUNCTION@.arn})}'
        ))),
    "AppConfig feature flags from a file that names no place": files("", extra_file(
        "config/flags.json", FEATURE_FLAGS), doc(appconfig('${file("${path.module}/config/flags.json")}'))),
    "parameter from templatefile() spelling the region's own queue URL": files("", extra_file(
        "queue-url.tftpl", "https://sqs.${region}.amazonaws.com/${account}/${queue}"), doc(add(QUEUE), parameter(
            '${templatefile("${path.module}/queue-url.tftpl", {region = "eu-central-1", '
            'account = data.aws_caller_identity.account.account_id, queue = aws_sqs_queue.jobs.name})}'))),
    "environment from a file holding the EU Datadog site": files("", extra_file(
        "dd-site.txt", "datadoghq.eu\n"), doc(env(DD_SITE='${trimspace(file("${path.module}/dd-site.txt"))}'))),
}

# 3. Countries: regions.yaml (each its own base, synthesized); RES005 in global, or regions.yaml refused naming it.
COUNTRIES: dict[str, Case] = {
    "DE listed under us-east-1 while eu-central-1 serves the EU": geo_case(
        "RES005|refused:DE", "geo/DE under us-east-1"),
    "EU members left unlisted with the default region in the US": geo_case(
        "RES005|refused:PL", "geo/EU members left unlisted"),
    "EU outermost regions (RE, GP, GF...) left unlisted with the default in the US": geo_case(
        "RES005|refused:RE", "geo/EU outermost regions left unlisted"),
    "PL listed under ap-southeast-2": geo_case("RES005|refused:PL", "geo/PL under ap-southeast-2"),
    "latency routing across EU and US regions": geo_case("RES005|refused:latency", "geo/latency across EU and US"),
    "latency routing across EU and CH regions": geo_case("RES005|refused:latency", "geo/latency across EU and CH"),
    "CH listed under eu-central-1 while eu-central-2 (CH) is listed": geo_case(
        "RES005|refused:CH", "geo/CH under eu-central-1 with a CH region"),
    "GB listed under eu-west-1 while eu-west-2 (UK) is listed": geo_case(
        "RES005|refused:GB", "geo/GB under eu-west-1 with a UK region"),
    "NZ listed under ap-southeast-2 while ap-southeast-6 (NZ) is listed": geo_case(
        "RES005|refused:NZ", "geo/NZ under ap-southeast-2 with an NZ region"),
    "PR (a US territory) listed under eu-central-1": geo_case("RES005|refused:PR", "geo/PR under eu-central-1"),
}

COUNTRIES_OK: dict[str, Case] = {
    "countries: [EU] on an EU region with the default in the US": geo_case("", "geo/[EU] with the default in the US"),
    "latency routing across EU regions only": geo_case("", "geo/latency across EU regions only"),
    "NZ routed to an AU region when no NZ region is listed": geo_case(
        "", "geo/NZ under ap-southeast-2 without an NZ region"),
    "every EU country listed, over two EU regions": geo_case("", "geo/every EU country listed over two EU regions"),
}

# 4. Exceptions (base "contract"): an exception excuses exactly what was reviewed.
PARTNER_UPLOAD = "https://files.partner.example/upload"
EXCEPTIONS_CASES: dict[str, Case] = {
    "an exception for one webhook host does not excuse a second host on the same function": case(
        "RES011", partner_function(WEBHOOK="https://hooks.partner.example/ingest",
                                   ANALYTICS_URL="https://collector.tracker.example/v1"), base=CONTRACT),
    "an exception for one function does not excuse the same host on another function": case(
        "RES011", env(WEBHOOK="https://hooks.partner.example/ingest"), base=CONTRACT),
    "an exception for eu-central-1 does not excuse the same address in eu-west-1": case(
        "RES011", partner_function(WEBHOOK="https://hooks.partner.example/ingest"), ws=EU_WEST, base=CONTRACT),
    "an exception for the queue abroad does not excuse the topic abroad on the same configuration": case(
        "RES002", invoke_config(on_success=US_QUEUE, on_failure=US_TOPIC), base=CONTRACT),
    "an exception for two workspaces does not excuse a third": case(
        "RES011", parameter(PARTNER_UPLOAD, name="partner_upload"), ws=US_WEST, base=CONTRACT),
    "an exception for one host does not excuse a second host in the same parameter": case(
        "RES011", parameter(f"{PARTNER_UPLOAD} https://files-dr.partner.example/upload", name="partner_upload"),
        base=CONTRACT),
    "an exception for RES011 does not excuse RES010 on the same host": case(
        "RES010", http_task("https://hooks.partner.example/users"), base=CONTRACT),
    "an exception without a workspace is refused": ("refusal/exception without a workspace", EU,
                                                     "refused:workspace", unchanged),
    "an exception for an empty list of workspaces is refused": ("refusal/exception for an empty list of workspaces",
                                                                EU, "refused:workspace", unchanged),
    "an exception for workspace 'all' is refused": ("refusal/exception for workspace all", EU, "refused:all",
                                                     unchanged),
    "an exception without a destination is refused": ("refusal/exception without a destination", EU,
                                                       "refused:destination", unchanged),
    "an exception that matches nothing is reported": (CONTRACT, EU, "warned:legacy_backend", unchanged),
}

EXCEPTIONS_OK: dict[str, Case] = {
    "an exception excuses the webhook host it names on its function": case(
        "", partner_function(WEBHOOK="https://hooks.partner.example/ingest"), base=CONTRACT),
    "an exception excuses the queue abroad it names": case("", invoke_config(on_success=US_QUEUE), base=CONTRACT),
    "an exception for two workspaces excuses the parameter in both": (CONTRACT, EU, "", also_in(
        [EU_WEST], parameter(PARTNER_UPLOAD, name="partner_upload"))),
}

# 5. Routes and the edge: networks that reach elsewhere (RES002), WAF and CloudFront in global (RES003, RES010).
CUSTOMER_GATEWAY = {"aws_customer_gateway.partner": {"bgp_asn": 65000, "ip_address": "198.51.100.7",
                                                     "type": "ipsec.1"}}
VPN_GATEWAY = {"aws_vpn_gateway.vpn": {"vpc_id": "${aws_vpc.main.id}", "amazon_side_asn": 64512}}
TGW = {"aws_ec2_transit_gateway.tgw": {"description": "acme-six-eu-central-1", "amazon_side_asn": 64513}}
CF_LOG_SOURCE = {"aws_cloudwatch_log_delivery_source.cf": {
    "name": "frontend-access", "log_type": "ACCESS_LOGS",
    "resource_arn": "${aws_cloudfront_distribution.frontend_distribution_2304128E.arn}"}}

ROUTES: dict[str, Case] = {
    "route to a VPN gateway made elsewhere": case("RES002", vpc(route("172.16.0.0/16",
                                                                      gateway_id="vgw-0a1b2c3d4e5f67890"))),
    "site-to-site VPN from the region's VPN gateway to a partner's customer gateway": case("RES002", vpc(
        VPN_GATEWAY, CUSTOMER_GATEWAY, {
            "aws_vpn_connection.partner": {"vpn_gateway_id": "${aws_vpn_gateway.vpn.id}",
                                           "customer_gateway_id": "${aws_customer_gateway.partner.id}",
                                           "type": "ipsec.1", "static_routes_only": True},
            "aws_vpn_connection_route.partner": {"destination_cidr_block": "172.16.0.0/16",
                                                 "vpn_connection_id": "${aws_vpn_connection.partner.id}"}},
        route("172.16.0.0/16", gateway_id="${aws_vpn_gateway.vpn.id}"))),
    "route propagation from a VPN to a partner's network": case("RES002", vpc(VPN_GATEWAY, CUSTOMER_GATEWAY, {
        "aws_vpn_connection.partner": {"vpn_gateway_id": "${aws_vpn_gateway.vpn.id}",
                                       "customer_gateway_id": "${aws_customer_gateway.partner.id}", "type": "ipsec.1"},
        "aws_vpn_gateway_route_propagation.private": {"vpn_gateway_id": "${aws_vpn_gateway.vpn.id}",
                                                      "route_table_id": "${aws_route_table.private.id}"}})),
    "Direct Connect gateway associated with the region's VPN gateway": case("RES002", vpc(VPN_GATEWAY, {
        "aws_dx_gateway.corp": {"name": "corp", "amazon_side_asn": "64514"},
        "aws_dx_gateway_association.corp": {"dx_gateway_id": "${aws_dx_gateway.corp.id}",
                                            "associated_gateway_id": "${aws_vpn_gateway.vpn.id}",
                                            "allowed_prefixes": ["10.0.0.0/16"]}})),
    "transit gateway peering attachment to a transit gateway in us-east-1": case("RES002", vpc(TGW, {
        "aws_ec2_transit_gateway_peering_attachment.us": {
            "transit_gateway_id": "${aws_ec2_transit_gateway.tgw.id}", "peer_region": US,
            "peer_transit_gateway_id": "tgw-0fedcba9876543210", "peer_account_id": ACCOUNT_ID}})),
    "transit gateway VPN attachment to a partner's customer gateway": case("RES002", vpc(TGW, CUSTOMER_GATEWAY, {
        "aws_vpn_connection.partner": {"transit_gateway_id": "${aws_ec2_transit_gateway.tgw.id}",
                                       "customer_gateway_id": "${aws_customer_gateway.partner.id}",
                                       "type": "ipsec.1"}})),
    "VPC peering to ca-central-1 with a route to it": case("RES002", vpc({
        "aws_vpc_peering_connection.ca": {"vpc_id": "${aws_vpc.main.id}", "peer_vpc_id": "vpc-0c0ffee0c0ffee000",
                                          "peer_region": "ca-central-1"}},
        route("10.40.0.0/16", vpc_peering_connection_id="${aws_vpc_peering_connection.ca.id}"))),
    "peering accepter for a request from a VPC nobody can place": case("RES002", vpc({
        "aws_vpc_peering_connection_accepter.partner": {"vpc_peering_connection_id": "pcx-0a1b2c3d4e5f67890",
                                                        "auto_accept": True}})),
    "route to a Cloud WAN core network": case("RES002", vpc(route(
        "10.50.0.0/16", core_network_arn=f"arn:aws:networkmanager::{ACCOUNT}:core-network/core-network-0123abcd"))),
    # global
    "WAF samples every country's requests": case("RES003", waf(lambda acl: acl["visibility_config"].__setitem__(
        "sampled_requests_enabled", True)), ws=GLOBAL),
    "a WAF rule samples the requests it matches": case("RES003", waf(lambda acl: acl["rule"][0][
        "visibility_config"].__setitem__("sampled_requests_enabled", True)), ws=GLOBAL),
    # also RES009 for the WAF logging configuration, the log delivery resources and the real-time log config
    "WAF logs every request to a log group of global": case("RES003", add({
        "aws_cloudwatch_log_group.waf": {"name": "aws-waf-logs-acme-six-frontend", "retention_in_days": 30},
        "aws_wafv2_web_acl_logging_configuration.frontend": {
            "resource_arn": "${aws_wafv2_web_acl.frontend_firewall_DDFFBAFC.arn}",
            "log_destination_configs": ["${aws_cloudwatch_log_group.waf.arn}"]}}), ws=GLOBAL),
    "CloudFront standard logging (v2) to a bucket": case("RES003", add({
        **CF_LOG_SOURCE,
        "aws_s3_bucket.cf_logs": {"bucket": "acme-six-global-cf-logs-${data.aws_caller_identity.account.account_id}"},
        "aws_cloudwatch_log_delivery_destination.cf": {
            "name": "frontend-access-s3", "output_format": "parquet",
            "delivery_destination_configuration": {"destination_resource_arn": "${aws_s3_bucket.cf_logs.arn}"}},
        "aws_cloudwatch_log_delivery.cf": {
            "delivery_source_name": "${aws_cloudwatch_log_delivery_source.cf.name}",
            "delivery_destination_arn": "${aws_cloudwatch_log_delivery_destination.cf.arn}"}}), ws=GLOBAL),
    "CloudFront legacy access logs to a logs bucket": case("RES003", add("aws_s3_bucket.cf_logs", {
        "bucket": "acme-six-global-cf-logs-${data.aws_caller_identity.account.account_id}"}), distribution(
        lambda dist: dist.__setitem__("logging_config", {
            "bucket": "${aws_s3_bucket.cf_logs.bucket_domain_name}", "include_cookies": False, "prefix": "cf/"})),
        ws=GLOBAL),
    "CloudFront real-time logs to a Kinesis stream": case("RES003", add({
        "aws_kinesis_stream.cf": {"name": "acme-six-frontend-realtime", "shard_count": 1,
                                  "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"},
        "aws_iam_role.cf_logs": {"name": "acme-six-cf-realtime-logs", "assume_role_policy": document_of(
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "cloudfront.amazonaws.com"}})},
        "aws_cloudfront_realtime_log_config.frontend": {
            "name": "frontend", "sampling_rate": 100, "fields": ["timestamp", "c-ip", "cs-uri-stem", "cs-cookie"],
            "endpoint": {"stream_type": "Kinesis", "kinesis_stream_config": {
                "role_arn": "${aws_iam_role.cf_logs.arn}", "stream_arn": "${aws_kinesis_stream.cf.arn}"}}}}),
        distribution(lambda dist: dist["default_cache_behavior"].__setitem__(
            "realtime_log_config_arn", "${aws_cloudfront_realtime_log_config.frontend.arn}")), ws=GLOBAL),
    "CloudFront origin at eu-central-1's API endpoint from its state": case("RES010", origin(
        f'${{replace({remote(EU, "api_endpoint")[2:-1]}, "https://", "")}}'), ws=GLOBAL),
    # CloudFront resolves the origin from its edge: Route 53 geolocation then answers for the edge's location, not
    # the user's country, and the edge ends TLS wherever it is
    "CloudFront origin at the country-routed api host": case("RES010", origin("api.example.com"), ws=GLOBAL),
}

ROUTES_OK: dict[str, Case] = {
    "private subnets reach the internet through the region's NAT gateway": case("", vpc({
        "aws_internet_gateway.igw": {"vpc_id": "${aws_vpc.main.id}"},
        "aws_eip.nat": {"domain": "vpc"},
        "aws_nat_gateway.nat": {"allocation_id": "${aws_eip.nat.id}", "subnet_id": "${aws_subnet.a.id}"},
        "aws_route_table.public": {"vpc_id": "${aws_vpc.main.id}", "route": [
            {"cidr_block": "0.0.0.0/0", "gateway_id": "${aws_internet_gateway.igw.id}"}]},
        "aws_route_table_association.b": {"subnet_id": "${aws_subnet.b.id}",
                                          "route_table_id": "${aws_route_table.private.id}"}},
        route("0.0.0.0/0", nat_gateway_id="${aws_nat_gateway.nat.id}"))),
    "IPv6 egress through the region's egress-only internet gateway": case("", vpc({
        "aws_egress_only_internet_gateway.v6": {"vpc_id": "${aws_vpc.main.id}"},
        "aws_route.v6": {"route_table_id": "${aws_route_table.private.id}", "destination_ipv6_cidr_block": "::/0",
                         "egress_only_gateway_id": "${aws_egress_only_internet_gateway.v6.id}"}})),
    "gateway and interface endpoints of the region's services": case("", vpc({
        "aws_security_group.endpoints": {"name": "endpoints", "vpc_id": "${aws_vpc.main.id}"},
        "aws_vpc_endpoint.s3": {"vpc_id": "${aws_vpc.main.id}", "service_name": "com.amazonaws.eu-central-1.s3",
                                "route_table_ids": ["${aws_route_table.private.id}"]},
        "aws_vpc_endpoint.secrets": {"vpc_id": "${aws_vpc.main.id}", "vpc_endpoint_type": "Interface",
                                     "service_name": "com.amazonaws.eu-central-1.secretsmanager",
                                     "private_dns_enabled": True,
                                     "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}"],
                                     "security_group_ids": ["${aws_security_group.endpoints.id}"]}})),
    "VPC peering with eu-west-1 and a route to it": case("", vpc({
        "aws_vpc_peering_connection.eu_west": {"vpc_id": "${aws_vpc.main.id}", "peer_vpc_id": "vpc-0e0e0e0e0e0e0e0e0",
                                               "peer_region": EU_WEST}},
        route("10.1.0.0/16", vpc_peering_connection_id="${aws_vpc_peering_connection.eu_west.id}"))),
    "a transit gateway of the region attaching only its own VPC": case("", vpc(TGW, {
        "aws_ec2_transit_gateway_vpc_attachment.main": {
            "transit_gateway_id": "${aws_ec2_transit_gateway.tgw.id}", "vpc_id": "${aws_vpc.main.id}",
            "subnet_ids": ["${aws_subnet.a.id}", "${aws_subnet.b.id}"]}},
        route("10.0.0.0/8", transit_gateway_id="${aws_ec2_transit_gateway.tgw.id}"))),
    "global: a managed WAF rule group with metrics and no samples": case("", waf(lambda acl: acl["rule"].append({
        "name": "common", "priority": 2, "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": {"name": "AWSManagedRulesCommonRuleSet",
                                                       "vendor_name": "AWS"}},
        "visibility_config": {"cloudwatch_metrics_enabled": True, "metric_name": "acme-six-global-frontend-common",
                              "sampled_requests_enabled": False}})), ws=GLOBAL),
}

# 6. Stores `region retire` cannot see (RES013).
ENCRYPTED = {"storage_encrypted": True, "kms_key_id": KEY_ARN}
STORES: dict[str, Case] = {
    "RDS instance": case("RES013", undeclared("aws_db_instance.users", {
        "identifier": "acme-six-eu-central-1-users", "engine": "postgres", "engine_version": "16.3",
        "instance_class": "db.t4g.micro", "allocated_storage": 20, "username": "app",
        "manage_master_user_password": True, **ENCRYPTED})),
    "Aurora cluster and its instance": case("RES013", undeclared("aws_rds_cluster.users", {
        "cluster_identifier": "acme-six-eu-central-1-users", "engine": "aurora-postgresql", "master_username": "app",
        "manage_master_user_password": True, **ENCRYPTED}), add("aws_rds_cluster_instance.users_1", {
            "identifier": "acme-six-eu-central-1-users-1", "cluster_identifier": "${aws_rds_cluster.users.id}",
            "instance_class": "db.t4g.medium", "engine": "aurora-postgresql"})),
    # also RES009 (not in the catalog) for EFS, MemoryDB, MSK, Timestream and Neptune
    "EFS file system": case("RES013", undeclared("aws_efs_file_system.uploads", {
        "creation_token": "acme-six-eu-central-1-uploads", "encrypted": True, "kms_key_id": KEY_ARN})),
    "OpenSearch domain": case("RES013", undeclared("aws_opensearch_domain.search", {
        "domain_name": "acme-users", "engine_version": "OpenSearch_2.13",
        "encrypt_at_rest": {"enabled": True, "kms_key_id": KEY_ARN}, "node_to_node_encryption": {"enabled": True}})),
    "ElastiCache replication group": case("RES013", undeclared("aws_elasticache_replication_group.sessions", {
        "replication_group_id": "acme-sessions", "description": "sessions", "engine": "valkey",
        "node_type": "cache.t4g.micro", "at_rest_encryption_enabled": True, "kms_key_id": KEY_ARN,
        "transit_encryption_enabled": True})),
    "ElastiCache serverless cache": case("RES013", undeclared("aws_elasticache_serverless_cache.sessions", {
        "name": "acme-sessions", "engine": "valkey", "kms_key_id": KEY_ARN})),
    "MemoryDB cluster": case("RES013", undeclared("aws_memorydb_cluster.sessions", {
        "name": "acme-sessions", "node_type": "db.t4g.small", "acl_name": "open-access", "kms_key_arn": KEY_ARN})),
    "Kinesis data stream": case("RES013", undeclared("aws_kinesis_stream.events", {
        "name": "acme-six-eu-central-1-events", "shard_count": 1, "encryption_type": "KMS", "kms_key_id": KEY_ARN})),
    "MSK cluster": case("RES013", undeclared("aws_msk_cluster.events", {
        "cluster_name": "acme-events", "kafka_version": "3.6.0", "number_of_broker_nodes": 2,
        "broker_node_group_info": {"instance_type": "kafka.t3.small", "client_subnets": ["subnet-1", "subnet-2"],
                                   "security_groups": ["sg-1"]},
        "encryption_info": {"encryption_at_rest_kms_key_arn": KEY_ARN}})),
    "Timestream database and table": case("RES013", undeclared("aws_timestreamwrite_database.metrics", {
        "database_name": "acme-usage", "kms_key_id": KEY_ARN}), undeclared("aws_timestreamwrite_table.sessions", {
            "database_name": "${aws_timestreamwrite_database.metrics.database_name}", "table_name": "sessions"})),
    "DocumentDB cluster": case("RES013", undeclared("aws_docdb_cluster.profiles", {
        "cluster_identifier": "acme-profiles", "master_username": "app", "manage_master_user_password": True,
        **ENCRYPTED})),
    "Neptune cluster": case("RES013", undeclared("aws_neptune_cluster.graph", {
        "cluster_identifier": "acme-graph", "engine": "neptune", "iam_database_authentication_enabled": True,
        **ENCRYPTED})),
    "Backup vault holding the region's recovery points": case("RES013", undeclared("aws_backup_vault.daily", {
        "name": "acme-six-eu-central-1-daily", "kms_key_arn": KEY_ARN})),
    "RDS instance declared with a kind retire cannot handle": case("RES013", declared_as(
        "rds_instance", "aws_db_instance.users", {
            "identifier": "acme-six-eu-central-1-users", "engine": "postgres", "instance_class": "db.t4g.micro",
            "allocated_storage": 20, "username": "app", "manage_master_user_password": True, **ENCRYPTED})),
    "OpenSearch domain declared as a DynamoDB table": case("RES013", declared_as(
        "dynamodb_table", "aws_opensearch_domain.search", {
            "domain_name": "acme-users", "encrypt_at_rest": {"enabled": True, "kms_key_id": KEY_ARN}},
        name_attribute="domain_name")),
}

STORES_OK: dict[str, Case] = {
    "a second DynamoDB table, declared": case("", add("aws_dynamodb_table.sessions", {
        "name": "acme-six-eu-central-1-sessions", "hash_key": "pk", "billing_mode": "PAY_PER_REQUEST",
        "attribute": [{"name": "pk", "type": "S"}], "point_in_time_recovery": {"enabled": True},
        "server_side_encryption": {"enabled": True, "kms_key_arn": KEY_ARN}})),
    "a FIFO queue with its dead-letter queue, declared": case("", add({
        "aws_sqs_queue.orders_dlq": {"name": "acme-six-eu-central-1-orders-dlq.fifo", "fifo_queue": True,
                                     "kms_master_key_id": KEY_ARN},
        "aws_sqs_queue.orders": {"name": "acme-six-eu-central-1-orders.fifo", "fifo_queue": True,
                                 "kms_master_key_id": KEY_ARN,
                                 "redrive_policy": "${jsonencode({deadLetterTargetArn = aws_sqs_queue.orders_dlq.arn, "
                                                   "maxReceiveCount = 5})}"}})),
    "an uploads bucket with its own encryption, declared": case("", add({
        "aws_s3_bucket.uploads": {
            "bucket": "acme-six-eu-central-1-uploads-${data.aws_caller_identity.account.account_id}"},
        "aws_s3_bucket_public_access_block.uploads": {
            "bucket": "${aws_s3_bucket.uploads.id}", "block_public_acls": True, "block_public_policy": True,
            "ignore_public_acls": True, "restrict_public_buckets": True},
        "aws_s3_bucket_server_side_encryption_configuration.uploads": {
            "bucket": "${aws_s3_bucket.uploads.id}", "rule": [{"apply_server_side_encryption_by_default": {
                "sse_algorithm": "aws:kms", "kms_master_key_id": KEY_ARN}, "bucket_key_enabled": True}]}})),
}

# 7. Legitimate setups that look suspicious.
FLOW_ROLE = {"aws_iam_role.flow": {"name": "acme-six-eu-central-1-flow", "assume_role_policy": document_of(
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "states.amazonaws.com"}})}}
LOG_DELIVERY = ["logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
                "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
                "logs:DescribeLogGroups"]
ONLY_HERE = {"StringEquals": {"aws:RequestedRegion": [EU]}}
CLAUDE = "anthropic.claude-3-7-sonnet-20250219-v1:0"
EU_PROFILE_REGIONS = [EU, "eu-north-1", EU_WEST, "eu-west-3"]


def logged_state_machine(*logging_statements: dict[str, Any]) -> Edit:
    """A state machine with its own role and log group, the role allowed to set up log delivery."""
    return add({**FLOW_ROLE,
                "aws_cloudwatch_log_group.flow": {"name": "/aws/vendedlogs/states/acme-six-eu-central-1-flow",
                                                  "kms_key_id": KEY_ARN, "retention_in_days": 30},
                "aws_iam_role_policy.flow": {"name": "flow", "role": "${aws_iam_role.flow.id}",
                                             "policy": document_of(*logging_statements, allow(
                                                 "lambda:InvokeFunction", FUNCTION_ARN, ONLY_HERE))},
                "aws_sfn_state_machine.flow": {
                    "name": "acme-six-eu-central-1-flow", "role_arn": "${aws_iam_role.flow.arn}",
                    "definition": json.dumps({"StartAt": "Enrich", "States": {"Enrich": {
                        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {"FunctionName": FUNCTION_ARN, "Payload.$": "$"}, "End": True}}}),
                    "logging_configuration": {"log_destination": "${aws_cloudwatch_log_group.flow.arn}:*",
                                              "include_execution_data": False, "level": "ERROR"}}})


LEGITIMATE: dict[str, Case] = {
    "Step Functions logging policy: AWS's log delivery actions on *": case("", logged_state_machine(
        allow(LOG_DELIVERY, "*", ONLY_HERE))),
    "Step Functions logging policy written as logs:*LogDelivery": case("", logged_state_machine(allow(
        ["logs:*LogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
         "logs:DescribeLogGroups"], "*", ONLY_HERE))),
    "Bedrock EU cross-region inference profile": case("", env(BEDROCK_MODEL_ID=f"eu.{CLAUDE}"), policy(
        "aws_iam_role_policy", "api-function", lambda statements: statements.extend([
            allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                  f"arn:aws:bedrock:{EU}:{ACCOUNT_ID}:inference-profile/eu.{CLAUDE}", ONLY_HERE),
            allow(["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                  [f"arn:aws:bedrock:{region}::foundation-model/{CLAUDE}" for region in EU_PROFILE_REGIONS],
                  {"StringEquals": {"aws:RequestedRegion": EU_PROFILE_REGIONS},
                   "StringLike": {"bedrock:InferenceProfileArn":
                                  f"arn:aws:bedrock:{EU}:{ACCOUNT_ID}:inference-profile/eu.{CLAUDE}"}})]))),
    "identity policy reading the table's eu-west-1 replica, two EU regions requested": case("", update(
        "aws_dynamodb_table", "data_table", replica=[{"region_name": EU_WEST}]), policy(
        "aws_iam_role_policy", "api-function", lambda statements: statements.append(allow(
            ["dynamodb:GetItem", "dynamodb:Query"],
            [TABLE_ARN, f"arn:aws:dynamodb:{EU_WEST}:{ACCOUNT_ID}:table/acme-six-eu-central-1-data"],
            {"StringEquals": {"aws:RequestedRegion": [EU, EU_WEST]}})))),
    "queue policy written with jsonencode, the region's own topic as source": case("", add({**QUEUE, **TOPIC}), add({
        "aws_sqs_queue_policy.jobs": {"queue_url": "${aws_sqs_queue.jobs.url}", "policy": (
            '${jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", '
            'Principal = {Service = "sns.amazonaws.com"}, Action = "sqs:SendMessage", '
            'Resource = aws_sqs_queue.jobs.arn, '
            'Condition = {ArnEquals = {"aws:SourceArn" = aws_sns_topic.events.arn}}}]})}')},
        "aws_sns_topic_subscription.jobs": {"topic_arn": OWN_TOPIC, "protocol": "sqs", "endpoint": OWN_QUEUE}})),
    "container image from the organization's central ECR in us-east-1": case("", ecs_service(
        {"name": "app", "essential": True,
         "image": f"{ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/acme/worker:1.4.2"})),
    "container image through an ECR pull-through cache of Docker Hub": case("", add({
        "aws_secretsmanager_secret.docker_hub": {"name": "ecr-pullthroughcache/docker-hub", "kms_key_id": KEY_ARN},
        "aws_ecr_pull_through_cache_rule.docker_hub": {
            "ecr_repository_prefix": "docker-hub", "upstream_registry_url": "registry-1.docker.io",
            "credential_arn": "${aws_secretsmanager_secret.docker_hub.arn}"}}), ecs_service(
        {"name": "proxy", "essential": True,
         "image": f"{ACCOUNT_ID}.dkr.ecr.eu-central-1.amazonaws.com/docker-hub/library/nginx:1.27"})),
    "container images from public.ecr.aws and Docker Hub": case("", ecs_service(
        {"name": "app", "essential": True, "image": "docker.io/library/python:3.12-slim"},
        {"name": "log_router", "essential": True,
         "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
         "firelensConfiguration": {"type": "fluentbit"}})),
    "a REGIONAL REST API in front of the region's function": case("", rest_api(
        type="AWS_PROXY", uri="${aws_lambda_function.@FUNCTION@.invoke_arn}")),
    "global: SPF and site-verification TXT records": case("", record(
        "example.com", "TXT", "v=spf1 include:amazonses.com include:_spf.google.com ~all",
        "google-site-verification=3kq2v8x0Q4hF1yVbU7nJc9pL5sTzR6wAeD0mGiHoKuE"), ws=GLOBAL),
    "global: CAA records for Amazon's CAs": case("", record(
        "example.com", "CAA", '0 issue "amazon.com"', '0 issue "amazontrust.com"',
        '0 iodef "mailto:security@example.com"'), ws=GLOBAL),
    "global: MX record of the company's mail": case("", record("example.com", "MX", "1 smtp.google.com"), ws=GLOBAL),
    "global: DMARC record": case("", record(
        "_dmarc.example.com", "TXT", "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com; adkim=s; aspf=s"),
        ws=GLOBAL),
}

CLASSES: dict[str, dict[str, Case]] = {
    "hosts": HOSTS, "files": FILES, "countries": COUNTRIES, "exceptions": EXCEPTIONS_CASES, "routes": ROUTES,
    "stores": STORES,
}
LEGITIMATE_CLASSES: dict[str, dict[str, Case]] = {
    "hosts": HOSTS_OK, "files": FILES_OK, "countries": COUNTRIES_OK, "exceptions": EXCEPTIONS_OK,
    "routes": ROUTES_OK, "stores": STORES_OK, "false-positives": LEGITIMATE,
}

# Leaks not caught today as expected, with what was found instead ("nothing found": the change would be applied).
NOTHING = "nothing found"
NOT_CATALOGUED = "only RES009 (not in the catalog): {}"
MISSED: dict[str, str] = {
}
# Legitimate setups flagged today, with what was found.
FALSE_POSITIVES: dict[str, str] = {
}


# ------------------------------------------------------------------------------------------- the tests


@dataclass(frozen=True)
class Outcome:
    refused: str | None  # the loader's message, when regions.yaml was refused
    found: list[str]  # "RULE workspace address: message" of every finding
    rules: set[str]  # rules of the findings in the case's workspace
    warnings: list[str]


def outcome(open_bases: Callable[[str], Built], tmp_path: Path, item: Case) -> Outcome:
    base, workspace, _expected, change = item
    built = open_bases(base)
    if isinstance(built, Refused):
        return Outcome(built.message, [], set(), [])
    config, out = built
    if base.startswith("refusal/"):
        return Outcome(None, [], set(), [])
    report = check_synthesized(config, mutated(out, tmp_path, workspace, change))
    findings = list(report.findings)
    return Outcome(None, [f"{f.rule} {f.workspace} {f.address}: {f.message}" for f in findings],
                   {f.rule for f in findings if f.workspace == workspace},
                   [str(warning) for warning in [*getattr(report, "warnings", []),
                                                 *getattr(report, "unused_exceptions", [])]])


def caught(result: Outcome, expected: str) -> bool:
    for alternative in expected.split("|"):
        kind, _, detail = alternative.partition(":")
        if kind == "refused":
            if result.refused is not None and detail.lower() in result.refused.lower():
                return True
        elif kind == "warned":
            if any(detail in warning for warning in result.warnings):
                return True
        elif kind == "any":
            if result.rules:
                return True
        elif kind in result.rules:
            return True
    return False


@pytest.mark.parametrize(("label", "name"), params(CLASSES, MISSED))
def test_each_open_world_leak_is_caught(label, name, open_bases, tmp_path):
    item = CLASSES[label][name]
    result = outcome(open_bases, tmp_path, item)
    assert caught(result, item[2]), (
        f"refused: {result.refused}" if result.refused is not None else
        result.found + [f"warning: {warning}" for warning in result.warnings] or NOTHING)


@pytest.mark.parametrize(("label", "name"), params(LEGITIMATE_CLASSES, FALSE_POSITIVES, "FALSE POSITIVE"))
def test_each_open_world_legitimate_setup_stays_clean(label, name, open_bases, tmp_path):
    result = outcome(open_bases, tmp_path, LEGITIMATE_CLASSES[label][name])
    assert result.refused is None, f"refused: {result.refused}"
    assert not result.found, result.found


def test_the_open_world_corpus_is_large_and_known():
    leaks = {label: len(cases) for label, cases in CLASSES.items()}
    legitimate = {label: len(cases) for label, cases in LEGITIMATE_CLASSES.items()}
    assert all(count >= 6 for count in leaks.values()), leaks
    assert all(count >= 3 for count in legitimate.values()), legitimate
    assert not set(MISSED) - {f"{label}: {name}" for label, cases in CLASSES.items() for name in cases}
    assert not set(FALSE_POSITIVES) - {f"{label}: {name}" for label, cases in LEGITIMATE_CLASSES.items()
                                       for name in cases}
    # every regions.yaml of this module is used by a case
    used = {item[0] for classes in (CLASSES, LEGITIMATE_CLASSES) for cases in classes.values()
            for item in cases.values()}
    assert set(OWN_BASES) <= used, set(OWN_BASES) - used


def test_the_contract_base_is_clean(open_bases):
    """The processors and exceptions of the contract base change nothing by themselves (one exception is stale)."""
    built = open_bases(CONTRACT)
    assert not isinstance(built, Refused), built.message
    config, out = built
    report = check_synthesized(config, out)
    assert report.clean, report.findings

