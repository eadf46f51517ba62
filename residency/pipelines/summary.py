"""One Markdown summary of a `plan`, `apply` or `drift` run (its --json document), for a pull request
comment or a job summary."""

from __future__ import annotations

from typing import Any

from residency.errors import UsageError

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
        if workspace.get("plan_digest"):
            details.append(f"- `{name}`: plan digest `{str(workspace['plan_digest'])[:12]}` (what `apply --plans` "
                           "applies must have the same)")
        for resource in drifted:
            details.append(f"- `{name}`: drifted `{resource.get('address')}` ({resource.get('action')})")
        if workspace.get("error") and status != "skipped":
            error = str(workspace["error"]).strip()
            details.append(f"<details><summary><code>{name}</code> {status}</summary>\n\n```\n{error}\n```\n"
                           "</details>")
    return "\n".join([*lines, "", *details]).rstrip() + "\n"
