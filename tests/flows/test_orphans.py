"""Removed regions that still have a workspace, and countries routed to a new region, found from
what global's last apply served and from local state files."""

from __future__ import annotations

import json

from residency.config.loader import load_config_text
from residency.flows.orphans import describe_move, find_orphans, moved_countries
from residency.paths import ProjectPaths

CONFIG = """
project: acme-health
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE, FR, EU]}
  eu-west-1: {jurisdiction: EU, countries: [IE, NL]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
"""


def config():  # type: ignore[no-untyped-def]
    return load_config_text(CONFIG, "regions.yaml")


def write_state(paths: ProjectPaths, workspace: str, resources: int) -> None:
    paths.state_file(workspace).parent.mkdir(parents=True, exist_ok=True)
    paths.state_file(workspace).write_text(json.dumps({"resources": [{"type": "x"}] * resources}))


def test_a_region_global_still_serves_is_an_orphan(tmp_path):
    served = {"eu-central-1": ["DE"], "us-east-1": ["US"], "ap-southeast-2": ["AU"]}
    (orphan,) = find_orphans(config(), ProjectPaths(tmp_path), served)
    assert orphan.region == "ap-southeast-2"
    assert "`residency region retire ap-southeast-2`" in orphan.describe()


def test_local_state_with_resources_is_an_orphan_but_empty_state_and_bootstrap_are_not(tmp_path):
    paths = ProjectPaths(tmp_path)
    write_state(paths, "ca-central-1", 35)
    write_state(paths, "sa-east-1", 0)  # retired before: nothing left
    write_state(paths, "bootstrap-us-east-1", 6)
    write_state(paths, "eu-central-1", 35)  # still listed
    (orphan,) = find_orphans(config(), paths, None)
    assert (orphan.region, orphan.evidence) == ("ca-central-1", "its local state lists 35 resources")


def test_nothing_applied_means_no_orphans(tmp_path):
    assert find_orphans(config(), ProjectPaths(tmp_path), None) == []


def test_a_country_routed_to_another_region_is_reported_with_where_its_users_stay():
    served = {"eu-central-1": ["DE", "FR", "NL"], "eu-west-1": ["IE"], "us-east-1": ["US"]}
    (move,) = moved_countries(config(), served)
    assert (move.country, move.old_region, move.new_region) == ("NL", "eu-central-1", "eu-west-1")
    text = describe_move(config(), move)
    assert "stay in eu-central-1" in text and "acme-health-directory" in text


def test_no_moves_without_a_record_or_when_unchanged():
    assert moved_countries(config(), None) == []
    assert moved_countries(config(), {"eu-central-1": ["DE", "FR"], "eu-west-1": ["IE", "NL"]}) == []
