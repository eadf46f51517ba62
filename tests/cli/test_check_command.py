"""`residency check` as a user runs it: exit codes, messages, --json, --sarif, --graph and --plan.

The sample is synthesized once per module; each test checks a mutated copy with `check --out`."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from residency.config import load_config
from residency.guard.check import check_synthesized
from tests.conftest import SAMPLE, run_cli
from tests.guard import test_rules
from tests.guard.test_rules import CASES, SIX_REGIONS, mutated

sample_out = test_rules.sample_out  # the synthesized sample, once per module

REPLICA_ABROAD = CASES["dynamodb replica abroad"][4]
SVG = "{http://www.w3.org/2000/svg}"


def violating(sample_out: Path, project: Path) -> Path:
    """`project/cdktf.out`: the sample with its EU table replicated to us-east-1 (one RES002 finding)."""
    return mutated(sample_out, project, "eu-central-1", REPLICA_ABROAD)


def replica_address(out: Path) -> str:
    return next(f.address for f in check_synthesized(load_config(SAMPLE), out).findings)


def with_exceptions(project: Path, entries: str) -> Path:
    config_file = project / "regions.yaml"
    config_file.write_text(SAMPLE.read_text() + "exceptions:\n" + entries)
    return config_file


def line_of(file: Path, text: str) -> int:
    return next(number for number, line in enumerate(file.read_text().splitlines(), 1) if text in line)


def assert_usage_error(result, *expected: str) -> None:
    assert result.returncode == 64, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0], errors[0]


# --- text ------------------------------------------------------------------------------------------------


def test_a_violation_is_named_with_its_rule_workspace_address_and_path(sample_out, project):
    violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out"], project)
    assert result.returncode == 3, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("RES002 eu-central-1: aws_dynamodb_table.")
    assert "[eu-central-1 -> us-east-1]" in first
    assert "copies data to us-east-1 (US), outside EU" in first
    assert result.stdout.splitlines()[-1].startswith("1 violation(s) in 5 workspace(s)")
    assert "Traceback" not in result.stderr


def test_clean_output_exits_0(sample_out, project):
    result = run_cli(["check", "--out", str(sample_out)], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("no violation in 5 workspace(s)")


def test_without_out_check_synthesizes_first(project):
    result = run_cli(["check"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no violation in 5 workspace(s)" in result.stdout
    assert "synthesized in" in result.stderr
    assert sorted(p.parent.name for p in (project / "cdktf.out" / "stacks").glob("*/cdk.tf.json")) == [
        "ap-southeast-2", "eu-central-1", "eu-west-1", "global", "us-east-1"]


# --- --json and --sarif ----------------------------------------------------------------------------------


def test_json_is_one_document_with_findings_and_data_paths(sample_out, project):
    out = violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out", "--json"], project)
    assert result.returncode == 3, result.stderr
    document = json.loads(result.stdout)  # nothing else on stdout
    assert document["exit_code"] == 3
    assert [(f["rule"], f["workspace"], f["address"], f["from"], f["to"]) for f in document["findings"]] == [
        ("RES002", "eu-central-1", replica_address(out), "eu-central-1", "us-east-1")]
    assert {"kind": "replica", "workspace": "eu-central-1", "address": replica_address(out),
            "from": "eu-central-1", "to": "us-east-1", "violation": True} in document["data_paths"]


def test_sarif_is_a_2_1_0_log_pointing_at_the_workspace_file(sample_out, project):
    out = violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out", "--sarif"], project)
    assert result.returncode == 3, result.stderr
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    assert "sarif" in log["$schema"] and "2.1.0" in log["$schema"]
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "residency"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted(ids)
    assert {f"RES00{n}" for n in range(1, 9)} <= set(ids)
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["RES002"]
    for item in results:
        assert driver["rules"][item["ruleIndex"]]["id"] == item["ruleId"]
        assert item["level"] == "error"
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "cdktf.out/stacks/eu-central-1/cdk.tf.json"
        assert (project / uri).is_file()
        assert replica_address(out) in item["message"]["text"]
        assert "suppressions" not in item


def test_sarif_lists_an_excepted_finding_as_suppressed_with_its_reason(sample_out, project):
    out = violating(sample_out, project)
    reason = "DPO approved the US replica until migration, ticket PRIV-42"
    with_exceptions(project, f"""  - rule: RES002
    resource: {replica_address(out)}
    workspace: eu-central-1
    destination: us-east-1
    reason: "{reason}"
    expires: "2999-01-01"
""")
    result = run_cli(["check", "--out", "cdktf.out", "--sarif"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads(result.stdout)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["RES002"]
    assert len(results[0]["suppressions"]) == 1
    assert reason in results[0]["suppressions"][0]["justification"]
    text = run_cli(["check", "--out", "cdktf.out"], project)
    assert text.returncode == 0
    assert f"excepted RES002 eu-central-1: {replica_address(out)} until 2999-01-01: {reason}" in text.stdout
    assert text.stdout.splitlines()[-1].endswith(", 1 excepted")


def test_codequality_is_gitlabs_report_naming_each_finding_once(sample_out, project):
    """GitLab shows a Code Quality report on the merge request: each finding with a stable fingerprint."""
    out = violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out", "--codequality"], project)
    assert result.returncode == 3, result.stderr
    issues = json.loads(result.stdout)
    assert [issue["check_name"] for issue in issues] == ["RES002"]
    (issue,) = issues
    assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
    assert issue["severity"] == "critical" and replica_address(out) in issue["description"]
    assert issue["location"] == {"path": "cdktf.out/stacks/eu-central-1/cdk.tf.json", "lines": {"begin": 1}}
    again = json.loads(run_cli(["check", "--out", "cdktf.out", "--codequality"], project).stdout)
    assert again[0]["fingerprint"] == issue["fingerprint"]  # the same finding, the same issue in GitLab
    assert_usage_error(run_cli(["check", "--out", "cdktf.out", "--codequality", "--sarif"], project), "choose one")


def test_json_and_sarif_together_are_a_usage_error(sample_out, project):
    assert_usage_error(run_cli(["check", "--out", str(sample_out), "--json", "--sarif"], project), "choose one")


# --- --graph ---------------------------------------------------------------------------------------------


def test_graph_svg_is_a_parseable_svg_that_marks_the_violation(sample_out, project):
    violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out", "--graph", "map.svg", "--json"], project)
    assert result.returncode == 3, result.stderr
    assert json.loads(result.stdout)["exit_code"] == 3  # the map's notice stays off stdout
    assert "data map written to map.svg" in result.stderr
    root = ElementTree.parse(project / "map.svg").getroot()
    assert root.tag == f"{SVG}svg"
    texts = ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]
    assert "✗ replica" in texts
    assert "4 data paths, 1 violation" in texts  # the violating replica and three HMAC key replicas


def test_graph_md_is_a_mermaid_fence(sample_out, project):
    violating(sample_out, project)
    result = run_cli(["check", "--out", "cdktf.out", "--graph", "map.md"], project)
    assert result.returncode == 3, result.stderr
    text = (project / "map.md").read_text()
    assert text.startswith("```mermaid\n") and text.endswith("```\n")
    assert "flowchart LR" in text
    assert "n_eu_central_1 -->" in text and "n_us_east_1" in text


def test_graph_in_an_unknown_format_is_refused_before_anything_is_written(sample_out, project):
    assert_usage_error(run_cli(["check", "--out", str(sample_out), "--graph", "map.png"], project),
                       "map.png", ".svg, .mmd or .md")
    assert not (project / "map.png").exists()


def test_graph_into_a_missing_directory_is_a_usage_error(sample_out, project):
    assert_usage_error(run_cli(["check", "--out", str(sample_out), "--graph", "nowhere/map.svg"], project),
                       "does not exist")
    assert not (project / "nowhere").exists()


# --- --plan ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "content", "expected"), [
    ("eu-central-1", None, "expected WORKSPACE=FILE"),
    ("=plan.json", None, "expected WORKSPACE=FILE"),
    ("mars-north-1=plan.json", "{}", "unknown workspace 'mars-north-1'"),
    ("eu-central-1=missing.json", None, "missing.json: no such file"),
    ("eu-central-1=plan.json", "{ not json", "is not JSON"),
    ("eu-central-1=plan.json", "[1, 2]", "is not a saved plan in JSON"),
    ("eu-central-1=plan.json", '{"version": 4, "resources": []}', "is not a saved plan in JSON"),  # a state file
], ids=["no-equals", "no-workspace", "unknown-workspace", "missing-file", "not-json", "json-list", "state-file"])
def test_a_bad_plan_option_is_a_one_line_usage_error(sample_out, project, value, content, expected):
    if content is not None:
        (project / "plan.json").write_text(content)
    assert_usage_error(run_cli(["check", "--out", str(sample_out), "--plan", value], project), "--plan", expected)


def test_a_plan_with_malformed_planned_values_is_a_usage_error(sample_out, project):
    (project / "plan.json").write_text('{"planned_values": []}')
    assert_usage_error(run_cli(["check", "--out", str(sample_out), "--plan", "eu-central-1=plan.json"], project))


def test_a_saved_plan_is_checked_as_the_workspace_will_be(sample_out, project):
    """The synthesized sample is clean; its saved plan (as `terraform show -json` writes it) replicates abroad."""
    shutil.copytree(sample_out, project / "cdktf.out")
    address = replica_address(mutated(sample_out, project / "probe", "eu-central-1", REPLICA_ABROAD))
    kind, name = address.split(".", 1)
    body = json.loads((project / "cdktf.out/stacks/eu-central-1/cdk.tf.json").read_text())["resource"][kind][name]
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [{
        "address": address, "mode": "managed", "type": kind, "name": name,
        "values": {**body, "replica": [{"region_name": "us-east-1", "kms_key_arn": None}]}}]}}}
    (project / "plan.json").write_text(json.dumps(plan))
    clean = run_cli(["check", "--out", "cdktf.out"], project)
    assert clean.returncode == 0, clean.stdout
    result = run_cli(["check", "--out", "cdktf.out", "--plan", "eu-central-1=plan.json"], project)
    assert result.returncode == 3, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"RES002 eu-central-1: {address}: ")
    assert first.endswith("[eu-central-1 -> us-east-1] (in the saved plan)")
    document = json.loads(run_cli(["check", "--out", "cdktf.out", "--plan", "eu-central-1=plan.json", "--json"],
                                  project).stdout)
    assert [(f["rule"], f["checked"]) for f in document["findings"]] == [("RES002", "plan")]


# --- --out -----------------------------------------------------------------------------------------------


def test_out_must_be_a_directory(project):
    assert_usage_error(run_cli(["check", "--out", "cdktf.out"], project), "--out cdktf.out", "no such directory")


def test_out_synthesized_from_another_regions_yaml_is_refused(sample_out, project):
    shutil.copy(SIX_REGIONS, project / "regions.yaml")
    result = run_cli(["check", "--out", str(sample_out)], project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not synthesized from this regions.yaml" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


# --- exceptions in regions.yaml --------------------------------------------------------------------------


def test_an_expired_exception_is_an_invalid_regions_yaml(sample_out, project):
    config_file = with_exceptions(project, """  - rule: RES002
    resource: aws_dynamodb_table.anything
    workspace: eu-central-1
    destination: us-east-1
    reason: "DPO approved the US replica until migration, ticket PRIV-42"
    expires: "2001-01-01"
""")
    result = run_cli(["check", "--out", str(sample_out)], project)
    assert result.returncode == 65, result.stdout + result.stderr
    assert f"regions.yaml:{line_of(config_file, 'expires:')}: exceptions[0].expires:" in result.stderr
    assert "expired on 2001-01-01" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_an_exception_needs_a_reason_of_20_characters(sample_out, project):
    config_file = with_exceptions(project, """  - rule: RES002
    resource: aws_dynamodb_table.anything
    workspace: eu-central-1
    destination: us-east-1
    reason: "DPO said ok"
    expires: "2999-01-01"
""")
    result = run_cli(["check", "--out", str(sample_out)], project)
    assert result.returncode == 65, result.stdout + result.stderr
    assert f"regions.yaml:{line_of(config_file, 'reason:')}: exceptions[0].reason:" in result.stderr
    assert "at least 20" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_exception_that_matches_nothing_is_a_warning(sample_out, project):
    with_exceptions(project, """  - rule: RES005
    resource: aws_route53_record.gone
    workspace: global
    destination: us-east-1
    reason: "left over from an earlier routing experiment"
    expires: "2999-01-01"
""")
    result = run_cli(["check", "--out", str(sample_out)], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning: exceptions[0]: RES005 on aws_route53_record.gone -> us-east-1 matches no finding" in \
        result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("no violation in 5 workspace(s)")
    document = json.loads(run_cli(["check", "--out", str(sample_out), "--json"], project).stdout)
    assert document["warnings"] == ["exceptions[0]: RES005 on aws_route53_record.gone -> us-east-1 matches no finding"]


# --- processors and well-known sites: the sub-processor list ------------------------------------------------------


def _with_environment(sample_out: Path, project: Path, **variables: str) -> Path:
    def change(document: dict) -> None:
        function = next(body for name, body in document["resource"]["aws_lambda_function"].items() if "api" in name)
        function["environment"]["variables"].update(variables)
    return mutated(sample_out, project, "eu-central-1", change)


def test_check_lists_the_processors_each_jurisdiction_uses(sample_out, project):
    (project / "regions.yaml").write_text(SAMPLE.read_text() + """processors:
  - name: mailer-eu
    hosts: ["smtp.mailer.example.eu"]
    jurisdiction: EU
    purpose: "transactional email"
""")
    _with_environment(sample_out, project, SMTP_RELAY="smtp.mailer.example.eu:587", DD_SITE="datadoghq.eu")
    result = run_cli(["check", "--out", "cdktf.out", "--json"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = json.loads(result.stdout)["processors"]["EU"]
    assert {"name": "mailer-eu", "hosts": ["smtp.mailer.example.eu"], "purpose": "transactional email",
            "regions": ["eu-central-1", "eu-west-1"], "used_by": ["eu-central-1"]} in listed
    assert {"name": "Datadog's EU site", "well_known_site": True, "used_by": ["eu-central-1"]} in listed
    text = run_cli(["check", "--out", "cdktf.out"], project)
    assert "processors in EU: mailer-eu (transactional email), Datadog's EU site" in text.stdout


def test_a_site_of_another_jurisdiction_names_the_one_to_use(sample_out, project):
    _with_environment(sample_out, project, DD_SITE="datadoghq.com")
    result = run_cli(["check", "--out", "cdktf.out"], project)
    assert result.returncode == 3, result.stdout + result.stderr
    assert ("environment.variables.DD_SITE = 'datadoghq.com': Datadog's US site (US), outside EU (datadoghq.com is "
            "Datadog's US site; this workspace is EU: use datadoghq.eu) [eu-central-1 -> datadoghq.com]"
            ) in result.stdout


def test_a_pipeline_that_no_longer_follows_regions_yaml_fails_check(sample_out, project):
    shutil.copytree(sample_out, project / "cdktf.out")
    rendered = run_cli(["ci", "render", "--platform", "gitlab", "--install", "residency==0.1.0"], project)
    assert rendered.returncode == 0, rendered.stderr
    clean = run_cli(["check", "--out", "cdktf.out"], project)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    pipeline = project / ".gitlab-ci.yml"
    pipeline.write_text(pipeline.read_text().replace("apply:eu-central-1:", "apply:eu-south-9:"))
    stale = run_cli(["check", "--out", "cdktf.out", "--json"], project)
    assert stale.returncode == 3
    assert f"{pipeline}:1: the pipeline is out of date with regions.yaml: no apply job for eu-central-1" in (
        stale.stderr)
    assert "run `residency ci render --platform gitlab --install 'residency==0.1.0'`" in stale.stderr
    [entry] = json.loads(stale.stdout)["stale_pipelines"]
    assert entry["why"].startswith("no apply job for eu-central-1") and "eu-south-9" in entry["why"]
