"""Walking a resource body along a catalog path, and every string a document holds, with locations.

A location is the tuple of keys and list indexes that leads to a value, so a rule that judged a value
and the sweep that looks at every string can tell they are looking at the same one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from residency.guard.terraform_json.documents import strict_json
from residency.guard.terraform_json.expressions import (
    Call,
    ExpressionError,
    as_value,
    is_template,
    parse_template,
    sole_expression,
)

Location = tuple[str | int, ...]
COMMENT = "//"


def path_steps(path: str) -> list[str]:
    """A dotted path's steps; `Name.$` (a Step Functions run-time parameter) is one key."""
    steps: list[str] = []
    for step in path.split("."):
        if step == "$" and steps:
            steps[-1] += ".$"
        else:
            steps.append(step)
    return steps


def at_path(body: Any, path: str) -> Iterator[tuple[Location, Any]]:
    """(location, value) of every value `path` reaches in `body` (see catalog.entries.Place)."""
    attribute_path, _, json_path = path.partition("#")
    for location, value in _walk(body, path_steps(attribute_path), (), comments=True):
        if not json_path:
            yield location, value
            continue
        document = json_document(value)
        if document is None:
            yield location, value  # a JSON expression that cannot be read: judged whole
            continue
        for inner, found in _walk(document, path_steps(json_path), (), comments=False):
            yield (*location, "#", *inner), found


def json_document(value: Any) -> Any:
    """The document a JSON attribute holds: JSON text (refused with duplicate keys, which readers resolve
    differently), or `jsonencode({...})` with its computed parts kept as expressions; else None."""
    if isinstance(value, dict | list):
        return value
    if not isinstance(value, str):
        return None
    try:
        return strict_json(value)
    except ValueError:
        pass
    if not is_template(value):
        return None
    try:
        node = sole_expression(parse_template(value))
    except ExpressionError:
        return None
    if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1:
        converted = as_value(node.args[0])
        return converted if isinstance(converted, dict | list) else None
    return None


def _walk(value: Any, steps: list[str], location: Location, comments: bool) -> Iterator[tuple[Location, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, steps, (*location, index), comments)
        return
    if not steps:
        if value is not None:
            yield location, value
        return
    step, rest = steps[0], steps[1:]
    if step == "**":
        yield from _walk(value, rest, location, comments)
        if isinstance(value, dict):
            for key, item in value.items():
                if (key != COMMENT or not comments) and isinstance(item, dict | list):
                    yield from _walk(item, steps, (*location, key), comments)
        return
    if not isinstance(value, dict):
        return
    if step == "*":
        for key, item in value.items():
            if key != COMMENT or not comments:
                yield from _walk(item, rest, (*location, key), comments)
    elif step in value:
        yield from _walk(value[step], rest, (*location, step), comments)


def strings(value: Any, location: Location = (), *, keys: bool = False) -> Iterator[tuple[Location, str]]:
    """Every string in a value with its location (with `keys`, map keys too, at the location of their
    value). A block's own `//` comment is left out; deeper, `//` is an ordinary key of an object value."""
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == COMMENT and not location:
                continue
            if keys:
                yield (*location, key), key
            yield from strings(item, (*location, key), keys=keys)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*location, index), keys=keys)


def covered(location: Location, judged: set[Location]) -> bool:
    """Whether a value at `location` is, or is inside, a value a rule already judged."""
    return any(location[:length] in judged for length in range(len(location) + 1))


def dotted(location: Location) -> str:
    text = ""
    for step in location:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step == "#":
            text += "#"
        else:
            text += ("" if not text or text.endswith("#") else ".") + step
    return text
