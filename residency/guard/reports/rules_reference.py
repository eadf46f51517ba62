"""The rules' reference (id, title, why, fix), generated from the rules themselves into docs/rules.md.

    python -m residency.guard.reports.rules_reference > docs/rules.md

tests/guard/reports/test_rules_reference.py fails while the file is not what the rules say.
"""

from __future__ import annotations

from residency.guard.rules import RULES


def rules_reference() -> str:
    lines = ["# residency rules", "",
             "Generated from the rules (`python -m residency.guard.reports.rules_reference > docs/rules.md`); "
             "the README's section \"Residency guardrails\" says what each one checks in detail.", ""]
    for rule in RULES.values():
        lines += [f"## {rule.id}: {rule.title}", "", f"**Why.** {rule.why}", "", f"**Fix.** {rule.fix}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_reference(), end="")
