"""File contents are configuration: `file()`, `templatefile()` and `filebase64()` read as Terraform reads them.

Before any rule looks, every such call whose path residency can spell is replaced by what Terraform would put
there: the file's text, or for `templatefile` the template with each variable written as the expression the call
gives it (so a reference stays a reference). A string that is nothing but the call becomes the contents; a call
inside a larger expression (`trimspace(file(...))`, `jsondecode(templatefile(...))`) becomes a string literal in
it. The rules then judge the contents like any string, as the saved-plan check does with the planned value, so
`check` and `plan` agree. A call residency cannot render (a file that is missing, too large, not UTF-8 text, a
template with directives, a computed path) is left as it is, and the token reader counts it as a place that
cannot be established.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from residency.files import FileTooLarge, UnreadableFile, read_regular_file
from residency.guard.terraform_json.expressions import (
    Access,
    Call,
    Collection,
    Conditional,
    ExpressionError,
    For,
    Literal,
    Node,
    Operation,
    Template,
    Traversal,
    parse_template,
    sole_expression,
)

FILE_FUNCTIONS = frozenset({"file", "templatefile", "filebase64"})
MAX_FILE_BYTES = 2 * 1024 * 1024
PATH_ROOTS = {"module": ".", "root": ".", "cwd": "."}
UNRENDERABLE = "\x00unrenderable"  # a variable's attribute (var.x.y): not spelled


class _Unrenderable(Exception):
    pass


def render_files(value: Any, directory: Path) -> Any:
    """`value` (a workspace document or any part of it) with every renderable file call rendered."""
    if isinstance(value, dict):
        return {key: render_files(item, directory) for key, item in value.items()}
    if isinstance(value, list):
        return [render_files(item, directory) for item in value]
    if isinstance(value, str) and "file" in value and "${" in value:
        rendered = _render(value, directory)
        return value if rendered is None else rendered
    return value


def _render(text: str, directory: Path) -> str | None:
    try:
        template = parse_template(text)
    except ExpressionError:
        return None
    sole = sole_expression(template)
    try:
        if isinstance(sole, Call) and _function(sole) in FILE_FUNCTIONS:
            contents = _contents(sole, directory)
            return _literal_text(contents) if isinstance(contents, str) else _template_text(contents)
        changed = _with_files(template, directory)
    except _Unrenderable:
        return None
    return None if changed == template else _template_text(changed)


def _function(call: Call) -> str:
    return call.name.split("::")[-1]


def _with_files(node: Any, directory: Path) -> Any:
    """The tree with each file call replaced by its contents (a string literal, or a rendered template)."""
    if isinstance(node, Call) and _function(node) in FILE_FUNCTIONS:
        contents = _contents(node, directory)
        return Literal(contents) if isinstance(contents, str) else contents
    if isinstance(node, tuple):
        return tuple(_with_files(item, directory) for item in node)
    if is_dataclass(node) and not isinstance(node, type):
        return replace(node, **{field.name: _with_files(getattr(node, field.name), directory)
                                for field in fields(node)})
    return node


def _contents(call: Call, directory: Path) -> str | Template:
    """What a file call gives: the file's text, or the template with its variables' expressions in place."""
    if not call.args:
        raise _Unrenderable
    text = _read(call.args[0], directory)
    if _function(call) != "templatefile":
        return text
    variables = _variables(call.args[1]) if len(call.args) > 1 else {}
    if "%{" in text.replace("%%{", ""):
        raise _Unrenderable  # directives (for, if): not rendered, so not vouched for
    try:
        template = parse_template(text)
    except ExpressionError as error:
        raise _Unrenderable from error
    return Template(tuple(part if isinstance(part, str) else _substituted(part, variables) for part in template.parts))


def _read(path_node: Node, directory: Path) -> str:
    path = _path(path_node)
    file = Path(path) if Path(path).is_absolute() else directory / path
    try:
        return read_regular_file(file, MAX_FILE_BYTES).decode("utf-8")  # filebase64 too: its bytes' text is judged
    except (UnreadableFile, FileTooLarge, UnicodeDecodeError, ValueError) as error:
        raise _Unrenderable from error


def _path(node: Node) -> str:
    """The path a call reads, when it is spelled by literals and `path.module` / `path.root` / `path.cwd`."""
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, Template):
        raise _Unrenderable
    pieces = []
    for part in node.parts:
        if isinstance(part, str):
            pieces.append(part)
        elif isinstance(part, Traversal) and part.root == "path" and len(part.steps) == 1 and \
                part.steps[0] in PATH_ROOTS:
            pieces.append(PATH_ROOTS[str(part.steps[0])])
        elif isinstance(part, Literal) and isinstance(part.value, str):
            pieces.append(part.value)
        else:
            raise _Unrenderable
    return "".join(pieces)


def _variables(node: Node) -> dict[str, Node]:
    if not isinstance(node, Collection) or (node.items and not node.keys):
        raise _Unrenderable
    found: dict[str, Node] = {}
    for key, item in zip(node.keys, node.items, strict=True):
        name = key.value if isinstance(key, Literal) else (key.root if isinstance(key, Traversal) and not key.steps
                                                           else None)
        if not isinstance(name, str):
            raise _Unrenderable
        found[name] = item
    return found


def _substituted(node: Any, variables: dict[str, Node]) -> Any:
    """The expression with each of the template's variables replaced by the expression `templatefile` gives it."""
    if isinstance(node, Traversal) and node.root in variables:
        return variables[node.root] if not node.steps else Traversal(UNRENDERABLE, node.steps)
    if isinstance(node, tuple):
        return tuple(_substituted(item, variables) for item in node)
    if is_dataclass(node) and not isinstance(node, type):
        changed = {field.name: _substituted(getattr(node, field.name), variables) for field in fields(node)}
        return replace(node, **changed)
    return node


# ------------------------------------------------------------------------------------ writing HCL back


def _literal_text(text: str) -> str:
    """Text a Terraform JSON string holds as it is (no interpolation)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _template_text(template: Template) -> str:
    """A template as a Terraform JSON string value: literal text and `${...}` interpolations."""
    pieces = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append(_literal_text(part))
        elif isinstance(part, Literal) and isinstance(part.value, str):
            pieces.append(_literal_text(part.value))
        else:
            pieces.append("${" + _expression(part) + "}")
    return "".join(pieces)


def _quoted(template: Template) -> str:
    """A template as an HCL quoted string inside an expression."""
    pieces = []
    for part in template.parts:
        if isinstance(part, str):
            pieces.append(_escaped(part))
        else:
            pieces.append("${" + _expression(part) + "}")
    return '"' + "".join(pieces) + '"'


def _escaped(text: str) -> str:
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return _literal_text(text.replace("\t", "\\t"))


def _expression(node: Any) -> str:
    """HCL source for an expression tree (what the parser reads back as the same tree)."""
    if isinstance(node, Literal):
        return _quoted(Template((node.value,))) if isinstance(node.value, str) else json.dumps(node.value)
    if isinstance(node, Template):
        return _quoted(node)
    if isinstance(node, Traversal):
        if node.root == UNRENDERABLE:
            raise _Unrenderable
        return node.root + _steps(node.steps)
    if isinstance(node, Access):
        return f"({_expression(node.base)}){_steps(node.steps)}"
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_expression(arg) for arg in node.args)})"
    if isinstance(node, Conditional):
        return f"({_expression(node.test)} ? {_expression(node.then)} : {_expression(node.otherwise)})"
    if isinstance(node, Operation):
        if len(node.operands) == 1:
            return f"{node.operator}({_expression(node.operands[0])})"
        return "(" + f" {node.operator} ".join(_expression(operand) for operand in node.operands) + ")"
    if isinstance(node, Collection):
        if not node.keys:
            return "[" + ", ".join(_expression(item) for item in node.items) + "]"
        return "{" + ", ".join(f"({_expression(key)}) = {_expression(item)}"
                               for key, item in zip(node.keys, node.items, strict=True)) + "}"
    if isinstance(node, For):
        head = f"for {', '.join(node.names)} in {_expression(node.collection)} : "
        body = f"{_expression(node.key)} => {_expression(node.value)}" if node.key is not None else \
            _expression(node.value)
        condition = f" if {_expression(node.condition)}" if node.condition is not None else ""
        return ("{" if node.key is not None else "[") + head + body + condition + ("}" if node.key is not None
                                                                                   else "]")
    raise _Unrenderable


def _steps(steps: tuple[Any, ...]) -> str:
    text = ""
    for step in steps:
        if isinstance(step, int):
            text += f"[{step}]"
        elif step == "*":
            text += ".*"
        elif isinstance(step, str):
            text += f".{step}"
        else:
            text += f"[{_expression(step)}]"
    return text
