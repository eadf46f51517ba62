"""`verify` and `drill`: prove from the live deployment where each country's users go."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from residency.cli.application import Application
from residency.cli.options import JsonOption
from residency.cli.tables import aligned
from residency.errors import ExitCode, ResidencyError, UsageError

HEALTH_TIMEOUT_SECONDS = 10


def verify(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Prove from the live deployment that routing holds residency: the region Route 53 answers for every listed
    country (and for the others), and every region's /health. Exit 3 when a country is answered outside its
    jurisdiction, 1 when one is answered by another region of it or a region is unhealthy."""
    from residency.flows.routing_proof import answers, read_routing

    app: Application = ctx.obj
    config = app.config
    started = time.monotonic()
    if config.domain is not None and config.global_.routing != "geolocation":
        raise UsageError("verify evaluates geolocation routing: with `routing: latency` Route 53 answers by the "
                         "client's network, not by country")
    route53, emulated = _route53(app)
    found = answers(config, read_routing(config, route53, emulated=emulated)) if config.domain else []
    health = _region_health(app, emulated)
    code = ExitCode.OK
    if any(not answer.ok for answer in found) or any(not item["ok"] for item in health):
        code = ExitCode.FAILED
    if any(answer.leaves_jurisdiction for answer in found):
        code = ExitCode.VIOLATION
    seconds = round(time.monotonic() - started, 1)
    if as_json:
        app.emit_json({"exit_code": int(code), "seconds": seconds, "target": config.target,
                       "routing": [answer.as_json() for answer in found], "health": health})
        raise typer.Exit(int(code))
    if config.domain is None:
        app.say("routing: regions.yaml sets no `domain`, so there is no shared name to route: nothing to verify")
    else:
        rows = [("unlisted" if a.country == "*" else a.country, a.expected, a.answered, a.jurisdiction,
                 "ok" if a.ok else a.reason or "") for a in found]
        for line in aligned(("COUNTRY", "EXPECTED", "ANSWERED", "JURISDICTION", "RESULT"), rows):
            app.say(line)
    for item in health:
        app.say(f"health {item['region']}: {item['detail']}")
    wrong = [a for a in found if not a.ok]
    app.say(f"verified in {seconds}s: " + ("every country answered by its region" if not wrong and found else
                                           f"{len(wrong)} of {len(found)} answered wrongly" if wrong else
                                           "no routing to check"))
    raise typer.Exit(int(code))


def drill(
    ctx: typer.Context,
    region: Annotated[str, typer.Argument(help="The region to take out of routing (it must have a `failover`).")],
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
    failover = drillable(config, region)
    route53, emulated = _route53(app)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = DrillReport(region, failover, config.regions[region].jurisdiction, stamp)
    path = report_file or app.paths.work / "drills" / f"{region}-{stamp}.json"
    try:
        run_drill(config, route53, region, emulated=emulated, hold_seconds=hold, timeout_seconds=timeout,
                  progress=app.progress, report=report)
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


def _route53(app: Application) -> tuple[Any, bool]:
    """A Route 53 client for where the deployment is: the local emulator, or AWS with the standard credentials."""
    import boto3

    if not app.config.profile.uses_emulator:
        return boto3.client("route53"), False
    from residency.local.emulator import Emulator
    from residency.target import FAKE_CREDENTIAL

    status = Emulator(app.paths).status()
    if not status.running or status.record is None:
        raise ResidencyError("the local target's emulator is not running: nothing is deployed to verify",
                             hint="residency apply --all")
    return boto3.client("route53", endpoint_url=status.record.url, region_name="us-east-1",
                        aws_access_key_id=FAKE_CREDENTIAL, aws_secret_access_key=FAKE_CREDENTIAL), True


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
