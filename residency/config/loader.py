"""load_config: regions.yaml -> Config, or one ConfigError listing every problem with its line.

Schema problems come first: when a value has the wrong shape the cross-field rules do not run
(they would only guess), except that unknown keys are dropped so the rules can still run beside them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from residency.config.aws_regions import REGIONS
from residency.config.model import (
    Config,
)
from residency.config.state import STATE_MODELS, misplaced_key
from residency.config.validation import check_rules, did_you_mean, suggest
from residency.config.yaml_source import LineMap, Location, YamlDocument, format_location, parse_yaml, read_yaml
from residency.errors import ConfigError, Problem, ResidencyError

_EXAMPLE_REGION = "us-east-1: {jurisdiction: US, countries: [US], default: true}"
_MISSING_HINTS = {
    "project": "project: NAME (3-24 lowercase letters, digits and '-')",
    "regions": f"regions: {{{_EXAMPLE_REGION}}}",
}
_YES = ("yes", "y", "on")
_NO = ("no", "n", "off")


def load_config(path: Path) -> Config:
    """Read, validate and check regions.yaml; ConfigError (65) or ConfigMissingError (66) otherwise."""
    try:
        return _load(Path(path))
    except ResidencyError:
        raise
    except Exception as err:  # a bug must not show the user a traceback for their file
        message = f"could not be read: {type(err).__name__}: {err}"
        raise ConfigError(str(path), [Problem(None, "", message)]) from err


def load_config_text(text: str, file: str) -> Config:
    """The same checks as load_config for text not (yet) in a file, e.g. an edit before it is written."""
    return _checked(parse_yaml(text, file), file)


def _load(path: Path) -> Config:
    return _checked(read_yaml(path), str(path))


def _checked(document: YamlDocument, file: str) -> Config:
    config, problems = validate_document(document)
    if config is not None:
        problems += check_rules(config, document.lines)
    if config is None or problems:
        raise ConfigError(file, problems)
    return config


def validate_document(document: YamlDocument) -> tuple[Config | None, list[Problem]]:
    """The model (None when the schema fails beyond unknown keys) and the schema problems."""
    try:
        return Config.model_validate(document.data), []
    except ValidationError as err:
        errors = err.errors()
    problems = [_problem(error, document.lines) for error in errors]
    unknown = [_in_file(tuple(error["loc"]))[0] for error in errors if error["type"] == "extra_forbidden"]
    if len(unknown) < len(errors):
        return None, problems
    try:
        return Config.model_validate(_without(document.data, unknown)), problems
    except ValidationError:
        return None, problems


def _without(data: dict[str, Any], locations: list[Location]) -> dict[str, Any]:
    def prune(value: Any, here: Location) -> Any:
        if not isinstance(value, dict):
            return value
        return {key: prune(item, (*here, key)) for key, item in value.items() if (*here, key) not in locations}

    pruned: dict[str, Any] = prune(data, ())
    return pruned


def _in_file(location: Location) -> tuple[Location, str | None]:
    """The location as written in the file, and the state backend it is under: pydantic puts the
    backend's tag into the locations inside `state` (`state.cloud.organization`)."""
    if len(location) >= 2 and location[0] == "state" and location[1] in STATE_MODELS:
        return ("state", *location[2:]), str(location[1])
    return location, None


def _problem(error: ErrorDetails, lines: LineMap) -> Problem:
    location, backend = _in_file(tuple(error["loc"]))
    kind = error["type"]
    hint: str | None
    if kind == "extra_forbidden":
        misplaced = misplaced_key(backend, str(location[-1])) if backend and len(location) == 2 else None
        message, hint = misplaced or _unknown_key(location)
        return Problem(lines.line(location, key=True), format_location(location), message, hint)
    if kind == "union_tag_invalid" and location == ("state",):
        location = ("state", "backend")
        given = error.get("input")
        tag = given.get("backend") if isinstance(given, dict) else (error.get("ctx") or {}).get("tag")
        message = f"expected {_one_of(list(STATE_MODELS))}, got {show_value(tag)}"
        return Problem(lines.line(location), format_location(location), message,
                       suggest(str(tag), list(STATE_MODELS)) if isinstance(tag, str) else None)
    if kind == "missing":
        message, hint = f"required key {location[-1]!r} is missing", _missing_hint(location)
    else:
        message, hint = _wrong_value(error, location)
    return Problem(lines.line(location), format_location(location), message, hint)


def _model_at(location: Location) -> type[BaseModel] | None:
    """The model whose keys belong at `location`, found by following Config's fields (through optional, annotated
    and union types, and past the key or index of a mapping or list), so that every section names its keys."""
    model: type[BaseModel] | None = Config
    parts = list(location)
    while parts:
        if model is None:
            return None
        name = str(parts.pop(0))
        field = next((field for key, field in model.model_fields.items() if (field.alias or key) == name), None)
        if field is None:
            return None
        model, holds_many = _model_in(field.annotation)
        if holds_many and parts:
            parts.pop(0)  # the region code, the index
    return model


def _model_in(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model an annotation holds, and whether it holds many (a mapping or list of them)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin in (dict, list, tuple, Mapping, Sequence):
        model, _ = _model_in(arguments[-1] if arguments else None)
        return model, True
    for argument in arguments:  # Optional, Union, Annotated
        model, many = _model_in(argument)
        if model is not None:
            return model, many
    return None, False


def _allowed_keys(location: Location) -> list[str]:
    if location == ("state",):  # every backend's keys: a key of another backend is told apart before
        return list(dict.fromkeys(name for model in STATE_MODELS.values() for name in model.model_fields))
    model = _model_at(location)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _unknown_key(location: Location) -> tuple[str, str]:
    key = str(location[-1])
    allowed = _allowed_keys(location[:-1])
    listing = f"allowed here: {', '.join(allowed)}"
    match = did_you_mean(key, allowed)
    if match is not None:
        return f"unknown key {key!r}", f"did you mean {match!r}? ({listing})"
    if not location[:-1] and key in REGIONS:
        return f"unknown key {key!r}", f"region codes go under regions: ({listing})"
    return f"unknown key {key!r}", listing


def _missing_hint(location: Location) -> str | None:
    field = str(location[-1])
    if field == "jurisdiction" and len(location) == 3 and location[1] in REGIONS:
        return f"jurisdiction: {REGIONS[str(location[1])].jurisdiction}"
    return _MISSING_HINTS.get(field)


def _wrong_value(error: ErrorDetails, location: Location) -> tuple[str, str | None]:
    kind, value = error["type"], error.get("input")
    got = f"got {show_value(value)}"
    empty = "the value is empty" if value is None else None
    if kind == "string_type":
        return f"expected text, {got}", empty
    if kind == "bool_type":
        return f"expected true or false, {got}", _bool_hint(value) or empty
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
        return f"expected {_one_of(choices)}, {got}", suggest(str(value), choices) if isinstance(value, str) else empty
    if kind in ("tuple_type", "list_type"):
        hint = f"write {location[-1]}: [{value}]" if isinstance(value, str) else empty
        return f"expected a list, {got}", hint
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, {got}", _mapping_hint(location) or empty
    if kind == "value_error":
        return f"{(error.get('ctx') or {}).get('error', error['msg'])}, {got}", None
    if kind == "too_short" and location == ("regions",):
        return "at least one region is required", f"regions: {{{_EXAMPLE_REGION}}}"
    return f"{error['msg'][:1].lower()}{error['msg'][1:]}, {got}", None


def _bool_hint(value: object) -> str | None:
    if isinstance(value, str) and value.lower() in _YES + _NO:
        word = "true" if value.lower() in _YES else "false"
        return f"write {word}: YAML 1.2 reads {value} as text"
    return None


def _one_of(choices: list[str]) -> str:
    quoted = [repr(choice) for choice in choices]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _mapping_hint(location: Location) -> str | None:
    if location == ("regions",):
        return f"regions maps region codes to settings, e.g. {_EXAMPLE_REGION}"
    if len(location) == 2 and location[0] == "regions" and location[1] in REGIONS:
        return f"give the region its settings, e.g. {{jurisdiction: {REGIONS[str(location[1])].jurisdiction}}}"
    return None


def show_value(value: object, limit: int = 60) -> str:
    """A YAML-like rendering of a parsed value for messages: 'text', 12, true, null, [a, b]."""
    text = _show(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key}: {_show(item)}" for key, item in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    return str(value)
