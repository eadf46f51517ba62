"""The data map as a Mermaid flowchart (GitHub and GitLab draw it in Markdown)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from residency.guard.reports.data_map import VIOLATION_COLOUR, DataMap, build_map, city
from residency.guard.rules.findings import DataPath
from residency.guard.terraform_json.values import GLOBAL, UNKNOWN


def render_mermaid(regions: Mapping[str, str], paths: Sequence[DataPath], *, global_region: str, title: str) -> str:
    graph = build_map(regions, paths, global_region, title)
    lines = ["---", f"title: {json.dumps(title)}", "---", "flowchart LR"]
    lines.append(f'  {_mermaid_id(GLOBAL)}["{_mermaid_text(graph.global_label)}"]')
    for jurisdiction, codes in graph.clusters:
        lines.append(f'  subgraph {_mermaid_id(jurisdiction, "j_")}["{_mermaid_text(jurisdiction)}"]')
        lines.extend(f"    {_mermaid_node(code)}" for code in codes)
        lines.append("  end")
    if graph.has_unknown:
        lines.append(f'  {_mermaid_id(UNKNOWN)}["unknown destination"]')
    for edge in graph.edges:
        arrow = f'-->|"{_mermaid_text(edge.label)}"|'
        lines.append(f"  {_mermaid_id(edge.source)} {arrow} {_mermaid_id(edge.destination)}")
    lines.extend(_mermaid_styles(graph))
    return "\n".join(lines) + "\n"


def _mermaid_id(name: str, prefix: str = "n_") -> str:
    return prefix + re.sub(r"\W", "_", name)


def _mermaid_text(text: str) -> str:
    for character, entity in (("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(character, entity)
    return text


def _mermaid_node(code: str) -> str:
    named = city(code)
    label = f"{_mermaid_text(code)}<br/>{_mermaid_text(named)}" if named else _mermaid_text(code)
    return f'{_mermaid_id(code)}["{label}"]'


def _mermaid_styles(graph: DataMap) -> list[str]:
    lines = [
        f"  linkStyle {index} stroke:{VIOLATION_COLOUR},stroke-width:3px,color:{VIOLATION_COLOUR}"
        for index, edge in enumerate(graph.edges)
        if edge.violation
    ]
    if graph.has_unknown:
        lines.append(f"  style {_mermaid_id(UNKNOWN)} stroke:{VIOLATION_COLOUR},stroke-dasharray:4 4")
    lines.extend(f"  style {_mermaid_id(code)} stroke-dasharray:4 4" for code in sorted(graph.outside))
    return lines
