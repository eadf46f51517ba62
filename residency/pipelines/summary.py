"""One Markdown summary of a `plan`, `apply` or `drift` run (its --json document), for a pull request
comment or a job summary."""

from __future__ import annotations

import json
from typing import Any

from residency.errors import UsageError

MAX_DIFF_RESOURCES = 40  # per workspace in a comment (GitHub caps a comment at 65,536 characters)
MAX_DIFF_ATTRIBUTES = 10
ICONS = {"no changes": "✅", "changes": "📝", "applied": "✅", "destroyed": "✅", "drifted": "⚠️",
         "failed": "❌", "refused": "⛔", "skipped": "⏭️", "interrupted": "⏹️", "declined": "✋"}


def combine(documents: list[Any]) -> Any:
    """One document of several runs of the same command (one per workspace job): their workspaces together,
    the worst exit code. A single document is returned as it is."""
    if len(documents) == 1:
        return documents[0]
    for document in documents:
        _require_run(document)
    commands = {str(document.get("command")) for document in documents}
    if len(commands) > 1:
        raise UsageError(f"these are runs of different commands ({', '.join(sorted(commands))}): combine one kind")
    codes = [document.get("exit_code") for document in documents]
    worst = max((code for code in codes if isinstance(code, int)), default="?",
                key=lambda code: (code not in (0, 2), code))
    return {"command": commands.pop(), "target": documents[0].get("target", "?"), "exit_code": worst,
            "workspaces": [workspace for document in documents for workspace in document["workspaces"]]}


def _require_run(document: Any) -> None:
    if not isinstance(document, dict) or not isinstance(document.get("workspaces"), list):
        raise UsageError("not the --json output of residency plan, apply, destroy or drift",
                         hint="e.g. residency plan --all --json > plan.json")


def render_summary(document: Any, *, title: str | None = None) -> str:
    _require_run(document)
    command = str(document.get("command", "run"))
    lines = [f"### {title or f'residency {command}'} ({document.get('target', '?')} target, "
             f"exit {document.get('exit_code', '?')})", "",
             "| workspace | result | add | change | destroy | drifted | seconds |",
             "|---|---|--:|--:|--:|--:|--:|"]
    details: list[str] = []
    for workspace in document["workspaces"]:
        name, status = workspace.get("workspace", "?"), str(workspace.get("status", "?"))
        changes = workspace.get("changes") or {}
        drifted = workspace.get("drifted") or []
        lines.append(f"| `{name}` | {ICONS.get(status, '')} {status} | {changes.get('add', 0)} | "
                     f"{changes.get('change', 0)} | {changes.get('destroy', 0)} | {len(drifted)} | "
                     f"{workspace.get('seconds', 0)} |")
        if workspace.get("diff"):
            details.append(_diff_details(name, workspace))
        elif workspace.get("plan_digest"):
            details.append(f"- `{name}`: plan digest `{str(workspace['plan_digest'])[:12]}` (what `apply --plans` "
                           "applies must have the same)")
        for resource in drifted:
            details.append(f"- `{name}`: drifted `{resource.get('address')}` ({resource.get('action')})")
            details += [f"  - `{attribute.get('path')}`: {_value(attribute.get('before'))} → "
                        f"{_value(attribute.get('after'))}" for attribute in resource.get("attributes") or []]
        if workspace.get("error") and status != "skipped":
            error = str(workspace["error"]).strip()
            details.append(f"<details><summary><code>{name}</code> {status}</summary>\n\n```\n{error}\n```\n"
                           "</details>")
    return "\n".join([*lines, "", *details]).rstrip() + "\n"


def _diff_details(name: str, workspace: dict[str, Any]) -> str:
    """The workspace's diff, collapsed and capped: the plan file (the run's artifact) has all of it."""
    entries = workspace["diff"]
    lines = []
    for entry in entries[:MAX_DIFF_RESOURCES]:
        mark = f" **[{entry.get('protects')}]**" if entry.get("protects") else ""
        lines.append(f"{entry.get('action', '')} `{entry.get('address')}`{mark}")
        lines += [f"    {attribute.get('path')}: {_value(attribute.get('before'))} -> {_value(attribute.get('after'))}"
                  for attribute in (entry.get("attributes") or [])[:MAX_DIFF_ATTRIBUTES]]
    if len(entries) > MAX_DIFF_RESOURCES:
        lines.append(f"... and {len(entries) - MAX_DIFF_RESOURCES} more resources (see the plan artifact)")
    digest = f", plan digest `{str(workspace['plan_digest'])[:12]}`" if workspace.get("plan_digest") else ""
    body = "\n".join(lines)
    return (f"<details><summary><code>{name}</code>: {len(entries)} resource(s) change{digest}</summary>\n\n"
            f"```\n{body}\n```\n</details>")


def _value(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 60 else text[:57] + "..."
