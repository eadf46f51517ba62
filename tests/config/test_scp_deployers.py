"""organization_scp: the SCP lets only the roles that apply the regions invoke or change their functions, so every
region needs one (exit 65 otherwise), and those roles are what it exempts."""

from __future__ import annotations

import pytest

from residency.config import load_config
from tests.config.conftest import LoadError, WriteConfig

REGIONS = """project: acme
target: aws
regions:
  eu-west-1:
    jurisdiction: EU
    countries: [IE]
  us-east-1:
    jurisdiction: US
    countries: [US]
    default: true
organization_scp: true
"""
EU_ROLE, US_ROLE = "arn:aws:iam::123456789012:role/apply-eu", "arn:aws:iam::123456789012:role/apply-us"
HINT = ("  hint: name it in ci.apply_role (or ci.apply_roles by region or jurisdiction); if you apply from a "
        "workstation, name the role you apply with")


def rendered(load_error: LoadError, text: str) -> str:
    path, error = load_error(text)
    return error.render().replace(str(path), "regions.yaml")


@pytest.mark.parametrize(("ci", "unnamed"), [
    ("", "eu-west-1, us-east-1"),
    (f"ci:\n  apply_roles:\n    EU: {EU_ROLE}\n", "us-east-1"),
    (f"ci:\n  apply_roles:\n    global: {EU_ROLE}\n    us-east-1: {US_ROLE}\n", "eu-west-1"),
])
def test_every_region_needs_a_role_that_applies_it(load_error: LoadError, ci: str, unnamed: str) -> None:
    assert rendered(load_error, REGIONS + ci) == (
        "regions.yaml:11: organization_scp: the SCP lets only the roles that apply the regions invoke or change "
        f"their functions, and none is named for {unnamed}\n" + HINT)


def test_the_local_target_needs_one_too(load_error: LoadError) -> None:
    assert "none is named for eu-west-1, us-east-1" in rendered(load_error, REGIONS.replace("aws", "local"))


@pytest.mark.parametrize(("ci", "deployers"), [
    (f"ci:\n  apply_role: {EU_ROLE}\n", (EU_ROLE,)),
    (f"ci:\n  apply_role: {EU_ROLE}\n  apply_roles:\n    us-east-1: {US_ROLE}\n", (EU_ROLE, US_ROLE)),
    # global's role applies no function, and a region's own role wins over the default
    (f"ci:\n  apply_role: {EU_ROLE}\n  apply_roles:\n    US: {US_ROLE}\n    EU: {US_ROLE}\n"
     "    global: arn:aws:iam::123456789012:role/apply-global\n", (US_ROLE,)),
])
def test_the_deployers_are_the_roles_that_apply_the_regions(write_config: WriteConfig, ci: str,
                                                            deployers: tuple[str, ...]) -> None:
    assert load_config(write_config(REGIONS + ci)).function_deployers == deployers


def test_without_the_scp_no_role_is_needed(write_config: WriteConfig) -> None:
    config = load_config(write_config(REGIONS.replace("organization_scp: true", "organization_scp: false")))
    assert config.function_deployers == ()
