"""`verify` and `drill`: prove from the live deployment where each country's users go."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption, ProviderMirrorOption
from residency.cli.tables import aligned
from residency.errors import ExitCode, ResidencyError, UsageError

if TYPE_CHECKING:
    from residency.flows.routing_proof import CountryAnswer
    from residency.flows.user_placement_proof import UsersReport

HEALTH_TIMEOUT_SECONDS = 10


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
    config = app.config
    started = time.monotonic()
    if users and config.profile.uses_emulator:
        raise UsageError("--users proves nothing on the local target: the emulator's Cognito does not run the "
                         "pre-sign-up trigger, so every sign-up would be accepted",
                         hint="run `residency verify --users` against `target: aws`; the trigger's rules are "
                              "tested in tests/handlers")
    if config.domain is not None and config.global_.routing != "geolocation":
        raise UsageError("verify evaluates geolocation routing: with `routing: latency` Route 53 answers by the "
                         "client's network, not by country")
    route53, emulated = _route53(app)
    found, altered = _routing(app, route53, emulated)
    health = _region_health(app, emulated)
    proven = _users(app, provider_mirror) if users else None
    code = ExitCode.OK
    if any(not answer.ok for answer in found) or any(not item["ok"] for item in health) or (proven and proven.failed):
        code = ExitCode.FAILED
    # An inverted or disabled check sends a region's users elsewhere, or stops them failing over, whatever the
    # answers show right now: production is not as deployed.
    if any(answer.leaves_jurisdiction for answer in found) or (proven and proven.violations) or altered:
        code = ExitCode.VIOLATION
    seconds = round(time.monotonic() - started, 1)
    if as_json:
        app.emit_json({"exit_code": int(code), "seconds": seconds, "target": config.target,
                       "routing": [answer.as_json() for answer in found], "health": health,
                       "altered_health_checks": altered,
                       "users": proven.as_json() if proven else None,
                       "not_deleted": proven.left_behind() if proven else [],
                       "removed_from_earlier_runs": [f"{address} ({region})" for region, address in proven.swept]
                       if proven else [],
                       "claims_released": [f"{address} ({region})" for region, address in proven.released]
                       if proven else []})
        raise typer.Exit(int(code))
    _say_routing(app, found, emulated)
    for region, how in altered.items():
        app.say(f"violation: the health check of {region}'s API is {how} (not as deployed: a drill that did not "
                f"finish?); `residency drill --restore {region}` puts it back")
    for item in health:
        app.say(f"health {item['region']}: {item['detail']}")
    if proven is not None:
        _say_users(app, proven)
    wrong = [a for a in found if not a.ok]
    app.say(f"verified in {seconds}s: " + ("every country answered by its region" if not wrong and found else
                                           f"{len(wrong)} of {len(found)} answered wrongly" if wrong else
                                           "no routing to check"))
    raise typer.Exit(int(code))


def _routing(app: Application, route53: Any, emulated: bool) -> tuple[list[CountryAnswer], dict[str, str]]:
    """Each country's answer as the deployed records evaluate (on AWS beside Route 53's own DNS answer), and the
    regions whose health check is not as deployed (inverted or disabled)."""
    from residency.flows.dns_answer_proof import cross_checked, dns_answers
    from residency.flows.routing_proof import answers, read_routing

    config = app.config
    if config.domain is None:
        return [], {}
    view = read_routing(config, route53, emulated=emulated)
    found = answers(config, view)
    if emulated:  # the emulator has no DNS-answer test
        return found, view.altered_checks
    return (cross_checked(config, found, dns_answers(config, route53, [answer.country for answer in found])),
            view.altered_checks)


def _say_routing(app: Application, found: list[CountryAnswer], emulated: bool) -> None:
    if app.config.domain is None:
        app.say("routing: regions.yaml sets no `domain`, so there is no shared name to route: nothing to verify")
        return
    header: tuple[str, ...] = ("COUNTRY", "EXPECTED", "ANSWERED", "JURISDICTION")
    rows: list[tuple[str, ...]] = []
    for a in found:
        row: tuple[str, ...] = ("unlisted" if a.country == "*" else a.country, a.expected, a.answered, a.jurisdiction)
        rows.append(row + (() if emulated else (a.route53 or "",)) + ("ok" if a.ok else a.reason or "",))
    for line in aligned(header + (() if emulated else ("ROUTE 53",)) + ("RESULT",), rows):
        app.say(line)


def _users(app: Application, mirror: str | None) -> UsersReport:
    """The throwaway sign-ups of every region; on any exit, what could not be deleted is named."""
    from residency.flows.user_placement_proof import (
        UsersReport,
        prove_users,
        read_pools,
        release_through_reconciler,
    )

    pools = read_pools(app.config, app.paths, mirror=mirror, progress=app.progress)
    report = UsersReport()
    try:
        return prove_users(app.config, pools, _clients("cognito-idp"), progress=app.progress, report=report,
                           release_claims=release_through_reconciler(app.config.project, _clients("lambda")))
    except BaseException:
        for line in report.left_behind():
            app.progress(f"not deleted: {line}")
        raise


def _clients(service: str) -> Callable[[str], Any]:
    """A client of `service` per region, with the standard credentials (AWS only: see verify's --users)."""
    from residency.flows.region_data import service_client

    clients: dict[str, Any] = {}

    def client_for(region: str) -> Any:
        if region not in clients:
            clients[region] = service_client(service, region, None)
        return clients[region]

    return client_for


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
    from residency.files import write_atomically
    from residency.flows.failover_drill import DrillReport, drillable
    from residency.flows.failover_drill import drill as run_drill

    app: Application = ctx.obj
    config = app.config
    if restore:
        _restore_drills(app, [region] if region else [])
    if region is None:
        raise UsageError("name the region to drill", hint="residency drill REGION (or --restore)")
    failover = drillable(config, region)
    route53, emulated = _route53(app)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = DrillReport(region, failover, config.regions[region].jurisdiction, stamp)
    path = report_file or app.paths.work / "drills" / f"{region}-{stamp}.json"
    try:
        run_drill(config, route53, region, emulated=emulated, hold_seconds=hold, timeout_seconds=timeout,
                  progress=app.progress, report=report, markers=app.paths.unfinished_drills)
    finally:
        write_atomically(path, json.dumps(report.as_json(), indent=2) + "\n")
        app.progress(f"drill report: {path}")
    code = ExitCode.VIOLATION if report.violations else ExitCode.OK if report.passed else ExitCode.FAILED
    if as_json:
        app.emit_json({**report.as_json(), "exit_code": int(code), "report": str(path)})
    else:
        for line in report.violations:
            app.say(f"violation: {line}")
        for line in report.problems:
            app.say(f"failed: {line}")
        app.say(f"drill of {region}: " + ("passed" if report.passed else "did not pass")
                + f" (failover {report.failover_seconds}s, held {report.held_seconds}s, "
                  f"failback {report.failback_seconds}s)")
    raise typer.Exit(int(code))


def _restore_drills(app: Application, regions: list[str]) -> None:
    from residency.flows.failover_drill import restore_unfinished

    config = app.config
    unknown = [region for region in regions if region not in config.regions]
    if unknown:
        raise UsageError(f"{unknown[0]} is not a region of regions.yaml", hint=f"one of {', '.join(config.regions)}")
    if config.domain is None:
        raise UsageError("regions.yaml sets no `domain`: there is no health check to restore")
    regions = regions or app.paths.unfinished_drill_regions()
    if not regions:
        app.say("no unfinished drill: nothing to restore")
        raise typer.Exit(int(ExitCode.OK))
    route53, emulated = _route53(app)
    failed = restore_unfinished(config, route53, regions, emulated=emulated, markers=app.paths.unfinished_drills,
                                progress=app.progress)
    app.say("restored" if not failed else f"NOT restored: {', '.join(failed)}")
    raise typer.Exit(int(ExitCode.FAILED if failed else ExitCode.OK))


ROUTE53_REGION = "us-east-1"  # Route 53's API is global; its endpoint is in us-east-1


def _route53(app: Application) -> tuple[Any, bool]:
    """A Route 53 client for where the deployment is: the local emulator, or AWS with the standard credentials."""
    from residency.flows.region_data import service_client

    if not app.config.profile.uses_emulator:
        return service_client("route53", ROUTE53_REGION, None), False
    from residency.local.emulator import Emulator

    status = Emulator(app.paths).status()
    if not status.running or status.record is None:
        raise ResidencyError("the local target's emulator is not running: nothing is deployed to verify",
                             hint="residency apply --all")
    return service_client("route53", ROUTE53_REGION, status.record.url), True


def _region_health(app: Application, emulated: bool) -> list[dict[str, Any]]:
    """Each region's GET /health through its own name (`<region>.<domain>`); on the local target the emulator
    cannot run the function behind it, so it is not called."""
    from residency import naming

    config = app.config
    found = []
    for region in config.regions:
        if emulated:
            found.append({"region": region, "ok": True, "checked": False,
                          "detail": "not called: the emulator cannot invoke Lambda"})
        elif config.domain is None:
            found.append({"region": region, "ok": True, "checked": False,
                          "detail": "not called: no `domain`, so no stable name to call"})
        else:
            found.append(_health_of(region, f"https://{naming.region_api_host(region, config.domain)}/health"))
    return found


def _health_of(region: str, url: str) -> dict[str, Any]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_SECONDS) as response:  # noqa: S310 - https only
            body = json.loads(response.read() or b"{}")
            ok = response.status == 200 and body.get("region") == region
            detail = f"{response.status} from {url}" + ("" if ok else f", answered for {body.get('region')!r}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        ok, detail = False, f"{url}: {error}"
    return {"region": region, "ok": ok, "checked": True, "detail": detail}
