"""docs/rules.md is what the rules say of themselves."""

from __future__ import annotations

from residency.guard.reports.rules_reference import rules_reference
from tests.conftest import REPO

DOCS = REPO / "docs" / "rules.md"


def test_the_rules_reference_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_reference(), (
        "regenerate it: python -m residency.guard.reports.rules_reference > docs/rules.md")
