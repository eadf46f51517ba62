"""Run every rule over a synthesized cdktf.out (and saved plans), then apply the reviewed exceptions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from residency.config import Config
from residency.errors import ResidencyError, UsageError
from residency.guard.policies.organization_scp import SCP_FILE
from residency.guard.reports.report import Report, Suppressed
from residency.guard.reports.sub_processors import sub_processors
from residency.guard.rules import RULES
from residency.guard.rules.context import Context, Organization
from residency.guard.rules.findings import DataPath, Finding
from residency.guard.rules.reviewed import readable
from residency.guard.rules.rule import Rule, Scope
from residency.guard.terraform_json.plan_document import overlay_plan, plan_shape_problem
from residency.guard.terraform_json.workspace import SynthesizedWorkspace

__all__ = ["SCP_FILE", "check_plan", "check_synthesized", "evaluate"]


def check_synthesized(config: Config, out_dir: Path, plans: Mapping[str, dict[str, Any]] | None = None) -> Report:
    """Check every workspace under `out_dir`; a workspace with a saved plan is checked as planned too."""
    stacks = sorted(directory / "cdk.tf.json" for directory in (out_dir / "stacks").glob("*") if directory.is_dir())
    if not stacks:
        raise ResidencyError(f"no synthesized workspaces in {out_dir}", hint="run `residency synth` first")
    workspaces = [SynthesizedWorkspace.load(path) for path in stacks]
    _refuse_foreign_output(config, [workspace.name for workspace in workspaces], out_dir)
    checked = list(workspaces)
    for workspace in workspaces:
        if plans and workspace.name in plans:
            checked.append(_overlaid(workspace, plans[workspace.name]))
    scp = out_dir / SCP_FILE
    organization = Organization(config, scp if scp.exists() else None)
    findings, paths = evaluate(config, checked, organization)
    report = Report(workspaces=[workspace.name for workspace in workspaces],
                    artifacts=[str(scp)] if organization.scp_file else [])
    apply_exceptions(config, findings, report)
    report.paths = _mark_violations(paths, report.findings)
    report.processors = sub_processors(config, report.paths)
    return report


def check_plan(config: Config, out_dir: Path, name: str, plan: Mapping[str, Any]) -> list[str]:
    """The violations a saved plan of one workspace would bring, as report lines (none: it may be applied)."""
    from residency.guard.reports.formats import text_lines

    problem = plan_shape_problem(plan)
    if problem is not None:
        raise ResidencyError(f"{name}: the saved plan cannot be read: {problem}")
    workspace = _overlaid(SynthesizedWorkspace.load(out_dir / "stacks" / name / "cdk.tf.json"), dict(plan))
    findings, _paths = evaluate(config, [workspace])
    report = Report(workspaces=[name])
    apply_exceptions(config, findings, report)
    return text_lines(Report(findings=report.findings))[:-1] if report.findings else []


def _overlaid(workspace: SynthesizedWorkspace, plan: Mapping[str, Any]) -> SynthesizedWorkspace:
    problem = plan_shape_problem(plan)
    if problem is not None:
        raise UsageError(f"{workspace.name}: the saved plan cannot be read: {problem}")
    try:
        return overlay_plan(workspace, dict(plan))
    except Exception as error:  # noqa: BLE001 - a hand-made plan of any shape gets one message
        raise UsageError(f"{workspace.name}: the saved plan cannot be read ({type(error).__name__}: {error})",
                         hint="pass `terraform show -json` output of a saved plan") from error


def evaluate(config: Config, workspaces: Iterable[SynthesizedWorkspace],
             organization: Organization | None = None) -> tuple[list[Finding], list[DataPath]]:
    """Every workspace rule over each workspace, and the organization's rules once (when its output is judged)."""
    findings: dict[Finding, None] = {}  # ordered and without the repeats a plan re-check would add
    paths: dict[DataPath, None] = {}
    judged: list[Finding | DataPath] = []
    for workspace in workspaces:
        context = Context(config, workspace)
        judged += [item for rule in RULES.values() if rule.scope is Scope.WORKSPACE
                   for item in _safely(rule, context)]
    if organization is not None:
        judged += [item for rule in RULES.values() if rule.scope is Scope.ORGANIZATION
                   for item in rule.judge(organization)]
    for item in judged:
        if isinstance(item, Finding):
            if replace(item, origin="synthesized") not in findings:
                findings[item] = None
        else:
            paths[item] = None
    ordered = sorted(findings, key=lambda f: (f.workspace, f.rule, f.address, f.origin))
    return ordered, list(paths)


def _safely(rule: Rule, context: Context) -> list[Finding | DataPath]:
    """A rule's findings; a shape of input no rule foresaw is a violation (fail closed), not a traceback."""
    try:
        return rule.judge(context)
    except Exception as error:  # noqa: BLE001 - never a traceback for a shape of input; a violation instead
        return [readable.emit_for(context)(context.workspace.name, f"{rule.id} could not read this workspace "
                                           f"({type(error).__name__}: {error}), so it cannot vouch for it",
                                           context.region, "unknown")]


def apply_exceptions(config: Config, findings: list[Finding], report: Report) -> None:
    used: set[int] = set()
    for finding in findings:
        index = next((i for i, exception in enumerate(config.exceptions)
                      if exception.matches(finding.rule, finding.workspace, finding.address, finding.reaches)),
                     None)
        if index is None:
            report.findings.append(finding)
            continue
        used.add(index)
        exception = config.exceptions[index]
        report.suppressed.append(Suppressed(finding, exception.reason, exception.expires))
    report.unused_exceptions = [f"exceptions[{i}]: {exception.rule} on {exception.resource} -> "
                                f"{exception.destination} matches no finding" for i, exception in
                                enumerate(config.exceptions) if i not in used]


def _mark_violations(paths: list[DataPath], findings: list[Finding]) -> list[DataPath]:
    flagged = {(finding.workspace, finding.address, place) for finding in findings
               for place in finding.destination.split(",")}
    return [replace(path, violation=bool({(path.workspace, path.address, path.destination),
                                          (path.workspace, path.address, path.source)} & flagged))
            for path in paths]


def _refuse_foreign_output(config: Config, names: list[str], out_dir: Path) -> None:
    """Checking output made from another regions.yaml would judge it against the wrong map."""
    unknown, missing = sorted(set(names) - set(config.workspaces)), sorted(set(config.workspaces) - set(names))
    if unknown or missing:
        differences = [f"{kind}: {', '.join(items)}" for kind, items in
                       (("not in regions.yaml", unknown), ("missing", missing)) if items]
        raise ResidencyError(f"{out_dir} was not synthesized from this regions.yaml ({'; '.join(differences)})",
                             hint="synthesize again, or pass the regions.yaml the output was made from")


