import json

import pytest

from residency.errors import ResidencyError
from residency.terraform.manifest import dependency_order, dependents_of, read_manifest


def write_manifest(tmp_path, deps: dict[str, list[str]]):
    stacks = {
        name: {"workingDirectory": f"stacks/{name}", "dependencies": needs}
        for name, needs in deps.items()
    }
    (tmp_path / "manifest.json").write_text(json.dumps({"stacks": stacks}))
    return read_manifest(tmp_path)


def test_manifest_gives_directories_and_dependencies(tmp_path):
    workspaces = write_manifest(tmp_path, {"eu-central-1": [], "global": ["eu-central-1"]})
    assert workspaces["global"].directory == tmp_path / "stacks" / "global"
    assert workspaces["global"].depends_on == ("eu-central-1",)


def test_dependencies_come_first_and_ties_keep_the_given_order(tmp_path):
    workspaces = write_manifest(tmp_path, {"global": ["us-east-1", "eu-central-1"], "eu-central-1": [],
                                           "us-east-1": []})
    assert dependency_order(["global", "us-east-1", "eu-central-1"], workspaces) == [
        "us-east-1", "eu-central-1", "global"]


def test_unselected_dependencies_are_not_added(tmp_path):
    workspaces = write_manifest(tmp_path, {"global": ["us-east-1"], "us-east-1": []})
    assert dependency_order(["global"], workspaces) == ["global"]


def test_cycle_is_reported(tmp_path):
    workspaces = write_manifest(tmp_path, {"a": ["b"], "b": ["a"]})
    with pytest.raises(ResidencyError, match="cycle"):
        dependency_order(["a", "b"], workspaces)


def test_dependents_are_transitive(tmp_path):
    workspaces = write_manifest(tmp_path, {"a": [], "b": ["a"], "c": ["b"], "d": []})
    assert dependents_of("a", workspaces) == {"b", "c"}
    assert dependents_of("d", workspaces) == set()


def test_missing_manifest_says_to_synth(tmp_path):
    with pytest.raises(ResidencyError) as caught:
        read_manifest(tmp_path)
    assert caught.value.hint == "run `residency synth` first"
