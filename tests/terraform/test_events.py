import json

from residency.terraform.events import EventLog


def line(**event) -> str:
    return json.dumps(event) + "\n"


def test_change_summary_and_planned_changes_are_folded():
    log = EventLog()
    log.feed(line(type="planned_change", **{"@message": "x"},
                  change={"resource": {"addr": "aws_kms_key.k"}, "action": "create"}))
    text = log.feed(line(type="change_summary", **{"@message": "Plan: 1 to add"},
                         changes={"add": 1, "change": 2, "remove": 3, "operation": "plan"}))
    assert text == "Plan: 1 to add"
    assert (log.changes.add, log.changes.change, log.changes.destroy) == (1, 2, 3)
    assert log.changes.any
    assert log.planned == [("aws_kms_key.k", "create")]


def test_drift_is_recorded_with_address_and_action():
    log = EventLog()
    log.feed(line(type="resource_drift", change={"resource": {"addr": "aws_s3_bucket.b"}, "action": "update"}))
    assert log.drifted == [("aws_s3_bucket.b", "update")]


def test_error_diagnostics_are_kept_and_rendered():
    log = EventLog()
    text = log.feed(line(type="diagnostic", diagnostic={
        "severity": "error", "summary": "creating KMS Key", "detail": "boom\nsecond", "address": "aws_kms_key.k"}))
    assert text == "Error: creating KMS Key (aws_kms_key.k)\n  boom\n  second"
    assert log.errors == [text]
    log.feed(line(type="diagnostic", diagnostic={"severity": "warning", "summary": "meh"}))
    assert len(log.errors) == 1


def test_non_json_lines_pass_through_and_sensitive_outputs_are_dropped():
    log = EventLog()
    assert log.feed("plain text\n") == "plain text"
    log.feed(line(type="outputs", outputs={"a": {"value": "x"}, "s": {"value": "secret", "sensitive": True}}))
    assert log.outputs == {"a": "x"}


def test_a_plan_changing_only_outputs_has_something_to_apply():
    log = EventLog()
    log.feed(line(type="change_summary", changes={"add": 0, "change": 0, "remove": 0}))
    log.feed(line(type="outputs", outputs={"regions_served": {"sensitive": False, "action": "update"}}))
    assert not log.changes.any and log.outputs_change
    applied = EventLog()
    applied.feed(line(type="outputs", outputs={"regions_served": {"value": {"eu-central-1": ["DE"]}}}))
    assert not applied.outputs_change


def hook(kind: str, address: str, action: str = "create") -> str:
    return line(type=kind, hook={"resource": {"addr": address}, "action": action})


def test_creations_started_and_never_seen_finished_or_refused_are_unfinished():
    log = EventLog()
    for address in ("aws_iam_role.r", "aws_lambda_function.f", "aws_cloudwatch_log_group.taken",
                    "aws_dynamodb_table.t"):
        log.feed(hook("apply_start", address))
    log.feed(hook("apply_start", "aws_s3_bucket.b", action="update"))  # not a creation
    log.feed(hook("apply_complete", "aws_iam_role.r"))
    log.feed(hook("apply_errored", "aws_lambda_function.f"))
    log.feed(line(type="diagnostic", diagnostic={
        "severity": "error", "address": "aws_lambda_function.f",
        "summary": "creating Lambda Function (f): context canceled"}))
    log.feed(line(type="diagnostic", diagnostic={
        "severity": "error", "address": "aws_cloudwatch_log_group.taken",
        "summary": "creating CloudWatch Logs Log Group (taken): operation error CloudWatch Logs: CreateLogGroup, "
                   "https response error StatusCode: 400, RequestID: x, ResourceAlreadyExistsException"}))
    # A 5xx leaves it open whether AWS made it.
    log.feed(line(type="diagnostic", diagnostic={
        "severity": "error", "address": "aws_dynamodb_table.t",
        "summary": "creating DynamoDB Table (t): https response error StatusCode: 500, InternalServerError"}))
    assert log.unfinished_creations() == ["aws_lambda_function.f", "aws_dynamodb_table.t"]
