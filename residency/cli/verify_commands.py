"""`verify` and `drill`: prove from the live deployment where each country's users go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption, ProviderMirrorOption
from residency.cli.tables import aligned
from residency.errors import UsageError
from residency.flows import verification
from residency.flows.user_placement_proof import UsersReport
from residency.flows.verification import Verification


def verify(
    ctx: typer.Context,
    users: Annotated[bool, typer.Option(
        "--users", help="Also sign up a throwaway user in every region (expected: accepted) and the same address in "
                        "another region (expected: rejected), then delete them (AWS only).")] = False,
    as_json: JsonOption = False,
    provider_mirror: ProviderMirrorOption = None,
) -> None:
    """Prove from the live deployment that routing holds residency: the region Route 53 answers for every listed
    country (and for the others), and every region's /health; with --users, that an address signed up in one
    region is refused in another. Exit 3 when a country is answered outside its jurisdiction or another
    jurisdiction accepts an address claimed elsewhere, 1 when one is answered by another region of it, a region
    is unhealthy, or a sign-up or its removal fails."""
    app: Application = ctx.obj
    result = verification.verify(app.config, app.paths, app.progress, users=users, mirror=provider_mirror)
    if as_json:
        app.emit_json(result.as_json())
        raise typer.Exit(int(result.exit_code))
    _say_routing(app, result)
    for region, how in result.altered_checks.items():
        app.say(f"violation: the health check of {region}'s API is {how} (not as deployed: a drill that did not "
                f"finish?); `residency drill --restore {region}` puts it back")
    for item in result.health:
        app.say(f"health {item['region']}: {item['detail']}")
    if result.users is not None:
        _say_users(app, result.users)
    found = result.answers
    wrong = [a for a in found if not a.ok]
    app.say(f"verified in {result.seconds}s: " + ("every country answered by its region" if not wrong and found else
                                                  f"{len(wrong)} of {len(found)} answered wrongly" if wrong else
                                                  "no routing to check"))
    raise typer.Exit(int(result.exit_code))


def _say_routing(app: Application, result: Verification) -> None:
    found, emulated = result.answers, result.emulated
    if not result.routed:
        app.say("routing: regions.yaml sets no `domain`, so there is no shared name to route: nothing to verify")
        return
    header: tuple[str, ...] = ("COUNTRY", "EXPECTED", "ANSWERED", "JURISDICTION")
    rows: list[tuple[str, ...]] = []
    for a in found:
        row: tuple[str, ...] = ("unlisted" if a.country == "*" else a.country, a.expected, a.answered, a.jurisdiction)
        rows.append(row + (() if emulated else (a.route53 or "",)) + ("ok" if a.ok else a.reason or "",))
    for line in aligned(header + (() if emulated else ("ROUTE 53",)) + ("RESULT",), rows):
        app.say(line)


def _say_users(app: Application, report: UsersReport) -> None:
    rows = []
    for proof in report.proofs:
        elsewhere = f"{proof.elsewhere.region}: {proof.elsewhere.outcome}" if proof.elsewhere else "no other region"
        result = "ok" if proof.problem is None else ("violation: " if proof.violation else "") + proof.problem
        rows.append((proof.home, proof.signup.outcome, elsewhere, result))
    for line in aligned(("REGION", "SIGN-UP", "ELSEWHERE", "RESULT"), rows):
        app.say(line)
    for proof in report.proofs:
        if proof.claim:
            app.say(f"left to expire: {proof.claim} (the region's claim reconciler could not release it)")
    if report.released:
        app.say(f"released: the pending claims of {len(report.released)} throwaway address(es)")
    for line in report.left_behind():
        app.say(f"not deleted: {line}")
    for region, address in report.swept:
        app.say(f"removed: {address} in {region}, left by an earlier run that was stopped before it could delete it")
    for problem in report.cleanup_errors:
        app.say(f"cleanup: {problem}")


def drill(
    ctx: typer.Context,
    region: Annotated[str | None, typer.Argument(
        help="The region to take out of routing (it must have a `failover`).", show_default=False)] = None,
    restore: Annotated[bool, typer.Option(
        "--restore", help="Put back the health check of REGION (without REGION: of every drill that did not "
                          "finish) and clear its marker; nothing is drilled.")] = False,
    hold: Annotated[float, typer.Option("--hold", help="Seconds to stay failed over once the failover answers.",
                                        min=0, max=3600)] = 0.0,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for the failover, and for the "
                                                             "failback (Route 53 takes about 90 s on AWS).",
                                           min=1, max=3600)] = 300.0,
    report_file: Annotated[Path | None, typer.Option(
        "--report", help="Where the JSON report goes (default: .residency/drills/REGION-TIME.json).",
        show_default=False)] = None,
    as_json: JsonOption = False,
) -> None:
    """A failover drill: invert the region's health check for a bounded time, prove that its countries are answered
    by its failover region in the same jurisdiction and never elsewhere, restore it (also on Ctrl-C), and write a
    report with timings. Exit 3 when a country was answered outside its jurisdiction, 1 when the failover or the
    failback did not happen in time."""
    app: Application = ctx.obj
    if restore:
        _restore_drills(app, [region] if region else [])
    if region is None:
        raise UsageError("name the region to drill", hint="residency drill REGION (or --restore)")
    result = verification.drill(app.config, app.paths, app.progress, region, hold=hold, timeout=timeout,
                                report_file=report_file)
    report = result.report
    if as_json:
        app.emit_json(result.as_json())
    else:
        for line in report.violations:
            app.say(f"violation: {line}")
        for line in report.problems:
            app.say(f"failed: {line}")
        app.say(f"drill of {region}: " + ("passed" if report.passed else "did not pass")
                + f" (failover {report.failover_seconds}s, held {report.held_seconds}s, "
                  f"failback {report.failback_seconds}s)")
    raise typer.Exit(int(result.exit_code))


def _restore_drills(app: Application, regions: list[str]) -> None:
    restoration = verification.restore_drills(app.config, app.paths, app.progress, regions)
    if not restoration.regions:
        app.say("no unfinished drill: nothing to restore")
    else:
        failed = restoration.not_restored
        app.say("restored" if not failed else f"NOT restored: {', '.join(failed)}")
    raise typer.Exit(int(restoration.exit_code))
