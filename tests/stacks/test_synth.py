"""The synthesized workspaces of the sample, asserted by resource type and property (never by
hashed logical id), and `terraform validate` with the real provider for each one."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from residency.config import REGIONS as KNOWN_REGIONS
from residency.config import load_config
from residency.stacks import synthesize
from residency.terraform.cli_config import check_mirror, write_cli_config
from tests.conftest import SAMPLE

REGIONS = ("eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2")


@pytest.fixture(scope="session")
def out_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    return out


def stack(out_dir: Path, workspace: str) -> dict:
    return json.loads((out_dir / "stacks" / workspace / "cdk.tf.json").read_text())


def only(resources: dict, kind: str) -> dict:
    found = list(resources.get(kind, {}).values())
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def reference(resources: dict, kind: str, attribute: str) -> str:
    (logical_id,) = resources[kind]
    return f"${{{kind}.{logical_id}.{attribute}}}"


def test_one_workspace_per_region_plus_global(out_dir):
    manifest = json.loads((out_dir / "manifest.json").read_text())
    assert set(manifest["stacks"]) == {*REGIONS, "global"}


@pytest.mark.parametrize("region", REGIONS)
def test_region_has_exactly_one_provider_for_its_own_region(out_dir, region):
    (provider,) = stack(out_dir, region)["provider"]["aws"]
    assert provider["region"] == region
    assert "alias" not in provider


@pytest.mark.parametrize(("region", "jurisdiction"), [("eu-central-1", "EU"), ("us-east-1", "US"),
                                                      ("ap-southeast-2", "AU")])
def test_everything_is_tagged_through_default_tags(out_dir, region, jurisdiction):
    (provider,) = stack(out_dir, region)["provider"]["aws"]
    assert provider["default_tags"] == [{"tags": {
        "project": "acme-health", "workspace": region, "jurisdiction": jurisdiction,
        "managed-by": "residency"}}]


@pytest.mark.parametrize("region", REGIONS)
def test_region_data_stores(out_dir, region):
    resources = stack(out_dir, region)["resource"]
    key = only(resources, "aws_kms_key")
    assert key["enable_key_rotation"] is True
    key_arn = reference(resources, "aws_kms_key", "arn")
    assert only(resources, "aws_kms_alias")["name"] == f"alias/acme-health-{region}-data"

    bucket = only(resources, "aws_s3_bucket")
    assert bucket["bucket"].startswith(f"acme-health-{region}-data-")
    bucket_id = reference(resources, "aws_s3_bucket", "id")
    versioning = only(resources, "aws_s3_bucket_versioning")
    assert versioning["bucket"] == bucket_id
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    (rule,) = only(resources, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key_arn}
    block = only(resources, "aws_s3_bucket_public_access_block")
    assert all(block[flag] is True for flag in (
        "block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"))
    # The sample is on the local target, whose emulator speaks plain HTTP: no TLS-only policy there
    # (tests/stacks/test_architecture.py checks it on the aws target).
    assert "aws_s3_bucket_policy" not in resources

    table = only(resources, "aws_dynamodb_table")
    assert table["name"] == f"acme-health-{region}-data"
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": key_arn}


def test_global_holds_only_the_directory(out_dir):
    synthesized = stack(out_dir, "global")
    providers = {provider.get("alias"): provider for provider in synthesized["provider"]["aws"]}
    assert providers[None]["region"] == "us-east-1"
    assert all(provider["default_tags"][0]["tags"]["jurisdiction"] == "global" for provider in providers.values())
    # a provider for every region residency knows (so that a removed region's replicas can be destroyed);
    # the HMAC key's replicas, one per other listed region, so that every region computes user keys at home
    assert all(alias == provider["region"] for alias, provider in providers.items() if alias)
    assert set(providers) - {None} == set(KNOWN_REGIONS) - {"us-east-1"}
    resources = synthesized["resource"]
    assert set(resources) == {"aws_kms_key", "aws_kms_alias", "aws_kms_replica_key", "aws_dynamodb_table"}
    assert {replica["provider"] for replica in resources["aws_kms_replica_key"].values()} == {
        "aws.eu-central-1", "aws.eu-west-1", "aws.ap-southeast-2"}
    table = only(resources, "aws_dynamodb_table")
    assert table["name"] == "acme-health-directory"
    assert table["hash_key"] == "user_key"
    assert table["attribute"] == [{"name": "user_key", "type": "S"}]


def test_local_target_reaches_the_emulator_through_a_variable(out_dir):
    synthesized = stack(out_dir, "eu-central-1")
    (provider,) = synthesized["provider"]["aws"]
    (endpoints,) = provider["endpoints"]
    assert set(endpoints.values()) == {"${var.residency_local_endpoint}"}
    assert {"dynamodb", "kms", "s3", "sts", "lambda"} <= set(endpoints)
    assert "residency_local_endpoint" in synthesized["variable"]


def test_aws_target_uses_real_endpoints(tmp_path):
    config_file = tmp_path / "regions.yaml"
    config_file.write_text(SAMPLE.read_text().replace("target: local", "target: aws"))
    synthesize(load_config(config_file), tmp_path / "cdktf.out")
    synthesized = stack(tmp_path / "cdktf.out", "eu-central-1")
    (provider,) = synthesized["provider"]["aws"]
    assert "endpoints" not in provider and "access_key" not in provider
    assert "variable" not in synthesized
    assert only(synthesized["resource"], "aws_kms_key")["deletion_window_in_days"] == 30


def test_output_has_no_machine_paths_and_resynth_is_identical(out_dir, tmp_path):
    again = tmp_path / "cdktf.out"
    synthesize(load_config(SAMPLE), again)
    for workspace in (*REGIONS, "global"):
        first = (out_dir / "stacks" / workspace / "cdk.tf.json").read_text()
        assert first == (again / "stacks" / workspace / "cdk.tf.json").read_text()
        assert str(out_dir.parent) not in first and "/tmp" not in first


def test_failed_synth_leaves_the_previous_output_untouched(out_dir, tmp_path, monkeypatch):
    import shutil

    import residency.stacks.app as app_module

    target = tmp_path / "cdktf.out"
    shutil.copytree(out_dir, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}

    def explode(*args, **kwargs):
        raise RuntimeError("synth failed half-way")

    monkeypatch.setattr(app_module.GlobalStack, "__init__", explode)
    with pytest.raises(RuntimeError):
        synthesize(load_config(SAMPLE), target)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["cdktf.out"]  # no staging left behind


SIX_REGIONS = Path(__file__).resolve().parent.parent / "fixtures" / "six-regions.yaml"


# The local target's workspaces are planned and applied by tests/e2e, which validates them too.
@pytest.mark.terraform
@pytest.mark.parametrize(("config_file", "target"), [(SAMPLE, "aws"), (SIX_REGIONS, "aws")],
                         ids=["sample-aws", "six-regions-aws"])
def test_every_workspace_passes_terraform_validate(config_file, target, terraform_binary, provider_mirror,
                                                   tmp_path):
    (tmp_path / "regions.yaml").write_text(config_file.read_text().replace("target: local", f"target: {target}"))
    out_dir = tmp_path / "cdktf.out"
    workspaces = synthesize(load_config(tmp_path / "regions.yaml"), out_dir)
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
    if provider_mirror:
        env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(
            tmp_path / "terraformrc", check_mirror(Path(provider_mirror)), tmp_path / "cache"))
    for workspace in workspaces:
        env["TF_DATA_DIR"] = str(tmp_path / "data" / workspace)
        directory = out_dir / "stacks" / workspace
        init = subprocess.run([str(terraform_binary), "init", "-backend=false", "-input=false", "-no-color"],
                              cwd=directory, env=env, capture_output=True, text=True)
        assert init.returncode == 0, init.stdout + init.stderr
        validate = subprocess.run([str(terraform_binary), "validate", "-json"],
                                  cwd=directory, env=env, capture_output=True, text=True)
        result = json.loads(validate.stdout)
        assert result["valid"] is True, (workspace, result["diagnostics"])
        assert result["error_count"] == 0


def test_identical_output_is_left_in_place_and_a_change_is_swapped_in(tmp_path):
    from residency.config import load_config
    from residency.stacks import synthesize
    from tests.conftest import SAMPLE

    out = tmp_path / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    before = out.stat().st_ino
    synthesize(load_config(SAMPLE), out, exclusive=lambda: pytest.fail("no swap, so no exclusive lock"))
    assert out.stat().st_ino == before
    changed = tmp_path / "regions.yaml"
    changed.write_text(SAMPLE.read_text().replace("tags: {}", "tags: {team: data}"))
    taken: list[bool] = []

    from contextlib import contextmanager

    @contextmanager
    def exclusive():
        taken.append(True)
        yield

    synthesize(load_config(changed), out, exclusive=exclusive)
    assert taken == [True] and out.stat().st_ino != before
