"""The value of an expression built from literals only, for the string functions Terraform has.

`${join("-", ["us", "east", "1"])}` spells a region as surely as "us-east-1" does; folding such
expressions lets the rules judge what they spell. Anything that depends on a reference, or a function
not folded here, has no constant value (None), and the rules treat it as unknown.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from residency.guard.expressions import Call, Collection, Conditional, Literal, Node, Operation, Template

_NONE = object()
MAX_LENGTH = 100_000


def constant(node: Node) -> Any:
    """The value of `node` when it is built from literals only, else None."""
    try:
        value = _value(node, 0)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError):
        return None
    return None if value is _NONE else value


def _value(node: Node, depth: int) -> Any:
    if depth > 32:
        return _NONE
    if isinstance(node, Literal):
        value = node.value
        return int(value) if isinstance(value, float) and value.is_integer() else value
    if isinstance(node, Template):
        parts = [part if isinstance(part, str) else _value(part, depth + 1) for part in node.parts]
        if any(part is _NONE or isinstance(part, list | dict) for part in parts):
            return _NONE
        return "".join(_text(part) for part in parts)
    if isinstance(node, Collection):
        items = [_value(item, depth + 1) for item in node.items]
        if any(item is _NONE for item in items):
            return _NONE
        if not node.keys:
            return items
        keys = [_value(key, depth + 1) for key in node.keys]
        return _NONE if any(not isinstance(key, str) for key in keys) else dict(zip(keys, items, strict=True))
    if isinstance(node, Conditional):
        test = _value(node.test, depth + 1)
        if not isinstance(test, bool):
            return _NONE
        return _value(node.then if test else node.otherwise, depth + 1)
    if isinstance(node, Operation) and node.operator == "-" and len(node.operands) == 1:
        operand = _value(node.operands[0], depth + 1)
        return -operand if isinstance(operand, int | float) and not isinstance(operand, bool) else _NONE
    if isinstance(node, Call):
        function = FUNCTIONS.get(node.name)
        args = [_value(arg, depth + 1) for arg in node.args]
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
    "join": lambda separator, items, *more: separator.join(_text(i) for i in [*items, *(x for m in more for x in m)]),
    "format": _format,
    "lower": lambda text: text.lower(),
    "upper": lambda text: text.upper(),
    "title": lambda text: text.title(),
    "replace": lambda text, old, new: re.sub(old[1:-1], new.replace("$", "\\"), text)
    if len(old) > 1 and old.startswith("/") and old.endswith("/") else text.replace(old, new),
    "trimprefix": lambda text, prefix: text.removeprefix(prefix),
    "trimsuffix": lambda text, suffix: text.removesuffix(suffix),
    "trimspace": lambda text: text.strip(),
    "trim": lambda text, characters: text.strip(characters),
    "chomp": lambda text: text.rstrip("\r\n"),
    "strrev": lambda text: text[::-1],
    "substr": lambda text, offset, length: text[offset:] if length == -1 else text[offset:offset + length],
    "tostring": _text,
    "concat": lambda *lists: [item for items in lists for item in items],
    "split": lambda separator, text: text.split(separator),
    "element": lambda items, index: items[index % len(items)],
    "coalesce": lambda *values: next(v for v in values if v not in (None, "")),
    "one": lambda items: items[0] if len(items) == 1 else None,
    "tolist": list,
    "reverse": lambda items: list(reversed(items)),
    "formatlist": lambda spec, *lists: [_format(spec, *row) for row in zip(*lists, strict=True)],
    "lookup": lambda mapping, key, *default: mapping.get(key, *default) if default else mapping[key],
    "base64decode": lambda text: base64.b64decode(text).decode("utf-8"),
    "urldecode": lambda text: unquote(text),
}
