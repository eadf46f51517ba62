"""Read regions.yaml safely: YAML 1.2 into plain data, with the line of every key and value.

Nothing is ever constructed from a tag: the document is composed into nodes and walked here.
Only the core tags (str, int, float, bool, null, map, seq) may be written. Anchors and aliases
work, but the expanded document is capped at MAX_NODES values and MAX_DEPTH levels, so alias
bombs and recursive aliases fail at once. Merge keys (`<<`) are rejected rather than supported:
they hide where a value comes from, and regions.yaml is short enough to write out.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from residency.errors import ConfigError, ConfigMissingError, Problem

MAX_BYTES = 1024 * 1024
MAX_NODES = 100_000
MAX_DEPTH = 64

Location = tuple[str | int, ...]
PlainData = dict[str, Any]

_CORE = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (
    _CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_MERGE = _CORE + "merge"
_ALLOWED_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ})
_MISSING_HINT = ("start a project with `residency init`, or point to the file with --config PATH or the "
                 "RESIDENCY_CONFIG environment variable (without them, residency looks in this directory and "
                 "the ones above it)")


@dataclass(frozen=True)
class LineMap:
    """1-based lines of keys and values, by location path such as ('regions', 'eu-west-1', 'countries', 2)."""

    keys: Mapping[Location, int]
    values: Mapping[Location, int]

    def line(self, location: Location, *, key: bool = False) -> int | None:
        """Line of the value (or key) at location, else of its nearest parent's key."""
        location = tuple(location)
        first, second = (self.keys, self.values) if key else (self.values, self.keys)
        for table in (first, second):
            if location in table:
                return table[location]
        while location:
            location = location[:-1]
            found = self.keys.get(location, self.values.get(location))
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class YamlDocument:
    data: PlainData
    lines: LineMap


class _Failure(Exception):
    """Problems that stop reading the file."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _fail(line: int | None, message: str, hint: str | None = None, location: str = "") -> NoReturn:
    raise _Failure([Problem(line, location, message, hint)])


def _line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def format_location(location: Location) -> str:
    """('regions', 'eu-west-1', 'countries', 2) -> regions.eu-west-1.countries[2]"""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part and all(c.isalnum() or c in "-_:/@+=" for c in part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


class _StrictComposer(Composer):
    """Composer that records explicit tags, alias lines and nesting depth, and refuses YAML 1.1."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader=loader)
        self.explicit_tags: dict[int, str] = {}
        self.alias_lines: dict[tuple[int, object], int] = {}
        self.nesting = 0

    def compose_document(self) -> Any:
        event = self.parser.peek_event()
        version = getattr(event, "version", None)
        if version is not None and tuple(version) != (1, 2):
            shown = ".".join(str(part) for part in version)
            _fail(
                int(event.start_mark.line) + 1,
                f"%YAML {shown} is not supported: regions.yaml is read as YAML 1.2",
                "remove the %YAML line",
            )
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._record_alias(parent, index, int(event.start_mark.line) + 1)
            return node
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            _fail(int(event.start_mark.line) + 1, f"values are nested more than {MAX_DEPTH} levels deep")
        try:
            node = super().compose_node(parent, index)
        finally:
            self.nesting -= 1
        if event.ctag is not None:
            self.explicit_tags[id(node)] = str(event.ctag)
        return node

    def _record_alias(self, parent: Any, index: Any, line: int) -> None:
        if isinstance(index, int):
            self.alias_lines[(id(parent), index)] = line
        elif isinstance(index, Node):
            self.alias_lines[(id(parent), ("value", id(index)))] = line


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse the file; ConfigMissingError if it is not there, ConfigError if it is invalid."""
    return parse_yaml(read_config_text(path).removeprefix(BOM), str(path))


BOM = "\ufeff"


def read_config_text(path: Path) -> str:
    """The file's text, a UTF-8 byte-order mark kept as BOM, read the hardened way: a regular file
    of at most MAX_BYTES, else ConfigMissingError or ConfigError, never a hang or a traceback."""
    raw = _read_bytes(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ConfigError(
            str(path),
            [Problem(line, "", f"not valid UTF-8 (byte 0x{raw[err.start]:02x})", "save the file as UTF-8")],
        ) from None


def _read_bytes(path: Path) -> bytes:
    from residency.files import FileTooLarge, UnreadableFile, read_regular_file

    try:
        return read_regular_file(path, MAX_BYTES)
    except FileTooLarge as error:
        _too_large(path, error.size)
    except UnreadableFile as error:
        raise ConfigMissingError(error.reason, hint=_MISSING_HINT) from None


def _too_large(path: Path, size: int) -> NoReturn:
    message = f"file is larger than 1 MiB ({size:,} bytes); regions.yaml is never more than a few kilobytes"
    raise ConfigError(str(path), [Problem(None, "", message, "check that --config points to the right file")])


def parse_yaml(text: str, file: str) -> YamlDocument:
    """Parse YAML text (file names it in messages) into plain data and its line map."""
    if len(text) > MAX_BYTES:
        _too_large(Path(file), len(text.encode("utf-8", "surrogatepass")))
    try:
        root, composer = _compose(text)
        if root is None:
            _fail(None, "file is empty", "start with `project: NAME` and a `regions:` mapping")
        if not isinstance(root, MappingNode):
            _fail(
                _line_of(root), f"the top level must be a mapping of keys (project:, regions:, ...), not {_kind(root)}"
            )
        _measure(root)
        return _Builder(composer).document(root)
    except _Failure as failure:
        raise ConfigError(file, failure.problems) from None
    except RecursionError:
        raise ConfigError(file, [Problem(None, "", "values are nested too deeply")]) from None


def _compose(text: str) -> tuple[Node | None, _StrictComposer]:
    yaml = YAML(typ="rt", pure=True)
    yaml.Composer = _StrictComposer
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            root = yaml.compose(text)
    except MarkedYAMLError as err:
        _fail(*_syntax_problem(err))
    except ReaderError as err:
        line = text[: err.position].count("\n") + 1
        _fail(line, f"YAML syntax error: character #x{err.character:04x} is not allowed here")
    except YAMLError as err:
        _fail(None, f"YAML syntax error: {err}")
    return root, yaml.composer


def _syntax_problem(err: MarkedYAMLError) -> tuple[int | None, str]:
    mark = err.problem_mark or err.context_mark
    line = int(mark.line) + 1 if mark is not None else None
    problem, context = _tidy(err.problem), _tidy(err.context)
    message = f"YAML syntax error: {problem or context}"
    if problem and context and problem.startswith("but "):
        message = f"YAML syntax error: {context}, {problem}"
    elif problem and context:
        context_line = int(err.context_mark.line) + 1 if err.context_mark is not None else None
        where = f" that starts on line {context_line}" if context_line not in (None, line) else ""
        message += f" ({context}{where})"
    return line, message


def _tidy(text: str | None) -> str | None:
    """ruamel sometimes shows a token as a one-element tuple: ('<block mapping start>',)."""
    return re.sub(r"\('([^']*)',\)", r"'\1'", text) if text else text


def _is_empty(node: Node) -> bool:
    """An omitted value (`key:`), whose mark points at whatever token comes next."""
    return isinstance(node, ScalarNode) and node.value == "" and node.style is None


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the scalar {node.value!r}"


def _children(node: Node) -> Iterator[tuple[str | int, Node]]:
    if isinstance(node, SequenceNode):
        yield from enumerate(node.value)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            label = key.value if isinstance(key, ScalarNode) else "?"
            yield label, key
            yield label, value


def _measure(root: Node) -> None:
    """Fail fast when aliases expand the document beyond MAX_NODES values or MAX_DEPTH levels."""
    memo: dict[int, tuple[int, int]] = {}
    active: set[int] = set()

    def visit(node: Node, location: Location) -> tuple[int, int]:
        if id(node) in memo:
            return memo[id(node)]
        if id(node) in active:
            _fail(
                _line_of(node),
                "recursive alias: this value contains an alias to itself",
                "an alias (*name) cannot refer to a value that contains it",
                format_location(location),
            )
        active.add(id(node))
        size, height = 1, 1
        for label, child in _children(node):
            child_size, child_height = visit(child, (*location, label))
            size, height = size + child_size, max(height, child_height + 1)
            if size > MAX_NODES:
                _fail(
                    _line_of(node),
                    f"the document has more than {MAX_NODES:,} values once aliases are expanded",
                    "aliases (*name) that repeat other aliases multiply quickly; write the values out",
                    format_location(location),
                )
            if height > MAX_DEPTH:
                _fail(
                    _line_of(node),
                    f"values are nested more than {MAX_DEPTH} levels deep",
                    None,
                    format_location(location),
                )
        active.discard(id(node))
        memo[id(node)] = (size, height)
        return size, height

    visit(root, ())


class _Builder:
    """Walks the node tree into plain data, recording lines and collecting every problem."""

    def __init__(self, composer: _StrictComposer) -> None:
        self.explicit_tags = composer.explicit_tags
        self.alias_lines = composer.alias_lines
        self.keys: dict[Location, int] = {}
        self.values: dict[Location, int] = {}
        self.problems: dict[tuple[int, str], Problem] = {}

    def document(self, root: MappingNode) -> YamlDocument:
        self.values[()] = _line_of(root)
        data = self.mapping(root, ())
        if self.problems:
            raise _Failure(list(self.problems.values()))
        return YamlDocument(data, LineMap(self.keys, self.values))

    def problem(self, line: int, location: Location, message: str, hint: str | None = None) -> None:
        self.problems.setdefault((line, message), Problem(line, format_location(location), message, hint))

    def value(self, node: Node, location: Location) -> Any:
        tag = str(node.tag)
        if id(node) in self.explicit_tags and not self._tag_fits(node, tag):
            self.problem(
                _line_of(node),
                location,
                f"YAML tags are not allowed here (found {show_tag(self.explicit_tags[id(node)])})",
                "write a plain value: text, a number, true/false, null, a list or a mapping",
            )
            return None
        if isinstance(node, ScalarNode):
            return self.scalar(node, location)
        if isinstance(node, SequenceNode):
            return self.sequence(node, location)
        if isinstance(node, MappingNode):
            return self.mapping(node, location)
        raise TypeError(f"unexpected YAML node {node!r}")

    @staticmethod
    def _tag_fits(node: Node, tag: str) -> bool:
        if isinstance(node, MappingNode):
            return tag == _MAP
        if isinstance(node, SequenceNode):
            return tag == _SEQ
        return tag in _ALLOWED_TAGS - {_MAP, _SEQ}

    def sequence(self, node: SequenceNode, location: Location) -> list[Any]:
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_location = (*location, index)
            self.values[child_location] = self.alias_lines.get((id(node), index), _line_of(child))
            items.append(self.value(child, child_location))
        return items

    def mapping(self, node: MappingNode, location: Location) -> PlainData:
        data: PlainData = {}
        first_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node, location)
            if key is None:
                continue
            line = _line_of(key_node)
            if key in first_lines:
                self.problem(
                    line,
                    (*location, key),
                    f"duplicate key {key!r} (first on line {first_lines[key]})",
                    "YAML would silently keep only the last one; remove or merge one of them",
                )
                continue
            first_lines[key] = line
            child_location = (*location, key)
            self.keys[child_location] = line
            alias_line = self.alias_lines.get((id(node), ("value", id(key_node))))
            self.values[child_location] = alias_line or (line if _is_empty(value_node) else _line_of(value_node))
            data[key] = self.value(value_node, child_location)
        return data

    def key(self, node: Node, location: Location) -> str | None:
        line = _line_of(node)
        if not isinstance(node, ScalarNode):
            self.problem(line, location, f"mapping keys must be plain text, not {_kind(node)}")
            return None
        tag = str(node.tag)
        if tag == _MERGE and id(node) not in self.explicit_tags:
            self.problem(
                line,
                location,
                "merge keys (<<) are not supported",
                "write the keys out in full; an alias (*name) may still stand for a whole value",
            )
            return None
        if id(node) in self.explicit_tags and tag not in _ALLOWED_TAGS:
            self.problem(line, location, f"YAML tags are not allowed here (found {show_tag(tag)})")
            return None
        if tag in _ALLOWED_TAGS and tag != _STR:
            value = self.scalar(node, location)
            shown = "an empty key" if value is None else f"{node.value} ({type(value).__name__})"
            self.problem(line, location, f"mapping keys must be text, not {shown}", f'quote the key: "{node.value}":')
            return None
        return str(node.value)

    def scalar(self, node: ScalarNode, location: Location) -> Any:
        tag, text = str(node.tag), str(node.value)
        if tag not in _ALLOWED_TAGS or tag == _STR:
            return text  # implicit timestamps and the like stay text
        try:
            return _convert(tag, text)
        except ValueError:
            self.problem(_line_of(node), location, f"{text!r} is not a valid {show_tag(tag)}")
            return None


def _convert(tag: str, text: str) -> Any:
    if tag == _NULL:
        if text in ("", "~", "null", "Null", "NULL"):
            return None
    elif tag == _BOOL:
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif tag == _INT:
        return _to_int(text)
    elif tag == _FLOAT:
        return _to_float(text)
    raise ValueError(text)


def _to_int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
        if digits.lower().startswith(prefix):
            return sign * int(digits[2:], base)
    if not digits.isdigit():
        raise ValueError(text)
    return sign * int(digits, 10)


def _to_float(text: str) -> float:
    lowered = text.replace("_", "").lower()
    specials = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
    if lowered in specials:
        return specials[lowered]
    return float(lowered)
