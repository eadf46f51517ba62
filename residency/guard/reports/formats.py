"""A check report as text for people, JSON for scripts and SARIF for code-scanning dashboards."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from residency.guard.reports.report import Report
from residency.guard.rules import RULES
from residency.guard.rules.findings import Finding

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def text_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for finding in report.findings:
        rule = RULES[finding.rule]
        # What an exception names comes right after the arrow: the value that names the destination, if any.
        reached = f"{finding.named} ({finding.destination})" if finding.named else finding.destination
        path = f" [{finding.source} -> {reached}]" if finding.destination else ""
        checked = " (in the saved plan)" if finding.origin == "plan" else ""
        lines.append(f"{finding.rule} {finding.workspace}: {finding.address}: {finding.message}{path}{checked}")
        lines.append(f"  {rule.title}. Fix: {rule.fix}")
    for suppressed in report.suppressed:
        finding = suppressed.finding
        lines.append(f"excepted {finding.rule} {finding.workspace}: {finding.address} until {suppressed.expires}: "
                     f"{suppressed.reason}")
    lines += [f"warning: {unused}" for unused in report.unused_exceptions]
    for jurisdiction, entries in sorted(report.processors.items()):
        names = ", ".join(f"{entry['name']}" + (f" ({entry['purpose']})" if entry.get("purpose") else "")
                          for entry in entries)
        lines.append(f"processors in {jurisdiction}: {names}")
    lines.append(summary(report))
    return lines


def summary(report: Report) -> str:
    checked = f"{len(report.workspaces)} workspace(s){' and the organization SCP' if report.artifacts else ''}"
    excepted = f", {len(report.suppressed)} excepted" if report.suppressed else ""
    if report.findings:
        return f"{len(report.findings)} violation(s) in {checked}, {len(RULES)} rules{excepted}"
    return f"no violation in {checked}, {len(RULES)} rules{excepted}"


def as_json(report: Report, exit_code: int) -> dict[str, Any]:
    return {
        "exit_code": exit_code,
        "workspaces": report.workspaces,
        "findings": [finding.as_json() for finding in report.findings],
        "excepted": [{**s.finding.as_json(), "reason": s.reason, "expires": s.expires} for s in report.suppressed],
        "warnings": report.unused_exceptions,
        "processors": report.processors,
        "data_paths": [{"kind": p.kind, "workspace": p.workspace, "address": p.address, "from": p.source,
                        "to": p.destination, "violation": p.violation} for p in report.paths],
    }


def as_sarif(report: Report, out_dir: str, version: str) -> dict[str, Any]:
    rule_ids = sorted(RULES)
    rules = [{
        "id": rule.id,
        "name": rule.title,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"Fix: {rule.fix}"},
        "defaultConfiguration": {"level": "error"},
    } for rule in (RULES[rule_id] for rule_id in rule_ids)]
    results = [_sarif_result(finding, rule_ids, out_dir) for finding in report.findings]
    for suppressed in report.suppressed:
        result = _sarif_result(suppressed.finding, rule_ids, out_dir)
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"{suppressed.reason} (until {suppressed.expires})"}]
        results.append(result)
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "residency", "version": version, "rules": rules}},
        "results": results,
    }]}


def as_code_quality(report: Report, out_dir: str) -> list[dict[str, Any]]:
    """GitLab's Code Quality report (a subset of Code Climate's format): the merge request shows each finding.
    Excepted findings are left out: they were reviewed."""
    issues = []
    for finding in report.findings:
        relative = ("organization-scp.json" if finding.origin == "artifact"
                    else f"stacks/{finding.workspace}/cdk.tf.json")
        description = f"{finding.rule} {finding.workspace}: {finding.address}: {finding.message}"
        issues.append({
            "type": "issue",
            "check_name": finding.rule,
            "description": description,
            "categories": ["Security"],
            "severity": "critical",
            "fingerprint": hashlib.sha256(description.encode()).hexdigest(),
            "location": {"path": _uri(Path(out_dir) / relative), "lines": {"begin": 1}},
        })
    return issues


def _uri(path: Path) -> str:
    """Relative to the working directory when inside it (as code-scanning tools expect), else file://."""
    absolute = path.absolute()
    try:
        return quote(absolute.relative_to(Path.cwd()).as_posix())
    except ValueError:
        return absolute.as_uri()


def _sarif_result(finding: Finding, rule_ids: list[str], out_dir: str) -> dict[str, Any]:
    relative = "organization-scp.json" if finding.origin == "artifact" else f"stacks/{finding.workspace}/cdk.tf.json"
    uri = _uri(Path(out_dir) / relative)
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_ids.index(finding.rule),
        "level": "error",
        "message": {"text": f"{finding.workspace}: {finding.address}: {finding.message}"},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": uri}},
            "logicalLocations": [{"fullyQualifiedName": f"{finding.workspace}/{finding.address}",
                                  "kind": "resource"}],
        }],
        "properties": {"workspace": finding.workspace, "from": finding.source, "to": finding.destination,
                       "checked": finding.origin},
    }
