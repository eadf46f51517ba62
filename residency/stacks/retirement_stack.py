"""The workspace `residency region retire` destroys: a removed region's backend and provider, no
resources. Planned against the region's state it destroys everything the state still lists, which
the region's own configuration forbids (its data stores are `prevent_destroy`)."""

from __future__ import annotations

from pathlib import Path

from cdktf import App, TerraformStack

from residency import naming
from residency.config import Config
from residency.stacks.backend import state_backend
from residency.stacks.provider import aws_provider


def build_retirement_app(config: Config, region: str, outdir: Path) -> App:
    from residency.stacks.app import APP_CONTEXT

    app = App(context=APP_CONTEXT, outdir=str(outdir))
    stack = TerraformStack(app, region)
    target = config.profile
    state_backend(stack, region, config.state, project=config.project, region=region, target=target)
    aws_provider(stack, region=region, tags=naming.standard_tags(config.project, region, "retired"), target=target)
    return app
