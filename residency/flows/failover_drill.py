"""`residency drill REGION`: take a region out of routing for a bounded time and prove where its users go.

The region's health check is inverted (Route 53 then sees its API as down), the deployed routing is read
until the region's countries are answered by its failover region, in its jurisdiction, and never by a region
elsewhere; it is held so for `hold` seconds, then the check is restored (also on Ctrl-C and on any failure)
and the routing is read until the region answers for its countries again. Every step is timed.

A drill must never leave production changed. Before the check is inverted a marker is written
(`.residency/drills/unfinished/REGION.json`); the restore runs with Ctrl-C, SIGTERM and SIGHUP deferred, and is
retried; the marker is removed only once the check is restored. A drill killed outright leaves the marker:
every later command names it, `residency verify` fails while a check is inverted or disabled, and `drill
--restore` puts the check back and removes the marker.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from residency.errors import ResidencyError, UsageError
from residency.files import WORK_FILE_LIMIT, read_handed_text, write_atomically
from residency.flows.routing_proof import ANY_COUNTRY, CountryAnswer, answers, read_routing
from residency.processes import interrupts_deferred

if TYPE_CHECKING:
    from residency.config import Config

POLL_SECONDS = 10.0
RESTORE_ATTEMPTS = 5
Progress = Callable[[str], None]


@dataclass
class DrillReport:
    region: str
    failover: str
    jurisdiction: str
    started_at: str
    failover_seconds: float | None = None  # from the inversion to the failover region answering
    held_seconds: float = 0.0
    failback_seconds: float | None = None  # from the restoration to the region answering again
    restored: bool = False
    violations: list[str] = field(default_factory=list)  # a country answered outside its jurisdiction
    problems: list[str] = field(default_factory=list)  # what did not happen in time
    during: list[dict[str, object]] = field(default_factory=list)  # the answers while failed over

    @property
    def passed(self) -> bool:
        return self.restored and not self.violations and not self.problems

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "passed": self.passed}


@dataclass(frozen=True)
class DrillClock:
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def drillable(config: Config, region: str) -> str:
    """The region's failover region; UsageError (64) when the region cannot be drilled."""
    if config.domain is None:
        raise UsageError("a drill moves users between regions through Route 53: regions.yaml sets no `domain`")
    if region not in config.regions:
        raise UsageError(f"{region} is not a region of regions.yaml", hint=f"one of {', '.join(config.regions)}")
    failover = config.regions[region].failover
    if failover is None:
        same = [code for code, other in config.regions.items()
                if code != region and other.jurisdiction == config.regions[region].jurisdiction]
        raise UsageError(
            f"{region} has no `failover`: taken out, its users would go to the default record, possibly in "
            "another jurisdiction, so it is not drilled",
            hint=f"set `failover: {same[0]}` for {region} in regions.yaml and apply" if same else
            f"no other region of {config.regions[region].jurisdiction} is listed to fail over to")
    return failover


def drill(config: Config, route53: Any, region: str, *, emulated: bool, hold_seconds: float,
          timeout_seconds: float, progress: Progress, report: DrillReport, markers: Path,
          clock: DrillClock = DrillClock()) -> DrillReport:
    failover = report.failover
    view = read_routing(config, route53, emulated=emulated)
    check_id = view.check_of_region.get(region)
    if check_id is None:
        raise ResidencyError(f"no health check of {region}'s API is deployed: apply global with `domain` first")
    before = [answer for answer in answers(config, view) if not answer.ok]
    if before:
        raise ResidencyError("the routing is wrong before the drill: " + "; ".join(_describe(a) for a in before),
                             hint="run `residency verify`, fix it, then drill")
    countries = set(config.countries_of(region)) | ({ANY_COUNTRY} if config.regions[region].default else set())
    inverted = False
    marker = markers / f"{region}.json"
    try:
        progress(f"drill: {region} taken out of routing (its health check inverted)")
        with interrupts_deferred():  # the marker and the inversion happen together, or not at all
            write_atomically(marker, json.dumps({"region": region, "health_check": check_id,
                                                 "started_at": report.started_at}) + "\n")
            inverted = True  # from here on it may be inverted (a call that fails may still have been done)
            route53.update_health_check(HealthCheckId=check_id, Inverted=True)
        started = clock.now()
        during = _until(config, route53, emulated, countries, failover, timeout_seconds, clock, report)
        if during is None:
            report.problems.append(f"{region}'s countries were not answered by {failover} within "
                                   f"{timeout_seconds:.0f}s")
            return report
        report.failover_seconds = round(clock.now() - started, 1)
        progress(f"drill: {', '.join(sorted(countries))} answered by {failover} after {report.failover_seconds}s")
        report.during = [answer.as_json() for answer in during]
        held_from = clock.now()
        while clock.now() - held_from < hold_seconds:
            clock.sleep(min(POLL_SECONDS, hold_seconds - (clock.now() - held_from)))
            _record_violations(answers(config, read_routing(config, route53, emulated=emulated)), report)
        report.held_seconds = round(clock.now() - held_from, 1)
    finally:
        if inverted:
            with interrupts_deferred():  # a second Ctrl-C, a CI cancel or a closed terminal waits for this
                report.restored = restore_health_check(route53, check_id, marker, clock, progress)
            progress(f"drill: {region}'s health check restored" if report.restored else
                     f"drill: {region}'s health check could NOT be restored: run `residency drill --restore "
                     f"{region}`")
        else:
            marker.unlink(missing_ok=True)
    if not report.restored:
        report.problems.append(f"{region}'s health check is still inverted")
        return report
    restored_at = clock.now()
    if _until(config, route53, emulated, countries, region, timeout_seconds, clock, report) is None:
        report.problems.append(f"{region} did not answer for its countries again within {timeout_seconds:.0f}s")
    else:
        report.failback_seconds = round(clock.now() - restored_at, 1)
        progress(f"drill: {region} answers for its countries again after {report.failback_seconds}s")
    return report


def restore_health_check(route53: Any, check_id: str, marker: Path, clock: DrillClock,
                         progress: Progress) -> bool:
    """Put the health check back (retried), then remove the drill's marker; False when it could not be done."""
    for attempt in range(1, RESTORE_ATTEMPTS + 1):
        try:
            route53.update_health_check(HealthCheckId=check_id, Inverted=False)
        except Exception as error:  # noqa: BLE001 - any failure of the call is retried, then reported
            progress(f"drill: restoring health check {check_id} failed (attempt {attempt} of {RESTORE_ATTEMPTS}): "
                     f"{error}")
            if attempt < RESTORE_ATTEMPTS:
                clock.sleep(2.0 ** attempt)
            continue
        marker.unlink(missing_ok=True)
        return True
    return False


def restore_unfinished(config: Config, route53: Any, regions: list[str], *, emulated: bool, markers: Path,
                       progress: Progress, clock: DrillClock = DrillClock()) -> list[str]:
    """`drill --restore`: put back the health check of each region of `regions` (whether or not a marker says
    so); the regions that could not be restored."""
    view = read_routing(config, route53, emulated=emulated)
    failed = []
    for region in regions:
        check_id = view.check_of_region.get(region)
        marker = markers / f"{region}.json"
        if check_id is None:
            try:
                check_id = str(json.loads(read_handed_text(marker, WORK_FILE_LIMIT))["health_check"])
            except (OSError, ValueError, KeyError, TypeError):
                progress(f"drill --restore: {region} has no deployed health check and no readable marker")
                failed.append(region)
                continue
        with interrupts_deferred():
            restored = restore_health_check(route53, check_id, marker, clock, progress)
        progress(f"drill --restore: {region}'s health check " + ("restored" if restored else "NOT restored"))
        if not restored:
            failed.append(region)
    return failed


def _until(config: Config, route53: Any, emulated: bool, countries: set[str], region: str, timeout: float,
           clock: DrillClock, report: DrillReport) -> list[CountryAnswer] | None:
    """The answers once every country of `countries` is answered by `region`; None at the timeout."""
    deadline = clock.now() + timeout
    while True:
        found = answers(config, read_routing(config, route53, emulated=emulated))
        _record_violations(found, report)
        if all(answer.answered == region for answer in found if answer.country in countries):
            return found
        if clock.now() >= deadline:
            return None
        clock.sleep(POLL_SECONDS)


def _record_violations(found: list[CountryAnswer], report: DrillReport) -> None:
    for answer in found:
        text = _describe(answer)
        if answer.leaves_jurisdiction and text not in report.violations:
            report.violations.append(text)


def _describe(answer: CountryAnswer) -> str:
    who = "unlisted countries" if answer.country == ANY_COUNTRY else answer.country
    return f"{who}: {answer.reason}"
