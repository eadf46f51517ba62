"""The rules' reference (id, title, why, fix), generated from the rules themselves into docs/rules.md.

    python -m residency.guard.rules_reference > docs/rules.md

tests/guard/test_rules_reference.py fails while the file is not what the rules say.
"""

from __future__ import annotations

from residency.guard.rules import RULES


def rules_reference() -> str:
    lines = ["# residency rules", "",
             "Generated from the rules (`python -m residency.guard.rules_reference > docs/rules.md`); the README's "
             "section \"Residency guardrails\" says what each one checks in detail.", ""]
    for rule_id in sorted(RULES):
        rule = RULES[rule_id][0]
        lines += [f"## {rule.id}: {rule.title}", "", f"**Why.** {rule.why}", "", f"**Fix.** {rule.fix}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(rules_reference(), end="")
