"""Adding and retiring a region on the local target, as a user does it: `region add`, a plan that
changes only what the new region needs, apply; the region removed from the file is an orphan that
`apply --all` will not let global forget; retiring it is refused while it holds data, and with
`--export` the data is written out before the region is destroyed: every store of the region, also a
second table and a queue a team added to the silo (one declared, one not)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.e2e.projects import eu_and_us, local_project
from tests.e2e.test_local_target import check, emulator_client

pytestmark = pytest.mark.terraform

NEW_REGION = "ca-central-1"


def two_jurisdictions(directory: Path) -> Path:
    """Write the project to start with, a comment on top and one beside a setting (`region add` keeps both);
    returns its regions.yaml."""
    return local_project(directory, "acme-grow", eu_and_us(note="everyone else"), domain="example.org",
                         extra="tags: {}\n", comment="two jurisdictions to start with") / "regions.yaml"


def workspaces(result) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    return {w["workspace"]: w for w in json.loads(result.stdout)["workspaces"]}


ORDERS, JOBS = f"acme-grow-{NEW_REGION}-orders", f"acme-grow-{NEW_REGION}-jobs"


def add_stores_by_hand(project: Path, mirror: str | None) -> None:
    """A team adds a second table, declared as personal data the way an extension declares its stores, and a
    queue it forgot to declare, applying both with Terraform into the region's own state."""
    from residency.config import load_config
    from residency.flows.terraform_runs import RunOptions, terraform_settings, terraform_tools
    from residency.paths import ProjectPaths
    from residency.personal_data import OUTPUT
    from residency.terraform.manifest import Workspace
    from residency.terraform.runner import Terraform

    paths = ProjectPaths(project)
    settings = terraform_settings(load_config(project / "regions.yaml"), paths, terraform_tools(paths, mirror),
                                  RunOptions(), lambda text: None)
    terraform = Terraform(settings)
    scratch = project / "by-hand" / NEW_REGION
    shutil.copytree(paths.out / "stacks" / NEW_REGION, scratch)
    document = json.loads((scratch / "cdk.tf.json").read_text())
    document["terraform"]["backend"]["local"]["path"] = str(paths.state_file(NEW_REGION))
    document["resource"]["aws_dynamodb_table"]["orders"] = {
        "name": ORDERS, "billing_mode": "PAY_PER_REQUEST", "hash_key": "id", "attribute": [{"name": "id", "type": "S"}]}
    document["resource"]["aws_sqs_queue"] = {"jobs": {"name": JOBS}}
    document["output"][OUTPUT]["value"].append(
        {"address": "aws_dynamodb_table.orders", "kind": "dynamodb_table", "name": "${aws_dynamodb_table.orders.name}"})
    (scratch / "cdk.tf.json").write_text(json.dumps(document))
    workspace = Workspace(NEW_REGION, scratch, ())
    initialized = terraform.init(workspace)
    assert initialized is None or initialized.returncode == 0, initialized.tail()
    plan_file = project / "by-hand" / "plan"
    planned = terraform.plan(workspace, plan_file=plan_file)
    assert planned.returncode == 2 and planned.events.changes.add == 2, planned.tail()
    applied = terraform.apply(workspace, plan_file)
    assert applied.returncode == 0, applied.tail()


def test_add_a_region_then_retire_it_without_losing_its_data(tmp_path: Path, terraform_binary, provider_mirror):
    config = two_jurisdictions(tmp_path)
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        check(run_cli(["apply", "--all"], tmp_path, env), 0)

        # Add: one command, the file keeps its comments, the diff is shown.
        added = run_cli(["region", "add", NEW_REGION, "--jurisdiction", "CA", "--countries", "CA"], tmp_path, env)
        check(added, 0)
        assert f"+  {NEW_REGION}:" in added.stdout
        assert config.read_text().startswith("# two jurisdictions to start with\n")
        assert "default: true   # everyone else\n" in config.read_text()

        # The plan: the new region only creates, global adds (routing record, health check, HMAC key
        # replica) and changes only the HMAC keys' policies (which name every region's functions), the
        # other regions do not change at all.
        planned = run_cli(["plan", "--all", "--json", "--detailed-exitcode"], tmp_path, env)
        check(planned, 2)
        plan = workspaces(planned)
        assert plan["eu-central-1"]["status"] == plan["us-east-1"]["status"] == "no changes"
        new = plan[NEW_REGION]["changes"]
        assert new["add"] > 0 and new["change"] == new["destroy"] == 0, new
        global_changes = plan["global"]["changes"]
        assert global_changes["add"] > 0 and global_changes["destroy"] == 0, global_changes
        assert global_changes["change"] == 2, global_changes  # the HMAC key and its eu-central-1 replica

        applied = run_cli(["apply", "--all", "--json"], tmp_path, env)
        check(applied, 0)
        assert list(workspaces(applied)).index(NEW_REGION) < list(workspaces(applied)).index("global")
        route53 = emulator_client(tmp_path, "route53", "us-east-1")
        (zone,) = route53.list_hosted_zones_by_name(DNSName="example.org")["HostedZones"]

        def routed_countries() -> set[str]:
            records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
            return {r["GeoLocation"].get("CountryCode") for r in records if "GeoLocation" in r}

        assert "CA" in routed_countries()

        # Personal data arrives in the new region.
        s3 = emulator_client(tmp_path, "s3", NEW_REGION)
        (bucket,) = [b["Name"] for b in s3.list_buckets()["Buckets"] if NEW_REGION in b["Name"]]
        s3.put_object(Bucket=bucket, Key="profiles/ada.json", Body=b'{"name": "Ada"}')
        assert "ada.json" not in (tmp_path / ".residency" / "emulator.log").read_text()  # object keys are not logged
        table = f"acme-grow-{NEW_REGION}-data"
        emulator_client(tmp_path, "dynamodb", NEW_REGION).put_item(
            TableName=table, Item={"pk": {"S": "user#1"}, "sk": {"S": "profile"}, "plan": {"S": "gold"}})
        add_stores_by_hand(tmp_path, provider_mirror)
        emulator_client(tmp_path, "dynamodb", NEW_REGION).put_item(
            TableName=ORDERS, Item={"id": {"S": "order-1"}, "buyer": {"S": "user#1"}})
        sqs = emulator_client(tmp_path, "sqs", NEW_REGION)
        queue = sqs.get_queue_url(QueueName=JOBS)["QueueUrl"]
        for number in range(2):
            sqs.send_message(QueueUrl=queue, MessageBody=json.dumps({"user": f"user#{number}"}))
        # Its users' addresses are claimed for it in the directory; another region's claim is not its own.
        directory = emulator_client(tmp_path, "dynamodb", "us-east-1")
        for key, home in (("a" * 64, NEW_REGION), ("b" * 64, NEW_REGION), ("c" * 64, "us-east-1")):
            directory.put_item(TableName="acme-grow-directory", Item={
                "user_key": {"S": key}, "home_region": {"S": home}, "claim_state": {"S": "confirmed"}})

        # Remove it from the file: an orphan, and global is not applied while it is one.
        two_jurisdictions(tmp_path)
        orphaned = run_cli(["plan", "--all"], tmp_path, env)
        check(orphaned, 0)
        assert f"orphan: {NEW_REGION} is no longer in regions.yaml" in orphaned.stderr
        refused = run_cli(["apply", "--all", "--json"], tmp_path, env)
        check(refused, 3)
        outcome = workspaces(refused)["global"]
        assert outcome["status"] == "refused" and f"residency region retire {NEW_REGION}" in outcome["error"]
        assert "CA" in routed_countries()

        # Retiring: refused while the region holds data, done with --export, the export holds the data.
        retire = ["region", "retire", NEW_REGION, "--yes", "--i-understand-data-loss"]
        held = run_cli(retire, tmp_path, env)
        check(held, 1)
        assert f"{NEW_REGION} still holds personal data" in held.stderr and "--export" in held.stderr
        assert f"1 item in table {ORDERS}" in held.stderr and f"2 messages in queue {queue}" in held.stderr
        assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]

        export = tmp_path / "export"
        retired = run_cli([*retire, "--export", str(export)], tmp_path, env)
        check(retired, 0)
        assert f"{NEW_REGION} is retired" in retired.stdout
        assert "; the directory binds 2 address(es) to it, released once it is destroyed" in held.stderr
        assert f"{NEW_REGION}: released 2 directory claim(s) of its users" in retired.stderr
        remaining = directory.scan(TableName="acme-grow-directory")["Items"]
        assert [(item["user_key"]["S"], item["home_region"]["S"]) for item in remaining] == [("c" * 64, "us-east-1")]
        assert (export / NEW_REGION / "s3" / bucket / "profiles" / "ada.json").read_bytes() == b'{"name": "Ada"}'
        items = (export / NEW_REGION / "dynamodb" / f"{table}.jsonl").read_text().splitlines()
        assert [json.loads(line)["plan"] for line in items] == [{"S": "gold"}]
        orders = (export / NEW_REGION / "dynamodb" / f"{ORDERS}.jsonl").read_text().splitlines()
        assert [json.loads(line)["buyer"] for line in orders] == [{"S": "user#1"}]
        jobs = (export / NEW_REGION / "sqs" / f"{JOBS}.jsonl").read_text().splitlines()
        assert sorted(json.loads(json.loads(line)["Body"])["user"] for line in jobs) == ["user#0", "user#1"]
        manifest = json.loads((export / NEW_REGION / "manifest.json").read_text())
        assert manifest["region"] == NEW_REGION
        assert {store["kind"] for store in manifest["stores"]} == {
            "s3_bucket", "dynamodb_table", "cognito_user_pool", "sqs_queue"} and len(manifest["stores"]) == 5

        assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
        left = emulator_client(tmp_path, "dynamodb", NEW_REGION).list_tables()["TableNames"]
        assert table not in left and ORDERS not in left
        assert not sqs.list_queues().get("QueueUrls")
        assert "CA" not in routed_countries()
        check(run_cli(["plan", "--all", "--detailed-exitcode"], tmp_path, env), 0)
    finally:
        run_cli(["local", "down"], tmp_path)
