"""Terraform's template and expression syntax, parsed the way Terraform reads it.

A string in Terraform JSON is a template: literal text with `${ expression }` interpolations and
`%{ if/for }` directives. Expressions nest braces, strings, function calls, conditionals, `for`
expressions and index/attribute traversals, so a regular expression cannot tell what a value refers
to. This module parses them into a small tree; the rules ask the tree what a value refers to and
which literal strings it contains. Text that does not parse is reported as such (callers fail closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


class ExpressionError(ValueError):
    pass


# ----------------------------------------------------------------------------------------------- tree


@dataclass(frozen=True)
class Literal:
    value: str | float | bool | None


@dataclass(frozen=True)
class Template:
    """Literal text (str) and interpolated expressions, in order."""

    parts: tuple[str | Node, ...]


@dataclass(frozen=True)
class Traversal:
    """`root.attr[index]...`: a variable, resource, data source, local, iterator..."""

    root: str
    steps: tuple[str | int | Node, ...]  # attribute names, literal indexes, computed indexes; "*" for splats


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Conditional:
    test: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class Collection:
    """A tuple `[...]` (keys empty) or an object `{k = v}` (keys and items alike)."""

    items: tuple[Node, ...]
    keys: tuple[Node, ...] = ()


@dataclass(frozen=True)
class For:
    names: tuple[str, ...]
    collection: Node
    key: Node | None
    value: Node
    condition: Node | None


@dataclass(frozen=True)
class Operation:
    operator: str
    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Access:
    """An attribute, index or splat applied to something that is not a plain traversal."""

    base: Node
    steps: tuple[str | int | Node, ...]


Node = Literal | Template | Traversal | Call | Conditional | Collection | For | Operation | Access


# ------------------------------------------------------------------------------------------- queries


def walk(node: Node) -> list[Node]:
    """Every node of the tree, depth first."""
    found: list[Node] = [node]
    for child in _children(node):
        found += walk(child)
    return found


def _children(node: Node) -> list[Node]:
    if isinstance(node, Template):
        return [part for part in node.parts if not isinstance(part, str)]
    if isinstance(node, Traversal | Access):
        nested = [step for step in node.steps if not isinstance(step, str | int)]
        return ([node.base] if isinstance(node, Access) else []) + nested
    if isinstance(node, Call | Operation):
        return list(node.args if isinstance(node, Call) else node.operands)
    if isinstance(node, Conditional):
        return [node.test, node.then, node.otherwise]
    if isinstance(node, Collection):
        return [*node.keys, *node.items]
    if isinstance(node, For):
        return [n for n in (node.collection, node.key, node.value, node.condition) if n is not None]
    return []


def traversals(node: Node) -> list[Traversal]:
    """Every traversal in the tree, minus the names a `for` expression binds."""
    bound: set[str] = set()
    found: list[Traversal] = []
    _collect(node, bound, found)
    return found


def _collect(node: Node, bound: set[str], found: list[Traversal]) -> None:
    if isinstance(node, For):
        _collect(node.collection, bound, found)
        inner = bound | set(node.names)
        for child in (node.key, node.value, node.condition):
            if child is not None:
                _collect(child, inner, found)
        return
    if isinstance(node, Traversal) and node.root not in bound:
        found.append(node)
    for child in _children(node):
        _collect(child, bound, found)


def literal_strings(node: Node) -> list[str]:
    """Every literal string the tree holds: template text and quoted strings."""
    found: list[str] = []
    for item in walk(node):
        if isinstance(item, Template):
            found += [part for part in item.parts if isinstance(part, str)]
        elif isinstance(item, Literal) and isinstance(item.value, str):
            found.append(item.value)
    return found


def address(traversal: Traversal) -> tuple[str, str, str, tuple[str | int | Node, ...]] | None:
    """(mode, type, name, remaining steps) of a resource or data source reference, else None.

    mode is "resource" or "data"; `aws_s3_bucket.b.arn` and `data.aws_s3_bucket.b.arn`.
    """
    steps = traversal.steps
    if traversal.root == "data":
        if len(steps) >= 2 and isinstance(steps[0], str) and isinstance(steps[1], str):
            return "data", steps[0], steps[1], steps[2:]
        return None
    if traversal.root in NON_RESOURCE_ROOTS or not steps or not isinstance(steps[0], str) or steps[0] == "*":
        return None
    return "resource", traversal.root, steps[0], steps[1:]


def as_value(node: Node) -> object:
    """An HCL value as JSON would hold it; anything computed stays a tree (for the rules to judge)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Collection):
        if not node.keys:
            return [as_value(item) for item in node.items]
        converted: dict[str, object] = {}
        for key, item in zip(node.keys, node.items, strict=True):
            if not (isinstance(key, Literal) and isinstance(key.value, str)):
                return node
            converted[key.value] = as_value(item)
        return converted
    return node


NON_RESOURCE_ROOTS = frozenset({"var", "local", "module", "each", "count", "self", "path", "terraform"})


# ------------------------------------------------------------------------------------------- parsing


@lru_cache(maxsize=16384)
def parse_template(text: str) -> Template:
    """A Terraform JSON string value: literal text with interpolations and directives."""
    try:
        parts, position = _Parser(text).template(0, closing=None)
    except RecursionError as error:
        raise ExpressionError("nested too deeply to read") from error
    if position != len(text):
        raise ExpressionError(f"unexpected text at offset {position}")
    return Template(tuple(parts))


def is_template(text: str) -> bool:
    """Whether Terraform would evaluate anything in this string."""
    return "${" in text or "%{" in text


def sole_expression(template: Template) -> Node | None:
    """The expression a string is made of entirely (`"${aws_x.y.arn}"`), else None."""
    if len(template.parts) == 1 and not isinstance(template.parts[0], str):
        return template.parts[0]
    return None


_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+|\#[^\n]*|//[^\n]*|/\*.*?\*/)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<heredoc><<-?[A-Za-z_][A-Za-z0-9_-]*\r?\n)
  | (?P<operator>\.\.\.|=>|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:.,=\[\](){}"])
""", re.VERBOSE | re.DOTALL)

_BINARY = [("||",), ("&&",), ("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%")]
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    # -- templates

    def template(self, position: int, closing: str | None) -> tuple[list[str | Node], int]:
        """Template parts from `position` until `closing` (`"` inside an expression) or the end."""
        parts: list[str | Node] = []
        literal: list[str] = []
        text = self.text
        while position < len(text):
            char = text[position]
            if closing is not None and char == closing:
                break
            if text.startswith("$${", position) or text.startswith("%%{", position):
                literal.append(char + "{")
                position += 3
                continue
            if text.startswith("${", position) or text.startswith("%{", position):
                if literal:
                    parts.append("".join(literal))
                    literal = []
                directive = char == "%"
                position = self._skip_strip(position + 2)
                if directive:
                    node, position = self.directive(position)
                else:
                    node, position = self.expression(position)
                position = self._close_interpolation(position)
                if node is not None:
                    parts.append(node)
                continue
            if closing is not None and char == "\\":
                decoded, position = self._escape(position)
                literal.append(decoded)
                continue
            literal.append(char)
            position += 1
        if literal:
            parts.append("".join(literal))
        return parts, position

    def _skip_strip(self, position: int) -> int:
        return position + 1 if self.text.startswith("~", position) else position

    def _close_interpolation(self, position: int) -> int:
        position = self._space(position)
        if self.text.startswith("~", position):
            position = self._space(position + 1)
        if not self.text.startswith("}", position):
            raise ExpressionError(f"an interpolation is not closed at offset {position}")
        return position + 1

    def directive(self, position: int) -> tuple[Node | None, int]:
        keyword, after = self._word(position)
        if keyword == "if":
            return self.expression(after)
        if keyword == "for":
            names, after = self._for_names(after)
            return self.expression(after)
        if keyword in ("else", "endif", "endfor"):
            return None, after
        raise ExpressionError(f"unknown template directive {keyword!r}")

    def _escape(self, position: int) -> tuple[str, int]:
        text = self.text
        if position + 1 >= len(text):
            raise ExpressionError("a string ends in a backslash")
        code = text[position + 1]
        if code in _ESCAPES:
            return _ESCAPES[code], position + 2
        width = {"u": 4, "U": 8}.get(code)
        if width is None:
            raise ExpressionError(f"unknown escape \\{code}")
        digits = text[position + 2:position + 2 + width]
        if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise ExpressionError("a malformed unicode escape")
        return chr(int(digits, 16)), position + 2 + width

    # -- tokens

    def _space(self, position: int) -> int:
        while position < len(self.text):
            match = _TOKEN.match(self.text, position)
            if match is None or match.lastgroup != "space":
                break
            position = match.end()
        return position

    def _peek(self, position: int) -> tuple[str, str, int]:
        """(kind, text, end) of the token at `position` (after space); kind "end" at the end."""
        position = self._space(position)
        if position >= len(self.text):
            return "end", "", position
        match = _TOKEN.match(self.text, position)
        if match is None or match.lastgroup is None:
            raise ExpressionError(f"unexpected character {self.text[position]!r} at offset {position}")
        return match.lastgroup, match.group(), match.end()

    def _expect(self, position: int, token: str) -> int:
        kind, text, end = self._peek(position)
        if text != token:
            raise ExpressionError(f"expected {token!r} at offset {position}, found {text!r}")
        return end

    def _word(self, position: int) -> tuple[str, int]:
        kind, text, end = self._peek(position)
        if kind != "name":
            raise ExpressionError(f"expected a name at offset {position}")
        return text, end

    # -- expressions

    def expression(self, position: int) -> tuple[Node, int]:
        test, position = self._binary(position, 0)
        kind, text, end = self._peek(position)
        if text == "?":
            then, position = self.expression(end)
            position = self._expect(position, ":")
            otherwise, position = self.expression(position)
            return Conditional(test, then, otherwise), position
        return test, position

    def _binary(self, position: int, level: int) -> tuple[Node, int]:
        if level == len(_BINARY):
            return self._unary(position)
        left, position = self._binary(position, level + 1)
        while True:
            kind, text, end = self._peek(position)
            if kind != "operator" or text not in _BINARY[level]:
                return left, position
            right, position = self._binary(end, level + 1)
            left = Operation(text, (left, right))

    def _unary(self, position: int) -> tuple[Node, int]:
        kind, text, end = self._peek(position)
        if text in ("!", "-"):
            operand, position = self._unary(end)
            return Operation(text, (operand,)), position
        return self._postfix(position)

    def _postfix(self, position: int) -> tuple[Node, int]:
        base, position = self._primary(position)
        steps: list[str | int | Node] = []
        while True:
            kind, text, end = self._peek(position)
            if text == ".":
                kind, text, after = self._peek(end)
                if kind in ("name", "number") or text == "*":
                    steps.append(int(text) if kind == "number" and text.isdigit() else text)
                    position = after
                    continue
                raise ExpressionError(f"expected an attribute after '.' at offset {end}")
            if text == "[":
                kind, inner, after = self._peek(end)
                if inner == "*":
                    position = self._expect(after, "]")
                    steps.append("*")
                    continue
                index, after = self.expression(end)
                position = self._expect(after, "]")
                steps.append(int(index.value) if isinstance(index, Literal) and isinstance(index.value, float)
                             and index.value.is_integer() else
                             index.value if isinstance(index, Literal) and isinstance(index.value, str) else index)
                continue
            break
        if not steps:
            return base, position
        if isinstance(base, Traversal):
            return Traversal(base.root, base.steps + tuple(steps)), position
        return Access(base, tuple(steps)), position

    def _primary(self, position: int) -> tuple[Node, int]:
        kind, text, end = self._peek(position)
        if kind == "number":
            return Literal(float(text)), end
        if kind == "heredoc":
            return self._heredoc(position, text, end)
        if kind == "name":
            if text in ("true", "false"):
                return Literal(text == "true"), end
            if text == "null":
                return Literal(None), end
            after_kind, after_text, after_end = self._peek(end)
            if after_text == "(" or (after_text == ":" and self.text.startswith("::", self._space(end))):
                return self._call(text, end)
            return Traversal(text, ()), end
        if text == '"':
            parts, after = self.template(end, closing='"')
            if after >= len(self.text):
                raise ExpressionError("a quoted string is not closed")
            if all(isinstance(part, str) for part in parts):
                return Literal("".join(str(part) for part in parts)), after + 1
            return Template(tuple(parts)), after + 1
        if text == "(":
            inner, after = self.expression(end)
            return inner, self._expect(after, ")")
        if text == "[":
            return self._tuple(end)
        if text == "{":
            return self._object(end)
        raise ExpressionError(f"unexpected {text or 'end'!r} at offset {position}")

    def _call(self, name: str, position: int) -> tuple[Node, int]:
        while self.text.startswith("::", self._space(position)):  # provider::aws::arn_parse(...)
            more, position = self._word(self._space(position) + 2)
            name = f"{name}::{more}"
        position = self._expect(position, "(")
        args: list[Node] = []
        kind, text, end = self._peek(position)
        if text == ")":
            return Call(name, ()), end
        while True:
            arg, position = self.expression(position)
            args.append(arg)
            kind, text, end = self._peek(position)
            if text == "...":
                kind, text, end = self._peek(end)
            if text == ",":
                position = end
                if self._peek(position)[1] == ")":
                    return Call(name, tuple(args)), self._peek(position)[2]
                continue
            if text == ")":
                return Call(name, tuple(args)), end
            raise ExpressionError(f"expected ',' or ')' in a call of {name} at offset {position}")

    def _for_names(self, position: int) -> tuple[tuple[str, ...], int]:
        first, position = self._word(position)
        names = [first]
        kind, text, end = self._peek(position)
        if text == ",":
            second, position = self._word(end)
            names.append(second)
        keyword, position = self._word(position)
        if keyword != "in":
            raise ExpressionError("expected 'in' in a for expression")
        return tuple(names), position

    def _for(self, position: int, closing: str) -> tuple[Node, int]:
        names, position = self._for_names(position)
        collection, position = self.expression(position)
        position = self._expect(position, ":")
        key: Node | None = None
        value, position = self.expression(position)
        if closing == "}":
            position = self._expect(position, "=>")
            key, value = value, None  # type: ignore[assignment]
            value, position = self.expression(position)
            if self._peek(position)[1] == "...":
                position = self._peek(position)[2]
        condition: Node | None = None
        kind, text, end = self._peek(position)
        if kind == "name" and text == "if":
            condition, position = self.expression(end)
        return For(names, collection, key, value, condition), self._expect(position, closing)

    def _tuple(self, position: int) -> tuple[Node, int]:
        kind, text, end = self._peek(position)
        if kind == "name" and text == "for":
            return self._for(end, "]")
        items: list[Node] = []
        while True:
            kind, text, end = self._peek(position)
            if text == "]":
                return Collection(tuple(items)), end
            item, position = self.expression(position)
            items.append(item)
            kind, text, end = self._peek(position)
            if text == ",":
                position = end
            elif text != "]":
                raise ExpressionError(f"expected ',' or ']' at offset {position}")

    def _object(self, position: int) -> tuple[Node, int]:
        kind, text, end = self._peek(position)
        if kind == "name" and text == "for":
            return self._for(end, "}")
        keys: list[Node] = []
        items: list[Node] = []
        while True:
            kind, text, end = self._peek(position)
            if text == "}":
                return Collection(tuple(items), tuple(keys)), end
            key, position = self.expression(position)
            kind, text, end = self._peek(position)
            if text not in ("=", ":"):
                raise ExpressionError(f"expected '=' or ':' in an object at offset {position}")
            value, position = self.expression(end)
            keys.append(Literal(key.root) if isinstance(key, Traversal) and not key.steps else key)
            items.append(value)
            kind, text, end = self._peek(position)
            if text == ",":
                position = end

    def _heredoc(self, position: int, opener: str, end: int) -> tuple[Node, int]:
        marker = opener.lstrip("<-").strip()
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
        found = closing.search(self.text, end)
        if found is None:
            raise ExpressionError(f"heredoc {marker} is not closed")
        body = self.text[end:found.start()]
        parts = _Parser(body).template(0, closing=None)[0]
        return Template(tuple(parts)), found.end()
