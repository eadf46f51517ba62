"""Walking a resource body along a catalog path, and every string a document holds, with locations.

A location is the tuple of keys and list indexes that leads to a value, so a rule that judged a value
and the sweep that looks at every string can tell they are looking at the same one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

Location = tuple[str | int, ...]
COMMENT = "//"


def at_path(body: Any, path: str) -> Iterator[tuple[Location, Any]]:
    """(location, value) of every value `path` reaches in `body` (see catalog.model.Place)."""
    attribute_path, _, json_path = path.partition("#")
    for location, value in _walk(body, attribute_path.split("."), ()):
        if not json_path:
            yield location, value
            continue
        document = _json(value)
        if document is None:
            yield location, value  # a JSON expression (jsonencode, a reference): judged whole
            continue
        for inner, found in _walk(document, json_path.split("."), ()):
            yield (*location, "#", *inner), found


def _json(value: Any) -> Any:
    if not isinstance(value, str):
        return value if isinstance(value, dict | list) else None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _walk(value: Any, steps: list[str], location: Location) -> Iterator[tuple[Location, Any]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, steps, (*location, index))
        return
    if not steps:
        if value is not None:
            yield location, value
        return
    step, rest = steps[0], steps[1:]
    if step == "**":
        yield from _walk(value, rest, location)
        if isinstance(value, dict):
            for key, item in value.items():
                if key != COMMENT and isinstance(item, dict | list):
                    yield from _walk(item, steps, (*location, key))
        return
    if not isinstance(value, dict):
        return
    if step == "*":
        for key, item in value.items():
            if key != COMMENT:
                yield from _walk(item, rest, (*location, key))
    elif step in value:
        yield from _walk(value[step], rest, (*location, step))


def strings(value: Any, location: Location = ()) -> Iterator[tuple[Location, str]]:
    """Every string in a value with its location, comments (`//`) left out."""
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key != COMMENT:
                yield from strings(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*location, index))


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
