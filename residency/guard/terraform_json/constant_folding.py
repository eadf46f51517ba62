"""The value of an expression built from literals only, for the string functions Terraform has.

`${join("-", ["us", "east", "1"])}` spells a region as surely as "us-east-1" does; folding such
expressions lets the rules judge what they spell. Anything that depends on a reference, or a function
not folded here, has no constant value (None), and the rules treat it as unknown.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from residency.guard.terraform_json.expressions import (
    Call,
    Collection,
    Conditional,
    Literal,
    Node,
    Operation,
    Template,
    Traversal,
    is_template,
    parse_template,
)

_NONE = object()
MAX_LENGTH = 100_000
MAX_WORK = 20_000  # nodes folded per value: locals that fan out cannot make a check slow


def constant(node: Node, locals_: dict[str, Any] | None = None) -> Any:
    """The value of `node` when it is built from literals (and local values built from literals) only."""
    try:
        value = _Folder(locals_ or {}).value(node, 0)
    except Exception:  # noqa: BLE001 - any function of hostile input that fails has no constant value
        return None
    return None if value is _NONE else value


class _Folder:
    def __init__(self, locals_: dict[str, Any]) -> None:
        self.locals = locals_
        self._folded: dict[str, Any] = {}
        self.budget = MAX_WORK

    def value(self, node: Node, depth: int) -> Any:
        return _value(node, depth, self)

    def local(self, traversal: Traversal, depth: int) -> Any:
        if not traversal.steps or traversal.steps[0] not in self.locals:
            return _NONE
        name = str(traversal.steps[0])
        if name not in self._folded:
            self._folded[name] = _NONE  # a local that refers to itself has no value
            self._folded[name] = self._json(self.locals[name], depth + 1)
        found = self._folded[name]
        for step in traversal.steps[1:]:
            if isinstance(step, str) and isinstance(found, dict):
                found = found[step]
            elif isinstance(step, int) and isinstance(found, list):
                found = found[step]
            else:
                return _NONE
        return found

    def _json(self, value: Any, depth: int) -> Any:
        if depth > 16:
            return _NONE
        if isinstance(value, str):
            return self.value(parse_template(value), depth + 1) if is_template(value) else value
        if isinstance(value, list):
            return [self._json(item, depth + 1) for item in value]
        if isinstance(value, dict):
            return {key: self._json(item, depth + 1) for key, item in value.items()}
        return value


def _value(node: Node, depth: int, folder: _Folder | None = None) -> Any:
    folder = folder or _Folder({})
    folder.budget -= 1
    if depth > 32 or folder.budget < 0:
        return _NONE
    if isinstance(node, Traversal) and node.root == "local":
        return folder.local(node, depth)
    if isinstance(node, Literal):
        value = node.value
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(node, Template):
        parts = [part if isinstance(part, str) else _value(part, depth + 1, folder) for part in node.parts]
        if any(part is _NONE or isinstance(part, list | dict) for part in parts):
            return _NONE
        return "".join(_text(part) for part in parts)
    if isinstance(node, Collection):
        items = [_value(item, depth + 1, folder) for item in node.items]
        if any(item is _NONE for item in items):
            return _NONE
        if not node.keys:
            return items
        keys = [_value(key, depth + 1, folder) for key in node.keys]
        return _NONE if any(not isinstance(key, str) for key in keys) else dict(zip(keys, items, strict=True))
    if isinstance(node, Conditional):
        test = _value(node.test, depth + 1, folder)
        if not isinstance(test, bool):
            return _NONE
        return _value(node.then if test else node.otherwise, depth + 1, folder)
    if isinstance(node, Operation) and node.operator == "-" and len(node.operands) == 1:
        operand = _value(node.operands[0], depth + 1, folder)
        return -operand if isinstance(operand, int | float) and not isinstance(operand, bool) else _NONE
    if isinstance(node, Call):
        function = FUNCTIONS.get(node.name)
        args = [_value(arg, depth + 1, folder) for arg in node.args]
        if function is None or any(arg is _NONE for arg in args):
            return _NONE
        result = function(*args)
        if isinstance(result, str) and len(result) > MAX_LENGTH:
            return _NONE
        return result
    return _NONE


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _lists(values: Any) -> list[Any]:
    """The items of list arguments, Terraform refusing anything else (so does folding: no value)."""
    if not all(isinstance(value, list) for value in values):
        raise TypeError("not a list")
    return [item for value in values for item in value]


def _replace(text: str, old: str, new: str) -> Any:
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        return _NONE  # a regular expression from the configuration: not run here (it could take forever)
    return text.replace(old, new)


def _format(spec: str, *args: Any) -> str:
    values = iter(args)

    def one(match: re.Match[str]) -> str:
        verb = match.group(2)
        if verb == "%":
            return "%"
        value = next(values)
        if verb == "q":
            return '"' + _text(value) + '"'
        if verb == "d" and isinstance(value, int | float):
            return str(int(value))
        if verb in "feg" and isinstance(value, int | float):
            return f"%{match.group(1)}{verb}" % value
        return _text(value)

    return re.sub(r"%([-+ #0-9.]*)([a-zA-Z%])", one, spec)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "join": lambda separator, *lists: separator.join(_text(item) for item in _lists(lists)),
    "format": _format,
    "lower": lambda text: text.lower(),
    "upper": lambda text: text.upper(),
    "title": lambda text: text.title(),
    "replace": _replace,
    "trimprefix": lambda text, prefix: text.removeprefix(prefix),
    "trimsuffix": lambda text, suffix: text.removesuffix(suffix),
    "trimspace": lambda text: text.strip(),
    "trim": lambda text, characters: text.strip(characters),
    "chomp": lambda text: text.rstrip("\r\n"),
    "strrev": lambda text: text[::-1],
    "substr": lambda text, offset, length: text[offset:] if length == -1 else text[offset:offset + length],
    "tostring": _text,
    "concat": lambda *lists: _lists(lists),
    "split": lambda separator, text: text.split(separator),
    "element": lambda items, index: _lists([items])[index % len(items)],
    "coalesce": lambda *values: next(v for v in values if v not in (None, "")),
    "one": lambda items: _lists([items])[0] if len(items) == 1 else None,
    "tolist": list,
    "reverse": lambda items: list(reversed(items)),
    "formatlist": lambda spec, *lists: [_format(spec, *row) for row in zip(*lists, strict=True)],
    "lookup": lambda mapping, key, *default: mapping.get(key, *default) if default else mapping[key],
    "base64decode": lambda text: base64.b64decode(text).decode("utf-8"),
    "urldecode": lambda text: unquote(text),
    "textdecodebase64": lambda text, encoding: base64.b64decode(text).decode(encoding),
    "base64encode": lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii"),
    "jsonencode": lambda value: json.dumps(value, separators=(",", ":")),
}
