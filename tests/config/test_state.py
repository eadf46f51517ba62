"""The state backends, one model each: chosen by `backend`, each saying where state is, what is wrong with
its settings, and which remote-state lookup reads residency's own state."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency.config import CloudState, LocalState, S3State, load_config
from residency.config.state import STATE_MODELS
from residency.paths import ProjectPaths, local_state_path, state_path_from_stack
from tests.config.conftest import LoadError, WriteConfig
from tests.config.test_validation import REGION_US, rendered

REGIONS = REGION_US + "  eu-central-1:\n    jurisdiction: EU\n    countries: [DE]\n"


@pytest.mark.parametrize(("state", "model", "where"), [
    ("", LocalState, ".residency/state/{workspace}/terraform.tfstate"),
    ("state: {}\n", LocalState, ".residency/state/{workspace}/terraform.tfstate"),
    ("state: {backend: s3}\n", S3State, "s3://acme-tfstate-{region}/{workspace}/terraform.tfstate"),
    ("state: {backend: s3, bucket_prefix: acme-state}\n", S3State,
     "s3://acme-state-{region}/{workspace}/terraform.tfstate"),
    ("state: {backend: cloud, organization: acme, workspace_prefix: acme-}\n", CloudState,
     "app.terraform.io/acme/acme-{workspace}"),
    ("state: {backend: cloud, organization: acme, workspace_prefix: acme-, hostname: app.eu.terraform.io}\n",
     CloudState, "app.eu.terraform.io/acme/acme-{workspace}"),
])
def test_each_backend_is_its_own_model_and_says_where_state_is(write_config: WriteConfig, state, model, where):
    config = load_config(write_config(f"project: acme\nglobal: {{region: eu-west-1}}\n{state}regions:{REGIONS}"))
    assert type(config.state) is model
    for workspace, region in (("eu-central-1", "eu-central-1"), ("global", "eu-west-1")):
        assert config.state_location(workspace) == where.format(workspace=workspace, region=region)


def test_the_local_layout_is_spelled_once(tmp_path: Path):
    stack_dir = tmp_path / "cdktf.out" / "stacks" / "us-east-1"
    from_stack = (stack_dir / state_path_from_stack("us-east-1")).resolve()
    assert from_stack == ProjectPaths(tmp_path).state_file("us-east-1") == tmp_path / local_state_path("us-east-1")


def test_an_unknown_backend_is_one_located_error(load_error: LoadError):
    assert rendered(load_error, f"project: acme\nstate:\n  backend: gcs\nregions:{REGION_US}") == (
        "regions.yaml:3: state.backend: expected 'local', 's3' or 'cloud', got 'gcs'")


def test_a_key_of_another_backend_names_the_backend_that_takes_it(load_error: LoadError):
    text = f"project: acme\nstate:\n  backend: s3\n  hostname: app.eu.terraform.io\nregions:{REGION_US}"
    assert rendered(load_error, text) == (
        "regions.yaml:4: state.hostname: hostname is only used with backend: cloud (backend is s3)\n"
        "  hint: remove it, or set backend: cloud")


ACME_CLOUD = CloudState(backend="cloud", organization="acme", workspace_prefix="acme-")
S3_LOOKUP = {"bucket": "acme-tfstate-eu-central-1", "key": "eu-central-1/terraform.tfstate", "region": "eu-central-1"}
CLOUD_LOOKUP = {"organization": "acme", "workspaces": {"name": "acme-eu-central-1"}}


@pytest.mark.parametrize(("state", "backend", "settings", "own"), [
    (LocalState(), "local", {"path": state_path_from_stack("eu-central-1")}, True),
    (LocalState(), "local", {"path": state_path_from_stack("us-east-1")}, False),
    (LocalState(), "local", {"path": state_path_from_stack("eu-central-1"), "workspace_dir": "x"}, False),
    (S3State(backend="s3"), "s3", S3_LOOKUP, True),
    (S3State(backend="s3"), "s3", {**S3_LOOKUP, "bucket": "someone-elses"}, False),
    (S3State(backend="s3"), "s3", {**S3_LOOKUP, "region": "us-east-1"}, False),
    (S3State(backend="s3"), "s3", {**S3_LOOKUP, "endpoint": "https://elsewhere.example"}, False),
    (S3State(backend="s3"), "s3", {**S3_LOOKUP, "access_key": "x"}, False),  # only the emulator's lookups carry keys
    (S3State(backend="s3"), "local", {"path": state_path_from_stack("eu-central-1")}, False),
    (ACME_CLOUD, "cloud", CLOUD_LOOKUP, True),
    (ACME_CLOUD, "remote", CLOUD_LOOKUP, True),
    (ACME_CLOUD, "cloud", {**CLOUD_LOOKUP, "organization": "x"}, False),
    (ACME_CLOUD.model_copy(update={"hostname": "app.eu.terraform.io"}), "cloud", CLOUD_LOOKUP, False),  # a US host
    (CloudState(backend="cloud", organization="acme", workspace_prefix="acme-"), "s3", S3_LOOKUP, False),
])
def test_each_backend_knows_a_lookup_of_its_own_state(state, backend, settings, own):
    assert state.reads_own_state(backend, settings, project="acme", workspace="eu-central-1",
                                 region="eu-central-1", emulated=False) is own


def test_every_backend_is_in_the_schema():
    from residency.config import config_json_schema

    schema = str(config_json_schema())
    assert all(f"'{name}'" in schema for name in STATE_MODELS)


@pytest.mark.parametrize(("state", "valid"), [
    ({}, True), ({"backend": "local"}, True), ({"backend": "s3", "bucket_prefix": "acme-state"}, True),
    ({"backend": "cloud", "organization": "acme", "workspace_prefix": "acme-"}, True),
    ({"bucket_prefix": "acme-state"}, False), ({"backend": "gcs"}, False),
    ({"backend": "local", "hostname": "x"}, False),
])
def test_the_published_schema_takes_what_residency_takes(state, valid):
    """Editors and check-jsonschema read the schema: `state: {}` is local there too, and matches one backend."""
    import jsonschema

    from residency.config import config_json_schema

    document = {"project": "acme", "state": state, "regions": {"us-east-1": {"jurisdiction": "US",
                                                                            "countries": ["US"], "default": True}}}
    errors = list(jsonschema.Draft202012Validator(config_json_schema()).iter_errors(document))
    assert (errors == []) is valid, [error.message for error in errors]
