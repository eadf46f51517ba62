"""The team's own constructs (`extensions:` in regions.yaml), synthesized and checked as a user runs them."""

from __future__ import annotations

import json
import shutil
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli

CONFIG = """project: acme-ext
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE, FR], default: true}
  us-east-1: {jurisdiction: US, countries: [US]}
extensions:
  region: [billing.infra:region_resources]
  global: [billing.infra:global_resources]
"""

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "billing-platform"
# The documented example's extension (its destination replaced where a test needs another).
INFRA = (EXAMPLE / "billing" / "infra.py").read_text()
HANDLER = (EXAMPLE / "billing" / "handler" / "invoicer.py").read_text()


def project(tmp_path: Path, infra: str = INFRA, config: str = CONFIG) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "regions.yaml").write_text(config)
    (tmp_path / "billing" / "handler").mkdir(parents=True)
    (tmp_path / "billing" / "__init__.py").write_text("")
    (tmp_path / "billing" / "infra.py").write_text(textwrap.dedent(infra))
    (tmp_path / "billing" / "handler" / "invoicer.py").write_text(HANDLER)
    return tmp_path


def synthesized(root: Path, workspace: str) -> dict:  # type: ignore[type-arg]
    return json.loads((root / "cdktf.out" / "stacks" / workspace / "cdk.tf.json").read_text())


def test_an_extension_adds_its_resources_to_every_region_and_global_and_passes_check(tmp_path):
    root = project(tmp_path)
    done = run_cli(["synth"], root)
    assert done.returncode == 0, done.stderr
    for region in ("eu-west-1", "us-east-1"):
        stack = synthesized(root, region)
        (address, queue), = stack["resource"]["aws_sqs_queue"].items()
        assert address == "invoices"  # its construct id, whatever the callable is called
        assert queue["name"] == f"acme-ext-{region}-invoices"
        assert queue["lifecycle"] == {"prevent_destroy": True}  # declared: protected
        declared = stack["output"]["personal_data_stores"]["value"]
        assert {"address": f"aws_sqs_queue.{address}", "kind": "sqs_queue",
                "name": f"${{aws_sqs_queue.{address}.url}}"} in declared
        assert stack["output"]["invoices_queue_url"]["value"] == f"${{aws_sqs_queue.{address}.url}}"
        function = stack["resource"]["aws_lambda_function"]["invoicer"]
        assert function["function_name"] == f"acme-ext-{region}-invoicer"
        assert function["filename"].startswith("assets/")
    assert synthesized(root, "global")["output"]["billing_regions"]["value"] == ["eu-west-1", "us-east-1"]
    checked = run_cli(["check"], root)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_lambda_package_is_deterministic_and_its_change_resynthesizes(tmp_path):
    root = project(tmp_path)
    assert run_cli(["synth"], root).returncode == 0
    first = synthesized(root, "eu-west-1")["output"]["invoicer_code_hash"]["value"]
    (root / "cdktf.out").rename(root / "earlier")
    (root / "billing" / "handler" / "invoicer.py").touch()  # a newer mtime changes nothing
    assert run_cli(["synth"], root).returncode == 0
    assert synthesized(root, "eu-west-1")["output"]["invoicer_code_hash"]["value"] == first
    (asset,) = (root / "cdktf.out" / "stacks" / "eu-west-1" / "assets").rglob("handler-*.zip")
    with zipfile.ZipFile(asset) as bundle:
        assert bundle.namelist() == ["invoicer.py"]
    (root / "billing" / "handler" / "invoicer.py").write_text(HANDLER + "\n# changed\n")
    again = run_cli(["synth"], root)
    assert "up to date" not in again.stderr  # the extension's code is part of what synth reads
    assert synthesized(root, "eu-west-1")["output"]["invoicer_code_hash"]["value"] != first


def test_an_undeclared_store_and_a_destination_in_another_jurisdiction_are_violations(tmp_path):
    undeclared = INFRA.replace("    context.declare_personal_data(queue, StoreKind.QUEUE)\n", "")
    root = project(tmp_path / "undeclared", undeclared)
    assert run_cli(["synth"], root).returncode == 0
    checked = run_cli(["check"], root)
    assert checked.returncode == 3, checked.stdout + checked.stderr
    assert "RES013 eu-west-1: aws_sqs_queue.invoices: " in checked.stdout

    elsewhere = INFRA.replace("DESTINATION = None",
                              'DESTINATION = "arn:aws:sqs:us-east-1:123456789012:central-invoices"')
    root = project(tmp_path / "elsewhere", elsewhere)
    assert run_cli(["synth"], root).returncode == 0
    checked = run_cli(["check", "--json"], root)
    assert checked.returncode == 3, checked.stdout + checked.stderr
    found = {(v["rule"], v["workspace"], v["address"]) for v in json.loads(checked.stdout)["findings"]}
    assert ("RES011", "eu-west-1", "aws_lambda_function.invoicer") in found  # the extension's own resources
    assert ("RES006", "eu-west-1", "aws_iam_role_policy.policy") in found


@pytest.mark.parametrize("infra, config, code, message", [
    (INFRA, CONFIG.replace("billing.infra:region", "billing.nothere:region"), 65,
     "extensions.region[0]: cannot import billing.nothere (from "),
    ("import not_installed_anywhere\n", CONFIG, 65,
     "ModuleNotFoundError: No module named 'not_installed_anywhere'"),
    (INFRA, CONFIG.replace("infra:region_resources", "infra:regional"), 65,
     "extensions.region[0]: billing.infra has no 'regional'"),
    (INFRA, CONFIG.replace("infra:region_resources", "infra:DESTINATION"), 65,
     "billing.infra:DESTINATION is a NoneType, not a callable"),
    (INFRA, CONFIG.replace("billing.infra:region_resources", "residency.cli:main"), 65, "is residency's own"),
    (INFRA.replace("    context.output(\"invoices_queue_url\"", "    raise KeyError('no invoices')\n"
                                                             "    context.output(\"invoices_queue_url\""),
     CONFIG, 1, "extensions.region[0]: billing.infra:region_resources failed in workspace eu-west-1: "
                "KeyError: 'no invoices' ("),
    (INFRA.replace("context.output(\"invoicer_code_hash\"", "context.output(\"data_bucket\""), CONFIG, 1,
     "output name 'data_bucket' is taken in workspace eu-west-1"),
])
def test_a_bad_extension_is_one_message_and_leaves_the_last_output(tmp_path, infra, config, code, message):
    root = project(tmp_path, INFRA)
    assert run_cli(["synth"], root).returncode == 0
    before = (root / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json").read_bytes()
    (root / "regions.yaml").write_text(config)
    (root / "billing" / "infra.py").write_text(textwrap.dedent(infra))
    failed = run_cli(["synth"], root)
    assert failed.returncode == code, failed.stderr
    assert message in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    if code == 1:
        assert str(root / "billing" / "infra.py") in failed.stderr  # where it raised
    assert (root / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json").read_bytes() == before
    assert not list(root.glob(".cdktf.out.staging-*"))


def test_the_documented_example_is_clean_as_shipped(tmp_path):
    root = tmp_path / "billing-platform"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".residency", "cdktf.out", "__pycache__"))
    checked = run_cli(["check"], root / "billing")  # from a subdirectory, as a team works
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no violation in 3 workspace(s)" in checked.stdout


PROFILE_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile-api"


def test_the_profile_example_adds_signed_in_routes_to_the_regions_api_and_is_clean(tmp_path):
    root = tmp_path / "profile-api"
    shutil.copytree(PROFILE_EXAMPLE, root, ignore=shutil.ignore_patterns(".residency", "cdktf.out", "__pycache__"))
    done = run_cli(["synth"], root)
    assert done.returncode == 0, done.stderr
    for region in ("eu-west-1", "us-east-1"):
        resources = synthesized(root, region)["resource"]
        (authorizer,) = resources["aws_apigatewayv2_authorizer"]
        (api,) = resources["aws_apigatewayv2_api"]
        routes = {r["route_key"]: r for r in resources["aws_apigatewayv2_route"].values()}
        assert set(routes) == {"GET /health", "GET /config", "DELETE /me", "GET /me", "PUT /me"}
        for key in ("GET /me", "PUT /me"):  # the core's API, the core's authorizer: this region's users only
            assert routes[key]["api_id"] == f"${{aws_apigatewayv2_api.{api}.id}}"
            assert (routes[key]["authorization_type"], routes[key]["authorizer_id"]) == (
                "JWT", f"${{aws_apigatewayv2_authorizer.{authorizer}.id}}")
        policy = resources["aws_iam_role_policy"]["policy"]
        statements = json.loads(policy["policy"])["Statement"]
        (table,) = resources["aws_dynamodb_table"]
        # One item at a time (a delete only takes back a write that raced the account's deletion): no scan, no query.
        assert statements[0]["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"]
        assert statements[0]["Resource"] == f"${{aws_dynamodb_table.{table}.arn}}"
        (pool,) = resources["aws_cognito_user_pool"]
        assert statements[1] == {"Effect": "Allow", "Action": "cognito-idp:AdminGetUser",
                                 "Resource": f"${{aws_cognito_user_pool.{pool}.arn}}",
                                 "Condition": {"StringEquals": {"aws:RequestedRegion": region}}}
        permission = resources["aws_lambda_permission"]["invoke"]
        assert permission["source_arn"].endswith("/*/*/me")
    checked = run_cli(["check"], root)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The same routes keeping profiles in another jurisdiction's table: refused, naming the extension's policy.
    infra = root / "profile_api" / "infra.py"
    infra.write_text(infra.read_text().replace(
        '"Resource": context.data_table_arn', '"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/profiles"'))
    assert run_cli(["synth"], root).returncode == 0
    checked = run_cli(["check", "--json"], root)
    assert checked.returncode == 3, checked.stdout + checked.stderr
    found = {(v["rule"], v["workspace"], v["address"]) for v in json.loads(checked.stdout)["findings"]}
    assert ("RES006", "eu-west-1", "aws_iam_role_policy.policy") in found
