"""What a third reviewer, who had not read the rules, found against them (574 cases, of which these were missed or
wrongly flagged): each leak is caught by its rule, each legitimate setup stays clean. One change to synthesized
output per case, on the six-region base ("rich")."""

from __future__ import annotations

import json
from typing import Any

import pytest

from residency.guard.check import check_synthesized
from tests.guard.adversarial_harness import (
    EU,
    GLOBAL,
    ZONE,
    Case,
    add,
    assert_caught,
    assert_clean,
    body,
    case,
    env,
    mutated,
    record,
)

US_IP = "54.210.10.20"


def narrowed_to_a_subdivision(country: str, subdivision: str) -> Any:
    """The country's geolocation record made to answer one state only: the rest of it falls to the default."""
    def edit(document: dict) -> None:
        for item in document["resource"]["aws_route53_record"].values():
            policy = item.get("geolocation_routing_policy")
            policies = policy if isinstance(policy, list) else [policy]
            for each in policies:
                if isinstance(each, dict) and each.get("country") == country:
                    each["subdivision"] = subdivision
    return edit


def policy_record(name: str, kind: str, target: str, **policy: Any) -> Any:
    return add(f"aws_route53_record.policy_{name.split('.')[0]}", {
        "zone_id": ZONE, "name": name, "type": kind, "ttl": 60, "set_identifier": "one", "records": [target],
        **policy})


def declared_wrongly(document: dict) -> None:
    """A second bucket declared under the data bucket's name: retire would handle the data bucket twice."""
    data = next(name for name in document["resource"]["aws_s3_bucket"] if "data" in name)
    document["resource"]["aws_s3_bucket"]["uploads"] = {"bucket": "uploads-eu", "lifecycle": {
        "prevent_destroy": True}}
    declaration = document["output"]["personal_data_stores"]["value"]
    declaration.append({"address": "aws_s3_bucket.uploads", "kind": "s3_bucket",
                        "name": f"${{aws_s3_bucket.{data}.bucket}}"})


def version(document: dict) -> None:
    body(document, "aws_lambda_function", "api-function")["environment"]["variables"]["APP_VERSION"] = "2.14.0.1"


LEAKS: dict[str, Case] = {
    "PostHog's key without a host (its default is the US cloud)": case("RES011", env(POSTHOG_API_KEY="phc_abc0123")),
    "SendGrid's key without the EU host": case("RES011", env(SENDGRID_API_KEY="SG.abc.def")),
    "OpenAI's key without a regional endpoint": case("RES011", env(OPENAI_API_KEY="sk-proj-abc")),
    "Twilio's account without a region (us1)": case("RES011", env(TWILIO_ACCOUNT_SID="AC0123",
                                                                   TWILIO_AUTH_TOKEN="abc")),
    "a Sumo Logic deployment name": case("RES011", env(SUMO_DEPLOYMENT="us2")),
    "a Google Cloud region": case("RES011", env(GCP_REGION="us-east4")),
    "a Vertex AI location": case("RES011", env(VERTEX_AI_LOCATION="us-central1")),
    "an Azure region": case("RES011", env(AZURE_REGION="eastus")),
    "an Azure OpenAI location": case("RES011", env(AZURE_OPENAI_LOCATION="eastus2")),
    "an Elastic Cloud ID (a label, then the host in base64)": case(
        "RES011", env(ELASTIC_CLOUD_ID="acme:dXMtZWFzdC0xLmF3cy5mb3VuZC5pbyRhYmMxMjMkZGVmNDU2")),
    "a Google Cloud Storage bucket URI": case("RES011", env(EXPORT_URI="gs://acme-exports-us/users/")),
    "an Azure blob container URI": case("RES011", env(ARCHIVE="abfss://exports@acmeus.dfs.core.windows.net/x")),
    "an IPv4 address written in hex": case("RES011", env(COLLECTOR="http://0x36d20a14:4317/")),
    "an IPv4 address written as one number": case("RES011", env(COLLECTOR="http://919734804:4317/")),
    "a bare bucket name of unknown owner": case("RES011", env(EXPORT_BUCKET="acme-analytics-exports")),
    "a bucket name under S3_BUCKET": case("RES011", env(S3_BUCKET="central-data-lake-prod")),
    "the DE record narrowed to Bavaria (the rest of Germany falls to the default)": case(
        "RES005", narrowed_to_a_subdivision("DE", "BY"), ws=GLOBAL),
    "a multivalue record on another name, to an address abroad": case(
        "RES005", policy_record("files.example.com", "A", US_IP, multivalue_answer_routing_policy=True), ws=GLOBAL),
    "a failover primary of its own on another name, abroad": case(
        "RES005", policy_record("status.example.com", "A", US_IP, failover_routing_policy={"type": "PRIMARY"}),
        ws=GLOBAL),
    "a multivalue CNAME to a name residency cannot place": case(
        "RES005", policy_record("me.example.com", "CNAME", "me.partner.example", multivalue_answer_routing_policy=True),
        ws=GLOBAL),
    "an SNS FIFO topic that archives its messages": case("RES013", add("aws_sns_topic.events", {
        "name": "events.fifo", "fifo_topic": True, "archive_policy": json.dumps({"MessageRetentionPeriod": 30}),
        "lifecycle": {"prevent_destroy": True}})),
    "an SES contact list (email addresses)": case("RES013", add("aws_sesv2_contact_list.newsletter", {
        "contact_list_name": "newsletter", "lifecycle": {"prevent_destroy": True}})),
    "a Cognito identity pool": case("RES013", add("aws_cognito_identity_pool.ids", {
        "identity_pool_name": "ids", "allow_unauthenticated_identities": False,
        "lifecycle": {"prevent_destroy": True}})),
    "a declaration naming another store than its address": case("RES013", declared_wrongly),
    "a load balancer's private IP target declared outside the VPC": case("RES010", add(
        "aws_lb_target_group_attachment.onprem", {"target_group_arn": "${aws_lb_target_group.tg.arn}",
                                                  "target_id": "10.99.0.5", "port": 443, "availability_zone": "all"}),
        add("aws_lb_target_group.tg", {"name": "tg", "port": 443, "protocol": "TCP", "target_type": "ip",
                                       "vpc_id": "vpc-0123"})),
    # Where the target is only known when Terraform runs: it may be "all", so its address places nothing.
    "a load balancer's private IP target whose zone comes from a variable": case("RES010", add(
        "aws_lb_target_group_attachment.onprem", {"target_group_arn": "${aws_lb_target_group.tg.arn}",
                                                  "target_id": "10.99.0.5", "port": 443,
                                                  "availability_zone": "${var.target_zone}"}),
        add("aws_lb_target_group.tg", {"name": "tg", "port": 443, "protocol": "TCP", "target_type": "ip",
                                       "vpc_id": "vpc-0123"})),
}

LEGITIMATE: dict[str, Case] = {
    "a New Relic EU licence key (it names the EU region itself)": case(
        "", env(NEW_RELIC_LICENSE_KEY="eu01xx0123456789abcdef0123456789abcdNRAL")),
    "Mailgun's EU SMTP host": case("", env(SMTP_HOST="smtp.eu.mailgun.org")),
    "a four-part version number": case("", version),
    "a DKIM CNAME to the mail provider": case("", record(
        "s1._domainkey.example.com", "CNAME", "s1.domainkey.u123.wl.sendgrid.net"), ws=GLOBAL),
    "a literal ACM validation CNAME": case("", record(
        "_abc.example.com", "CNAME", "_xyz.acm-validations.aws."), ws=GLOBAL),
    "a load balancer's IP target in the VPC": case("", add("aws_lb_target_group_attachment.ip", {
        "target_group_arn": "${aws_lb_target_group.tg.arn}", "target_id": "10.20.1.15", "port": 443}), add(
        "aws_lb_target_group.tg", {"name": "tg", "port": 443, "protocol": "TCP", "target_type": "ip",
                                   "vpc_id": "vpc-0123"})),
    "an SES identity for the product's domain": case("", add("aws_sesv2_email_identity.domain", {
        "email_identity": "example.com"}), add("aws_sesv2_email_identity.mail", {
            "email_identity": "mail.example.com"})),
    "an SES domain identity": case("", add("aws_ses_domain_identity.domain", {"domain": "example.com"})),
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_each_leak_the_third_reviewer_found_is_caught_by_its_rule(name, bases, tmp_path):
    assert_caught(bases, tmp_path, LEAKS[name])


@pytest.mark.parametrize("name", sorted(LEGITIMATE))
def test_each_legitimate_setup_the_third_reviewer_wrote_stays_clean(name, bases, tmp_path):
    assert_clean(bases, tmp_path, LEGITIMATE[name])


def test_an_arn_is_one_finding_and_its_exception_covers_only_it(bases, tmp_path):
    """An exception approved for one ARN does not excuse another value of the function reaching the same region
    (the SDK's region, here): an exception names what a finding names, not merely its region."""
    from residency.config.model import GuardException

    config, out = bases("rich")
    queue = "arn:aws:sqs:us-east-1:123456789012:q"
    changed = mutated(out, tmp_path, EU, case("RES011", env(Q=queue, AWS_REGION="us-east-1"))[3])
    findings = [f for f in check_synthesized(config, changed).findings if f.workspace == EU]
    assert sorted(f.reaches for f in findings) == [(queue,), ("us-east-1",)]  # the ARN once, the region once
    address = findings[0].address
    by_region = GuardException(rule="RES011", resource=address, workspace=EU, destination="us-east-1",
                               reason="reviewed: the queue", expires="2099-01-01")
    excepted = config.model_copy(update={"exceptions": (by_region,)})
    report = check_synthesized(excepted, changed)
    assert [f.reaches for f in report.findings if f.workspace == EU] == [(queue,)]


def test_the_sub_processors_list_every_site_used_at_home(bases, tmp_path):
    config, out = bases("rich")
    changed = mutated(out, tmp_path, EU, case("", env(SENTRY_DSN="https://k@o1.ingest.de.sentry.io/1",
                                                      MAILGUN_API="https://api.eu.mailgun.net/v3"))[3])
    report = check_synthesized(config, changed)
    assert report.clean, [f.message for f in report.findings]
    names = {entry["name"] for entry in report.processors.get("EU", [])}
    assert {"Sentry's EU site", "Mailgun's EU site"} <= names, report.processors
