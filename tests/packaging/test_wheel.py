"""residency as a team installs it: the wheel built from this tree, in a fresh virtualenv, used in an
empty directory outside any clone (no regions.yaml, handlers or cdktf.json of the repository)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from residency.stacks.extension_addresses import unique_id
from tests.stacks.test_extensions import HANDLER, INFRA

REPO = Path(__file__).resolve().parents[2]
# A second team's extension: a bucket with its guards and a table, in a construct of its own.
DOCUMENTS = (REPO / "tests" / "fixtures" / "extensions" / "documents.py").read_text()


@pytest.fixture
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:  # one test uses it: built once
    """The `residency` executable of a fresh virtualenv holding the wheel (dependencies from the package
    index, as `pip install` gets them)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"  # a copy: the build writes build/ and *.egg-info beside the sources
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = source / name
        if (REPO / name).is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((REPO / name).read_bytes())
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(root / "dist"), str(source)], root)
    (wheel,) = (root / "dist").glob("residency-*.whl")
    run([sys.executable, "-m", "venv", str(root / "venv")], root)
    run([str(root / "venv" / "bin" / "pip"), "install", "-q", str(wheel)], root)
    return root / "venv" / "bin" / "residency"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items()
             if key not in ("RESIDENCY_CONFIG", "PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(command, cwd=cwd, env={**clean, **(env or {})}, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def assert_plans_nothing(installed: Path, project: Path, env: dict[str, str]) -> None:
    planned = subprocess.run([str(installed), "plan", "--all", "--json"], cwd=project, env={**os.environ, **env},
                             capture_output=True, text=True, timeout=900)
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    changes = {w["workspace"]: w["changes"] for w in json.loads(planned.stdout)["workspaces"]}
    assert all(c["add"] == 0 and c["destroy"] == 0 for c in changes.values()), changes


@pytest.mark.terraform
def test_a_team_applies_its_own_services_from_the_installed_wheel(installed, tmp_path, provider_mirror):
    """init in an empty directory, an extension adding a queue and a Lambda function to every region,
    apply --all on the local target, the extension's outputs, check clean; then the same extension
    sending to another jurisdiction is a violation naming its resource."""
    env = {"RESIDENCY_PROVIDER_MIRROR": provider_mirror} if provider_mirror else {}
    assert run([str(installed), "--version"], tmp_path).stdout.startswith("residency ")
    # It runs the installed code, not this tree's.
    location = run([str(installed.parent / "python"), "-c", "import residency; print(residency.__file__)"], tmp_path)
    assert str(REPO) not in location.stdout and "site-packages" in location.stdout
    project = tmp_path / "billing-platform"
    run([str(installed), "init", str(project), "--project", "billing", "--region", "eu-west-1:IE,FR",
         "--region", "us-east-1:US"], tmp_path)
    config = project / "regions.yaml"
    config.write_text(config.read_text() + "extensions:\n"
                      "  region: [billing.infra:region_resources, billing.store:document_store]\n"
                      "  global: [billing.infra:global_resources]\n")
    (project / "billing" / "handler").mkdir(parents=True)
    (project / "billing" / "__init__.py").write_text("")
    (project / "billing" / "infra.py").write_text(INFRA)
    (project / "billing" / "store.py").write_text(DOCUMENTS)
    (project / "billing" / "handler" / "invoicer.py").write_text(HANDLER)
    assert run([str(installed), "validate"], project / "billing").stdout.startswith(f"{config}: valid")
    try:
        run([str(installed), "apply", "--all"], project, env)
        shown = json.loads(run([str(installed), "output", "--all", "--json"], project / "billing", env).stdout)
        outputs = shown["workspaces"]
        for region in ("eu-west-1", "us-east-1"):
            assert outputs[region]["invoices_queue_url"].endswith(f"billing-{region}-invoices"), outputs[region]
            assert any(store["kind"] == "sqs_queue" for store in outputs[region]["personal_data_stores"])
        assert outputs["global"]["billing_regions"] == ["eu-west-1", "us-east-1"]
        assert "no violation" in run([str(installed), "check"], project).stdout
        idempotent = subprocess.run([str(installed), "plan", "--all", "--detailed-exitcode"], cwd=project,
                                    env={**os.environ, **env}, capture_output=True, text=True, timeout=900)
        assert idempotent.returncode == 0, idempotent.stdout[-3000:] + idempotent.stderr[-3000:]

        # A workspace applied by an earlier residency has the callable's name in its addresses: moved, not
        # destroyed (the state is put back as that residency left it, then planned).
        earlier = f"aws_sqs_queue.{unique_id(['region_resources', 'invoices'])}"
        # `state mv` writes state: residency tf runs it only when told (--i-know).
        run([str(installed), "tf", "eu-west-1", "--i-know", "--", "state", "mv", "aws_sqs_queue.invoices", earlier],
            project, env)
        assert_plans_nothing(installed, project, env)
        run([str(installed), "apply", "eu-west-1"], project, env)  # the upgrade applied: the state moves
        # Renaming the callable and moving it to another module plans nothing: its addresses are its construct ids.
        source = (project / "billing" / "infra.py").read_text().replace("def region_resources(",
                                                                         "def documents_service(")
        (project / "billing" / "infra.py").unlink()
        (project / "billing" / "documents.py").write_text(source)
        config.write_text(config.read_text().replace("billing.infra:region_resources,",
                                                     "billing.documents:documents_service,")
                          .replace("billing.infra:global_resources", "billing.documents:global_resources"))
        assert_plans_nothing(installed, project, env)

        # Data in the documents team's stores; then their callable, module and construct are renamed too.
        bucket, table = outputs["eu-west-1"]["documents_bucket"], outputs["eu-west-1"]["documents_table"]
        url = json.loads(run([str(installed), "local", "status", "--json"], project).stdout)["url"]
        s3, dynamodb = (boto3.client(service, region_name="eu-west-1", endpoint_url=url, aws_access_key_id="test",
                                     aws_secret_access_key="test") for service in ("s3", "dynamodb"))
        s3.put_object(Bucket=bucket, Key="contracts/ada.pdf", Body=b"%PDF ada")
        dynamodb.put_item(TableName=table, Item={"id": {"S": "contracts/ada.pdf"}})
        (project / "billing" / "store.py").unlink()
        (project / "billing" / "filing.py").write_text(DOCUMENTS.replace("def document_store(", "def filing(").replace(
            'Documents(scope, "documents"', 'Documents(scope, "files"'))
        config.write_text(config.read_text().replace("billing.store:document_store", "billing.filing:filing"))
        planned = run([str(installed), "plan", "eu-west-1", "--json"], project, env)
        [renamed] = json.loads(planned.stdout)["workspaces"]
        assert renamed["changes"]["add"] == 0 and renamed["changes"]["destroy"] == 0, renamed
        moved = {entry["address"]: entry["action"] for entry in renamed["diff"]}
        assert len(moved) == 5 and all(action.startswith("moved from ") for action in moved.values()), moved
        assert "renamed in the configuration, kept with a `moved` block" in planned.stderr
        run([str(installed), "apply", "--all"], project, env)
        assert s3.get_object(Bucket=bucket, Key="contracts/ada.pdf")["Body"].read() == b"%PDF ada"
        assert dynamodb.get_item(TableName=table, Key={"id": {"S": "contracts/ada.pdf"}})["Item"]
        assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        assert_plans_nothing(installed, project, env)

        (project / "billing" / "documents.py").write_text(INFRA.replace(
            "def region_resources(", "def documents_service(").replace(
            "DESTINATION = None", 'DESTINATION = "arn:aws:sqs:us-east-1:123456789012:central-invoices"'))
        checked = subprocess.run([str(installed), "check"], cwd=project, env={**os.environ, **env},
                                 capture_output=True, text=True, timeout=900)
        assert checked.returncode == 3, checked.stdout + checked.stderr
        assert "RES011 eu-west-1: aws_lambda_function.invoicer: " in checked.stdout
        refused = subprocess.run([str(installed), "apply", "eu-west-1"], cwd=project, env={**os.environ, **env},
                                 capture_output=True, text=True, timeout=900)
        assert refused.returncode == 3 and "RES011" in refused.stdout + refused.stderr
    finally:
        subprocess.run([str(installed), "local", "down"], cwd=project, capture_output=True, timeout=120)
