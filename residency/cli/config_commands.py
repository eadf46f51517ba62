"""`validate`, `schema` and `list`: read regions.yaml, touch nothing else."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.cli.tables import aligned
from residency.errors import UsageError
from residency.flows import project


def validate(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Load and check regions.yaml; print a one-screen summary."""
    app: Application = ctx.obj
    config = app.config
    if as_json:
        app.emit_json({"valid": True, "file": str(app.config_path), "config": project.dump(config)})
        return
    app.say(f"{app.config_path}: valid")
    app.say(f"  project   {config.project}")
    app.say(f"  target    {config.target}")
    app.say(f"  state     {config.state.backend}")
    app.say(f"  global    {config.global_.region} ({config.global_.routing} routing)")
    if config.domain:
        app.say(f"  domain    {config.domain}")
    for code, region in config.regions.items():
        default = "  (default)" if region.default else ""
        countries = ", ".join(config.countries_of(code)) or "-"
        app.say(f"  {code:<15} {region.jurisdiction:<4} {countries}{default}")


def schema(ctx: typer.Context) -> None:
    """Print the JSON Schema of regions.yaml (for editors)."""
    print(json.dumps(project.config_schema(), indent=2))


def list_workspaces(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Workspaces, regions, jurisdictions, countries, target and state backend."""
    app: Application = ctx.obj
    config = app.config
    rows = project.workspace_rows(config)
    if as_json:
        app.emit_json({
            "project": config.project,
            "target": config.target,
            "state_backend": config.state.backend,
            "workspaces": [row.as_json() for row in rows],
        })
        return
    app.say(f"project {config.project}, target {config.target}, state backend {config.state.backend}")
    cells = [(row.workspace, row.region, row.jurisdiction,
              ", ".join(row.countries) + (" + default" if row.default else "") or "-", row.state) for row in rows]
    for line in aligned(("WORKSPACE", "REGION", "JURISDICTION", "COUNTRIES", "STATE"), cells):
        app.say(line)


SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def completion(
    shell: Annotated[str, typer.Argument(help=f"One of: {', '.join(SHELLS)}.", show_default=False)],
) -> None:
    """Print the shell completion script for SHELL (commands, options and workspace names), e.g.
    `residency completion bash > ~/.local/share/bash-completion/completions/residency`."""
    from typer.completion import get_completion_script

    if shell not in SHELLS:
        raise UsageError(f"unknown shell {shell!r}", hint=f"one of: {', '.join(SHELLS)}")
    print(get_completion_script(prog_name="residency", complete_var="_RESIDENCY_COMPLETE", shell=shell))
