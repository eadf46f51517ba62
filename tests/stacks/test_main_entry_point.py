"""main.py is the app the stock `cdktf synth` runs: it must synthesize the same workspaces."""

import json
import os
import subprocess
import sys

from tests.conftest import REPO, SAMPLE


def test_main_py_synthesizes_every_workspace_where_cdktf_asks(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "RESIDENCY_CONFIG": str(SAMPLE), "CDKTF_OUTDIR": str(out)}
    result = subprocess.run([sys.executable, str(REPO / "main.py")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Node" not in result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["stacks"]) == {"eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2", "global"}


def test_main_py_reports_a_bad_config_without_a_traceback(tmp_path):
    env = {**os.environ, "RESIDENCY_CONFIG": str(tmp_path / "missing.yaml")}
    result = subprocess.run([sys.executable, str(REPO / "main.py")], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 66
    assert "missing.yaml" in result.stderr and "Traceback" not in result.stderr
