"""Run every rule over a synthesized cdktf.out."""

from __future__ import annotations

from pathlib import Path

from residency.config import Config
from residency.errors import ResidencyError
from residency.guard.model import Report, SynthesizedWorkspace
from residency.guard.rules import RULES, Context


def check_synthesized(config: Config, out_dir: Path) -> Report:
    stacks = sorted((out_dir / "stacks").glob("*/cdk.tf.json"))
    if not stacks:
        raise ResidencyError(f"no synthesized workspaces in {out_dir}", hint="run `residency synth` first")
    report = Report()
    for path in stacks:
        workspace = SynthesizedWorkspace.load(path)
        report.workspaces.append(workspace.name)
        context = Context(config, workspace)
        for _rule, evaluate in RULES.values():
            report.findings.extend(evaluate(context))
    return report
