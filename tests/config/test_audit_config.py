"""`audit.break_glass_role` and `audit.object_lock`: what regions.yaml accepts, and the line a mistake gets."""

from __future__ import annotations

import pytest

from residency.config import load_config
from tests.config.conftest import LoadError, WriteConfig

REGIONS = """project: acme
regions:
  us-east-1:
    jurisdiction: US
    countries: [US]
    default: true
"""
ROLE_PATTERN = "'^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$'"


def rendered(load_error: LoadError, text: str) -> str:
    path, error = load_error(text)
    return error.render().replace(str(path), "regions.yaml")


def test_nobody_is_exempted_and_nothing_is_locked_unless_asked(write_config: WriteConfig) -> None:
    audit = load_config(write_config(REGIONS + "audit: true\n")).audit
    assert audit is not None
    assert audit.break_glass_role is None
    assert audit.object_lock == "off"


@pytest.mark.parametrize("mode", ["off", "governance", "compliance"])
def test_a_break_glass_role_and_object_lock(write_config: WriteConfig, mode: str) -> None:
    role = "arn:aws:iam::123456789012:role/ops/break-glass"
    audit = load_config(write_config(
        REGIONS + f"audit:\n  retention_days: 400\n  break_glass_role: {role}\n  object_lock: {mode}\n")).audit
    assert audit is not None
    assert (audit.break_glass_role, audit.object_lock, audit.retention_days) == (role, mode, 400)


@pytest.mark.parametrize("value", [
    "arn:aws:iam::1234:role/break-glass",  # not an account id
    "arn:aws:iam::123456789012:user/alice",  # a user: the deny exempts a role, by its ARN
    "break-glass",  # a name: the deny needs the ARN
    "arn:aws:sts::123456789012:assumed-role/break-glass/alice",  # a session: it ends, the role stays
])
def test_the_break_glass_role_is_an_iam_role_arn(load_error: LoadError, value: str) -> None:
    assert rendered(load_error, REGIONS + f"audit: {{break_glass_role: '{value}'}}\n") == (
        f"regions.yaml:7: audit.break_glass_role: string should match pattern {ROLE_PATTERN}, got {value!r}")


@pytest.mark.parametrize(("value", "shown"), [
    ("legal", "'legal'"), ("true", "true"), ("GOVERNANCE", "'GOVERNANCE'\n  hint: did you mean 'governance'?")])
def test_object_lock_is_off_governance_or_compliance(load_error: LoadError, value: str, shown: str) -> None:
    assert rendered(load_error, REGIONS + f"audit: {{object_lock: {value}}}\n") == (
        f"regions.yaml:7: audit.object_lock: expected 'off', 'governance' or 'compliance', got {shown}")


def test_audit_false_takes_no_settings(load_error: LoadError, write_config: WriteConfig) -> None:
    assert load_config(write_config(REGIONS + "audit: false\n")).audit is None
    # Its settings belong to audit, not beside it.
    assert rendered(load_error, REGIONS + "audit: true\nobject_lock: compliance\n").startswith(
        "regions.yaml:8: object_lock: unknown key 'object_lock'")
