"""Build the CDKTF app for a regions.yaml: one stack per region plus `global`."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from cdktf import App

from residency.config import Config
from residency.packaging import build_bundle, handlers_source
from residency.stacks.declared_stores import output_declaration
from residency.stacks.extension_bounds import ExtensionBounds
from residency.stacks.extensions import global_context, region_context, run_extensions
from residency.stacks.functions import Bundle
from residency.stacks.geo_routing import RegionEndpoint
from residency.stacks.global_stack import GlobalStack
from residency.stacks.region_spec import GlobalSpec, RegionSpec
from residency.stacks.region_stack import RegionStack

# Readable logical ids in cdk.tf.json (no stack-name prefix) for people who read the output.
APP_CONTEXT = {"excludeStackIdFromLogicalIds": "true", "allowSepCharsInLogicalIds": "true"}


class ResidencyApp(App):
    """The app, written (`synth`) only as far as its extensions keep within their bounds."""

    def __init__(self, bounds: ExtensionBounds, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bounds = bounds

    def synth(self) -> None:
        self.bounds.synthesize(lambda: App.synth(self), Path(self.outdir))


def build_app(config: Config, outdir: Path | None = None, project_dir: Path | None = None) -> App:
    """The app; `project_dir` (the directory of regions.yaml, default the current one) is where the
    extension modules are imported from."""
    bounds = ExtensionBounds(extended=bool(config.extensions.region or config.extensions.global_))
    # Without an outdir, App takes cdktf's own (CDKTF_OUTDIR), as the stock CLI expects.
    app = ResidencyApp(bounds, context=APP_CONTEXT, outdir=str(outdir) if outdir is not None else None)
    bundle = _handlers_bundle()
    endpoints: list[RegionEndpoint] = []
    stacks: dict[str, RegionStack] = {}
    for code, region in config.regions.items():
        spec = RegionSpec.of(config, code)
        stack = RegionStack(app, spec, bundle)
        stacks[code] = stack
        alias = stack.outputs.api_alias
        if alias is not None:
            endpoints.append(RegionEndpoint(
                region=code, countries=config.countries_of(code), default=region.default, failover=region.failover,
                target=alias.name, target_zone_id=alias.zone_id,
            ))
        context = region_context(spec, stack.outputs, stack, _home(project_dir))
        run_extensions(stack, config.extensions.region, context, "region", bounds)
        output_declaration(stack)
        bounds.seal(stack)
    for code, stack in stacks.items():
        home = config.audit_home(config.regions[code].jurisdiction)
        if home is not None and home != code:
            stack.add_dependency(stacks[home])  # its trail writes to the home's bucket, which must exist first
    global_spec = GlobalSpec.of(config)
    global_stack = GlobalStack(app, global_spec, endpoints)
    global_extensions_context = global_context(global_spec, global_stack.outputs, global_stack, _home(project_dir))
    run_extensions(global_stack, config.extensions.global_, global_extensions_context, "global", bounds)
    output_declaration(global_stack)
    bounds.seal(global_stack)
    return app


def _home(project_dir: Path | None) -> Path:
    return (project_dir or Path.cwd()).resolve()


def _handlers_bundle() -> Bundle:
    """Zip the handlers once per synth; CDKTF copies the zip into each workspace's assets."""
    workdir = Path(tempfile.mkdtemp(prefix="residency-bundle-"))
    atexit.register(shutil.rmtree, workdir, True)
    zip_path = workdir / "handlers.zip"
    return Bundle(path=str(zip_path), sha256=build_bundle(handlers_source(), zip_path))
