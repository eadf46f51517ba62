"""A project synthesized once per test module, and the residency rules' verdict on a copy edited by hand."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from residency.config import Config, load_config
from residency.guard.check import check_synthesized
from residency.stacks import synthesize

Edit = Callable[[dict[str, Any]], None]


def synthesized(root: Path, regions_yaml: str) -> tuple[Config, Path]:
    (root / "regions.yaml").write_text(regions_yaml)
    config = load_config(root / "regions.yaml")
    synthesize(config, root / "cdktf.out", project_dir=root)
    return config, root / "cdktf.out"


def resources(out: Path, workspace: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((out / "stacks" / workspace / "cdk.tf.json").read_text())
    return document["resource"]


def findings_after(base: tuple[Config, Path], tmp_path: Path, workspace: str, edit: Edit) -> set[tuple[str, str]]:
    """(rule, address) of what the rules find in `workspace` once `edit` changed its resources."""
    config, source = base
    out = tmp_path / "cdktf.out"
    shutil.copytree(source, out, ignore=shutil.ignore_patterns("assets"))
    path = out / "stacks" / workspace / "cdk.tf.json"
    document = json.loads(path.read_text())
    edit(document["resource"])
    path.write_text(json.dumps(document))
    return {(f.rule, f.address) for f in check_synthesized(config, out).findings if f.workspace == workspace}
