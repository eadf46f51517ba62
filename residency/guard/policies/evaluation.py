"""Whether one IAM policy statement applies to one request, decided as IAM decides it.

Three answers: the statement applies, it does not, or it cannot be told (an operator this module does
not know, a key whose value the request leaves open, a malformed element, a Principal). A check that
relies on a Deny trusts only APPLIES, so whatever this module cannot read fails closed.

Matching follows the IAM reference: Action and NotAction are globs (`*`, `?`) compared without case,
Resource and NotResource globs compared with case; within a Condition, operators and keys are ANDed,
the values of one key ORed (NORed for the negated operators); a key missing from the request makes a
positive operator false, a negated one true, an `...IfExists` one true, `ForAllValues:` true and
`ForAnyValue:` false; `Null` tests presence. Policy variables (`${aws:username}`, `${key, 'default'}`,
`${*}`) are replaced in Resource and in Condition values.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import Any


class Outcome(Enum):
    APPLIES = "applies"
    DOES_NOT_APPLY = "does not apply"
    UNKNOWN = "unknown"


class Absent(Enum):
    """What a request says of a key it carries no value for."""

    MISSING = "missing"  # the request certainly does not carry it
    OPEN = "open"  # the request may carry it, with any value

    __hash__ = object.__hash__  # Enum's own hashes by name in Python, and callers use these as memo keys


KeyValue = tuple[str, ...] | Absent
ContextValue = str | bool | int | float | Sequence[str | bool | int | float]


@dataclass(frozen=True)
class Request:
    """An action on a resource with its request context.

    `missing` None: every key not in `context` is missing. A set: only those keys are known to be missing,
    and any other key the context does not give is open, so a condition on it cannot be decided.
    """

    action: str
    resource: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    missing: frozenset[str] | None = None
    _values: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _missing: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = {key.lower(): _context_value(value) for key, value in self.context.items()}
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_missing", None if self.missing is None else frozenset(
            key.lower() for key in self.missing))

    def value_of(self, key: str) -> KeyValue:
        """The key's values (condition keys are case-insensitive), or why there are none."""
        name = key.lower()
        if name in self._values:
            return self._values[name]
        if self._missing is None or name in self._missing:
            return Absent.MISSING
        return Absent.OPEN


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    reason: str = ""  # why it does not apply, or why that cannot be told
    open_key: str | None = None  # the key the answer depends on when the request leaves it open

    @property
    def applies(self) -> bool:
        return self.outcome is Outcome.APPLIES


APPLIES = Evaluation(Outcome.APPLIES)
STATEMENT_ELEMENTS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition",
                                "Principal", "NotPrincipal"})
SET_PREFIXES = ("ForAnyValue:", "ForAllValues:")
IF_EXISTS = "IfExists"


def evaluate_statement(statement: Any, request: Request, *, policy_variables: bool = True) -> Evaluation:
    """Whether the statement's Action, Resource and Condition all match the request; its Effect is not read.

    `policy_variables`: whether `${...}` is a variable (policy Version 2012-10-17) or literal text.
    """
    problem = statement_problem(statement)
    if problem is not None:
        return problem
    unknown: Evaluation | None = None
    for part in (lambda: match_action(statement, request.action),
                 lambda: match_resource(statement, request, policy_variables=policy_variables),
                 lambda: match_condition(statement, request, policy_variables=policy_variables)):
        answer = part()
        if answer.outcome is Outcome.DOES_NOT_APPLY:
            return answer
        if answer.outcome is Outcome.UNKNOWN:
            unknown = unknown or answer
    return unknown or APPLIES


def statement_problem(statement: Any) -> Evaluation | None:
    """Why the statement as a whole cannot be judged (not an object, an element IAM does not define, a
    Principal), or None. `evaluate_statement` is this, then the three `match_` parts combined."""
    if not isinstance(statement, Mapping):
        return _unknown("the statement is not an object")
    unexpected = sorted(str(name) for name in statement if name not in STATEMENT_ELEMENTS)
    if unexpected:
        return _unknown(f"it has {', '.join(unexpected)}, which IAM does not define")
    for element in ("Principal", "NotPrincipal"):
        if element in statement:
            return _unknown(f"it names a {element}, which this evaluation does not judge")
    return None


def combine(*parts: Evaluation) -> Evaluation:
    """All parts must apply: the first that does not, else the first that cannot be told, else APPLIES."""
    unknown: Evaluation | None = None
    for part in parts:
        if part.outcome is Outcome.DOES_NOT_APPLY:
            return part
        if unknown is None and part.outcome is Outcome.UNKNOWN:
            unknown = part
    return unknown or APPLIES


def denies(statement: Any, request: Request, *, policy_variables: bool = True) -> bool:
    """Whether the statement certainly denies the request: Effect Deny and it certainly applies."""
    return (isinstance(statement, Mapping) and statement.get("Effect") == "Deny"
            and evaluate_statement(statement, request, policy_variables=policy_variables).applies)


def condition_keys(statement: Any) -> frozenset[str]:
    """Every context key (lower case) the statement's answer can depend on: condition keys and variables."""
    if not isinstance(statement, Mapping):
        return frozenset()
    keys: set[str] = set()
    condition = statement.get("Condition")
    if isinstance(condition, Mapping):
        for block in condition.values():
            if isinstance(block, Mapping):
                keys.update(str(key).lower() for key in block)
                keys.update(_variables_in(list(block.values())))
    keys.update(_variables_in([statement.get("Resource"), statement.get("NotResource")]))
    return frozenset(keys)


def wildcard_match(pattern: str, text: str, *, ignore_case: bool = False) -> bool:
    """IAM's glob: `*` any run of characters (colons and slashes too), `?` one character."""
    return _wildcard(pattern, ignore_case).fullmatch(text) is not None


def _unknown(reason: str, open_key: str | None = None) -> Evaluation:
    return Evaluation(Outcome.UNKNOWN, reason, open_key)


def _context_value(value: ContextValue) -> tuple[str, ...]:
    if isinstance(value, str | bool | int | float):
        return (_scalar(value),)
    return tuple(_scalar(item) for item in value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _string_list(value: Any) -> list[str] | None:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        return None
    return items


# --- Action and Resource ---------------------------------------------------------------------------


def match_action(statement: Mapping[str, Any], action: str) -> Evaluation:
    if ("Action" in statement) == ("NotAction" in statement):
        return _unknown("it needs exactly one of Action and NotAction")
    element = "Action" if "Action" in statement else "NotAction"
    patterns = _string_list(statement[element])
    if patterns is None:
        return _unknown(f"its {element} is not a string or a list of strings")
    matched = _any_wildcard(tuple(patterns), True).fullmatch(action) is not None
    if element == "Action" and not matched:
        return Evaluation(Outcome.DOES_NOT_APPLY, f"its Action does not cover {action}")
    if element == "NotAction" and matched:
        entry = next(pattern for pattern in patterns if wildcard_match(pattern, action, ignore_case=True))
        return Evaluation(Outcome.DOES_NOT_APPLY, f"its NotAction entry {entry} exempts {action}")
    return APPLIES


def match_resource(statement: Mapping[str, Any], request: Request, *, policy_variables: bool = True) -> Evaluation:
    if ("Resource" in statement) == ("NotResource" in statement):
        return _unknown("it needs exactly one of Resource and NotResource")
    element = "Resource" if "Resource" in statement else "NotResource"
    patterns = _string_list(statement[element])
    if patterns is None:
        return _unknown(f"its {element} is not a string or a list of strings")
    if policy_variables and any("${" in pattern for pattern in patterns):
        return _match_resource_variables(element, patterns, request)
    matched = _any_wildcard(tuple(patterns), False).fullmatch(request.resource) is not None
    if element == "Resource":
        return APPLIES if matched else Evaluation(Outcome.DOES_NOT_APPLY,
                                                  f"its Resource does not cover {request.resource}")
    if not matched:
        return APPLIES
    entry = next(pattern for pattern in patterns if wildcard_match(pattern, request.resource))
    return Evaluation(Outcome.DOES_NOT_APPLY, f"its NotResource entry {entry} exempts {request.resource}")


def _match_resource_variables(element: str, patterns: list[str], request: Request) -> Evaluation:
    unknown: Evaluation | None = None
    for pattern in patterns:
        bound = _bind(pattern, request, wildcards=True, variables=True)
        if isinstance(bound, Evaluation):
            unknown = unknown or bound
        elif _glob(bound, False).fullmatch(request.resource):
            if element == "NotResource":
                return Evaluation(Outcome.DOES_NOT_APPLY, f"its NotResource entry {pattern} exempts {request.resource}")
            return APPLIES
    if unknown is not None:
        return unknown
    if element == "Resource":
        return Evaluation(Outcome.DOES_NOT_APPLY, f"its Resource does not cover {request.resource}")
    return APPLIES


# --- Patterns and policy variables -----------------------------------------------------------------

# ("lit", text) from the policy, ("val", text) from a variable (always literal), ("star",), ("one",),
# ("var", key, default or None).
Token = tuple[str, ...]
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'((?:[^']|'')*)'\s*$")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@lru_cache(maxsize=4096)
def _parse(pattern: str, *, wildcards: bool, variables: bool) -> tuple[Token, ...] | None:
    """The pattern's tokens; None when a `${` is not a well-formed variable."""
    tokens: list[Token] = []

    def literal(text: str) -> None:
        if not wildcards:
            tokens.append(("lit", text))
            return
        for piece in re.split(r"([*?])", text):
            if piece == "*":
                tokens.append(("star",))
            elif piece == "?":
                tokens.append(("one",))
            elif piece:
                tokens.append(("lit", piece))

    if not variables:
        literal(pattern)
        return tuple(tokens)
    position = 0
    for found in _VARIABLE.finditer(pattern):
        literal(pattern[position:found.start()])
        inner = found.group(1)
        if inner.strip() in _ESCAPES:
            tokens.append(("lit", _ESCAPES[inner.strip()]))
        elif (with_default := _DEFAULT.match(inner)) is not None:
            tokens.append(("var", with_default.group(1), with_default.group(2).replace("''", "'")))
        elif inner.strip() and "," not in inner and "'" not in inner:
            tokens.append(("var", inner.strip()))
        else:
            return None
        position = found.end()
    rest = pattern[position:]
    if "${" in rest:
        return None
    literal(rest)
    return tuple(tokens)


def _bind(pattern: str, request: Request, *, wildcards: bool, variables: bool) -> tuple[Token, ...] | Evaluation:
    """The pattern with its variables replaced by the request's values, or why they cannot be."""
    tokens = _parse(pattern, wildcards=wildcards, variables=variables)
    if tokens is None:
        return _unknown(f"{pattern!r} has a malformed policy variable")
    if not any(token[0] == "var" for token in tokens):
        return tokens
    bound: list[Token] = []
    for token in tokens:
        if token[0] != "var":
            bound.append(token)
            continue
        key = token[1]
        value = request.value_of(key)
        if value is Absent.OPEN:
            return _unknown(f"the variable ${{{key}}} depends on {key}, which the request leaves open", key)
        if isinstance(value, tuple) and len(value) == 1:
            bound.append(("val", value[0]))
        elif value is Absent.MISSING and len(token) == 3:
            bound.append(("val", token[2]))
        else:
            return _unknown(f"the variable ${{{key}}} has no single value in the request")
    return tuple(bound)


class _Glob:
    """IAM's `*` and `?` matched in linear time per star (a regular expression backtracks exponentially on
    patterns such as `*a*a*a*a*b`, which a hostile policy may hold)."""

    def __init__(self, tokens: tuple[Token, ...], ignore_case: bool) -> None:
        self.ignore_case = ignore_case
        self.items: list[str | None] = []  # one character, "?" as None... and "*" as the empty string
        for token in tokens:
            if token[0] == "star":
                self.items.append("")
            elif token[0] == "one":
                self.items.append(None)
            else:
                self.items += list(token[1].lower() if ignore_case else token[1])

    def fullmatch(self, text: str) -> bool | None:
        text = text.lower() if self.ignore_case else text
        items, position, index = self.items, 0, 0
        star, star_position = -1, 0
        while position < len(text):
            if index < len(items) and items[index] != "" and (items[index] is None or items[index] == text[position]):
                index, position = index + 1, position + 1
            elif index < len(items) and items[index] == "":
                star, star_position, index = index, position, index + 1
            elif star >= 0:
                star_position += 1
                index, position = star + 1, star_position
            else:
                return None
        while index < len(items) and items[index] == "":
            index += 1
        return True if index == len(items) else None


class _AnyGlob:
    def __init__(self, globs: list[_Glob]) -> None:
        self.globs = globs

    def fullmatch(self, text: str) -> bool | None:
        return True if any(glob.fullmatch(text) for glob in self.globs) else None


@lru_cache(maxsize=8192)
def _glob(tokens: tuple[Token, ...], ignore_case: bool) -> _Glob:
    return _Glob(tokens, ignore_case)


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> _Glob:
    return _glob(_parse(pattern, wildcards=True, variables=False) or (), ignore_case)


@lru_cache(maxsize=1024)
def _any_wildcard(patterns: tuple[str, ...], ignore_case: bool) -> _AnyGlob:
    """One matcher for a list of patterns (no variables)."""
    return _AnyGlob([_wildcard(pattern, ignore_case) for pattern in patterns])


def _text(tokens: tuple[Token, ...]) -> str:
    return "".join(token[1] for token in tokens)


def _variables_in(values: list[Any]) -> set[str]:
    found: set[str] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and "${" in item:
                for inner in _VARIABLE.findall(item):
                    name = inner.split(",", 1)[0].strip()
                    if name and name not in _ESCAPES:
                        found.add(name.lower())
    return found


# --- Conditions ----------------------------------------------------------------------------------

# A comparison of one policy value with one request value: True, False, or None when it cannot be told.
Compare = Callable[[str, str, Request, bool], bool | None]


def _string_equals(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    bound = _bind(policy, request, wildcards=False, variables=variables)
    return None if isinstance(bound, Evaluation) else _text(bound) == value


def _string_equals_ignore_case(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    bound = _bind(policy, request, wildcards=False, variables=variables)
    return None if isinstance(bound, Evaluation) else _text(bound).casefold() == value.casefold()


def _string_like(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    bound = _bind(policy, request, wildcards=True, variables=variables)
    return None if isinstance(bound, Evaluation) else _glob(bound, False).fullmatch(value) is not None


def _arn_like(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    """Each of the six colon-separated parts of an ARN is matched on its own, wildcards allowed."""
    bound = _bind(policy, request, wildcards=True, variables=variables)
    if isinstance(bound, Evaluation):
        return None
    segments: list[list[Token]] = [[]]
    for token in bound:
        if token[0] == "val" and ":" in token[1]:
            return None  # whether a variable's colon separates ARN parts is not documented
        if token[0] == "lit" and len(segments) < 6:
            pieces = token[1].split(":", 6 - len(segments))
            segments[-1].append(("lit", pieces[0]))
            for piece in pieces[1:]:
                segments.append([("lit", piece)])
        else:
            segments[-1].append(token)
    if len(segments) != 6:
        return None
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(_glob(tuple(segment), False).fullmatch(part) is not None
               for segment, part in zip(segments, parts, strict=True))


def _plain(policy: str) -> str | None:
    return None if "${" in policy else policy


def _numeric(test: Callable[[float, float], bool]) -> Compare:
    def compare(policy: str, value: str, request: Request, variables: bool) -> bool | None:
        left, right = _number(value), _number(_plain(policy))
        return None if left is None or right is None else test(left, right)
    return compare


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _date(test: Callable[[datetime, datetime], bool]) -> Compare:
    def compare(policy: str, value: str, request: Request, variables: bool) -> bool | None:
        left, right = _moment(value), _moment(_plain(policy))
        return None if left is None or right is None else test(left, right)
    return compare


def _moment(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        if re.fullmatch(r"-?\d+(\.\d+)?", text.strip()):
            return datetime.fromtimestamp(float(text), UTC)
        moment = datetime.fromisoformat(text.strip())
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _bool(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    if policy not in ("true", "false") or value not in ("true", "false"):
        return None
    return policy == value


def _binary(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    return None if _plain(policy) is None else policy == value


def _ip_address(policy: str, value: str, request: Request, variables: bool) -> bool | None:
    try:
        return ipaddress.ip_address(value) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return None


# name -> (comparison, negated)
OPERATORS: Mapping[str, tuple[Compare, bool]] = {
    "StringEquals": (_string_equals, False),
    "StringNotEquals": (_string_equals, True),
    "StringEqualsIgnoreCase": (_string_equals_ignore_case, False),
    "StringNotEqualsIgnoreCase": (_string_equals_ignore_case, True),
    "StringLike": (_string_like, False),
    "StringNotLike": (_string_like, True),
    "ArnEquals": (_arn_like, False),
    "ArnLike": (_arn_like, False),
    "ArnNotEquals": (_arn_like, True),
    "ArnNotLike": (_arn_like, True),
    "NumericEquals": (_numeric(lambda a, b: a == b), False),
    "NumericNotEquals": (_numeric(lambda a, b: a == b), True),
    "NumericLessThan": (_numeric(lambda a, b: a < b), False),
    "NumericLessThanEquals": (_numeric(lambda a, b: a <= b), False),
    "NumericGreaterThan": (_numeric(lambda a, b: a > b), False),
    "NumericGreaterThanEquals": (_numeric(lambda a, b: a >= b), False),
    "DateEquals": (_date(lambda a, b: a == b), False),
    "DateNotEquals": (_date(lambda a, b: a == b), True),
    "DateLessThan": (_date(lambda a, b: a < b), False),
    "DateLessThanEquals": (_date(lambda a, b: a <= b), False),
    "DateGreaterThan": (_date(lambda a, b: a > b), False),
    "DateGreaterThanEquals": (_date(lambda a, b: a >= b), False),
    "Bool": (_bool, False),
    "BinaryEquals": (_binary, False),
    "IpAddress": (_ip_address, False),
    "NotIpAddress": (_ip_address, True),
}


def match_condition(statement: Mapping[str, Any], request: Request, *, policy_variables: bool = True) -> Evaluation:
    condition = statement.get("Condition")
    if condition is None:
        return APPLIES
    if not isinstance(condition, Mapping):
        return _unknown("its Condition is not an object")
    unknown: Evaluation | None = None
    for operator, block in condition.items():
        if not isinstance(block, Mapping) or not block:
            return _unknown(f"its condition {operator} is not an object of keys and values")
        for key, raw in block.items():
            result = _condition_key(str(operator), str(key), raw, request, policy_variables)
            if result.outcome is Outcome.DOES_NOT_APPLY:
                return result
            if result.outcome is Outcome.UNKNOWN:
                unknown = unknown or result
    return unknown or APPLIES


def _condition_key(operator: str, key: str, raw: Any, request: Request, variables: bool) -> Evaluation:
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(item, str | bool | int | float) for item in items):
        return _unknown(f"its condition {operator} on {key} has values that are not strings, numbers or booleans")
    policy_values = [_scalar(item) for item in items]
    prefix = next((p for p in SET_PREFIXES if operator.startswith(p)), "")
    base = operator.removeprefix(prefix)
    if_exists = base.endswith(IF_EXISTS) and base != IF_EXISTS
    base = base.removesuffix(IF_EXISTS) if if_exists else base
    if base == "Null" and not prefix and not if_exists:
        held = _null(policy_values, request.value_of(key))
    elif base in OPERATORS:
        compare, negated = OPERATORS[base]
        held = _holds(compare, negated, prefix, if_exists, policy_values, request.value_of(key), request, variables)
    else:
        return _unknown(f"its condition operator {operator} is not one this evaluation knows")
    if held is True:
        return APPLIES
    if held is False:
        return Evaluation(Outcome.DOES_NOT_APPLY, f"its condition {operator} on {key} is false")
    if request.value_of(key) is Absent.OPEN:
        return _unknown(f"its condition {operator} on {key} depends on {key}, which the request leaves open", key)
    open_variable = next((name for name in _variables_in(items) if request.value_of(name) is Absent.OPEN), None)
    if open_variable is not None:
        return _unknown(f"its condition {operator} on {key} depends on {open_variable}, which the request leaves "
                        "open", open_variable)
    return _unknown(f"its condition {operator} on {key} cannot be decided for this request")


def _null(policy_values: list[str], value: KeyValue) -> bool | None:
    if value is Absent.OPEN or value == ():
        return None
    if any(item not in ("true", "false") for item in policy_values):
        return None
    absent = value is Absent.MISSING
    return any((item == "true") == absent for item in policy_values)


def _holds(compare: Compare, negated: bool, prefix: str, if_exists: bool, policy_values: list[str],
           value: KeyValue, request: Request, variables: bool) -> bool | None:
    if value is Absent.OPEN:
        return None
    if value is Absent.MISSING:
        if if_exists:
            return True
        if prefix:
            return prefix == "ForAllValues:"
        return negated

    def matches(one: str) -> bool | None:
        hit = _any3(compare(policy, one, request, variables) for policy in policy_values)
        return _not3(hit) if negated else hit

    if prefix == "ForAnyValue:":
        return _any3(matches(one) for one in value)
    if prefix == "ForAllValues:":
        return _all3(matches(one) for one in value)
    if len(value) != 1:
        return None  # a single-valued operator on several values: IAM's answer is not documented
    return matches(value[0])


def _any3(results: Any) -> bool | None:
    seen_unknown = False
    for result in results:
        if result is True:
            return True
        seen_unknown = seen_unknown or result is None
    return None if seen_unknown else False


def _all3(results: Any) -> bool | None:
    seen_unknown = False
    for result in results:
        if result is False:
            return False
        seen_unknown = seen_unknown or result is None
    return None if seen_unknown else True


def _not3(result: bool | None) -> bool | None:
    return None if result is None else not result
