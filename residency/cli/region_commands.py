"""`residency region add|retire`: grow by one line of regions.yaml; shrink only on purpose."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from residency import naming
from residency.cli.application import Application
from residency.cli.confirmations import confirmation, typed_confirmation
from residency.cli.options import LockTimeoutOption, ProviderMirrorOption
from residency.cli.progress import LineReporter
from residency.errors import ExitCode
from residency.flows import region_editing
from residency.flows.retirement import ConfirmRetirement, RetirementPlan, require_removed
from residency.flows.retirement import retire as retire_region
from residency.flows.terraform_runs import Operation, RunOptions

region_app = typer.Typer(help="Add a region to regions.yaml, remove one, or retire one removed from it.",
                         no_args_is_help=True, rich_markup_mode=None)


@region_app.command()
def add(
    ctx: typer.Context,
    region: Annotated[str, typer.Argument(help="AWS region code, e.g. ca-central-1.", show_default=False)],
    countries: Annotated[str, typer.Option("--countries", help="Comma-separated ISO country codes, e.g. CA or DE,AT.",
                                           show_default=False)],
    jurisdiction: Annotated[str | None, typer.Option(
        "--jurisdiction", help="Its jurisdiction, e.g. CA (default: the region's own, from AWS's region table; a "
                               "given one is checked against it).", show_default=False)] = None,
    failover: Annotated[str | None, typer.Option("--failover", help="Another listed region in the same "
                                                 "jurisdiction.", show_default=False)] = None,
    default: Annotated[bool, typer.Option("--default", help="Take users from unlisted countries.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change without writing it.")] = False,
) -> None:
    """Add REGION to regions.yaml (comments and layout kept), validate the result and show the diff."""
    app: Application = ctx.obj
    addition = region_editing.add_region(app.config_path, region, jurisdiction=jurisdiction, countries=countries,
                                         failover=failover, default=default, dry_run=dry_run)
    app.say(addition.diff)
    if not addition.written:
        app.progress("--dry-run: regions.yaml not changed")
        return
    app.progress(f"added {region} to {addition.path}; `residency plan --all` shows what it creates")
    region_editing.follow_pipelines(app.config_path, app.progress)


@region_app.command()
def remove(
    ctx: typer.Context,
    region: Annotated[str, typer.Argument(help="A region of regions.yaml, e.g. ap-southeast-2.", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change without writing it.")] = False,
) -> None:
    """Take REGION out of regions.yaml (comments and layout kept) and show the diff. Its workspace, resources and
    data stay until `residency region retire REGION`, which exports and destroys them; until then `apply` leaves
    `global` serving it."""
    app: Application = ctx.obj
    removal = region_editing.remove_region(app.config_path, region, dry_run=dry_run)
    app.say(removal.diff)
    if not removal.written:
        app.progress("--dry-run: regions.yaml not changed")
        return
    app.progress(f"removed {removal.region} from {removal.path}; its workspace still holds its resources and data: "
                 f"`residency region retire {removal.region} --export DIR` exports them and takes it out of service")
    region_editing.follow_pipelines(app.config_path, app.progress)


@region_app.command()
def retire(
    ctx: typer.Context,
    region: Annotated[str, typer.Argument(help="A region removed from regions.yaml.", show_default=False)],
    export: Annotated[Path | None, typer.Option("--export", help="Write the region's personal data (bucket "
                                                "objects, table items, users) under this directory first.",
                                                show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Destroy the region's data without exporting it.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (needs --i-understand-data-loss).")] = False,
    understood: Annotated[bool, typer.Option("--i-understand-data-loss",
                                             help="Confirms --yes: the region's data is destroyed.")] = False,
    provider_mirror: ProviderMirrorOption = None,
    lock_timeout: LockTimeoutOption = "0s",
) -> None:
    """Destroy the workspace of a region removed from regions.yaml, then apply global."""
    app: Application = ctx.obj
    config = app.config
    require_removed(config, region.strip())
    confirm = _confirm_retirement(yes, understood)
    reporter = LineReporter()
    confirm_global, _ = confirmation(Operation.APPLY, config.profile, yes)
    result = retire_region(
        config, app.paths, region.strip(), mirror=provider_mirror, reporter=reporter, confirm=confirm,
        confirm_global=confirm_global, options=RunOptions(lock_timeout=lock_timeout), export_dir=export, force=force)
    outcome = result.global_outcome
    app.say(f"{result.region}: destroyed {result.destroyed} resources"
            + (f"; data exported to {result.exported.path}" if result.exported else "")
            + f"; {result.claims_released} directory claim(s) released")
    if outcome is None or not result.retired:
        detail = outcome.error if outcome is not None and outcome.error else "not run"
        app.say(f"{naming.GLOBAL_WORKSPACE}: {outcome.status.value if outcome else 'failed'}: {detail}")
        if result.exit_code is not ExitCode.VIOLATION:  # a refusal's message names what to retire first
            app.say(f"run `residency region retire {result.region}` again to finish")
        raise typer.Exit(int(result.exit_code))
    app.say(f"{naming.GLOBAL_WORKSPACE}: {outcome.status.value} ({outcome.changes.describe()}); "
            f"{result.region} is retired")
    region_editing.follow_pipelines(app.config_path, app.progress)


def _confirm_retirement(yes: bool, understood: bool) -> ConfirmRetirement:
    """Asks the user to type the region's name; refuses up front when nobody can be asked."""
    ask = typed_confirmation(yes, understood, noun="region",
                             destroys="retiring destroys the region's resources and whatever data is left in them")

    def confirm(plan: RetirementPlan) -> bool:
        data = "no personal data" if plan.data.empty else plan.data.describe()
        return ask(f"This destroys {plan.destroys} resources of {plan.region} ({data}).", plan.region)

    return confirm
