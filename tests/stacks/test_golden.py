"""Golden snapshots: every workspace's synthesized `cdk.tf.json`, byte for byte, for the sample and the
six-region fixture. A refactor of the constructs must leave them unchanged; a deliberate change of the
output is reviewed as a diff of the files under `golden/` (regenerate them with
`RESIDENCY_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/stacks/test_golden.py`)."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from residency.config import load_config
from residency.stacks import synthesize
from tests.conftest import REPO, SAMPLE

GOLDEN = Path(__file__).parent / "golden"
PROJECTS = {"sample": SAMPLE, "six-regions": REPO / "tests" / "fixtures" / "six-regions.yaml"}
UPDATING = os.environ.get("RESIDENCY_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_the_synthesized_workspaces_are_the_golden_ones(project, tmp_path):
    out = tmp_path / "cdktf.out"
    synthesize(load_config(PROJECTS[project]), out)
    synthesized = {path.parent.name: path.read_text() for path in (out / "stacks").glob("*/cdk.tf.json")}
    golden_dir = GOLDEN / project
    if UPDATING:
        golden_dir.mkdir(parents=True, exist_ok=True)
        for stale in golden_dir.glob("*.json"):
            stale.unlink()
        for workspace, text in synthesized.items():
            (golden_dir / f"{workspace}.json").write_text(text)
    golden = {path.stem: path.read_text() for path in golden_dir.glob("*.json")}

    assert sorted(synthesized) == sorted(golden), "the workspaces differ from the golden ones"
    for workspace in sorted(golden):
        if synthesized[workspace] != golden[workspace]:
            diff = difflib.unified_diff(golden[workspace].splitlines(), synthesized[workspace].splitlines(),
                                        f"golden/{project}/{workspace}.json", "synthesized", lineterm="", n=2)
            pytest.fail("\n".join(list(diff)[:60]) + "\n(review, then regenerate: see this module's docstring)")
