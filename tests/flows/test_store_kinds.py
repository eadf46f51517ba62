"""A kind of personal-data store is one object: its facts in personal_data.py, its handler in flows/store_kinds/.
Nothing else in residency asks which kind a store is."""

from __future__ import annotations

import ast
from collections.abc import Iterator

import pytest

from residency.flows.store_kinds import HANDLERS, handler_of
from residency.personal_data import KEY_GUARDS, KINDS, STORE_GUARDS, STORE_TYPES, StoreKind
from tests.conftest import REPO

KIND_MODULES = REPO / "residency" / "flows" / "store_kinds"
FACTS_MODULE = REPO / "residency" / "personal_data.py"


def _names_a_kind(node: ast.AST) -> bool:
    """Whether `node` names a member of StoreKind (`StoreKind.X`), alone or in a tuple, list or set."""
    return any(isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) and part.value.id == "StoreKind"
               and part.attr.isupper() for part in ast.walk(node))


def kind_branches(source: str, where: str) -> Iterator[str]:
    """Where `source` compares with a member of StoreKind (`==`, `is`, `in (...)`), matches on one, or keys a dict
    by one."""
    for node in ast.walk(ast.parse(source, where)):
        if isinstance(node, ast.Compare) and any(map(_names_a_kind, [node.left, *node.comparators])):
            yield f"{where}:{node.lineno}: {ast.unparse(node)}"
        elif isinstance(node, ast.MatchValue) and _names_a_kind(node.value):
            yield f"{where}:{node.lineno}: case {ast.unparse(node.value)}"
        elif isinstance(node, ast.Dict) and any(key is not None and _names_a_kind(key) for key in node.keys):
            yield f"{where}:{node.lineno}: a dict keyed by members of StoreKind"


def test_nothing_outside_a_kinds_own_modules_branches_on_which_kind_a_store_is():
    found = [branch for path in sorted((REPO / "residency").rglob("*.py"))
             if path != FACTS_MODULE and not path.is_relative_to(KIND_MODULES)
             for branch in kind_branches(path.read_text(), str(path.relative_to(REPO)))]
    assert found == [], "ask the kind's handler (flows/store_kinds/) or its facts (personal_data.py) instead"


@pytest.mark.parametrize("source", [
    "if store.kind == StoreKind.BUCKET: pass",
    "ok = store.kind is not StoreKind.QUEUE",
    "ok = kind in (StoreKind.TABLE, StoreKind.USER_POOL)",
    "ok = StoreKind.TABLE != kind",
    "match kind:\n    case StoreKind.QUEUE: pass",
    "RECORD = {StoreKind.BUCKET: 'object'}",
])
def test_a_branch_on_a_kind_is_found(source):
    assert len(list(kind_branches(source, "probe.py"))) == 1


@pytest.mark.parametrize("source", [
    "declare_personal_data(table, StoreKind.TABLE)",
    "buckets = of_kind(stores, StoreKind.BUCKET)",
    "same = store.kind == kind",
])
def test_naming_a_kind_is_no_branch(source):
    assert list(kind_branches(source, "probe.py")) == []


def test_every_kind_has_its_facts_and_a_handler():
    assert set(KINDS) == set(StoreKind)
    assert set(HANDLERS) == set(StoreKind)
    assert all(handler_of(kind).kind is kind for kind in StoreKind)


def test_the_tables_other_layers_read_are_made_of_the_kinds_facts():
    assert STORE_TYPES == {KINDS[kind].terraform_type: kind for kind in StoreKind}
    assert STORE_GUARDS == {type_: attribute for kind in StoreKind for type_, attribute in KINDS[kind].guards.items()
                            } | KEY_GUARDS


def test_the_recorded_names_never_change():
    """A state written by an earlier residency names its stores' kinds so."""
    assert [kind.value for kind in StoreKind] == ["s3_bucket", "dynamodb_table", "cognito_user_pool", "sqs_queue"]
