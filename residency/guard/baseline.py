"""The security baseline: checkov over the synthesized workspaces, filtered against reviewed suppressions.

checkov records no reason for a skipped check in Terraform JSON, so residency keeps the reasons in a
YAML file (one entry per check, the resources it covers, optionally the target) and judges checkov's
JSON report against it: a failure nobody has explained is a finding; a suppression nothing needs is
reported as stale.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from residency import processes
from residency.config.yaml_source import MAX_BYTES, parse_yaml
from residency.errors import ResidencyError, UsageError
from residency.files import read_handed_text, read_text_file

SUPPRESSIONS = Path(__file__).with_name("checkov-suppressions.yaml")
REASON_MIN = 20
CHECKOV_TIMEOUT_SECONDS = 900
# Offline and deterministic: no guideline download, no version check, a parse error fails the run.
CHECKOV_ENV = {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CKV_PARSE_ERROR_FAIL": "true"}


@dataclass(frozen=True)
class Suppression:
    check: str
    resources: tuple[str, ...]  # address patterns (fnmatch), e.g. aws_s3_bucket.*
    reason: str
    target: str | None = None  # local | aws; None for both

    def covers(self, failure: CheckovFailure, target: str) -> bool:
        return (self.check == failure.check and self.target in (None, target)
                and any(fnmatch.fnmatchcase(failure.address, pattern) for pattern in self.resources))


@dataclass(frozen=True)
class CheckovFailure:
    check: str
    name: str
    workspace: str
    address: str


@dataclass
class BaselineReport:
    failures: list[CheckovFailure] = field(default_factory=list)
    suppressed: list[tuple[CheckovFailure, str]] = field(default_factory=list)
    used: set[int] = field(default_factory=set)
    passed: int = 0


def load_suppressions(path: Path = SUPPRESSIONS) -> list[Suppression]:
    document = parse_yaml(read_text_file(path, MAX_BYTES, error=UsageError,
                                         hint="--suppressions takes a YAML file of reviewed suppressions"), str(path))
    entries = document.data.get("suppressions") if isinstance(document.data, dict) else None
    if not isinstance(entries, list):
        raise UsageError(f"{path}: expected a `suppressions:` list")
    suppressions = []
    for index, entry in enumerate(entries):
        where = f"{path}: suppressions[{index}]"
        if not isinstance(entry, dict) or set(entry) - {"check", "resources", "reason", "target"}:
            raise UsageError(f"{where}: expected check, resources, reason and optionally target")
        reason = str(entry.get("reason") or "").strip()
        if len(reason) < REASON_MIN:
            raise UsageError(f"{where}: a suppression needs a reason of at least {REASON_MIN} characters")
        resources = entry.get("resources")
        if not entry.get("check") or not isinstance(resources, list) or not resources:
            raise UsageError(f"{where}: needs a check id and a list of resources")
        suppressions.append(Suppression(str(entry["check"]), tuple(map(str, resources)), reason,
                                        entry.get("target")))
    return suppressions


def find_checkov(given: str | None) -> Path:
    found = shutil.which(given or "checkov")
    if not found:
        raise ResidencyError(f"checkov not found ({given or 'checkov on PATH'})",
                             hint="install it in its own environment (`pip install checkov`; it pins an older "
                                  "boto3 than residency) and pass --checkov PATH or set RESIDENCY_CHECKOV")
    return Path(found)


def run_checkov(checkov: Path, stacks_dir: Path) -> dict[str, Any]:
    command = [str(checkov), "--skip-download", "--framework", "terraform_json", "-o", "json", "--compact",
               "--quiet", "--soft-fail", "-d", str(stacks_dir)]
    env = {key: value for key, value in os.environ.items() if key != "BC_API_KEY"} | CHECKOV_ENV
    try:
        completed = processes.capture(command, env=env, timeout=CHECKOV_TIMEOUT_SECONDS)
    except processes.CouldNotRun as error:
        raise ResidencyError(f"checkov could not run: {error}") from error
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        report = None
    if completed.returncode != 0 or not isinstance(report, dict):
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-5:])
        raise ResidencyError(f"checkov failed (exit {completed.returncode}):\n{tail}")
    return report


def failures(report: dict[str, Any], stacks_dir: Path) -> list[CheckovFailure]:
    """checkov's failed checks with full addresses (it names plain resources `resource.<logical id>`)."""
    documents: dict[str, dict[str, Any]] = {}
    found = []
    for failed in (report.get("results") or {}).get("failed_checks", []):
        workspace = Path(str(failed.get("file_path", ""))).parent.name
        if workspace not in documents:
            documents[workspace] = _synthesized(stacks_dir / workspace / "cdk.tf.json")
        found.append(CheckovFailure(str(failed.get("check_id")), str(failed.get("check_name")), workspace,
                                    _address(str(failed.get("resource")), documents[workspace])))
    return found


def _synthesized(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(read_handed_text(path))
    except (OSError, ValueError) as error:
        raise ResidencyError(f"cannot read {path}, which checkov judged: {error}") from None
    return document if isinstance(document, dict) else {}


def _address(resource: str, document: dict[str, Any]) -> str:
    if not resource.startswith("resource."):
        return resource
    name = resource.removeprefix("resource.")
    kind = next((kind for kind, instances in document.get("resource", {}).items() if name in instances), "resource")
    return f"{kind}.{name}"


def judge(found: list[CheckovFailure], suppressions: list[Suppression], target: str,
          passed: int = 0) -> BaselineReport:
    report = BaselineReport(passed=passed)
    for failure in found:
        index = next((i for i, s in enumerate(suppressions) if s.covers(failure, target)), None)
        if index is None:
            report.failures.append(failure)
        else:
            report.used.add(index)
            report.suppressed.append((failure, suppressions[index].reason))
    return report


def check_baseline(checkov: Path, out_dir: Path, target: str,
                   suppressions: list[Suppression]) -> BaselineReport:
    stacks_dir = out_dir / "stacks"
    if not any(stacks_dir.glob("*/cdk.tf.json")):
        raise ResidencyError(f"no synthesized workspaces in {out_dir}", hint="run `residency synth` first")
    report = run_checkov(checkov, stacks_dir)
    passed = int((report.get("summary") or {}).get("passed", 0))
    return judge(failures(report, stacks_dir), suppressions, target, passed)
