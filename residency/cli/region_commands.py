"""`residency region add|retire`: grow by one line of regions.yaml; shrink only on purpose."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from residency import naming
from residency.cli.application import Application
from residency.cli.options import LockTimeoutOption, ProviderMirrorOption
from residency.cli.progress import LineReporter
from residency.cli.terraform_commands import confirmation
from residency.cli.typed_confirmation import typed_confirmation
from residency.errors import ExitCode, UsageError
from residency.flows.terraform_runs import RunOptions
from residency.terraform.operations import Operation, Status

if TYPE_CHECKING:
    from residency.flows.retirement import ConfirmRetirement

region_app = typer.Typer(help="Add a region to regions.yaml, or retire one removed from it.",
                         no_args_is_help=True)


@region_app.command()
def add(
    ctx: typer.Context,
    region: Annotated[str, typer.Argument(help="AWS region code, e.g. ca-central-1.", show_default=False)],
    jurisdiction: Annotated[str, typer.Option("--jurisdiction", help="Its jurisdiction, e.g. CA.",
                                              show_default=False)],
    countries: Annotated[str, typer.Option("--countries", help="Comma-separated ISO country codes, e.g. CA or DE,AT.",
                                           show_default=False)],
    failover: Annotated[str | None, typer.Option("--failover", help="Another listed region in the same "
                                                 "jurisdiction.", show_default=False)] = None,
    default: Annotated[bool, typer.Option("--default", help="Take users from unlisted countries.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the change without writing it.")] = False,
) -> None:
    """Add REGION to regions.yaml (comments and layout kept), validate the result and show the diff."""
    from residency.config.editing import add_region, unified_diff
    from residency.config.loader import load_config_text
    from residency.config.yaml_source import BOM, read_config_text
    from residency.files import write_atomically

    app: Application = ctx.obj
    path = app.config_path
    app.config  # noqa: B018 - the file as it is must be valid before it is edited
    text = read_config_text(path)
    bom = BOM if text.startswith(BOM) else ""
    old, newline = _with_unix_newlines(text.removeprefix(BOM), path)
    codes = [code.strip().upper() for code in countries.split(",") if code.strip()]
    if not codes:
        raise UsageError("--countries names no country", hint="e.g. --countries CA or --countries DE,AT")
    new = add_region(old, region.strip(), jurisdiction=jurisdiction.strip(), countries=codes,
                     failover=failover.strip() if failover else None, default=default)
    load_config_text(new, str(path))  # nothing is written unless the result is valid
    app.say(unified_diff(old, new, path.name).rstrip("\n"))
    if dry_run:
        app.progress("--dry-run: regions.yaml not changed")
        return
    write_atomically(path, bom + new.replace("\n", newline))
    app.progress(f"added {region} to {path}; `residency plan --all` shows what it creates")
    _follow_pipelines(app)


def _follow_pipelines(app: Application) -> None:
    """Render again each pipeline rendered for this regions.yaml, so that it applies what regions.yaml lists now;
    say which command does it when it cannot be done here."""
    from residency.config import load_config
    from residency.errors import ResidencyError
    from residency.pipelines.pipeline_drift import rerender, stale_pipelines

    config = load_config(app.config_path)
    for stale in stale_pipelines(config, app.config_path):
        try:
            app.progress(f"rendered {rerender(stale, config, app.config_path)} again: {stale.why}")
        except (ResidencyError, AttributeError) as error:
            message = error.message if isinstance(error, ResidencyError) else "its settings line cannot be read"
            app.progress(f"warning: {stale.path} is out of date ({stale.why}) and was not rendered again "
                         f"({message}); run `{stale.command}`")


def _with_unix_newlines(text: str, path: Path) -> tuple[str, str]:
    """The text with LF line endings, and the ending the file uses, so that the edit keeps it."""
    crlf = text.count("\r\n")
    if crlf == 0:
        if "\r" in text:
            raise UsageError(f"{path} has line endings residency cannot keep (a bare CR)",
                             hint="save it with LF or CRLF line endings")
        return text, "\n"
    if crlf != text.count("\n") or text.replace("\r\n", "").count("\r"):
        raise UsageError(f"{path} mixes CRLF and LF line endings; an added region could only follow one of them",
                         hint="convert the file to one kind (e.g. dos2unix or unix2dos), then run this again")
    return text.replace("\r\n", "\n"), "\r\n"


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
    from residency.flows.retirement import require_removed
    from residency.flows.retirement import retire as retire_region

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
    if outcome is None or not outcome.succeeded:
        detail = outcome.error if outcome is not None and outcome.error else "not run"
        app.say(f"{naming.GLOBAL_WORKSPACE}: {outcome.status.value if outcome else 'failed'}: {detail}")
        if outcome is not None and outcome.status is Status.REFUSED:
            raise typer.Exit(int(ExitCode.VIOLATION))  # the message names what to retire first
        app.say(f"run `residency region retire {result.region}` again to finish")
        raise typer.Exit(int(ExitCode.FAILED))
    app.say(f"{naming.GLOBAL_WORKSPACE}: {outcome.status.value} ({outcome.changes.describe()}); "
            f"{result.region} is retired")
    _follow_pipelines(app)


def _confirm_retirement(yes: bool, understood: bool) -> ConfirmRetirement:
    """Asks the user to type the region's name; refuses up front when nobody can be asked."""
    from residency.flows.retirement import RetirementPlan

    ask = typed_confirmation(yes, understood, noun="region",
                             destroys="retiring destroys the region's resources and whatever data is left in them")

    def confirm(plan: RetirementPlan) -> bool:
        data = "no personal data" if plan.data.empty else plan.data.describe()
        return ask(f"This destroys {plan.destroys} resources of {plan.region} ({data}).", plan.region)

    return confirm
