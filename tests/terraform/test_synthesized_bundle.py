"""A bundle is what `synth --bundle` wrote, every file of it, or it is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency.errors import ExitCode, UsageError
from residency.terraform.synthesized_bundle import BUNDLE_FILE, forget_dependency_locks, open_bundle, write_bundle


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    out = tmp_path / "project" / "cdktf.out"
    (out / "stacks" / "eu-west-1" / "assets").mkdir(parents=True)
    (out / "manifest.json").write_text("{}")
    (out / "stacks" / "eu-west-1" / "cdk.tf.json").write_text("{}")
    (out / "stacks" / "eu-west-1" / "assets" / "handlers.zip").write_bytes(b"zip")
    (out / "stacks" / "eu-west-1" / ".terraform.lock.hcl").write_text("# written by init")
    config = tmp_path / "project" / "infra.yaml"
    config.write_text("project: x\n")
    return write_bundle(tmp_path / "bundle", config_file=config, out_dir=out, residency_version="1.0",
                        commit="a" * 40, workspaces=["eu-west-1"])


def refusal(directory: Path, version: str = "1.0") -> str:
    with pytest.raises(UsageError) as raised:
        open_bundle(directory, residency_version=version)
    assert raised.value.exit_code is ExitCode.USAGE
    return raised.value.message


def test_a_bundle_reads_back_with_its_commit_and_workspaces_and_no_lock_file(bundle):
    opened = open_bundle(bundle, residency_version="1.0")
    assert (opened.commit, opened.workspaces) == ("a" * 40, ("eu-west-1",))
    assert opened.config_path.read_text() == "project: x\n"
    assert not (bundle / "cdktf.out" / "stacks" / "eu-west-1" / ".terraform.lock.hcl").exists()


def test_terraforms_and_residencys_working_files_written_later_do_not_count(bundle):
    (bundle / "cdktf.out" / "stacks" / "eu-west-1" / ".terraform.lock.hcl").write_text("# init")
    (bundle / ".residency" / "state").mkdir(parents=True)
    (bundle / ".residency" / "state" / "x").write_text("{}")
    open_bundle(bundle, residency_version="1.0")


def test_a_changed_added_or_missing_file_is_refused_by_name(bundle):
    (bundle / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json").write_text('{"data": {}}')
    (bundle / "cdktf.out" / "stacks" / "eu-west-1" / "extra.tf").write_text("")
    (bundle / "cdktf.out" / "stacks" / "eu-west-1" / "assets" / "handlers.zip").unlink()
    message = refusal(bundle)
    assert "changed: cdktf.out/stacks/eu-west-1/cdk.tf.json" in message
    assert "added: cdktf.out/stacks/eu-west-1/extra.tf" in message
    assert "missing: cdktf.out/stacks/eu-west-1/assets/handlers.zip" in message


def test_a_bundle_of_another_residency_or_no_bundle_is_refused(bundle, tmp_path):
    assert "synthesized by residency 1.0, this is 2.0" in refusal(bundle, "2.0")
    assert "no residency-bundle.json" in refusal(tmp_path)
    (bundle / BUNDLE_FILE).write_text(json.dumps({"format": 99}))
    assert "format 1" in refusal(bundle)


def test_an_existing_directory_is_never_written_into(bundle, tmp_path):
    with pytest.raises(UsageError, match="already exists"):
        write_bundle(bundle, config_file=bundle / "regions.yaml", out_dir=bundle / "cdktf.out",
                     residency_version="1.0", commit=None, workspaces=None)


def test_lock_files_in_a_bundle_are_forgotten_before_terraform_reads_them(bundle):
    """A planted lock file would let a poisoned plugin cache pass as the registry's provider."""
    lock = bundle / "cdktf.out" / "stacks" / "eu-west-1" / ".terraform.lock.hcl"
    lock.write_text('provider "registry.terraform.io/hashicorp/aws" { hashes = ["h1:planted"] }')
    forget_dependency_locks(bundle)
    assert not lock.exists()
    assert (bundle / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json").exists()
