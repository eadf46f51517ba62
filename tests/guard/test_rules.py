"""A corpus of violating workspaces: each hand-made change to synthesized JSON must be caught by the
right rule and nothing else; the sample and the six-region config (local and aws) pass untouched."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from residency.config import load_config
from residency.guard.check import SCP_FILE, check_synthesized
from residency.guard.policies.organization_scp import scp_text
from residency.guard.rules import RULES
from residency.stacks import synthesize
from tests.conftest import SAMPLE

SIX_REGIONS = Path(__file__).resolve().parent.parent / "fixtures" / "six-regions.yaml"
Change = Callable[[dict], None]


DEPLOYER = "ci:\n  apply_role: arn:aws:iam::123456789012:role/residency-apply\n"  # the SCP lets it change functions


def six_regions_on_aws(directory: Path, extra: str = "") -> Path:
    """The six-region config on the aws target (directory replicas, certificates) with the SCP."""
    config_file = directory / "regions.yaml"
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws")
    config_file.write_text(text.replace("routing: geolocation", "routing: geolocation\n  frontend: true")
                           + "organization_scp: true\n" + DEPLOYER + extra)
    return config_file


@pytest.fixture(scope="module")
def sample_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guard") / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    return out


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> tuple[Path, Path]:
    """(regions.yaml, cdktf.out) of the six regions on aws."""
    directory = tmp_path_factory.mktemp("rich")
    config_file = six_regions_on_aws(directory)
    config = load_config(config_file)
    out = directory / "cdktf.out"
    synthesize(config, out, {SCP_FILE: scp_text(config)})
    return config_file, out


def mutated(source: Path, tmp_path: Path, workspace: str, change: Change) -> Path:
    out = tmp_path / "cdktf.out"
    shutil.copytree(source, out)
    path = out / SCP_FILE if workspace == "organization" else out / "stacks" / workspace / "cdk.tf.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return out


def resource(document: dict, kind: str, contains: str = "") -> dict:
    return next(body for name, body in document["resource"][kind].items() if contains in name)


def add(kind: str, body: dict) -> Change:
    return lambda document: document.setdefault("resource", {}).setdefault(kind, {}).__setitem__("injected", body)


def set_in(kind: str, contains: str, key: str, value: object) -> Change:
    return lambda document: resource(document, kind, contains).__setitem__(key, value)


def policy_change(contains: str, edit: Callable[[list[dict]], None]) -> Change:
    def change(document: dict) -> None:
        body = resource(document, "aws_iam_role_policy", contains)
        policy = json.loads(body["policy"])
        edit(policy["Statement"])
        body["policy"] = json.dumps(policy)
    return change


def directory_table(document: dict) -> dict:
    return next(b for b in document["resource"]["aws_dynamodb_table"].values() if b["name"] == "acme-six-directory")


US_DATA_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/acme-six-us-east-1-data"
OWN_BUCKET = "${aws_s3_bucket.data_bucket_7118ED8E.id}"
REMOTE_US = ("${replace(data.terraform_remote_state.cross-stack-reference-input-us-east-1.outputs.x, "
             "\"https://\", \"\")}")

# case -> (base, workspace, rules, address prefix, change): base "sample" is the local sample, "rich" the six
# regions on aws; rules are the rules that must fire, and no other may.
CASES: dict[str, tuple[str, str, str, str, Change]] = {
    # RES001
    "extra provider alias": ("sample", "eu-central-1", "RES001", "provider.aws.elsewhere",
                             lambda d: d["provider"]["aws"].append({"alias": "elsewhere", "region": "us-east-1"})),
    # Everything then lives in us-east-1: its keys (RES004), its permissions (RES006) and the function its schedule
    # sends events to (RES002) too.
    "provider for another region": ("sample", "eu-central-1", "RES001+RES002+RES004+RES006+RES010",
                                    "provider.aws.default",
                                    lambda d: d["provider"]["aws"][0].__setitem__("region", "us-east-1")),
    # The bucket's configurations then apply to a bucket of unknown region (RES004).
    "resource through another provider": ("sample", "eu-central-1", "RES001+RES004", "aws_s3_bucket.",
                                          set_in("aws_s3_bucket", "", "provider", "aws.us")),
    "data source through another provider": ("sample", "eu-central-1", "RES001", "data.aws_caller_identity.",
                                             lambda d: d["data"]["aws_caller_identity"]["account"].__setitem__(
                                                 "provider", "aws.us")),
    # RES002
    "dynamodb replica abroad": ("sample", "eu-central-1", "RES002", "aws_dynamodb_table.",
                                set_in("aws_dynamodb_table", "", "replica", [{"region_name": "us-east-1"}])),
    "dynamodb replica to an unresolvable region": ("sample", "eu-central-1", "RES002", "aws_dynamodb_table.",
                                                   set_in("aws_dynamodb_table", "", "replica",
                                                          [{"region_name": "${var.somewhere}"}])),
    "table replica resource from abroad": ("sample", "eu-central-1", "RES002", "aws_dynamodb_table_replica.injected",
                                           add("aws_dynamodb_table_replica", {
                                               "global_table_arn": "arn:aws:dynamodb:us-east-1:1:table/t"})),
    "legacy global table": ("sample", "eu-central-1", "RES002", "aws_dynamodb_global_table.injected",
                            add("aws_dynamodb_global_table", {"name": "t", "replica": [
                                {"region_name": "eu-central-1"}, {"region_name": "ap-southeast-2"}]})),
    "s3 replication to a bucket unknown to regions.yaml": (
        "sample", "eu-central-1", "RES002", "aws_s3_bucket_replication_configuration.injected",
        add("aws_s3_bucket_replication_configuration", {"bucket": OWN_BUCKET, "role": "r", "rule": [
            {"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::someone-elses-bucket"}}]})),
    "s3 replication to another jurisdiction's data bucket": (
        "sample", "eu-central-1", "RES002", "aws_s3_bucket_replication_configuration.injected",
        add("aws_s3_bucket_replication_configuration", {"bucket": OWN_BUCKET, "role": "r", "rule": [
            {"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::acme-health-us-east-1-data-12345678"}}]})),
    "multi-region access point": ("sample", "eu-central-1", "RES002", "aws_s3control_multi_region_access_point.",
                                  add("aws_s3control_multi_region_access_point", {"details": {
                                      "name": "x", "region": [{"bucket": "acme-health-eu-central-1-data-1"},
                                                              {"bucket": "acme-health-us-east-1-data-1"}]}})),
    "backup copy abroad": ("sample", "ap-southeast-2", "RES002", "aws_backup_plan.injected",
                           add("aws_backup_plan", {"name": "p", "rule": [{"copy_action": [{
                               "destination_vault_arn": "arn:aws:backup:eu-west-1:1:backup-vault:v"}]}]})),
    "log export abroad": ("sample", "eu-central-1", "RES002", "aws_cloudwatch_log_subscription_filter.injected",
                          add("aws_cloudwatch_log_subscription_filter", {
                              "name": "f", "log_group_name": "g", "filter_pattern": "",
                              "destination_arn": "arn:aws:logs:us-east-1:1:destination:d"})),
    "multi-region key": ("sample", "us-east-1", "RES002", "aws_kms_key.",
                         set_in("aws_kms_key", "", "multi_region", True)),
    # RES003
    "directory indexes the email": ("rich", "global", "RES003", "aws_dynamodb_table.",
                                    lambda d: directory_table(d).update(
                                        attribute=[{"name": "user_key", "type": "S"}, {"name": "email", "type": "S"}],
                                        global_secondary_index=[{"name": "by-email", "hash_key": "email",
                                                                 "projection_type": "ALL"}])),
    "directory with a sort key": ("rich", "global", "RES003", "aws_dynamodb_table.",
                                  lambda d: directory_table(d).update(range_key="user_key")),
    "another table replicated from global across jurisdictions": (
        "rich", "global", "RES003", "aws_dynamodb_table.injected",
        add("aws_dynamodb_table", {"name": "sessions", "hash_key": "id", "replica": [{"region_name": "eu-west-1"}]})),
    "directory replica in an unlisted region": ("rich", "global", "RES003", "aws_dynamodb_table.",
                                                lambda d: directory_table(d)["replica"].append(
                                                    {"region_name": "sa-east-1"})),
    "multi-region key that can encrypt in global": ("rich", "global", "RES003", "aws_kms_key.kms_",
                                                    set_in("aws_kms_key", "kms_", "multi_region", True)),
    "replica of an encryption key from global": ("rich", "global", "RES003", "aws_kms_replica_key.injected",
                                                 lambda d: add("aws_kms_replica_key", {
                                                     "provider": "aws.eu-west-1",
                                                     "primary_key_arn": "${aws_kms_key." + next(
                                                         n for n in d["resource"]["aws_kms_key"] if "hmac" not in n)
                                                     + ".arn}"})(d)),
    # RES004
    "log group key in another jurisdiction": ("sample", "eu-central-1", "RES004", "aws_cloudwatch_log_group.",
                                              set_in("aws_cloudwatch_log_group", "api-access", "kms_key_id",
                                                     "arn:aws:kms:us-east-1:1:key/abc")),
    "table key from a variable": ("sample", "eu-central-1", "RES004", "aws_dynamodb_table.",
                                  set_in("aws_dynamodb_table", "", "server_side_encryption",
                                         {"enabled": True, "kms_key_arn": "${var.key}"})),
    "api access logs abroad": ("sample", "eu-central-1", "RES004", "aws_apigatewayv2_stage.",
                               lambda d: resource(d, "aws_apigatewayv2_stage")["access_log_settings"].__setitem__(
                                   "destination_arn", "arn:aws:logs:us-east-1:1:log-group:x")),
    "state in an s3 bucket abroad": ("sample", "eu-central-1", "RES004", "terraform.backend.s3",
                                     lambda d: d["terraform"].__setitem__("backend", {"s3": {
                                         "bucket": "state", "key": "eu", "region": "us-east-1"}})),
    "state in US-hosted HCP Terraform": ("sample", "eu-central-1", "RES004", "terraform.backend.remote",
                                         lambda d: d["terraform"].__setitem__("backend", {"remote": {
                                             "organization": "acme", "workspaces": {"name": "eu"}}})),
    # RES005
    "country routed abroad": ("rich", "global", "RES005", "aws_route53_record.routing_api-eu-central-1-DE",
                              lambda d: resource(d, "aws_route53_record", "api-eu-central-1-DE")["alias"].__setitem__(
                                  "name", "us-east-1.example.com")),
    "failover across jurisdictions": ("rich", "global", "RES005", "aws_route53_record.routing_failover-eu-west-1-sec",
                                      lambda d: resource(d, "aws_route53_record", "failover-eu-west-1-secondary")[
                                          "alias"].__setitem__("name", REMOTE_US)),
    "health check of another jurisdiction": ("rich", "global", "RES005", "aws_route53_record.routing_api-ap-",
                                             lambda d: resource(d, "aws_route53_record", "api-ap-southeast-2-AU")
                                             .__setitem__("health_check_id", "${aws_route53_health_check." + next(
                                                 n for n in d["resource"]["aws_route53_health_check"]
                                                 if "us-east-1" in n) + ".id}")),
    "listed country without a record": ("rich", "global", "RES005", "aws_route53_record",
                                        lambda d: d["resource"]["aws_route53_record"].pop(next(
                                            n for n in d["resource"]["aws_route53_record"] if "-MX_" in n))),
    "record for an unlisted country": ("rich", "global", "RES005", "aws_route53_record.injected",
                                       add("aws_route53_record", {"name": "api.example.com", "type": "A",
                                                                  "set_identifier": "BR",
                                                                  "geolocation_routing_policy": {"country": "BR"},
                                                                  "alias": {"name": "us-east-1.example.com"}})),
    "unresolvable routing target": ("rich", "global", "RES005", "aws_route53_record.routing_api-ca-central-1",
                                    lambda d: resource(d, "aws_route53_record", "api-ca-central-1")["alias"]
                                    .__setitem__("name", "${var.target}")),
    # RES006
    "statement without a region condition": ("sample", "eu-central-1", "RES006", "aws_iam_role_policy.api-",
                                             policy_change("api-", lambda s: s[1].pop("Condition"))),
    "region condition allows another region": ("sample", "eu-central-1", "RES006", "aws_iam_role_policy.api-",
                                               policy_change("api-", lambda s: s[1]["Condition"]["StringEquals"]
                                                             ["aws:RequestedRegion"].append("us-east-1"))),
    "reads another region's table": ("rich", "eu-central-1", "RES006", "aws_iam_role_policy.api-",
                                     policy_change("api-", lambda s: s.append({
                                         "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": [US_DATA_TABLE],
                                         "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-central-1"]}}}))),
    "data actions on every resource": ("sample", "eu-central-1", "RES006", "aws_iam_role_policy.api-",
                                       policy_change("api-", lambda s: s.append({
                                           "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                           "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-central-1"}}}))),
    "managed policy attached": ("sample", "eu-central-1", "RES006", "aws_iam_role_policy_attachment.injected",
                                add("aws_iam_role_policy_attachment", {
                                    "role": "r", "policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"})),
    "policy that cannot be read": ("sample", "eu-central-1", "RES006", "aws_iam_role_policy.api-",
                                   set_in("aws_iam_role_policy", "api-", "policy",
                                          "${data.aws_iam_policy_document.wide.json}")),
    # RES007
    "email in a tag": ("sample", "eu-central-1", "RES007", "aws_dynamodb_table.",
                       set_in("aws_dynamodb_table", "", "tags", {"owner": "ada@example.org"})),
    "personal key in a function environment": (
        "sample", "eu-central-1", "RES007", "aws_lambda_function.",
        lambda d: resource(d, "aws_lambda_function", "api-")["environment"]["variables"].__setitem__(
            "ADMIN_EMAIL", "x")),
    "email in an output": ("sample", "global", "RES007", "output.contact",
                           lambda d: d.setdefault("output", {}).__setitem__("contact", {"value": "a@b.io"})),
    # RES008: the organization SCP
    "SCP lets an ungoverned region in": ("rich", "organization", "RES008", "organization-scp.json#DenyOutside",
                                         lambda d: d["Statement"][0]["Condition"]["StringNotEquals"][
                                             "aws:RequestedRegion"].append("sa-east-1")),
    "SCP exempts a data service": ("rich", "organization", "RES008", "organization-scp.json#DenyOutside",
                                   lambda d: d["Statement"][0]["NotAction"].append("dynamodb:*")),
    "SCP allows multi-region encryption keys": ("rich", "organization", "RES008", "organization-scp.json",
                                                lambda d: d["Statement"].pop(1)),
    "SCP allows replication": ("rich", "organization", "RES008", "organization-scp.json",
                               lambda d: d["Statement"].pop(3)),
}


def base(name: str, sample_out: Path, rich: tuple[Path, Path]) -> tuple[Path, Path]:
    return (SAMPLE, sample_out) if name == "sample" else rich


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_violation_is_caught_by_its_rule_alone(case, sample_out, rich, tmp_path):
    base_name, workspace, rule, address, change = CASES[case]
    config_file, out = base(base_name, sample_out, rich)
    report = check_synthesized(load_config(config_file), mutated(out, tmp_path, workspace, change))
    assert report.findings, "no finding"
    assert {(f.rule, f.workspace) for f in report.findings} == {(r, workspace) for r in rule.split("+")}, \
        report.findings
    assert any(f.address.startswith(address) for f in report.findings), report.findings


@pytest.mark.parametrize("base_name", ["sample", "rich"])
def test_the_unchanged_output_passes(base_name, sample_out, rich):
    config_file, out = base(base_name, sample_out, rich)
    report = check_synthesized(load_config(config_file), out)
    assert report.clean, report.findings
    assert len(report.workspaces) == (5 if base_name == "sample" else 7)


def test_the_six_regions_on_the_local_target_pass(tmp_path):
    config_file = tmp_path / "regions.yaml"
    shutil.copy(SIX_REGIONS, config_file)
    synthesize(load_config(config_file), tmp_path / "cdktf.out")
    assert check_synthesized(load_config(config_file), tmp_path / "cdktf.out").clean


def test_copies_and_failover_inside_a_jurisdiction_are_allowed(rich, tmp_path):
    config_file, out = rich
    out = mutated(out, tmp_path, "eu-central-1", set_in("aws_dynamodb_table", "", "replica",
                                                        [{"region_name": "eu-west-1"}]))
    report = check_synthesized(load_config(config_file), out)
    assert report.clean, report.findings
    kinds = {(p.kind, p.source, p.destination) for p in report.paths}
    assert ("replica", "eu-central-1", "eu-west-1") in kinds
    assert ("failover", "eu-central-1", "eu-west-1") in kinds
    assert ("directory", "global", "ap-southeast-2") in kinds
    assert not any(p.violation for p in report.paths)


def test_directory_replicas_follow_replicate_to(tmp_path):
    """Restricted to the EU, the synthesized directory has no replica elsewhere and still passes;
    output made for `all` is refused under the restriction."""
    config_file = six_regions_on_aws(tmp_path, "directory:\n  replicate_to: [EU]\n")
    config = load_config(config_file)
    assert config.directory_replica_regions == ("eu-central-1", "eu-west-1")
    synthesize(config, tmp_path / "cdktf.out", {SCP_FILE: scp_text(config)})
    report = check_synthesized(config, tmp_path / "cdktf.out")
    assert report.clean, report.findings
    assert {p.destination for p in report.paths if p.kind == "directory"} == {"eu-central-1", "eu-west-1"}
    everywhere = tmp_path / "everywhere"
    everywhere.mkdir()
    config_all = load_config(six_regions_on_aws(everywhere))
    synthesize(config_all, everywhere / "cdktf.out", {SCP_FILE: scp_text(config)})
    refused = check_synthesized(config, everywhere / "cdktf.out")
    outside = {f.destination for f in refused.findings if f.rule == "RES003"}
    assert outside == {"us-west-2", "ap-southeast-2", "ca-central-1"}
    assert all(p.violation for p in refused.paths if p.kind == "directory" and p.destination in outside)


def test_exceptions_suppress_only_their_finding_and_unused_ones_are_reported(sample_out, tmp_path):
    out = mutated(sample_out, tmp_path, "eu-central-1", CASES["dynamodb replica abroad"][4])
    address = next(f.address for f in check_synthesized(load_config(SAMPLE), out).findings)
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(SAMPLE.read_text() + f"""exceptions:
  - rule: RES002
    resource: {address}
    workspace: eu-central-1
    destination: us-east-1
    reason: "DPO approved the US replica until migration, ticket PRIV-42"
    expires: "2999-01-01"
  - rule: RES005
    resource: aws_route53_record.gone
    workspace: global
    destination: us-east-1
    reason: "left over from an earlier routing experiment"
    expires: "2999-01-01"
""")
    report = check_synthesized(load_config(config_file), out)
    assert report.clean
    assert [(s.finding.rule, s.finding.address) for s in report.suppressed] == [("RES002", address)]
    assert report.unused_exceptions == [
        "exceptions[1]: RES005 on aws_route53_record.gone -> us-east-1 matches no finding"]


def test_an_exception_excuses_only_its_destination_and_its_workspaces(sample_out, tmp_path):
    """Two replicas abroad on one table: an exception for one leaves the other reported; an exception for the
    same address in another workspace excuses nothing here."""
    change = set_in("aws_dynamodb_table", "", "replica", [{"region_name": "us-east-1"}, {"region_name": "us-west-2"}])
    out = mutated(sample_out, tmp_path, "eu-central-1", change)
    address = next(f.address for f in check_synthesized(load_config(SAMPLE), out).findings)
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(SAMPLE.read_text() + f"""exceptions:
  - rule: RES002
    resource: {address}
    workspace: eu-central-1
    destination: us-east-1
    reason: "DPO approved the US replica until migration, ticket PRIV-42"
    expires: "2999-01-01"
  - rule: RES002
    resource: {address}
    workspaces: [eu-west-1, ap-southeast-2]
    destination: us-west-2
    reason: "reviewed for the other regions only, ticket PRIV-43"
    expires: "2999-01-01"
""")
    report = check_synthesized(load_config(config_file), out)
    assert [(f.rule, f.destination) for f in report.findings] == [("RES002", "us-west-2")]
    assert [s.finding.destination for s in report.suppressed] == ["us-east-1"]
    assert report.unused_exceptions == [f"exceptions[1]: RES002 on {address} -> us-west-2 matches no finding"]


def test_output_of_another_config_is_refused(sample_out, rich):
    from residency.errors import ResidencyError

    with pytest.raises(ResidencyError, match="not synthesized from this regions.yaml"):
        check_synthesized(load_config(rich[0]), sample_out)


def test_plan_and_apply_stop_before_terraform_on_a_violation(sample_out, tmp_path):
    """terraform_runs.guard is what plan and apply run right after synth: a violation is exit 3 with the report."""
    from residency.errors import ExitCode, ViolationError
    from residency.flows import terraform_runs
    from residency.paths import ProjectPaths

    shutil.copy(SAMPLE, tmp_path / "regions.yaml")
    paths = ProjectPaths.for_config(tmp_path / "regions.yaml")
    mutated(sample_out, tmp_path, "eu-central-1", CASES["dynamodb replica abroad"][4])
    assert paths.out == tmp_path / "cdktf.out"
    notices: list[str] = []
    with pytest.raises(ViolationError) as raised:
        terraform_runs.guard(load_config(SAMPLE), paths, notices.append)
    assert raised.value.exit_code == ExitCode.VIOLATION
    assert "RES002 eu-central-1: aws_dynamodb_table." in raised.value.render()
    shutil.rmtree(paths.out)
    shutil.copytree(sample_out, paths.out)
    terraform_runs.guard(load_config(SAMPLE), paths, notices.append)
    assert notices == [f"residency rules: no violation in 5 workspace(s), {len(RULES)} rules"]


def test_user_keys_are_computed_at_home_whatever_replicate_to_says(tmp_path):
    """The leak residency's own output had: with replicate_to [EU], the AU triggers sent every normalized
    email to KMS in the global region (us-east-1). Now each region has an HMAC key replica and uses it;
    putting the old settings back is caught (RES010)."""
    config = load_config(six_regions_on_aws(tmp_path, "directory:\n  replicate_to: [EU]\n"))
    out = tmp_path / "cdktf.out"
    synthesize(config, out, {SCP_FILE: scp_text(config)})
    au = json.loads((out / "stacks" / "ap-southeast-2" / "cdk.tf.json").read_text())
    triggers = [f for f in au["resource"]["aws_lambda_function"].values() if "HMAC_KEY_REGION" in json.dumps(f)]
    assert len(triggers) == 6  # the four triggers, the API (DELETE /me) and the claim reconciler
    assert {f["environment"]["variables"]["HMAC_KEY_REGION"] for f in triggers} == {"ap-southeast-2"}
    assert {f["environment"]["variables"]["DIRECTORY_READ_REGION"] for f in triggers} == {"us-east-1"}
    glob = json.loads((out / "stacks" / "global" / "cdk.tf.json").read_text())
    replica_regions = {r["provider"].removeprefix("aws.") for r in glob["resource"]["aws_kms_replica_key"].values()}
    assert replica_regions == set(config.regions) - {"us-east-1"}
    assert check_synthesized(config, out).clean

    def old_settings(document: dict) -> None:
        for function in document["resource"]["aws_lambda_function"].values():
            if "HMAC_KEY_REGION" in json.dumps(function):
                function["environment"]["variables"]["HMAC_KEY_REGION"] = "us-east-1"
        for policy in document["resource"]["aws_iam_role_policy"].values():
            policy["policy"] = policy["policy"].replace("arn:aws:kms:ap-southeast-2:", "arn:aws:kms:us-east-1:")

    leaking = mutated(out, tmp_path / "leak", "ap-southeast-2", old_settings)
    report = check_synthesized(config, leaking)
    messages = [f.message for f in report.findings if f.rule == "RES010"]
    assert any("HMAC_KEY_REGION computes directory keys in us-east-1" in m for m in messages), report.findings
    assert any("kms:GenerateMac" in m and "us-east-1" in m for m in messages), report.findings
