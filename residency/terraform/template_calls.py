"""The functions a Terraform JSON string calls: read as Terraform reads its templates, comments and all.

In Terraform's JSON syntax a string is a template: `${ ... }` and `%{ ... }` hold expressions, `$${` and `%%{`
are literal. Inside an expression, strings nest (with templates of their own), and `/* */`, `#` and `//`
comments may stand anywhere, even between a function's name and its `(`. Whatever this reader cannot follow
(an expression left open, a heredoc) is handed back whole, so a call hidden there is still seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# A call: a name (with `::` namespaces: `core::file`, `provider::aws::arn_parse`), then `(`, with any
# whitespace and comments between them.
CALL = re.compile(r"(?<![\w.-])([A-Za-z_][\w-]*(?:\s*::\s*[A-Za-z_][\w-]*)*)"
                  r"(?:\s|/\*.*?\*/|#[^\n]*(?:\n|$)|//[^\n]*(?:\n|$))*\(", re.S)


def called_functions(text: str) -> set[str]:
    """Names of the functions the template `text` calls, namespaces joined without spaces (`core::file`)."""
    return {re.sub(r"\s+", "", name) for expression in expressions(text) for name in CALL.findall(expression)}


def expressions(text: str) -> Iterator[str]:
    """The source of every `${...}` and `%{...}` in `text`, nested templates included."""
    index = 0
    while index < len(text):
        if text.startswith(("$${", "%%{"), index):
            index += 3
            continue
        if text.startswith(("${", "%{"), index):
            end = _expression_end(text, index + 2)
            body = text[index + 2:end]
            yield body
            yield from _nested(body)
            index = end + 1
            continue
        index += 1


def _nested(expression: str) -> Iterator[str]:
    """Templates inside the string literals of an expression."""
    index = 0
    while index < len(expression):
        if expression[index] == '"':
            end = _string_end(expression, index + 1)
            yield from expressions(expression[index + 1:end])
            index = end + 1
        else:
            index += 1


def _expression_end(text: str, start: int) -> int:
    """Index of the `}` closing the expression opened before `start`; len(text) when it is never closed (or holds
    a heredoc, which this reader does not follow), so the caller takes the rest as the expression."""
    depth, index = 1, start
    while index < len(text):
        char = text[index]
        if text.startswith("<<", index):
            return len(text)
        if char == '"':
            index = _string_end(text, index + 1) + 1
            continue
        if text.startswith("/*", index):
            close = text.find("*/", index + 2)
            index = len(text) if close < 0 else close + 2
            continue
        if char == "#" or text.startswith("//", index):
            close = text.find("\n", index)
            index = len(text) if close < 0 else close + 1
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return len(text)


def _string_end(text: str, start: int) -> int:
    """Index of the `"` closing a string literal that starts at `start` (templates inside it skipped)."""
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index
        if text.startswith(("${", "%{"), index) and not text.startswith(("$${", "%%{"), index - 1):
            index = _expression_end(text, index + 2) + 1
            continue
        index += 1
    return len(text)
