"""An extension adds to the workspace it is called in, and nothing else: whatever it does to the construct
tree beyond that ends in one located message, never in a traceback, and cdktf.out stays as it was.

Refused (65): what reaches past its workspace or changes residency's own, and what CDKTF refuses.
Failed (1): what the extension's own code raises, also later (an Aspect, a lazy value), with its line.
Each case is `residency synth` run as a user runs it, over the output of a good synth.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_cli

CONFIG = """project: acme-bounds
regions:
  eu-west-1: {jurisdiction: EU, countries: [IE], default: true}
  us-east-1: {jurisdiction: US, countries: [US]}
extensions:
  region: [ext.infra:region_resources]
  global: [ext.infra:global_resources]
"""
GOOD = """
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

from residency.stacks.extensions import StoreKind


def region_resources(scope, context):
    queue = SqsQueue(scope, "invoices", name=context.name("invoices"), kms_master_key_id=context.kms_key_arn)
    context.declare_personal_data(queue, StoreKind.QUEUE)
    context.output("invoices_queue_url", queue.url)


def global_resources(scope, context):
    context.output("billing_regions", sorted(context.regions))
"""
NO_GLOBAL = "\n\ndef global_resources(scope, context):\n    pass\n"
REGION = "extensions.region[0]: ext.infra:region_resources"
GLOBAL = "extensions.global[0]: ext.infra:global_resources"
DECLARE = "context.declare_personal_data"
ADD_ONLY = "an extension adds resources and outputs of its own"
ASPECT = """
        import jsii
        from cdktf import Aspects, IAspect, TerraformStack
"""
LAZY = """
        import jsii
        from cdktf import IStringProducer, Lazy, TerraformOutput, TerraformStack
"""

REFUSED = {
    "a stack at the app's root": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack(scope.node.root, "sneaky")
        """, [f"{REGION} in workspace eu-west-1 added a Terraform stack 'sneaky': a workspace residency did not make"]),
    "a stack inside its scope": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack(scope, "nested")
        """, [f"{REGION} in workspace eu-west-1 added a Terraform stack 'eu-west-1/region_resources/nested'"]),
    "a construct at the app's root, named like a workspace": ("""
        from constructs import Construct

        def region_resources(scope, context):
            Construct(scope.node.root, "global")
        """, [f"{REGION} in workspace eu-west-1 added 'global' to the app, outside any workspace"]),
    "a resource in another workspace": ("""
        from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue

        def region_resources(scope, context):
            if context.workspace == "us-east-1":
                SqsQueue(scope.node.root.node.find_child("eu-west-1"), "queue", name="elsewhere")
        """, [f"{REGION} in workspace us-east-1 added 'eu-west-1/queue' to workspace eu-west-1"]),
    "a reference to another workspace's resource": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            if context.workspace == "us-east-1":
                other = scope.node.root.node.find_child("eu-west-1")
                TerraformOutput(scope, "peek", value=other.data.bucket.bucket.arn)
        """, [f"{REGION} in workspace us-east-1 refers to aws_s3_bucket.data_bucket_", "of workspace eu-west-1: "
              "a workspace may not read another one's resources"]),
    "a dependency between workspaces": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            if context.workspace == "us-east-1":
                TerraformStack.of(scope).add_dependency(scope.node.root.node.find_child("eu-west-1"))
        """, [f"{REGION} in workspace us-east-1 made workspace us-east-1 depend on eu-west-1"]),
    "a construct named like CDKTF's references between workspaces": ("""
        from constructs import Construct
        from cdktf import TerraformStack

        def region_resources(scope, context):
            Construct(TerraformStack.of(scope), "cross-stack-output-anything")
        """, [f"{REGION} in workspace eu-west-1 added 'eu-west-1/cross-stack-output-anything', named like CDKTF's "
              "references between workspaces"]),
    "the declaration output on the stack": ("""
        from cdktf import TerraformOutput, TerraformStack

        def region_resources(scope, context):
            TerraformOutput(TerraformStack.of(scope), "personal_data_stores", value=[])
        """, [f"{REGION} in workspace eu-west-1 wrote an output named 'personal_data_stores': that output is "
              "residency's", DECLARE]),
    "the declaration output in its scope": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            TerraformOutput(scope, "personal_data_stores", value=[])
        """, [f"{REGION} in workspace eu-west-1 wrote an output named 'personal_data_stores'", DECLARE]),
    "the declaration output by its logical id": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            TerraformOutput(scope, "stores", value={"mine": 1}).override_logical_id("personal_data_stores")
        """, [f"{REGION} in workspace eu-west-1 wrote an output named 'personal_data_stores'", DECLARE]),
    "the declaration output by an override": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).add_override("output.personal_data_stores.value", [])
        """, [f"{REGION} in workspace eu-west-1 wrote an output named 'personal_data_stores'", DECLARE]),
    "the declaration output through the context": ("""
        def region_resources(scope, context):
            context.output("personal_data_stores", [])
        """, [f"{REGION} in workspace eu-west-1 wrote an output named 'personal_data_stores'", DECLARE]),
    "the declared stores emptied": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            getattr(TerraformStack.of(scope), "_residency_personal_data").clear()
        """, [f"{REGION} in workspace eu-west-1 changed the declared personal-data stores of workspace eu-west-1"]),
    "one of residency's outputs removed": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).node.try_remove_child("data_bucket")
        """, [f"{REGION} in workspace eu-west-1 removed 'eu-west-1/data_bucket', which it did not make", ADD_ONLY]),
    "residency's data stores removed": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).node.try_remove_child("data")
        """, [f"{REGION} in workspace eu-west-1 removed 'eu-west-1/data"]),
    "the backend overridden": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).add_override("terraform.backend.local.path", "/tmp/elsewhere.tfstate")
        """, [f"{REGION} in workspace eu-west-1 changed residency's own terraform.backend", ADD_ONLY]),
    "a backend of its own": ("""
        from cdktf import S3Backend

        def region_resources(scope, context):
            S3Backend(scope, bucket="theirs", key="state", region="us-east-1")
        """, [f"{REGION} in workspace eu-west-1 changed residency's own terraform.backend"]),
    "the backend overridden with a lazy value": (LAZY + """
        @jsii.implements(IStringProducer)
        class Elsewhere:
            def produce(self, context):
                return "/tmp/elsewhere.tfstate"

        def region_resources(scope, context):
            TerraformStack.of(scope).add_override("terraform.backend.local.path", Lazy.string_value(Elsewhere()))
        """, [f"{REGION} in workspace eu-west-1 changed residency's own terraform.backend"]),
    "the provider overridden": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).provider.add_override("region", "us-east-1")
        """, [f"{REGION} in workspace eu-west-1 changed residency's own provider.aws"]),
    "the provider's region set": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).node.find_child("aws").region = "us-east-1"
        """, [f"{REGION} in workspace eu-west-1 changed residency's own provider.aws"]),
    "a second default provider": ("""
        from cdktf_cdktf_provider_aws.provider import AwsProvider

        def region_resources(scope, context):
            AwsProvider(scope, "mine", region="us-east-1")
        """, [f"{REGION} in workspace eu-west-1 changed residency's own provider.aws"]),
    "an output merged into residency's": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            TerraformOutput(scope, "data_bucket", value="mine", static_id=True)
        """, [f"{REGION} in workspace eu-west-1 changed residency's own output.data_bucket"]),
    "one of residency's resources overridden": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            TerraformStack.of(scope).data.bucket.bucket.add_override("force_destroy", True)
        """, [f"{REGION} in workspace eu-west-1 changed residency's own aws_s3_bucket.data_bucket_"]),
    "global's regions output overridden": ("""
        from cdktf import TerraformStack

        def region_resources(scope, context):
            pass

        def global_resources(scope, context):
            TerraformStack.of(scope).add_override("output.regions_served.value", "nowhere")
        """, [f"{GLOBAL} in workspace global changed residency's own output.regions_served"]),
    "an Aspect on its workspace's stack": (ASPECT + """
        @jsii.implements(IAspect)
        class Tagger:
            def visit(self, node):
                pass

        def region_resources(scope, context):
            Aspects.of(TerraformStack.of(scope)).add(Tagger())
        """, [f"{REGION} in workspace eu-west-1 added an Aspect to workspace eu-west-1: it would visit what "
              "residency made"]),
    "an Aspect on the app": (ASPECT + """
        @jsii.implements(IAspect)
        class Tagger:
            def visit(self, node):
                pass

        def region_resources(scope, context):
            Aspects.of(scope.node.root).add(Tagger())
        """, [f"{REGION} in workspace eu-west-1 added an Aspect to the app"]),
    "an Aspect in its scope that changes the backend while the app is written": (ASPECT + """
        @jsii.implements(IAspect)
        class Rewire:
            def visit(self, node):
                TerraformStack.of(node).add_override("terraform.backend.local.path", "/tmp/elsewhere.tfstate")

        def region_resources(scope, context):
            Aspects.of(scope).add(Rewire())
        """, [f"{REGION} in workspaces eu-west-1, us-east-1", "changed residency's own terraform.backend of "
              "workspace eu-west-1 (later, or while it was written: an Aspect or a lazy value)"]),
    "global's extension changing a region's provider": ("""
        def region_resources(scope, context):
            pass

        def global_resources(scope, context):
            scope.node.root.node.find_child("eu-west-1").provider.add_override("region", "us-east-1")
        """, [f"{GLOBAL} in workspace global", "changed residency's own provider.aws of workspace eu-west-1"]),
    "a validation that fails": ("""
        import jsii
        from constructs import IValidation

        @jsii.implements(IValidation)
        class Never:
            def validate(self):
                return ["not valid at all"]

        def region_resources(scope, context):
            scope.node.add_validation(Never())
        """, [f"{REGION} in workspace eu-west-1 built what CDKTF refuses: Validation failed with the following "
              "errors: [eu-west-1/region_resources] not valid at all"]),
    "a resource without its provider": ("""
        from cdktf import TerraformProviderGeneratorMetadata, TerraformResource

        def region_resources(scope, context):
            TerraformResource(scope, "id", terraform_resource_type="random_id",
                              terraform_generator_metadata=TerraformProviderGeneratorMetadata(provider_name="random"))
        """, [f"{REGION} in workspace eu-west-1 built what CDKTF refuses:",
              "Found resources without a matching provider construct"]),
    "an error annotation": ("""
        from cdktf import Annotations

        def region_resources(scope, context):
            Annotations.of(scope).add_error("not this way")
        """, [f"{REGION} in workspace eu-west-1 built what CDKTF refuses: Encountered Annotations with level "
              '"ERROR": [eu-west-1/region_resources] not this way']),
    "a failing validation of the app": ("""
        import jsii
        from constructs import IValidation

        @jsii.implements(IValidation)
        class Never:
            def validate(self):
                return ["the app says no"]

        def region_resources(scope, context):
            scope.node.root.node.add_validation(Never())
        """, [f"{REGION} in workspaces eu-west-1, us-east-1", "built what CDKTF refuses: App-level validation failed "
              "with the following errors: the app says no"]),
    "a lazy value JSON cannot hold": (LAZY + """
        from cdktf import IAnyProducer

        @jsii.implements(IAnyProducer)
        class Ratio:
            def produce(self, context):
                return float("nan")

        def region_resources(scope, context):
            TerraformOutput(scope, "ratio", value=Lazy.any_value(Ratio()))
        """, [f"{REGION} in workspace eu-west-1 gave CDKTF a value it cannot take (ValueError: Out of range float "
              "values are not JSON compliant"]),
    "a lazy value jsii cannot pass": (LAZY + """
        from cdktf import IAnyProducer

        @jsii.implements(IAnyProducer)
        class Thing:
            def produce(self, context):
                return object()

        def region_resources(scope, context):
            TerraformOutput(scope, "thing", value=Lazy.any_value(Thing()))
        """, [f"{REGION} in workspace eu-west-1 gave CDKTF a value it cannot take (AttributeError: "]),
}

FAILED = {
    "an Aspect that raises while the app is written": (ASPECT + """
        @jsii.implements(IAspect)
        class Boom:
            def visit(self, node):
                raise ValueError("aspect exploded")  # raises

        def region_resources(scope, context):
            Aspects.of(scope).add(Boom())
        """, "ValueError: aspect exploded"),
    "an Aspect on residency's construct that raises": (ASPECT + """
        @jsii.implements(IAspect)
        class Boom:
            def visit(self, node):
                raise ValueError("deep aspect exploded")  # raises

        def region_resources(scope, context):
            Aspects.of(TerraformStack.of(scope).data).add(Boom())
        """, "ValueError: deep aspect exploded"),
    "a lazy value that raises": (LAZY + """
        @jsii.implements(IStringProducer)
        class Boom:
            def produce(self, context):
                raise RuntimeError("lazy exploded")  # raises

        def region_resources(scope, context):
            TerraformOutput(scope, "lazy", value=Lazy.string_value(Boom()))
        """, "RuntimeError: lazy exploded"),
    "a resolvable value that raises": ("""
        import jsii
        from cdktf import IResolvable, TerraformOutput

        @jsii.implements(IResolvable)
        class Boom:
            creation_stack = []

            def resolve(self, context):
                raise KeyError("resolvable exploded")  # raises

        def region_resources(scope, context):
            TerraformOutput(scope, "boom", value=Boom())
        """, "KeyError: 'resolvable exploded'"),
    "a value JSON cannot hold": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            TerraformOutput(scope, "ratio", value=float("nan"))  # raises
        """, "ValueError: Out of range float values are not JSON compliant"),
    "a value jsii cannot pass": ("""
        from cdktf import TerraformOutput

        def region_resources(scope, context):
            TerraformOutput(scope, "thing", value={"x": object()})  # raises
        """, "AttributeError: "),
    "sys.exit in the extension": ("""
        import sys

        def region_resources(scope, context):
            sys.exit(3)  # raises
        """, "SystemExit: 3"),
    "sys.exit in an Aspect": (ASPECT + """
        import sys

        @jsii.implements(IAspect)
        class Leave:
            def visit(self, node):
                sys.exit(4)  # raises

        def region_resources(scope, context):
            Aspects.of(scope).add(Leave())
        """, "SystemExit: 4"),
    "a construct id residency uses in the stack": ("""
        from constructs import Construct
        from cdktf import TerraformStack

        def region_resources(scope, context):
            Construct(TerraformStack.of(scope), "data")  # raises
        """, "RuntimeError: There is already a Construct with name 'data' in TerraformStack [eu-west-1]"),
}


def digest(directory: Path) -> str:
    files = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            files.update(f"{path.relative_to(directory)}\0".encode() + path.read_bytes())
    return files.hexdigest()


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose good extension was synthesized: each case starts from a copy of it."""
    root = tmp_path_factory.mktemp("good")
    (root / "regions.yaml").write_text(CONFIG)
    (root / "ext").mkdir()
    (root / "ext" / "__init__.py").write_text("")
    (root / "ext" / "infra.py").write_text(GOOD)
    done = run_cli(["synth"], root)
    assert done.returncode == 0, done.stderr
    return root


def synth_with(synthesized: Path, tmp_path: Path, infra: str) -> tuple[Path, subprocess.CompletedProcess[str], str]:
    """`residency synth` of a copy of the project with `infra` as its extension: the copy, the run, and the
    digest of the copy's cdktf.out before the run."""
    root = tmp_path / "project"
    shutil.copytree(synthesized, root, ignore=shutil.ignore_patterns(".residency", "__pycache__"))
    source = textwrap.dedent(infra)
    (root / "ext" / "infra.py").write_text(source if "def global_resources" in source else source + NO_GLOBAL)
    before = digest(root / "cdktf.out")
    return root, run_cli(["synth"], root), before


def assert_one_clean_message(root: Path, done: subprocess.CompletedProcess[str], before: str) -> None:
    """One error line (and its hint), no traceback of Python or JavaScript, and cdktf.out as it was."""
    assert done.stdout == ""
    assert len([line for line in done.stderr.splitlines() if line.startswith("error:")]) == 1, done.stderr
    assert "Traceback" not in done.stderr and "node_modules" not in done.stderr, done.stderr
    assert "nothing was written" in done.stderr
    assert digest(root / "cdktf.out") == before
    assert not list(root.glob(".cdktf.out.*"))  # nor anything half-written beside it


@pytest.mark.parametrize("infra, expected", REFUSED.values(), ids=REFUSED.keys())
def test_what_reaches_past_its_workspace_is_refused_with_one_message(synthesized, tmp_path, infra, expected):
    root, done, before = synth_with(synthesized, tmp_path, infra)
    assert done.returncode == 65, done.stderr
    for fragment in expected:
        assert fragment in done.stderr, done.stderr
    assert_one_clean_message(root, done, before)


@pytest.mark.parametrize("infra, exception", FAILED.values(), ids=FAILED.keys())
def test_what_its_code_raises_fails_with_the_line_it_raised_at(synthesized, tmp_path, infra, exception):
    root, done, before = synth_with(synthesized, tmp_path, infra)
    assert done.returncode == 1, done.stderr
    source = textwrap.dedent(infra).splitlines()
    line = next(number for number, text in enumerate(source, 1) if text.endswith("# raises"))
    assert f"{REGION} failed in workspace eu-west-1: {exception}" in done.stderr, done.stderr
    assert f"({root / 'ext' / 'infra.py'}:{line})" in done.stderr, done.stderr
    assert_one_clean_message(root, done, before)


def test_an_extension_within_its_bounds_is_written(synthesized, tmp_path):
    """What the refusals spare: resources and outputs of its own, its stores declared, at its scope or at its
    stack's level (where the context's outputs are)."""
    root, done, _ = synth_with(synthesized, tmp_path, GOOD.replace(
        '    context.output("invoices_queue_url", queue.url)\n',
        '    context.output("invoices_queue_url", queue.url)\n'
        '    TerraformOutput(TerraformStack.of(scope), "queue_arn", value=queue.arn)\n',
    ).replace("from residency", "from cdktf import TerraformOutput, TerraformStack\nfrom residency"))
    assert done.returncode == 0, done.stderr
    document = json.loads((root / "cdktf.out" / "stacks" / "eu-west-1" / "cdk.tf.json").read_text())
    assert document["output"]["queue_arn"]["value"] == "${aws_sqs_queue.invoices.arn}"
    (declared,) = [store for store in document["output"]["personal_data_stores"]["value"]
                   if store["kind"] == "sqs_queue"]
    assert declared["address"] == "aws_sqs_queue.invoices"
