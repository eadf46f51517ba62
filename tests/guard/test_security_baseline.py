"""The checkov security baseline: every synthesized shape residency makes passes checkov, except for
the reviewed suppressions, each of which some shape needs; a planted weakness is caught."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from residency.config import load_config
from residency.errors import UsageError
from residency.guard.baseline import check_baseline, find_checkov, load_suppressions
from residency.stacks import synthesize
from tests.conftest import REPO, SAMPLE, _missing, run_cli
from tests.guard.test_rules import SIX_REGIONS, six_regions_on_aws


@pytest.fixture(scope="module")
def checkov() -> Path:
    """RESIDENCY_CHECKOV (set by .ci/run), the repo's .venv-checkov, or checkov on PATH."""
    given = os.environ.get("RESIDENCY_CHECKOV") or str(REPO / ".venv-checkov" / "bin" / "checkov")
    found = shutil.which(given) or shutil.which("checkov")
    if not found:
        _missing("checkov (RESIDENCY_CHECKOV)")
    return Path(found)  # type: ignore[arg-type]


def shapes(directory: Path) -> dict[str, Path]:
    """Every shape of output residency makes: local and aws, with and without domain and frontend, and on aws
    with alerts, the audit trail and tracing."""
    (directory / "six-aws").mkdir()
    local_frontend = directory / "sample-frontend" / "regions.yaml"
    local_frontend.parent.mkdir()
    local_frontend.write_text(SAMPLE.read_text().replace("frontend: false", "frontend: true")
                              .replace("global:", "domain: example.org\nglobal:"))
    six_local = directory / "six-local" / "regions.yaml"
    six_local.parent.mkdir()
    shutil.copy(SIX_REGIONS, six_local)
    (directory / "six-aws-operated").mkdir()
    operated = six_regions_on_aws(directory / "six-aws-operated",
                                  "alerts:\n  email: {default: [oncall@acme.example]}\naudit: true\ntracing: true\n")
    return {"sample": SAMPLE, "sample-frontend": local_frontend, "six-local": six_local,
            "six-aws": six_regions_on_aws(directory / "six-aws"), "six-aws-operated": operated}


def test_every_shape_passes_with_reviewed_suppressions_all_of_them_needed(checkov, tmp_path):
    suppressions = load_suppressions()
    needed: set[int] = set()
    for name, config_file in shapes(tmp_path).items():
        config = load_config(config_file)
        out = tmp_path / f"{name}.out"
        synthesize(config, out)
        report = check_baseline(checkov, out, config.target, suppressions)
        assert report.failures == [], f"{name}: {report.failures}"
        assert report.passed > 200, name  # checkov really looked at the resources
        needed |= report.used
    unneeded = [suppressions[i].check for i in range(len(suppressions)) if i not in needed]
    assert unneeded == [], f"suppressions no shape needs: {unneeded}"


def test_a_planted_weakness_fails_the_baseline(checkov, tmp_path, project):
    out = tmp_path / "cdktf.out"
    synthesize(load_config(SAMPLE), out)
    path = out / "stacks" / "eu-central-1" / "cdk.tf.json"
    document = json.loads(path.read_text())
    table_name, table = next(iter(document["resource"]["aws_dynamodb_table"].items()))
    del table["server_side_encryption"]  # falls back to an AWS-owned key
    path.write_text(json.dumps(document))
    result = run_cli(["baseline", "--out", str(out), "--checkov", str(checkov), "--json"], project)
    assert result.returncode == 3, result.stderr
    failed = json.loads(result.stdout)["failed"]
    assert {(f["check"], f["workspace"], f["address"]) for f in failed} == {
        ("CKV_AWS_119", "eu-central-1", f"aws_dynamodb_table.{table_name}")}


def test_a_suppression_without_a_reason_is_refused(tmp_path):
    file = tmp_path / "suppressions.yaml"
    file.write_text("suppressions:\n  - check: CKV_AWS_18\n    resources: [aws_s3_bucket.*]\n    reason: fine\n")
    with pytest.raises(UsageError, match="reason of at least 20"):
        load_suppressions(file)


def test_missing_checkov_is_one_clear_error(project):
    result = run_cli(["baseline", "--checkov", "/nonexistent/checkov"], project)
    assert result.returncode == 1
    assert "checkov not found" in result.stderr and "Traceback" not in result.stderr


def test_find_checkov_accepts_an_executable_path(checkov):
    assert find_checkov(str(checkov)) == checkov
