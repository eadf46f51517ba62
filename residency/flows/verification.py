"""`verify` and `drill`: the live deployment's routing, health and sign-ups, and a bounded failover, as results
that carry their exit code."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency import naming
from residency.errors import ExitCode, ResidencyError, UsageError
from residency.files import write_atomically
from residency.flows.failover_drill import DrillReport, drillable, restore_unfinished
from residency.flows.failover_drill import drill as run_drill
from residency.flows.terraform_runs import Progress
from residency.paths import ProjectPaths

if TYPE_CHECKING:
    from residency.config import Config
    from residency.flows.routing_proof import CountryAnswer
    from residency.flows.user_placement_proof import UsersReport

HEALTH_TIMEOUT_SECONDS = 10
ROUTE53_REGION = "us-east-1"  # Route 53's API is global; its endpoint is in us-east-1


@dataclass(frozen=True)
class Verification:
    target: str
    routed: bool  # regions.yaml sets a domain, so there is routing to verify
    emulated: bool
    answers: list[CountryAnswer]
    altered_checks: dict[str, str]  # region -> how its health check is not as deployed
    health: list[dict[str, Any]]
    users: UsersReport | None
    seconds: float

    @property
    def exit_code(self) -> ExitCode:
        # An inverted or disabled check sends a region's users elsewhere, or stops them failing over, whatever the
        # answers show right now: production is not as deployed.
        if (any(answer.leaves_jurisdiction for answer in self.answers) or (self.users and self.users.violations)
                or self.altered_checks):
            return ExitCode.VIOLATION
        if (any(not answer.ok for answer in self.answers) or any(not item["ok"] for item in self.health)
                or (self.users and self.users.failed)):
            return ExitCode.FAILED
        return ExitCode.OK

    def as_json(self) -> dict[str, Any]:
        users = self.users
        return {"exit_code": int(self.exit_code), "seconds": self.seconds, "target": self.target,
                "routing": [answer.as_json() for answer in self.answers], "health": self.health,
                "altered_health_checks": self.altered_checks,
                "users": users.as_json() if users else None,
                "not_deleted": users.left_behind() if users else [],
                "removed_from_earlier_runs": [f"{address} ({region})" for region, address in users.swept]
                if users else [],
                "claims_released": [f"{address} ({region})" for region, address in users.released]
                if users else []}


def verify(config: Config, paths: ProjectPaths, progress: Progress, *, users: bool,
           mirror: str | None) -> Verification:
    """Each listed country's answer (and the unlisted ones'), every region's /health and, with `users`, that an
    address signed up in one region is refused in another."""
    started = time.monotonic()
    if users and config.profile.uses_emulator:
        raise UsageError("--users proves nothing on the local target: the emulator's Cognito does not run the "
                         "pre-sign-up trigger, so every sign-up would be accepted",
                         hint="run `residency verify --users` against `target: aws`; the trigger's rules are "
                              "tested in tests/handlers")
    if config.domain is not None and config.global_.routing != "geolocation":
        raise UsageError("verify evaluates geolocation routing: with `routing: latency` Route 53 answers by the "
                         "client's network, not by country")
    route53, emulated = route53_client(config, paths)
    found, altered = _routing(config, route53, emulated)
    health = _region_health(config, emulated)
    proven = _users(config, paths, mirror, progress) if users else None
    return Verification(config.target, config.domain is not None, emulated, found, altered, health, proven,
                        round(time.monotonic() - started, 1))


def _routing(config: Config, route53: Any, emulated: bool) -> tuple[list[CountryAnswer], dict[str, str]]:
    """Each country's answer as the deployed records evaluate (on AWS beside Route 53's own DNS answer), and the
    regions whose health check is not as deployed (inverted or disabled)."""
    from residency.flows.dns_answer_proof import cross_checked, dns_answers
    from residency.flows.routing_proof import answers, read_routing

    if config.domain is None:
        return [], {}
    view = read_routing(config, route53, emulated=emulated)
    found = answers(config, view)
    if emulated:  # the emulator has no DNS-answer test
        return found, view.altered_checks
    return (cross_checked(config, found, dns_answers(config, route53, [answer.country for answer in found])),
            view.altered_checks)


def _users(config: Config, paths: ProjectPaths, mirror: str | None, progress: Progress) -> UsersReport:
    """The throwaway sign-ups of every region; on any exit, what could not be deleted is named."""
    from residency.flows.user_placement_proof import (
        UsersReport,
        prove_users,
        read_pools,
        release_through_reconciler,
    )

    pools = read_pools(config, paths, mirror=mirror, progress=progress)
    report = UsersReport()
    try:
        return prove_users(config, pools, regional_clients("cognito-idp"), progress=progress, report=report,
                           release_claims=release_through_reconciler(config.project, regional_clients("lambda")))
    except BaseException:
        for line in report.left_behind():
            progress(f"not deleted: {line}")
        raise


def regional_clients(service: str) -> Callable[[str], Any]:
    """A client of `service` per region, with the standard credentials (AWS only: see verify's --users)."""
    from residency.flows.region_data import service_client

    clients: dict[str, Any] = {}

    def client_for(region: str) -> Any:
        if region not in clients:
            clients[region] = service_client(service, region, None)
        return clients[region]

    return client_for


def route53_client(config: Config, paths: ProjectPaths) -> tuple[Any, bool]:
    """A Route 53 client for where the deployment is: the local emulator, or AWS with the standard credentials;
    and whether it is the emulator."""
    from residency.flows.region_data import service_client

    if not config.profile.uses_emulator:
        return service_client("route53", ROUTE53_REGION, None), False
    from residency.local.emulator import Emulator

    status = Emulator(paths).status()
    if not status.running or status.record is None:
        raise ResidencyError("the local target's emulator is not running: nothing is deployed to verify",
                             hint="residency apply --all")
    return service_client("route53", ROUTE53_REGION, status.record.url), True


def _region_health(config: Config, emulated: bool) -> list[dict[str, Any]]:
    """Each region's GET /health through its own name (`<region>.<domain>`); on the local target the emulator
    cannot run the function behind it, so it is not called."""
    found = []
    for region in config.regions:
        if emulated:
            found.append({"region": region, "ok": True, "checked": False,
                          "detail": "not called: the emulator cannot invoke Lambda"})
        elif config.domain is None:
            found.append({"region": region, "ok": True, "checked": False,
                          "detail": "not called: no `domain`, so no stable name to call"})
        else:
            found.append(health_of(region, f"https://{naming.region_api_host(region, config.domain)}/health"))
    return found


def health_of(region: str, url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_SECONDS) as response:  # noqa: S310 - https only
            body = json.loads(response.read() or b"{}")
            ok = response.status == 200 and body.get("region") == region
            detail = f"{response.status} from {url}" + ("" if ok else f", answered for {body.get('region')!r}")
    except (urllib.error.URLError, OSError, ValueError) as error:
        ok, detail = False, f"{url}: {error}"
    return {"region": region, "ok": ok, "checked": True, "detail": detail}


@dataclass(frozen=True)
class DrillResult:
    report: DrillReport
    report_file: Path

    @property
    def exit_code(self) -> ExitCode:
        report = self.report
        return ExitCode.VIOLATION if report.violations else ExitCode.OK if report.passed else ExitCode.FAILED

    def as_json(self) -> dict[str, Any]:
        return {**self.report.as_json(), "exit_code": int(self.exit_code), "report": str(self.report_file)}


def drill(config: Config, paths: ProjectPaths, progress: Progress, region: str, *, hold: float, timeout: float,
          report_file: Path | None) -> DrillResult:
    """Invert `region`'s health check for a bounded time, prove where its countries are answered, restore it (also
    on Ctrl-C); the report is written whatever happens."""
    failover = drillable(config, region)
    route53, emulated = route53_client(config, paths)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = DrillReport(region, failover, config.regions[region].jurisdiction, stamp)
    path = report_file or paths.work / "drills" / f"{region}-{stamp}.json"
    try:
        run_drill(config, route53, region, emulated=emulated, hold_seconds=hold, timeout_seconds=timeout,
                  progress=progress, report=report, markers=paths.unfinished_drills)
    finally:
        write_atomically(path, json.dumps(report.as_json(), indent=2) + "\n")
        progress(f"drill report: {path}")
    return DrillResult(report, path)


@dataclass(frozen=True)
class Restoration:
    regions: list[str]  # whose health check was to be put back; none when no drill was left unfinished
    not_restored: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FAILED if self.not_restored else ExitCode.OK


def restore_drills(config: Config, paths: ProjectPaths, progress: Progress, regions: list[str]) -> Restoration:
    """Put back the health checks of `regions` (none named: of every drill that did not finish)."""
    unknown = [region for region in regions if region not in config.regions]
    if unknown:
        raise UsageError(f"{unknown[0]} is not a region of regions.yaml", hint=f"one of {', '.join(config.regions)}")
    if config.domain is None:
        raise UsageError("regions.yaml sets no `domain`: there is no health check to restore")
    regions = regions or paths.unfinished_drill_regions()
    if not regions:
        return Restoration([])
    route53, emulated = route53_client(config, paths)
    return Restoration(regions, restore_unfinished(config, route53, regions, emulated=emulated,
                                                   markers=paths.unfinished_drills, progress=progress))
