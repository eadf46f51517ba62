"""`residency store retire`: remove one personal-data store an extension no longer declares, on purpose."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from residency.cli.application import Application
from residency.cli.confirmations import typed_confirmation
from residency.cli.options import LockTimeoutOption, ProviderMirrorOption
from residency.cli.progress import LineReporter
from residency.flows.terraform_runs import RunOptions

if TYPE_CHECKING:
    from residency.flows.store_retirement import ConfirmStoreRetirement

store_app = typer.Typer(help="Retire a personal-data store an extension no longer declares.",
                        no_args_is_help=True, rich_markup_mode=None)


@store_app.command()
def retire(
    ctx: typer.Context,
    workspace: Annotated[str, typer.Argument(help="The workspace that holds the store, e.g. eu-west-1.",
                                             show_default=False)],
    store: Annotated[str, typer.Argument(help="The store: its Terraform address or its name (bucket, table, "
                                         "pool id, queue URL), as `residency output` lists them.",
                                         show_default=False)],
    export: Annotated[Path | None, typer.Option("--export", help="Write the store's records (objects, items, users, "
                                                "messages) under this directory first.", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Destroy the store's data without exporting it.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (needs --i-understand-data-loss).")] = False,
    understood: Annotated[bool, typer.Option("--i-understand-data-loss",
                                             help="Confirms --yes: the store and its data are destroyed.")] = False,
    provider_mirror: ProviderMirrorOption = None,
    lock_timeout: LockTimeoutOption = "0s",
) -> None:
    """Destroy STORE and its guards (encryption, public-access block, versioning...) once it has left the
    configuration: counted, exported with --export, confirmed by typing its name. No other apply deletes it."""
    from residency.flows.store_retirement import retire_store

    app: Application = ctx.obj
    confirm = _confirm(yes, understood)
    result = retire_store(app.config, app.paths, workspace.strip(), store.strip(), mirror=provider_mirror,
                          reporter=LineReporter(), confirm=confirm, options=RunOptions(lock_timeout=lock_timeout),
                          export_dir=export, force=force)
    if result.already_gone:
        app.say(f"{result.workspace}: {result.store.address} ({result.store.describe()}) no longer exists in AWS: "
                f"nothing to export or destroy; the next `residency apply {result.workspace}` forgets it")
        return
    app.say(f"{result.workspace}: {result.store.describe()} retired: destroyed {result.destroyed} resource(s)"
            + (f"; data exported to {result.exported.path}" if result.exported else ""))


def _confirm(yes: bool, understood: bool) -> ConfirmStoreRetirement:
    """Asks the user to type the store's name; refuses up front when nobody can be asked."""
    from residency.flows.store_retirement import StoreRetirementPlan

    ask = typed_confirmation(yes, understood, noun="store",
                             destroys="retiring a store destroys it and whatever data is left in it")

    def confirm(plan: StoreRetirementPlan) -> bool:
        data = "no personal data" if plan.data.empty else plan.data.describe()
        return ask(f"This destroys {plan.store.describe()} and {len(plan.addresses) - 1} resource(s) guarding it "
                   f"in {plan.workspace} ({data}).", plan.store.name)

    return confirm
