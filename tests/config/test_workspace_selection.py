"""Choosing workspaces on the command line: by name, jurisdiction or glob, less what --exclude names."""

from __future__ import annotations

import pytest

from residency.config import load_config
from residency.errors import UsageError
from residency.workspaces import select
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def config():  # type: ignore[no-untyped-def]
    return load_config(SAMPLE)


@pytest.mark.parametrize(("names", "all_", "exclude", "expected"), [
    (["eu-west-1"], False, [], ["eu-west-1"]),
    (["EU"], False, [], ["eu-central-1", "eu-west-1"]),
    (["eu"], False, [], ["eu-central-1", "eu-west-1"]),
    (["eu-*"], False, [], ["eu-central-1", "eu-west-1"]),
    (["*-1"], False, ["global"], ["eu-central-1", "eu-west-1", "us-east-1"]),
    (["global", "AU"], False, [], ["ap-southeast-2", "global"]),  # regions.yaml's order, not the given one
    ([], True, ["global"], ["eu-central-1", "eu-west-1", "us-east-1", "ap-southeast-2"]),
    ([], True, ["EU", "ap-*"], ["us-east-1", "global"]),
    (["EU", "eu-west-1"], False, [], ["eu-central-1", "eu-west-1"]),  # named twice, selected once
])
def test_names_jurisdictions_globs_and_exclusions(config, names, all_, exclude, expected):
    assert select(config, names, all_, exclude) == expected


@pytest.mark.parametrize(("names", "exclude", "message"), [
    (["ca-*"], [], "'ca-*' matches no workspace"),
    (["eu-west-9"], [], "unknown workspace 'eu-west-9'"),
    (["EU"], ["mars-*"], "--exclude 'mars-*' matches no workspace"),
    (["EU"], ["EU"], "--exclude leaves out every workspace selected"),
    (["EU"], ["XX"], "--exclude unknown workspace 'XX'"),
    ([], [], "name one or more workspaces, or use --all"),
])
def test_a_name_that_names_nothing_is_a_usage_error(config, names, exclude, message):
    with pytest.raises(UsageError) as refused:
        select(config, names, False, exclude)
    assert message in str(refused.value)
