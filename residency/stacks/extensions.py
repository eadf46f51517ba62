"""Your own constructs in every silo: what an extension gets, and how residency calls it.

regions.yaml's `extensions: {region: [...], global: [...]}` lists `module:callable` entries. Each is
called as `callable(scope, context)`: `scope` is a construct scope inside the workspace's stack (its
AWS provider is the default one, so resources land in the workspace's region), and `context` is a
frozen `RegionContext` or `GlobalContext`. What an extension adds is part of the workspace like
residency's own resources: `residency check` and the plan-time rules judge it, and a store it
declares with `context.declare_personal_data` is protected, exported and counted by `region retire`.

    from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
    from residency.stacks.extensions import RegionContext, StoreKind

    def region_resources(scope, context: RegionContext) -> None:
        queue = SqsQueue(scope, "invoices", name=context.name("invoices"),
                         kms_master_key_id=context.kms_key_arn)
        context.declare_personal_data(queue, StoreKind.QUEUE)
        context.output("invoices_queue_url", queue.url)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cdktf import AssetType, TerraformAsset, TerraformOutput, TerraformResource, TerraformStack
from constructs import Construct

from residency import naming
from residency.packaging import build_bundle
from residency.personal_data import OUTPUT as PERSONAL_DATA_OUTPUT
from residency.personal_data import StoreKind
from residency.stacks.declared_stores import declare_personal_data
from residency.stacks.extension_addresses import extension_scope, move_from_earlier_addresses
from residency.stacks.extension_bounds import ExtensionBounds, ExtensionCall, wrote_declaration
from residency.stacks.silo_outputs import GlobalOutputs, RegionOutputs
from residency.synth.extension_modules import importable_from, load

if TYPE_CHECKING:
    from residency.stacks.region_spec import GlobalSpec, RegionSpec

__all__ = ["GlobalContext", "LambdaCode", "RegionContext", "StoreKind"]

OUTPUT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class LambdaCode:
    """A handler directory zipped for Lambda: `filename` and `source_code_hash` of a LambdaFunction."""

    filename: str
    source_code_hash: str


@dataclass(frozen=True)
class ExtensionContext:
    """What every extension gets, in a region workspace or in global."""

    project: str
    workspace: str  # a region code, or `global`
    region: str  # the AWS region its resources are in
    jurisdiction: str  # the region's jurisdiction (EU, US, ...), or `global`
    tags: Mapping[str, str]  # the tags the workspace's provider puts on every resource
    project_dir: Path  # the directory of regions.yaml
    _stack: TerraformStack = field(repr=False)
    _outputs: set[str] = field(default_factory=set, repr=False, compare=False)

    def name(self, purpose: str) -> str:
        """A resource name unique to the project and workspace: `acme-eu-west-1-invoices`."""
        return naming.resource_name(self.project, self.workspace, purpose)

    def package_lambda(self, directory: str | Path, *, package: str | None = None) -> LambdaCode:
        """Zip every .py file of `directory` (relative to regions.yaml's directory) the way residency zips its
        own handlers: sorted, fixed timestamps and modes, so the same code gives the same zip and hash.
        Files are at the zip's root, or under `package/` when given (then handler = "package.module.func")."""
        source = (self.project_dir / directory).resolve()
        if not source.is_dir():
            raise ValueError(f"package_lambda: {source} is not a directory")
        # Named by the directory's place in the project, never its absolute path: two checkouts of one commit (the
        # pull request's job and the merged branch's) synthesize the same files, so a reviewed plan stays current.
        project = self.project_dir.resolve()
        place = source.relative_to(project).as_posix() if source.is_relative_to(project) else str(source)
        key = hashlib.sha256(f"{place}\0{package}".encode()).hexdigest()[:12]
        zipped = self.project_dir / ".residency" / "extension-bundles" / f"{source.name}-{key}.zip"
        digest = build_bundle(source, zipped, package=package)
        asset = TerraformAsset(self._stack, f"extension-bundle-{key}", path=str(zipped), type=AssetType.FILE)
        return LambdaCode(filename=asset.path, source_code_hash=digest)

    def output(self, name: str, value: object, *, sensitive: bool = False, description: str | None = None) -> None:
        """A root output of the workspace (`residency output` shows it; sensitive ones are not printed)."""
        if not OUTPUT_NAME.match(name):
            raise ValueError(f"output name {name!r}: lowercase letters, digits and '_', starting with a letter")
        if name == PERSONAL_DATA_OUTPUT:
            raise wrote_declaration()  # refused (exit 65): the list of the declared stores is residency's
        reserved = {PERSONAL_DATA_OUTPUT, naming.REGIONS_OUTPUT} | set(self._outputs)
        if name in reserved or self._stack.node.try_find_child(name) is not None:
            raise ValueError(f"output name {name!r} is taken in workspace {self.workspace}")
        self._outputs.add(name)
        TerraformOutput(self._stack, name, value=value, sensitive=sensitive, description=description)

    def declare_personal_data(self, resource: TerraformResource, kind: StoreKind) -> None:
        """`resource` keeps personal data: it is protected (never destroyed or replaced by a plan) and listed in
        the workspace's declaration, so `region retire` exports, counts and empties it and rule RES013 is
        satisfied. An undeclared bucket, table, user pool or queue in a region workspace is a violation."""
        declare_personal_data(resource, kind)


@dataclass(frozen=True)
class RegionContext(ExtensionContext):
    """A region workspace: its silo's key, stores, API and users."""

    kms_key_arn: str = ""  # the region's data key: encrypt what you store with it
    data_bucket_name: str = ""
    data_bucket_arn: str = ""
    data_table_name: str = ""
    data_table_arn: str = ""
    api_id: str = ""  # the region's HTTP API (API Gateway v2)
    api_execution_arn: str = ""  # for lambda permissions: f"{api_execution_arn}/*/*"
    api_authorizer_id: str = ""  # the API's Cognito JWT authorizer: routes for signed-in users of this region
    user_pool_id: str = ""
    user_pool_arn: str = ""
    user_pool_client_id: str = ""


@dataclass(frozen=True)
class GlobalContext(ExtensionContext):
    """The global workspace: it knows which region a user belongs to, never the user's personal data."""

    directory_table_name: str = ""
    regions: Mapping[str, str] = field(default_factory=dict)  # region code -> jurisdiction


def region_context(spec: RegionSpec, outputs: RegionOutputs, stack: TerraformStack,
                   project_dir: Path) -> RegionContext:
    """What a region workspace's extensions get: its spec and its silo's outputs."""
    return RegionContext(
        project=spec.project, workspace=spec.region, region=spec.region, jurisdiction=spec.jurisdiction,
        tags=spec.tags, project_dir=project_dir, _stack=stack,
        kms_key_arn=outputs.kms_key_arn,
        data_bucket_name=outputs.data_bucket_name, data_bucket_arn=outputs.data_bucket_arn,
        data_table_name=outputs.data_table_name, data_table_arn=outputs.data_table_arn,
        api_id=outputs.api_id, api_execution_arn=outputs.api_execution_arn, api_authorizer_id=outputs.api_authorizer_id,
        user_pool_id=outputs.user_pool_id, user_pool_arn=outputs.user_pool_arn,
        user_pool_client_id=outputs.user_pool_client_id,
    )


def global_context(spec: GlobalSpec, outputs: GlobalOutputs, stack: TerraformStack,
                   project_dir: Path) -> GlobalContext:
    """What the global workspace's extensions get: its spec and the directory's outputs."""
    return GlobalContext(
        project=spec.project, workspace=naming.GLOBAL_WORKSPACE, region=spec.region,
        jurisdiction=naming.GLOBAL_JURISDICTION, tags=spec.tags, project_dir=project_dir, _stack=stack,
        directory_table_name=outputs.directory_table_name, regions=dict(spec.jurisdictions),
    )


def run_extensions(stack: TerraformStack, references: tuple[str, ...], context: ExtensionContext, kind: str,
                   bounds: ExtensionBounds) -> None:
    """Call each extension in `stack`; ExtensionNotUsable (65) if it cannot be loaded, ExtensionFailed (1) if
    it raises, ExtensionRefused (65) if it reaches past its workspace or changes residency's own (`bounds`).
    `kind` is `region` or `global`, as in regions.yaml."""
    bounds.watch(stack)  # every workspace, also one without extensions: another's may reach it
    for index, reference in enumerate(references):
        where = f"extensions.{kind}[{index}]"
        extension: Callable[..., object] = load(context.project_dir, reference, where)
        # Its resources' addresses are its construct ids (extension_addresses.py); before, they started with the
        # callable's name (`aws_sqs_queue.region_resources_invoices_...`), from which they are moved.
        name = reference.rsplit(".", 1)[-1].rsplit(":", 1)[-1]
        own = extension_scope(stack, name if stack.node.try_find_child(name) is None else f"{name}-{index}")
        call = ExtensionCall(where=where, reference=reference, workspace=context.workspace, scope=own.node.path,
                             project_dir=context.project_dir)

        def run(extension: Callable[..., object] = extension, own: Construct = own) -> None:
            with importable_from(context.project_dir):  # what it imports while it runs comes from there too
                extension(own, context)

        bounds.call(call, run)
        move_from_earlier_addresses(stack, own, where)
