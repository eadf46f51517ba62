"""An extension's stores across change, on the local target (real Terraform, the emulator over HTTP): a crafted
reviewed plan that deletes one is refused with nothing changed; dropping one from the extension is refused by every
apply; `store retire` counts, exports, confirms and removes it, and nothing else."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from residency.terraform.change_set import ChangeSet
from tests.conftest import run_cli
from tests.e2e.test_local_target import check, emulator_client

pytestmark = pytest.mark.terraform

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"
DOCUMENTS = (REPO / "tests" / "fixtures" / "extensions" / "documents.py").read_text()
TABLE_START, TABLE_END = "        table = DynamodbTable(", '        context.output("documents_bucket"'


def without_table(source: str) -> str:
    """The extension after its team dropped the table (its bucket stays)."""
    start, end = source.index(TABLE_START), source.index(TABLE_END)
    return (source[:start] + source[end:]).replace('        context.output("documents_table", table.name)\n', "")


@pytest.fixture
def applied(tmp_path: Path, provider_mirror: str | None):  # type: ignore[no-untyped-def]
    root = tmp_path / "billing-platform"
    shutil.copytree(REPO / "examples" / "billing-platform", root)
    (root / "billing" / "store.py").write_text(DOCUMENTS)
    config = root / "regions.yaml"
    config.write_text(config.read_text().replace("region: [billing.infra:region_resources]",
                                                 "region: [billing.infra:region_resources, "
                                                 "billing.store:document_store]"))
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    try:
        check(run_cli(["apply", REGION], root, env), 0)
        outputs = json.loads(run_cli(["output", REGION, "--json"], root, env).stdout)["workspaces"][REGION]
        yield root, env, outputs["documents_bucket"], outputs["documents_table"]
    finally:
        run_cli(["local", "down"], root, timeout=120)


def test_a_crafted_reviewed_plan_deleting_a_store_is_refused_and_the_emulator_is_unchanged(applied, tmp_path):
    root, env, _bucket, table = applied
    dynamodb = emulator_client(root, "dynamodb", REGION)
    dynamodb.put_item(TableName=table, Item={"id": {"S": "contracts/ada.pdf"}})
    plans = tmp_path / "plans"
    check(run_cli(["plan", REGION, "--save-plans", str(plans)], root, env), 0)  # nothing to do, reviewed
    genuine_config = (root / "cdktf.out" / "stacks" / REGION / "cdk.tf.json").read_bytes()

    # An insider plans other code with Terraform itself, puts the genuine configuration inside that plan, and
    # fixes up the manifest to match (status, sha256, change digest, counts).
    store = root / "billing" / "store.py"
    store.write_text(without_table(DOCUMENTS))
    forged = tmp_path / "forged.tfplan"
    check(run_cli(["tf", REGION, "--", "plan", "-input=false", f"-out={forged}"], root, env), 0)
    shown = run_cli(["tf", REGION, "--", "show", "-json", str(forged)], root, env)
    change_set = ChangeSet.from_plan(json.loads(shown.stdout[shown.stdout.index("{"):]))
    assert [change.address for change in change_set.changes if change.deletes] == [
        "aws_dynamodb_table.documents_index_E4C47F33"]
    store.write_text(DOCUMENTS)
    target = plans / f"{REGION}.tfplan"
    with zipfile.ZipFile(forged) as original, zipfile.ZipFile(target, "w") as copy:
        for item in original.infolist():
            copy.writestr(item, genuine_config if item.filename == "tfconfig/m-/cdk.tf.json"
                          else original.read(item.filename))
    manifest = json.loads((plans / "manifest.json").read_text())
    manifest["workspaces"][REGION].update(
        status="changes", plan_file=target.name, plan_sha256=hashlib.sha256(target.read_bytes()).hexdigest(),
        change_digest=change_set.digest(), changes={"add": 0, "change": 1, "destroy": 0})
    (plans / "manifest.json").write_text(json.dumps(manifest))

    refused = run_cli(["apply", "--plans", str(plans), "--auto-approve"], root, env)
    check(refused, 3)
    # The genuine configuration, whose snapshot the plan carries, protects the table: judged by what the plan does.
    assert "aws_dynamodb_table.documents_index_E4C47F33: destroyed, but the configuration marks it prevent_destroy" \
        in refused.stdout, refused.stdout[-3000:]
    assert dynamodb.get_item(TableName=table, Key={"id": {"S": "contracts/ada.pdf"}})["Item"]


def test_a_dropped_store_is_kept_until_store_retire_exports_and_removes_it(applied, tmp_path):
    root, env, bucket, table = applied
    dynamodb, s3 = emulator_client(root, "dynamodb", REGION), emulator_client(root, "s3", REGION)
    dynamodb.put_item(TableName=table, Item={"id": {"S": "contracts/ada.pdf"}})
    s3.put_object(Bucket=bucket, Key="contracts/ada.pdf", Body=b"%PDF ada")
    (root / "billing" / "store.py").write_text(without_table(DOCUMENTS))

    refused = run_cli(["apply", REGION, "--auto-approve"], root, env)
    check(refused, 3)
    assert "a declared personal-data store" in refused.stdout + refused.stderr
    assert "`residency store retire`" in refused.stdout + refused.stderr  # the way out
    still_there = run_cli(["store", "retire", REGION, bucket, "--yes", "--i-understand-data-loss"], root, env)
    check(still_there, 64)
    assert "is still in the configuration" in still_there.stderr
    unknown = run_cli(["store", "retire", REGION, "no-such-table", "--yes", "--i-understand-data-loss"], root, env)
    check(unknown, 64)
    assert table in unknown.stderr  # the stores it knows are listed
    check(run_cli(["store", "retire", REGION, table], root, env), 64)  # nobody to type its name
    holding = run_cli(["store", "retire", REGION, table, "--yes", "--i-understand-data-loss"], root, env)
    check(holding, 1)
    assert f"1 item in table {table}" in holding.stderr

    exported = tmp_path / "exports"
    retired = run_cli(["store", "retire", REGION, table, "--export", str(exported), "--yes",
                       "--i-understand-data-loss"], root, env)
    check(retired, 0)
    assert "destroyed 1 resource(s)" in retired.stdout
    (lines,) = exported.glob("*/dynamodb/*.jsonl")
    assert "contracts/ada.pdf" in lines.read_text()
    with pytest.raises(ClientError):
        dynamodb.describe_table(TableName=table)
    assert s3.get_object(Bucket=bucket, Key="contracts/ada.pdf")["Body"].read() == b"%PDF ada"
    planned = json.loads(run_cli(["plan", REGION, "--json"], root, env).stdout)["workspaces"][0]
    assert planned["changes"]["add"] == planned["changes"]["destroy"] == 0, planned
