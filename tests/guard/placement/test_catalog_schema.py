"""The catalog against the real provider schema (hashicorp/aws 5.100.0): every type exists and every place and
policy path resolves to an attribute or nested block of its type. And every type residency itself synthesizes is
in the catalog for the kind of workspace it is synthesized in."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from residency import naming
from residency.config import load_config
from residency.guard.placement.catalog import DATA_SOURCES, ENTRIES, data_source, entry
from residency.guard.placement.catalog.entries import REGION, DataSource, Entry, Kind, Workspace, out
from residency.stacks import synthesize, synthesize_retirement, synthesize_state_stores
from residency.terraform.cli_config import check_mirror, write_cli_config
from tests.conftest import REPO, SAMPLE

pytestmark = pytest.mark.terraform

PROVIDER = "registry.terraform.io/hashicorp/aws"
PROVIDER_VERSION = "5.100.0"
NOT_AWS = {"terraform_remote_state"}  # built into Terraform; the checker resolves it itself
SIX_REGIONS = REPO / "tests" / "fixtures" / "six-regions.yaml"

Node = tuple[str, object]  # ("block", block schema) or ("type", cty type)


@pytest.fixture(scope="module")
def schema(terraform_binary: Path, provider_mirror: str | None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The provider's schema, from `terraform providers schema -json` (fetched once for the module)."""
    directory = tmp_path_factory.mktemp("schema")
    (directory / "main.tf.json").write_text(json.dumps({"terraform": {"required_providers": {
        "aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}}}}))
    env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_DATA_DIR": str(directory / ".tf")}
    if provider_mirror:
        env["TF_CLI_CONFIG_FILE"] = str(write_cli_config(
            directory / "terraformrc", check_mirror(Path(provider_mirror)), directory / "cache"))
    init = subprocess.run([str(terraform_binary), "init", "-backend=false", "-input=false", "-no-color"],
                          cwd=directory, env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    dump = subprocess.run([str(terraform_binary), "providers", "schema", "-json"],
                          cwd=directory, env=env, capture_output=True, text=True)
    assert dump.returncode == 0, dump.stderr
    return json.loads(dump.stdout)["provider_schemas"][PROVIDER]


# --- walking a schema -----------------------------------------------------------------------------------------


def _attribute(definition: dict) -> Node:
    if "nested_type" in definition:
        return "block", {"attributes": definition["nested_type"]["attributes"]}
    return "type", definition["type"]


def _unwrap(cty: object) -> object:
    while isinstance(cty, list) and cty[0] in ("list", "set"):
        cty = cty[1]
    return cty


def _children(node: Node) -> Iterator[tuple[str, Node]]:
    kind, value = node
    if kind == "block":
        assert isinstance(value, dict)
        for name, definition in value.get("attributes", {}).items():
            yield name, _attribute(definition)
        for name, nested in value.get("block_types", {}).items():
            yield name, ("block", nested["block"])
        return
    cty = _unwrap(value)
    if isinstance(cty, list) and cty[0] == "map":
        yield "*", ("type", cty[1])
    elif isinstance(cty, list) and cty[0] == "object":
        for name, field in cty[1].items():
            yield name, ("type", field)


def _step(node: Node, segment: str) -> list[Node]:
    cty = _unwrap(node[1]) if node[0] == "type" else None
    if isinstance(cty, list) and cty[0] == "map":  # any key of a map, or `*`
        return [child for _, child in _children(node)]
    return [child for name, child in _children(node) if segment in ("*", name)]


def _descendants(node: Node) -> Iterator[Node]:
    yield node
    for _, child in _children(node):
        yield from _descendants(child)


def resolve(block: dict, path: str) -> list[Node]:
    """The schema nodes a catalog path reaches (the part before `#` only)."""
    nodes: list[Node] = [("block", block)]
    for segment in path.split("#", 1)[0].split("."):
        if segment == "**":
            nodes = [descendant for node in nodes for descendant in _descendants(node)]
        else:
            nodes = [child for node in nodes for child in _step(node, segment)]
    return nodes


def _is_text(node: Node) -> bool:
    """A string, or a list, set or map of strings."""
    if node[0] != "type":
        return False
    cty = _unwrap(node[1])
    if isinstance(cty, list) and cty[0] == "map":
        cty = cty[1]
    return cty == "string"


def path_problems(block: dict, item: Entry | DataSource) -> list[str]:
    problems = []
    for place in item.places:
        reached = resolve(block, place.path)
        if not reached:
            problems.append(f"{item.type}: place {place.path!r} is not in the schema")
        elif place.kind is Kind.UNPLACEABLE:
            if not any(node[0] == "type" for node in reached):
                problems.append(f"{item.type}: place {place.path!r} reaches only blocks")
        elif not any(_is_text(node) for node in reached):
            problems.append(f"{item.type}: place {place.path!r} is not a string attribute")
        if "#" in place.path and not any(node == ("type", "string") for node in reached):
            problems.append(f"{item.type}: place {place.path!r} reads JSON from an attribute that is not a string")
    for policy in item.policies:
        if not any(node == ("type", "string") for node in resolve(block, policy.path)):
            problems.append(f"{item.type}: policy {policy.path!r} is not a string attribute")
    return problems


# --- the catalog against the schema ---------------------------------------------------------------------------


def test_every_entry_is_a_resource_type_of_the_provider(schema):
    unknown = sorted(set(ENTRIES) - set(schema["resource_schemas"]))
    assert not unknown, f"not resource types of hashicorp/aws {PROVIDER_VERSION}: {unknown}"


def test_every_data_source_is_a_data_source_of_the_provider(schema):
    unknown = sorted(set(DATA_SOURCES) - NOT_AWS - set(schema["data_source_schemas"]))
    assert not unknown, f"not data sources of hashicorp/aws {PROVIDER_VERSION}: {unknown}"


def test_every_place_and_policy_path_resolves_in_the_schema(schema):
    problems = [problem for item in ENTRIES.values()
                for problem in path_problems(schema["resource_schemas"][item.type]["block"], item)]
    problems += [problem for item in DATA_SOURCES.values() if item.type not in NOT_AWS
                 for problem in path_problems(schema["data_source_schemas"][item.type]["block"], item)]
    assert not problems, "\n".join(problems)


def test_the_path_walker_rejects_what_is_not_there(schema):
    block = schema["resource_schemas"]["aws_s3_bucket_replication_configuration"]["block"]
    assert resolve(block, "rule.destination.bucket")
    assert not resolve(block, "rule.destination.nope")
    assert not resolve(block, "rule.bucket")
    assert resolve(block, "**.replica_kms_key_id")
    assert resolve(schema["resource_schemas"]["aws_lambda_function"]["block"], "environment.variables.ANY_KEY")
    assert resolve(schema["resource_schemas"]["aws_route_table"]["block"], "route.core_network_arn")
    a_block = Entry("aws_s3_bucket_replication_configuration", REGION, False, (out("rule.destination", Kind.BUCKET),))
    assert path_problems(block, a_block)


def test_entries_name_at_least_one_kind_of_workspace_and_never_retirement():
    for item in [*ENTRIES.values(), *DATA_SOURCES.values()]:
        assert item.workspaces, item.type
        assert Workspace.RETIREMENT not in item.workspaces, item.type


# --- what residency synthesizes is in the catalog -------------------------------------------------------------


def _kind(workspace: str) -> Workspace:
    if workspace == "global":
        return Workspace.GLOBAL
    if workspace.startswith(naming.BOOTSTRAP_WORKSPACE_PREFIX):
        return Workspace.BOOTSTRAP
    return Workspace.REGION


def _types(out: Path, kind_of: dict[str, Workspace] | None = None) -> set[tuple[Workspace, str, str]]:
    """(workspace kind, "resource" or "data", type) for every block of every workspace in a cdktf.out."""
    found = set()
    for stack in sorted((out / "stacks").iterdir()):
        document = json.loads((stack / "cdk.tf.json").read_text())
        kind = (kind_of or {}).get(stack.name) or _kind(stack.name)
        found |= {(kind, section, type_) for section in ("resource", "data") for type_ in document.get(section, {})}
    return found


def _six_regions_on_aws(directory: Path) -> Path:
    """The six-region config on the aws target with the frontend (as tests/guard/test_rules.py builds it)."""
    text = SIX_REGIONS.read_text().replace("target: local", "target: aws")
    config_file = directory / "regions.yaml"
    config_file.write_text(text.replace("routing: geolocation", "routing: geolocation\n  frontend: true")
                           + "organization_scp: true\n"
                           + "ci:\n  apply_role: arn:aws:iam::123456789012:role/residency-apply\n")
    return config_file


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[Workspace, str, str]]:
    directory = tmp_path_factory.mktemp("synthesized")
    found: set[tuple[Workspace, str, str]] = set()
    for name, config_file in (("sample", SAMPLE), ("six", SIX_REGIONS),
                              ("six-aws", _six_regions_on_aws(directory))):
        out = directory / name / "cdktf.out"
        synthesize(load_config(config_file), out)
        found |= _types(out)
    for target in ("local", "aws"):
        state = directory / f"state-{target}"
        state.mkdir()
        (state / "regions.yaml").write_text(SAMPLE.read_text().replace("target: local", f"target: {target}")
                                            + "state:\n  backend: s3\n")
        config = load_config(state / "regions.yaml")
        synthesize_state_stores(config, state / "bootstrap")
        found |= _types(state / "bootstrap")
        retired = synthesize_retirement(config, "eu-central-1", state / "retirement")
        found |= _types(state / "retirement", {name: Workspace.RETIREMENT for name in retired})
    return found


def test_the_synthesized_outputs_cover_every_kind_of_workspace(synthesized):
    kinds = {kind for kind, _, _ in synthesized}
    assert kinds >= {Workspace.REGION, Workspace.GLOBAL, Workspace.BOOTSTRAP}
    assert "resource" in {section for _, section, _ in synthesized}


def test_every_synthesized_type_is_in_the_catalog_for_its_kind_of_workspace(synthesized):
    missing = []
    for kind, section, type_ in sorted(synthesized):
        item = entry(type_) if section == "resource" else data_source(type_)
        if item is None or kind not in item.workspaces:
            missing.append(f"{section} {type_} in a {kind.value} workspace")
    assert not missing, "\n".join(missing)
