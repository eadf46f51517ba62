"""`ci summary`, `ci roles --out` and `tfc --out` given what they cannot use: one message and exit 64, no traceback."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli

CLOUD = """project: acme
state: {backend: cloud, organization: acme, workspace_prefix: acme-}
global: {region: eu-central-1}
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE], default: true}
"""


@pytest.mark.parametrize("document", [
    {"command": "plan", "workspaces": "eu-west-1"},
    {"command": "plan", "workspaces": [{"workspace": "eu-west-1", "status": "changes", "changes": [1, 2]}]},
    {"command": "plan", "workspaces": [{"workspace": "eu-west-1", "status": "changes", "diff": "everything"}]},
    {"command": "drift", "workspaces": [{"workspace": "eu-west-1", "status": "drifted", "drifted": [3]}]},
    ["not", "a", "run"],
])
def test_a_summary_of_a_document_of_another_shape_is_a_usage_error(tmp_path, document):
    (tmp_path / "run.json").write_text(json.dumps(document))
    summarized = run_cli(["ci", "summary", "run.json"], tmp_path)
    assert summarized.returncode == 64, summarized.stderr
    assert "Traceback" not in summarized.stderr
    assert "not the --json output of residency plan" in summarized.stderr


def test_out_naming_a_file_is_a_usage_error_and_the_file_is_untouched(tmp_path):
    (tmp_path / "regions.yaml").write_text(CLOUD)
    written = run_cli(["tfc", "--out", "regions.yaml"], tmp_path)
    assert written.returncode == 64 and "--out regions.yaml is not a directory" in written.stderr, written.stderr
    assert (tmp_path / "regions.yaml").read_text() == CLOUD
    into = run_cli(["tfc", "--out", "settings/hcp"], tmp_path)
    assert into.returncode == 0, into.stderr
    assert json.loads((tmp_path / "settings/hcp/tfc.tf.json").read_text())["provider"]["tfe"]["organization"] == "acme"
