"""Edit regions.yaml as text: add a region and leave every existing byte where it was.

ruamel.yaml only locates things here (node marks); the new lines are inserted as text, so no dump
can re-indent, re-wrap, re-quote or move comments in what is already there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from residency.errors import UsageError

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_INDENTED_LINE = re.compile(r"(?:[ \t]*\r?\n)*( *)\S[^\n]*(?:\n|\Z)")  # after any blank lines
_Fields = list[tuple[str, str | list[str]]]
_NO_REGIONS_HINT = "add a top-level `regions:` block mapping, then try again"


@dataclass(frozen=True)
class _Layout:
    region_indent: int
    key_indent: int | None  # None: regions are one-line flow mappings
    flow_countries: bool = True
    dash_indent: int = 0  # block countries: columns from `countries:` to the dash
    dash_gap: int = 2  # and from the dash to the country


def add_region(text: str, code: str, *, jurisdiction: str, countries: list[str],
               failover: str | None = None, default: bool = False) -> str:
    """regions.yaml `text` with `code` added at the end of `regions:`, everything else kept as it was."""
    _check_plain("region code", code)
    fields = _fields(jurisdiction, countries, failover, default)
    root = _compose(text)
    key, regions = _regions(root)
    if _is_empty(regions) or (isinstance(regions, MappingNode) and regions.flow_style and not regions.value):
        layout = _empty_layout(root, key)
        return _fill_empty(text, key, regions, _render(code, fields, layout), layout)
    mapping = _extendable(regions, code)
    layout = _layout(mapping)
    return _insert(text, _pair_end(*mapping.value[-1]) - 1, _render(code, fields, layout), layout)


def remove_region(text: str, code: str) -> str:
    """regions.yaml `text` without `code`'s entry (its lines and the lines below them indented past the region
    codes); every other byte, comments included, stays where it was."""
    regions = _regions(_compose(text))[1]
    if not isinstance(regions, MappingNode) or regions.flow_style:
        raise UsageError("regions: in regions.yaml is not a block mapping of region codes, one per line",
                         hint="rewrite it as a block mapping, one region code per line, then try again")
    pairs = [(key, value) for key, value in regions.value if isinstance(key, ScalarNode) and key.value == code]
    if not pairs:
        listed = ", ".join(str(key.value) for key, _ in regions.value)
        raise UsageError(f"{code} is not in regions.yaml", hint=f"regions: {listed}")
    key, value = pairs[0]
    start = text.rfind("\n", 0, key.start_mark.index) + 1
    end = text.find("\n", _pair_end(key, value) - 1)
    at = len(text) if end < 0 else end + 1
    while (match := _INDENTED_LINE.match(text, at)) and len(match.group(1)) > key.start_mark.column:
        at = match.end()
    return text[:start] + text[at:]


def unified_diff(old: str, new: str, name: str) -> str:
    """A `diff -u` style diff (a/NAME, b/NAME headers); empty when equal."""
    lines = difflib.unified_diff(_lines(old), _lines(new), f"a/{name}", f"b/{name}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _lines(text: str) -> list[str]:
    return re.findall(r"[^\n]*\n|[^\n]+", text)


def _check_plain(what: str, value: str) -> None:
    if not _PLAIN.fullmatch(value):
        raise UsageError(f"{value!r} is not a valid {what}", hint="use only letters, digits and '-'")


def _fields(jurisdiction: str, countries: list[str], failover: str | None, default: bool) -> _Fields:
    _check_plain("jurisdiction", jurisdiction)
    for country in countries:
        _check_plain("country", country)
    fields: _Fields = [("jurisdiction", jurisdiction), ("countries", countries)]
    if failover is not None:
        _check_plain("failover region", failover)
        fields.append(("failover", failover))
    return fields + [("default", "true")] if default else fields


def _compose(text: str) -> Node | None:
    try:
        node: Node | None = YAML(typ="rt", pure=True).compose(text)
    except YAMLError as err:
        mark = err.problem_mark if isinstance(err, MarkedYAMLError) else None
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"regions.yaml is not valid YAML{where}", hint="run `residency validate`") from None
    return node


def _regions(root: Node | None) -> tuple[Node, Node]:
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if isinstance(key, ScalarNode) and key.value == "regions":
                return key, value
    raise UsageError("regions.yaml has no `regions:` mapping", hint=_NO_REGIONS_HINT)


def _extendable(regions: Node, code: str) -> MappingNode:
    if not isinstance(regions, MappingNode):
        raise UsageError("regions: in regions.yaml is not a mapping of region codes", hint=_NO_REGIONS_HINT)
    if regions.flow_style:
        raise UsageError("regions: is written in flow style ({...}) and cannot be extended line by line",
                         hint="rewrite it as a block mapping, one region code per line, then try again")
    if any(isinstance(key, ScalarNode) and key.value == code for key, _ in regions.value):
        raise UsageError(f"{code} is already in regions.yaml", hint="change its settings in regions.yaml by hand")
    return regions


def _is_empty(node: Node) -> bool:
    """An omitted value (`regions:`); its marks point at whatever token comes next."""
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


def _is_block(node: Node) -> bool:
    return isinstance(node, MappingNode | SequenceNode) and not node.flow_style and bool(node.value)


def _pair_end(key: Node, value: Node) -> int:
    """Index just past the pair's last character: an alias's marks point at its anchor, so take the max."""
    return max(key.end_mark.index, _value_end(value))


def _value_end(node: Node) -> int:
    if _is_empty(node):
        return -1
    if _is_block(node) and isinstance(node, MappingNode):
        return _pair_end(*node.value[-1])
    if _is_block(node):
        return max(node.start_mark.index + 1, _value_end(node.value[-1]))
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):
        return int(node.start_mark.index) + 1  # its end mark can be on the next key's line
    return int(node.end_mark.index)


def _layout(regions: MappingNode) -> _Layout:
    region_indent = regions.value[0][0].start_mark.column
    bodies = [value for _, value in regions.value if _is_block(value) and isinstance(value, MappingNode)]
    if not bodies:
        flow = any(isinstance(value, MappingNode) for _, value in regions.value)
        return _Layout(region_indent, None if flow else 2 * region_indent)  # regions: is at column 0
    key_indent = bodies[0].value[0][0].start_mark.column
    for key, value in (pair for body in bodies for pair in body.value):
        if key.value == "countries" and isinstance(value, SequenceNode):
            if value.flow_style or not value.value:
                return _Layout(region_indent, key_indent)
            dash = value.start_mark.column
            return _Layout(region_indent, key_indent, False, dash - key.start_mark.column,
                           value.value[0].start_mark.column - dash)
    return _Layout(region_indent, key_indent)


def _empty_layout(root: Node | None, key: Node) -> _Layout:
    """The file's indentation step, from its first nested block mapping (global:, state:, ...)."""
    nested = [(k, v) for k, v in getattr(root, "value", []) if isinstance(v, MappingNode) and _is_block(v)]
    step = nested[0][1].value[0][0].start_mark.column - nested[0][0].start_mark.column if nested else 2
    return _Layout(key.start_mark.column + step, key.start_mark.column + 2 * step)


def _render(code: str, fields: _Fields, layout: _Layout) -> str:
    head = " " * layout.region_indent + f"{code}:"
    if layout.key_indent is None:
        inline = ", ".join(f"{name}: {_flow(value)}" for name, value in fields)
        return f"{head} {{{inline}}}\n"
    lines, pad = [head], " " * layout.key_indent
    for name, value in fields:
        if isinstance(value, list) and value and not layout.flow_countries:
            lines.append(f"{pad}{name}:")
            dash = " " * (layout.key_indent + layout.dash_indent) + "-" + " " * (layout.dash_gap - 1)
            lines += [dash + item for item in value]
        else:
            lines.append(f"{pad}{name}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: str | list[str]) -> str:
    return f"[{', '.join(value)}]" if isinstance(value, list) else value


def _fill_empty(text: str, key: Node, value: Node, block: str, layout: _Layout) -> str:
    """`regions:` or `regions: {}` becomes a block mapping holding the one new region."""
    if isinstance(value, MappingNode):
        head = text[: value.start_mark.index].rstrip(" \t")
        text, last = head + text[value.end_mark.index :], len(head) - 1
    else:
        last = key.end_mark.index - 1
    return _insert(text, last, block, layout)


def _insert(text: str, last: int, block: str, layout: _Layout) -> str:
    """Insert after the line holding index `last` and the lines below it indented past the region codes.

    Those lines are still the last region's: comments, block text, list items that are aliases.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    block, end = block.replace("\n", newline), text.find("\n", last)
    at = len(text) if end < 0 else end + 1
    while (match := _INDENTED_LINE.match(text, at)) and len(match.group(1)) > layout.region_indent:
        at = match.end()
    if at == len(text) and not text.endswith("\n"):
        text, at = text + newline, at + len(newline)
    result = text[:at] + block + text[at:]
    return result if result.endswith("\n") else result + newline
