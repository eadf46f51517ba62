"""The harness of the adversarial corpora (tests/guard/test_adversarial*.py, test_declared_stores.py): the bases
they change, the vocabulary a change is written in, and the runner that checks a changed output.

A case is (base, workspace, rule meant for it, change): one change to one synthesized workspace (its cdk.tf.json,
or an extra file Terraform would load from its directory), or to the output directory for "organization".

Bases: "rich" is the six-region config on the aws target (frontend, directory replicas everywhere),
"rich_scp" the same with `organization_scp: true` (the SCP cases: judging an SCP is the slowest part of a
check, so the other cases do without), "sample" the repository's regions.yaml on the local target,
"eu_directory" the six regions with `directory.replicate_to: [EU]`. Most cases change rich's eu-central-1
workspace (EU). Each test module gets them from the `bases` fixture (tests/guard/conftest.py), each made once.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from residency.config import Config, load_config
from residency.guard.check import SCP_FILE, check_synthesized
from residency.guard.policies.organization_scp import scp_text
from residency.guard.reports.report import Report
from residency.guard.rules.findings import Finding
from residency.personal_data import STORE_TYPES
from residency.stacks import synthesize
from tests.conftest import SAMPLE
from tests.guard.stores import declare

SIX_REGIONS = Path(__file__).resolve().parent.parent / "fixtures" / "six-regions.yaml"
Edit = Callable[[dict], Any]  # changes the workspace's document (what it returns is ignored)
Change = Callable[[Path], None]  # changes the workspace's directory (the output directory for "organization")
Case = tuple[str, str, str, Change]  # (base, workspace, rule meant for it, change)

EU, US, GLOBAL, ORG = "eu-central-1", "us-east-1", "global", "organization"
ACCOUNT, FOREIGN = "123456789012", "999999999999"

# Places in another jurisdiction (US, seen from eu-central-1) or nowhere residency can establish.
US_BUCKET_NAME = f"acme-six-us-east-1-data-{ACCOUNT}"  # residency's own naming: placed in us-east-1
US_BUCKET = f"arn:aws:s3:::{US_BUCKET_NAME}"
PARTNER_BUCKET = "arn:aws:s3:::partner-analytics-exports"  # a bucket residency knows nothing of
US_QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:exports"
US_QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/exports"
US_TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:alerts"
US_FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:enrich"
US_STREAM = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/events"
US_TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/acme-six-us-east-1-data"
US_FIREHOSE = f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/metrics"
US_BUS = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
US_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/mrk-1234abcd12ab34cd56ef1234567890ab"
US_DB = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:users"
US_CLUSTER = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:users"
US_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:users-db-AbCdEf"
US_API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
US_LAMBDA_URI = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{US_FUNCTION}/invocations"
US_POOL_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI"
PARTNER_URL = "https://hooks.partner.example/ingest"
FOREIGN_ROOT = f"arn:aws:iam::{FOREIGN}:root"
CANONICAL_USER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"  # another account's
# eu-west-1's data bucket, named as residency names it: this account's id (a literal id could be anyone's).
EU_WEST_BUCKET = "arn:aws:s3:::acme-six-eu-west-1-data-${data.aws_caller_identity.account.account_id}"

# This workspace's own resources, by reference; @TOKEN@ is the synthesized name (see TOKENS).
BUCKET_ID, BUCKET_ARN = "${aws_s3_bucket.@BUCKET@.id}", "${aws_s3_bucket.@BUCKET@.arn}"
TABLE_NAME, TABLE_ARN = "${aws_dynamodb_table.@TABLE@.name}", "${aws_dynamodb_table.@TABLE@.arn}"
TABLE_STREAM = "${aws_dynamodb_table.@TABLE@.stream_arn}"
KEY_ARN, KEY_ID = "${aws_kms_key.@KEY@.arn}", "${aws_kms_key.@KEY@.key_id}"
ROLE_ARN, ROLE_ID = "${aws_iam_role.@ROLE@.arn}", "${aws_iam_role.@ROLE@.id}"
FUNCTION_ARN, FUNCTION_NAME = "${aws_lambda_function.@FUNCTION@.arn}", "${aws_lambda_function.@FUNCTION@.function_name}"
LOG_GROUP = "${aws_cloudwatch_log_group.@LOGS@.name}"
ZONE = "${data.aws_route53_zone.zone.zone_id}"
ACCOUNT_ID = "${data.aws_caller_identity.account.account_id}"
TOKENS = {"@BUCKET@": ("aws_s3_bucket", "data_bucket"), "@TABLE@": ("aws_dynamodb_table", "data_table"),
          "@KEY@": ("aws_kms_key", "data_kms"), "@ROLE@": ("aws_iam_role", "api-function"),
          "@FUNCTION@": ("aws_lambda_function", "api-function"), "@LOGS@": ("aws_cloudwatch_log_group", "api-function"),
          "@POOL@": ("aws_cognito_user_pool", ""),
          "@API@": ("aws_apigatewayv2_api", ""), "@SHARED_DOMAIN@": ("aws_apigatewayv2_domain_name", "shared")}
REGION_CONDITION = {"StringEquals": {"aws:RequestedRegion": [EU]}}


# ----------------------------------------------------------------------------------------------- bases


BASES = ("sample", "rich", "rich_scp", "eu_directory")
Base = tuple[Config, Path]  # (config, cdktf.out)
Bases = Callable[[str], Base]  # a base by name, made when first asked for
Made = TypeVar("Made")
DEPLOYER = "arn:aws:iam::123456789012:role/residency-apply"  # the SCP lets it invoke and change functions


def six_regions_on_aws(directory: Path, extra: str = "", scp: bool = True) -> Path:
    """The six-region config on the aws target (directory replicas, certificates), with the SCP unless told."""
    config_file = directory / "regions.yaml"
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws")
    config_file.write_text(text.replace("routing: geolocation", "routing: geolocation\n  frontend: true")
                           + ("organization_scp: true\n" + f"ci:\n  apply_role: {DEPLOYER}\n" if scp else "")
                           + extra)
    return config_file


def synthesized(config: Config, directory: Path) -> Path:
    """`directory`/cdktf.out synthesized from `config`, with the organization SCP when the config asks for it."""
    out = directory / "cdktf.out"
    synthesize(config, out, {SCP_FILE: scp_text(config)} if config.organization_scp else None)
    return out


def make_base(name: str, directory: Path, rich: Path | None = None) -> Base:
    """(config, cdktf.out) of a base, synthesized into `directory`; rich_scp is rich's output (`rich`) with the
    SCP file, since the SCP changes nothing else."""
    if name == "sample":
        config_file = SAMPLE
    else:
        extra = "directory:\n  replicate_to: [EU]\n" if name == "eu_directory" else ""
        config_file = six_regions_on_aws(directory, extra, scp=name == "rich_scp")
    config = load_config(config_file)
    if name == "rich_scp" and rich is not None:
        out = directory / "cdktf.out"
        shutil.copytree(rich, out)
        (out / SCP_FILE).write_text(scp_text(config))
        return config, out
    return config, synthesized(config, directory)


def made_once(make: Callable[[str, Path], Made], tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Made]:
    """`make(name, directory)` for each name when first asked for, in a temporary directory of its own."""
    made: dict[str, Made] = {}

    def get(name: str) -> Made:
        if name not in made:
            made[name] = make(name, tmp_path_factory.mktemp(name.replace("/", "-").replace(" ", "_")[:40]))
        return made[name]
    return get


def shared_bases(tmp_path_factory: pytest.TempPathFactory) -> Bases:
    """The bases (BASES), each made once; rich_scp from rich's output."""
    def make(name: str, directory: Path) -> Base:
        return make_base(name, directory, get("rich")[1] if name == "rich_scp" else None)
    get = made_once(make, tmp_path_factory)
    return get


def mutated(source: Path, tmp_path: Path, workspace: str, change: Change) -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(source, out, ignore=shutil.ignore_patterns("assets"))
    change(out if workspace == ORG else out / "stacks" / workspace)
    return out


# ------------------------------------------------------------------------------------- how to change


def name_of(document: dict, kind: str, contains: str = "") -> str:
    """The synthesized name of the workspace's first resource of `kind` whose name contains `contains`."""
    return next(name for name in document["resource"][kind] if contains in name)


def _resolve(text: str, original: dict) -> str:
    for token, (kind, contains) in TOKENS.items():
        if token in text:
            text = text.replace(token, name_of(original, kind, contains))
    return text


def doc(*edits: Edit) -> Change:
    """Edit cdk.tf.json as a document."""
    def change(directory: Path) -> None:
        path = directory / "cdk.tf.json"
        original = json.loads(path.read_text())
        document = json.loads(json.dumps(original))
        for edit in edits:
            edit(document)
        path.write_text(_resolve(json.dumps(document), original))
    return change


def raw(edit: Callable[[str], str], name: str = "cdk.tf.json") -> Change:
    """Edit cdk.tf.json (or another JSON file of the directory) as text (compact JSON), for what a document cannot
    hold (duplicate keys)."""
    def change(directory: Path) -> None:
        path = directory / name
        original = json.loads(path.read_text())
        text = edit(json.dumps(original))
        assert text != json.dumps(original), "the raw edit changed nothing"
        path.write_text(_resolve(text, original))
    return change


def raw_text(old: str, new: str) -> Change:
    """Replace `old` once in cdk.tf.json's text (compact JSON)."""
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return raw(edit)


def scp_raw(edit: Callable[[str], str]) -> Change:
    """Edit the SCP as text (for duplicate keys)."""
    return raw(edit, SCP_FILE)


def extra_file(name: str, content: dict | str, *, bom: bool = False) -> Change:
    """Another file in the workspace directory (`name` may hold subdirectories), which Terraform loads too, or
    file() and templatefile() read; `bom`: starting with a UTF-8 byte order mark."""
    def change(directory: Path) -> None:
        original = json.loads((directory / "cdk.tf.json").read_text())
        text = _resolve(content if isinstance(content, str) else json.dumps(content), original)
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if bom:
            path.write_bytes(b"\xef\xbb\xbf" + text.encode())
        else:
            path.write_text(text)
    return change


def scp(edit: Callable[[list[dict]], Any]) -> Change:
    def change(out: Path) -> None:
        document = json.loads((out / SCP_FILE).read_text())
        edit(document["Statement"])
        (out / SCP_FILE).write_text(json.dumps(document))
    return change


def delete_scp(out: Path) -> None:
    (out / SCP_FILE).unlink()


def body(document: dict, kind: str, contains: str = "") -> dict:
    return document["resource"][kind][name_of(document, kind, contains)]


def add(what: str | dict[str, dict], block: dict | None = None) -> Edit:
    """Add resources (`type.name`) and data sources (`data.type.name`). A store is added the way residency's
    constructs add one: declared as personal data and protected (RES013 has cases of its own)."""
    items = {what: block} if isinstance(what, str) else what

    def edit(document: dict) -> None:
        for address, item in items.items():
            section = "data" if address.startswith("data.") else "resource"
            kind, name = address.removeprefix("data.").split(".", 1)
            document.setdefault(section, {}).setdefault(kind, {})[name] = item
            if section == "resource" and kind in STORE_TYPES:
                declare(document, address)
    return edit


def update(kind: str, contains: str = "", **values: Any) -> Edit:
    return lambda document: body(document, kind, contains).update(values)


def env(contains: str = "api-function", **variables: str) -> Edit:
    return lambda document: body(document, "aws_lambda_function", contains)["environment"]["variables"].update(
        variables)


def top(section: str, **values: Any) -> Edit:
    """Top-level locals, variables, modules..."""
    return lambda document: document.setdefault(section, {}).update(values)


def provider(index: int = 0, **settings: Any) -> Edit:
    return lambda document: document["provider"]["aws"][index].update(settings)


def policy(kind: str, contains: str, edit: Callable[[list[dict]], None], attribute: str = "policy") -> Edit:
    def change(document: dict) -> None:
        holder = body(document, kind, contains)
        parsed = json.loads(holder[attribute])
        edit(parsed["Statement"])
        holder[attribute] = json.dumps(parsed)
    return change


def allow(action: Any, resource: Any = "*", condition: dict | None = REGION_CONDITION, **more: Any) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **more}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def document_of(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def case(rule: str, *edits: Edit, ws: str = EU, base: str = "rich") -> Case:
    return (base, ws, rule, doc(*edits))


def files(rule: str, *changes: Change, ws: str = EU, base: str = "rich") -> Case:
    def change(directory: Path) -> None:
        for each in changes:
            each(directory)
    return (base, ws, rule, change)


# Building blocks of this workspace
QUEUE = {"aws_sqs_queue.jobs": {"name": "acme-six-eu-central-1-jobs", "kms_master_key_id": KEY_ARN}}
OWN_QUEUE = "${aws_sqs_queue.jobs.arn}"
TOPIC = {"aws_sns_topic.events": {"name": "acme-six-eu-central-1-events", "kms_master_key_id": KEY_ARN}}
OWN_TOPIC = "${aws_sns_topic.events.arn}"
RULE = {"aws_cloudwatch_event_rule.signups": {"name": "signups", "event_pattern": "{\"source\": [\"acme.api\"]}"}}
VPC = {"aws_vpc.main": {"cidr_block": "10.0.0.0/16"}}
# The regions' API hosts, as global reads them from their states.
CROSS_STACK_TARGET = ("cross-stack-output-aws_apigatewayv2_domain_namedomain_shared_6DBB6E60"
                      "domain_name_configuration0target_domain_name")


def firehose(**configuration: Any) -> Edit:
    s3 = {"role_arn": ROLE_ARN, "bucket_arn": BUCKET_ARN}
    stream = {"name": "acme-six-eu-central-1-exports", "destination": "extended_s3",
              "extended_s3_configuration": s3, **configuration}
    if stream["destination"] != "extended_s3":
        stream.pop("extended_s3_configuration")
    return add("aws_kinesis_firehose_delivery_stream.exports", stream)


def subscription(protocol: str, endpoint: str) -> Edit:
    return add({**TOPIC, "aws_sns_topic_subscription.out": {"topic_arn": OWN_TOPIC, "protocol": protocol,
                                                            "endpoint": endpoint}})


def replication(destination: Any, **more: dict) -> Edit:
    """An S3 replication rule for the data bucket, to `destination`."""
    return add({"aws_s3_bucket_replication_configuration.dr": {"bucket": BUCKET_ID, "role": ROLE_ARN, "rule": [
        {"id": "dr", "status": "Enabled", "destination": {"bucket": destination}}]}, **more})


def sfn(definition: dict[str, Any] | str) -> Edit:
    """A state machine with this definition (a dict is written as JSON text, a str as it is)."""
    text = definition if isinstance(definition, str) else json.dumps(definition)
    return add("aws_sfn_state_machine.flow", {"name": "acme-six-eu-central-1-flow", "role_arn": ROLE_ARN,
                                              "definition": text})


def state_machine(*states: dict) -> Edit:
    """A state machine running these tasks one after the other."""
    return sfn({"StartAt": "S0", "States": {f"S{i}": {**state, "Type": "Task", **(
        {"Next": f"S{i + 1}"} if i + 1 < len(states) else {"End": True})} for i, state in enumerate(states)}})


def event_target(arn: str, **more: Any) -> Edit:
    return add({**RULE, "aws_cloudwatch_event_target.out": {
        "rule": "${aws_cloudwatch_event_rule.signups.name}", "arn": arn, **more}})


def invoke_config(**destinations: str) -> Edit:
    return add("aws_lambda_function_event_invoke_config.async", {
        "function_name": FUNCTION_NAME,
        "destination_config": {kind: {"destination": arn} for kind, arn in destinations.items()}})


def cognito_triggers(**triggers: Any) -> Edit:
    return lambda document: body(document, "aws_cognito_user_pool")["lambda_config"].update(triggers)


def integration(**values: Any) -> Edit:
    def edit(document: dict) -> None:
        target = body(document, "aws_apigatewayv2_integration")
        if "integration_uri" not in values:  # a service integration (subtype) has no URI
            target.pop("integration_uri")
        target.update(values)
    return edit


def rest_api(**integration_values: Any) -> Edit:
    api = "${aws_api_gateway_rest_api.legacy.id}"
    return add({
        "aws_api_gateway_rest_api.legacy": {"name": "acme-six-eu-central-1-legacy",
                                            "endpoint_configuration": {"types": ["REGIONAL"]}},
        "aws_api_gateway_resource.users": {"rest_api_id": api, "path_part": "users",
                                           "parent_id": "${aws_api_gateway_rest_api.legacy.root_resource_id}"},
        "aws_api_gateway_method.users": {"rest_api_id": api, "resource_id": "${aws_api_gateway_resource.users.id}",
                                         "http_method": "ANY", "authorization": "NONE"},
        "aws_api_gateway_integration.users": {"rest_api_id": api,
                                              "resource_id": "${aws_api_gateway_resource.users.id}",
                                              "http_method": "ANY", "integration_http_method": "POST",
                                              **integration_values}})


def client(**values: Any) -> Edit:
    return update("aws_cognito_user_pool_client", "", allowed_oauth_flows=["code"], allowed_oauth_scopes=["openid"],
                  allowed_oauth_flows_user_pool_client=True, supported_identity_providers=["COGNITO"], **values)


def global_record(name: str, **values: Any) -> Edit:
    return add("aws_route53_record.injected", {"zone_id": ZONE, "name": name, "type": "A", **values})


def remote(region: str, output: str = CROSS_STACK_TARGET) -> str:
    return f"${{data.terraform_remote_state.cross-stack-reference-input-{region}.outputs.{output}}}"


def routed(country: str, target: str) -> Edit:
    """The geolocation record of `country` (in global) aliased to `target`."""
    return lambda document: body(document, "aws_route53_record", f"-{country}_")["alias"].__setitem__("name", target)


def remote_state(region: str, **values: Any) -> Edit:
    return lambda document: document["data"]["terraform_remote_state"][
        f"cross-stack-reference-input-{region}"].update(values)


def origin(domain: str, **more: Any) -> Edit:
    def edit(document: dict) -> None:
        distribution = body(document, "aws_cloudfront_distribution")
        distribution["origin"].append({"domain_name": domain, "origin_id": "api", "custom_origin_config": {
            "http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
            "origin_ssl_protocols": ["TLSv1.2"]}, **more})
        distribution["ordered_cache_behavior"] = [{
            "path_pattern": "/api/*", "target_origin_id": "api", "allowed_methods": ["GET", "HEAD"],
            "cached_methods": ["GET", "HEAD"], "viewer_protocol_policy": "https-only",
            "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"}]
    return edit


def directory_replica(region: str) -> Edit:
    return lambda document: document["resource"]["aws_dynamodb_table"]["directory"]["replica"].append(
        {"region_name": region, "point_in_time_recovery": True})


def mac_statement(edit: Callable[[dict], Any]) -> Edit:
    """Edit the pre-auth trigger's kms:GenerateMac statement."""
    return policy("aws_iam_role_policy", "pre-auth", lambda statements: edit(
        next(s for s in statements if s["Action"] == ["kms:GenerateMac"])))


def directory_statement(contains: str, edit: Callable[[dict], Any]) -> Edit:
    return policy("aws_iam_role_policy", contains, lambda statements: edit(
        next(s for s in statements if "directory" in json.dumps(s["Resource"]))))


def trust(*statements: dict) -> Edit:
    return update("aws_iam_role", "api-function", assume_role_policy=document_of(*statements))


def api_policy(*statements: dict) -> Edit:
    return policy("aws_iam_role_policy", "api-function", lambda existing: existing.extend(statements))


def bucket_policy(*statements: dict) -> Edit:
    return policy("aws_s3_bucket_policy", "", lambda existing: existing.extend(statements))


def key_policy(*statements: dict) -> Edit:
    return policy("aws_kms_key", "data_kms", lambda existing: existing.extend(statements))


def table_dup(first: str, second: str) -> Callable[[str], str]:
    """The data table's body with `first` and then `second` as its first keys (JSON text)."""
    return lambda text: text.replace('"name": "acme-six-eu-central-1-data"',
                                     f'{first}, {second}, "name": "acme-six-eu-central-1-data"', 1)


def with_region_operator(operator: str, values: Any) -> Callable[[list[dict]], None]:
    def edit(statements: list[dict]) -> None:
        statements[2]["Condition"] = {operator: {"aws:RequestedRegion": values}}
    return edit



def distribution(edit: Callable[[dict[str, Any]], Any]) -> Edit:
    """Edit global's CloudFront distribution."""
    return lambda document: edit(body(document, "aws_cloudfront_distribution"))


def record(name: str, kind: str, *records: str) -> Edit:
    """A plain record of the zone."""
    return add(f"aws_route53_record.{kind.lower()}_{name.split('.')[0].strip('_') or 'apex'}", {
        "zone_id": ZONE, "name": name, "type": kind, "ttl": 3600, "records": list(records)})


def ecs_service(*containers: dict[str, Any]) -> Edit:
    """A Fargate service of a cluster of the region, its task running these containers."""
    return add({"aws_ecs_cluster.workers": {"name": "acme-six-eu-central-1-workers"},
                "aws_ecs_task_definition.worker": {
                    "family": "worker", "requires_compatibilities": ["FARGATE"], "network_mode": "awsvpc",
                    "cpu": "256", "memory": "512", "execution_role_arn": ROLE_ARN,
                    "container_definitions": json.dumps(list(containers))},
                "aws_ecs_service.worker": {"name": "worker", "cluster": "${aws_ecs_cluster.workers.id}",
                                           "task_definition": "${aws_ecs_task_definition.worker.arn}",
                                           "desired_count": 1, "launch_type": "FARGATE"}})


def undeclared(address: str, block: dict[str, Any]) -> Edit:
    """A store added as a team adds it: protected, but not listed in personal_data_stores. The edit returns
    `address`."""
    def edit(document: dict[str, Any]) -> str:
        kind, name = address.split(".", 1)
        document["resource"].setdefault(kind, {})[name] = {**block, "lifecycle": {"prevent_destroy": True}}
        return address
    return edit


# ------------------------------------------------------------------------------------------- the runner


def params(classes: dict[str, dict[str, Case]], known: dict[str, str], why: str = "MISSED") -> list[Any]:
    """One parameter (label, name) per case, id "label: name"; a case in `known` is xfail(strict) for its reason."""
    found = []
    for label, cases in classes.items():
        for name in cases:
            key = f"{label}: {name}"
            marks = [pytest.mark.xfail(strict=True, reason=f"{why}: {known[key]}")] if key in known else []
            found.append(pytest.param(label, name, id=key, marks=marks))
    return found


def negative_params(cases: dict[str, Case], false_positives: dict[str, str]) -> list[Any]:
    """One parameter per legitimate case; one in `false_positives` is xfail(strict) for its reason."""
    return [pytest.param(name, marks=[pytest.mark.xfail(strict=True, reason=f"FALSE POSITIVE: {false_positives[name]}")]
                         if name in false_positives else []) for name in cases]


def checked(bases: Bases, tmp_path: Path, item: Case) -> Report:
    """The report on the case's base with the case's change made."""
    base, workspace, _rule, change = item
    config, out = bases(base)
    return check_synthesized(config, mutated(out, tmp_path, workspace, change))


def findings_for(bases: Bases, tmp_path: Path, item: Case) -> list[Finding]:
    """The findings in the case's workspace."""
    return [finding for finding in checked(bases, tmp_path, item).findings if finding.workspace == item[1]]


def assert_caught(bases: Bases, tmp_path: Path, item: Case) -> None:
    """The case's rule reports it in the case's workspace."""
    found = findings_for(bases, tmp_path, item)
    assert found, "no finding: the change would be applied"
    assert item[2] in {f.rule for f in found}, [f"{f.rule} {f.address}: {f.message}" for f in found]


def assert_clean(bases: Bases, tmp_path: Path, item: Case) -> None:
    """No rule reports anything, in any workspace."""
    report = checked(bases, tmp_path, item)
    assert report.clean, [f"{f.rule} {f.workspace} {f.address}: {f.message}" for f in report.findings]
