"""`check` and `baseline`: the residency rules and the security baseline over what was synthesized, with the
saved plans and pipelines that belong to it, as results that carry their exit code and their renderings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency.errors import ExitCode, UsageError
from residency.files import read_handed_text
from residency.flows.terraform_runs import Progress, synth
from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config
    from residency.guard.baseline import BaselineReport
    from residency.guard.reports.report import Report
    from residency.pipelines.pipeline_drift import StalePipeline


@dataclass(frozen=True)
class CheckResult:
    report: Report
    checked: Path  # the synthesized directory
    stale_pipelines: list[StalePipeline]

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.OK if self.report.clean and not self.stale_pipelines else ExitCode.VIOLATION

    def text_lines(self) -> list[str]:
        from residency.guard.reports.formats import text_lines

        return text_lines(self.report)

    def as_json(self) -> dict[str, Any]:
        from residency.guard.reports.formats import as_json

        return {**as_json(self.report, int(self.exit_code)),
                "stale_pipelines": [{"path": str(p.path), "why": p.why, "fix": p.command}
                                    for p in self.stale_pipelines]}

    def as_sarif(self) -> dict[str, Any]:
        from importlib.metadata import version

        from residency.guard.reports.formats import as_sarif

        return as_sarif(self.report, str(self.checked), version("residency"))

    def as_code_quality(self) -> list[dict[str, Any]]:
        from residency.guard.reports.formats import as_code_quality

        return as_code_quality(self.report, str(self.checked))


def check(config: Config, config_path: Path, paths: ProjectPaths, progress: Progress, *, out: Path | None,
          plans: list[str], graph: Path | None) -> CheckResult:
    """The rules over `out` (or a fresh synth) and the saved plans given as WORKSPACE=FILE; with `graph`, the data
    map drawn there. A pipeline that no longer follows regions.yaml fails the check too: it would never apply a
    region added since."""
    from residency.guard.check import check_synthesized
    from residency.pipelines.pipeline_drift import stale_pipelines

    saved_plans = {name: _read_plan(name, file, config.workspaces) for name, file in map(_split_plan, plans)}
    if graph is not None:
        from residency.guard.reports.data_map_files import check_suffix

        check_suffix(graph)
    checked = synthesized_to_check(config, paths, progress, out)
    result = CheckResult(check_synthesized(config, checked, saved_plans), checked,
                         stale_pipelines(config, config_path))
    for pipeline in result.stale_pipelines:
        progress(pipeline.describe())
    if graph is not None:
        from residency.guard.reports.data_map_files import render

        regions = {code: region.jurisdiction for code, region in config.regions.items()}
        render(graph, regions, result.report.paths, global_region=config.global_.region,
               title=f"{config.project}: data paths ({len(result.report.findings)} violation(s))")
        progress(f"data map written to {graph}")
    return result


def synthesized_to_check(config: Config, paths: ProjectPaths, progress: Progress, out: Path | None) -> Path:
    """`--out DIR` as it is, or a fresh synth of regions.yaml."""
    if out is None:
        synth(config, paths, progress)
        return paths.out
    if not out.is_dir():
        raise UsageError(f"--out {out}: no such directory", hint="pass the cdktf.out directory `synth` wrote")
    return out


def _split_plan(value: str) -> tuple[str, Path]:
    name, separator, file = value.partition("=")
    if not separator or not name or not file:
        raise UsageError(f"--plan {value!r}: expected WORKSPACE=FILE", hint="e.g. --plan eu-central-1=plan.json")
    return name, Path(file)


def _read_plan(name: str, file: Path, known: tuple[str, ...]) -> dict[str, Any]:
    from residency.guard.terraform_json.plan_document import plan_shape_problem

    if name not in known:
        raise UsageError(f"--plan: unknown workspace {name!r}", hint=f"one of {', '.join(known)}")
    try:
        document = json.loads(read_handed_text(file))
    except OSError as error:
        raise UsageError(f"--plan {name}={file}: {error.strerror or error}") from error
    except ValueError as error:
        raise UsageError(f"--plan {name}={file} is not JSON ({error})",
                         hint="save it with `terraform show -json PLANFILE > FILE`") from error
    problem = plan_shape_problem(document)
    if problem is not None:
        raise UsageError(f"--plan {name}={file} is not a saved plan in JSON: {problem}",
                         hint="save it with `terraform show -json PLANFILE > FILE`")
    return document


@dataclass(frozen=True)
class BaselineResult:
    report: BaselineReport
    unused_suppressions: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.VIOLATION if self.report.failures else ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        report = self.report
        return {"exit_code": int(self.exit_code), "passed": report.passed,
                "failed": [vars(failure) for failure in report.failures],
                "suppressed": [{**vars(failure), "reason": reason} for failure, reason in report.suppressed],
                "unused_suppressions": self.unused_suppressions}


def baseline(config: Config, paths: ProjectPaths, progress: Progress, *, out: Path | None, checkov: str | None,
             suppressions: Path | None) -> BaselineResult:
    """checkov over the workspaces; a failure no reviewed suppression explains fails the baseline."""
    from residency.guard.baseline import SUPPRESSIONS, check_baseline, find_checkov, load_suppressions

    reviewed = load_suppressions(suppressions or SUPPRESSIONS)
    executable = find_checkov(checkov)
    report = check_baseline(executable, synthesized_to_check(config, paths, progress, out), config.target, reviewed)
    unused = [f"{s.check} on {', '.join(s.resources)}" for i, s in enumerate(reviewed) if i not in report.used]
    return BaselineResult(report, unused)
