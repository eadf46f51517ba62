"""Route 53's answer per country, read from record sets as deployed (moto's Route 53, in process) and evaluated
the way Route 53 answers; and the drill that takes a region out and puts it back."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from residency.config import load_config
from residency.errors import UsageError
from residency.flows.failover_drill import DrillClock, DrillReport, drill, drillable, restore_unfinished
from residency.flows.routing_proof import answers, read_routing

CONFIG = """project: acme-dns
domain: example.org
regions:
  eu-central-1: {jurisdiction: EU, countries: [DE, AT], failover: eu-west-1}
  eu-west-1: {jurisdiction: EU, countries: [IE]}
  us-east-1: {jurisdiction: US, countries: [US], default: true}
"""
TARGETS = {region: f"d-{region.replace('-', '')}.execute-api.{region}.amazonaws.com" for region in
           ("eu-central-1", "eu-west-1", "us-east-1")}


@pytest.fixture
def config(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "regions.yaml").write_text(CONFIG)
    return load_config(tmp_path / "regions.yaml")


class Deployed:
    """Record sets laid out as the global workspace deploys them (geo_routing.py)."""

    def __init__(self) -> None:
        self.route53 = boto3.client("route53", region_name="us-east-1")
        self.zone = self.route53.create_hosted_zone(Name="example.org", CallerReference="t")["HostedZone"]["Id"]
        self.checks = {region: self.route53.create_health_check(CallerReference=region, HealthCheckConfig={
            "Type": "HTTPS", "FullyQualifiedDomainName": f"{region}.example.org", "Port": 443,
            "ResourcePath": "/health"})["HealthCheck"]["Id"] for region in TARGETS}
        changes = [self.record(f"{region}.example.org", TARGETS[region]) for region in TARGETS]
        for role, region in (("PRIMARY", "eu-central-1"), ("SECONDARY", "eu-west-1")):
            changes.append(self.record("eu-central-1.failover.example.org", TARGETS[region],
                                       SetIdentifier=f"eu-central-1-{role.lower()}", Failover=role,
                                       HealthCheckId=self.checks[region]))
        for country in ("DE", "AT"):
            changes.append(self.record("api.example.org", "eu-central-1.failover.example.org",
                                       SetIdentifier=f"eu-central-1-{country}", GeoLocation={"CountryCode": country}))
        changes.append(self.geo("IE", "eu-west-1"))
        changes.append(self.geo("US", "us-east-1"))
        changes.append(self.geo("*", "us-east-1", identifier="default"))
        self.change(changes)
        self.initial = changes

    def record(self, name: str, target: str, **more: Any) -> dict[str, Any]:
        return {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": name, "Type": "A", **more,
            "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": target, "EvaluateTargetHealth": True}}}

    def geo(self, country: str, region: str, identifier: str | None = None, target: str | None = None) \
            -> dict[str, Any]:
        return self.record("api.example.org", target or TARGETS[region], SetIdentifier=identifier or
                           f"{region}-{country}", GeoLocation={"CountryCode": country},
                           HealthCheckId=self.checks[region])

    def change(self, changes: list[dict[str, Any]]) -> None:
        self.route53.change_resource_record_sets(HostedZoneId=self.zone, ChangeBatch={"Changes": changes})

    def invert(self, region: str, inverted: bool = True) -> None:
        self.route53.update_health_check(HealthCheckId=self.checks[region], Inverted=inverted)


@pytest.fixture
def deployed(monkeypatch) -> Iterator[Deployed]:  # type: ignore[no-untyped-def]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield Deployed()


def answered(config, deployed) -> dict[str, tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    return {a.country: (a.answered, a.reason) for a in answers(config, read_routing(config, deployed.route53,
                                                                                     emulated=True))}


def test_every_country_is_answered_by_its_region(config, deployed):
    assert answered(config, deployed) == {"DE": ("eu-central-1", None), "AT": ("eu-central-1", None),
                                          "IE": ("eu-west-1", None), "US": ("us-east-1", None),
                                          "*": ("us-east-1", None)}


def test_a_region_taken_out_fails_over_inside_its_jurisdiction(config, deployed):
    deployed.invert("eu-central-1")
    found = answered(config, deployed)
    assert found["DE"] == ("eu-west-1", None) and found["AT"] == ("eu-west-1", None)  # its EU failover: fine


def test_a_region_without_failover_falls_to_the_default_record_abroad_and_that_is_named(config, deployed):
    deployed.invert("eu-west-1")
    assert answered(config, deployed)["IE"] == ("us-east-1", "answered by us-east-1 (US), outside EU")


def test_a_record_pointing_a_country_abroad_or_nowhere_known_is_a_violation(config, deployed):
    deployed.change([deployed.geo("IE", "eu-west-1", target=TARGETS["us-east-1"])])
    assert answered(config, deployed)["IE"] == ("us-east-1", "answered by us-east-1 (US), outside EU")
    deployed.change([deployed.geo("IE", "eu-west-1", target="partner-api.example.net")])
    found = {a.country: a for a in answers(config, read_routing(config, deployed.route53, emulated=True))}
    assert found["IE"].answered == "unknown" and found["IE"].leaves_jurisdiction


def test_a_record_residency_cannot_evaluate_fails_every_answer_closed(config, deployed):
    deployed.change([deployed.record("api.example.org", TARGETS["us-east-1"], SetIdentifier="europe",
                                     GeoLocation={"ContinentCode": "EU"})])
    found = answered(config, deployed)
    assert {answer for answer, _reason in found.values()} == {"unknown"}
    assert "europe: a record by ContinentCode" in str(found["DE"][1])


def test_a_record_of_another_type_for_the_global_name_fails_every_answer_closed(config, deployed):
    """An AAAA record sending IPv6 clients of Ireland abroad: residency writes A records only, so any other
    record for the name may answer anyone, and no country passes."""
    ipv6 = deployed.geo("IE", "eu-west-1", identifier="ie-v6", target=TARGETS["us-east-1"])
    ipv6["ResourceRecordSet"]["Type"] = "AAAA"
    deployed.change([ipv6])
    found = answered(config, deployed)
    assert {answer for answer, _reason in found.values()} == {"unknown"}
    assert "ie-v6: a AAAA record" in str(found["IE"][1])


def test_a_zone_without_the_global_records_says_so(config, deployed):
    deployed.change([{**change, "Action": "DELETE"} for change in deployed.initial
                     if change["ResourceRecordSet"]["Name"] == "api.example.org"])
    assert answered(config, deployed)["IE"] == ("unknown", "Route 53's answer cannot be placed in a listed region "
                                                           "(no record set answers for api.example.org (is global "
                                                           "applied?))")


def test_the_wrong_region_of_the_right_jurisdiction_is_named_too(config, deployed):
    deployed.change([deployed.geo("IE", "eu-west-1", target=TARGETS["eu-central-1"])])
    assert answered(config, deployed)["IE"] == ("eu-central-1", "answered by eu-central-1, not eu-west-1")


class Clock:
    def __init__(self) -> None:
        self.now_value = 0.0

    def now(self) -> float:
        return self.now_value

    def sleep(self, seconds: float) -> None:
        self.now_value += seconds


def test_the_drill_fails_over_holds_and_restores(config, deployed, tmp_path):
    report = DrillReport("eu-central-1", drillable(config, "eu-central-1"), "EU", "now")
    clock = Clock()
    drill(config, deployed.route53, "eu-central-1", emulated=True, hold_seconds=25, timeout_seconds=60,
          progress=lambda text: None, report=report, markers=tmp_path / "markers",
          clock=DrillClock(clock.now, clock.sleep))
    assert report.passed and report.restored and report.violations == [] and report.held_seconds == 25
    assert {row["country"]: row["answered"] for row in report.during}["DE"] == "eu-west-1"
    assert answered(config, deployed)["DE"] == ("eu-central-1", None)  # back


def test_the_drill_restores_the_check_when_it_is_interrupted(config, deployed, tmp_path):
    report = DrillReport("eu-central-1", "eu-west-1", "EU", "now")

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        drill(config, deployed.route53, "eu-central-1", emulated=True, hold_seconds=60, timeout_seconds=60,
              progress=lambda text: None, report=report, markers=tmp_path / "markers",
              clock=DrillClock(lambda: 0.0, interrupt))
    assert report.restored
    check = deployed.route53.get_health_check(HealthCheckId=deployed.checks["eu-central-1"])["HealthCheck"]
    assert check["HealthCheckConfig"]["Inverted"] is False


def test_a_region_without_failover_or_unknown_is_not_drilled(config):
    with pytest.raises(UsageError, match="eu-west-1 has no `failover`"):
        drillable(config, "eu-west-1")
    with pytest.raises(UsageError, match="is not a region of regions.yaml"):
        drillable(config, "ap-south-1")


# --- A drill always restores -----------------------------------------------------------------------

def inverted(deployed: Deployed, region: str) -> bool:
    check = deployed.route53.get_health_check(HealthCheckId=deployed.checks[region])["HealthCheck"]
    return bool(check["HealthCheckConfig"].get("Inverted"))


class Route53Proxy:
    """The real (moto) client; `on_restore` runs before each call that puts a check back."""

    def __init__(self, route53: Any, on_restore: Any) -> None:
        self._route53, self._on_restore, self.restores = route53, on_restore, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._route53, name)

    def update_health_check(self, **arguments: Any) -> Any:
        if arguments.get("Inverted") is False:
            self.restores += 1
            self._on_restore(self.restores)
        return self._route53.update_health_check(**arguments)


def run_drill(config: Any, route53: Any, markers: Any, sleep: Any, report: DrillReport) -> None:
    """A 60-second hold on a clock that moves only when the drill sleeps (`sleep` runs at each sleep)."""
    clock = Clock()

    def sleeping(seconds: float) -> None:
        sleep(seconds)
        clock.sleep(seconds)

    drill(config, route53, "eu-central-1", emulated=True, hold_seconds=60, timeout_seconds=60,
          progress=lambda text: None, report=report, markers=markers, clock=DrillClock(clock.now, sleeping))


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_the_hold_restores_the_check_and_clears_the_marker(config, deployed, tmp_path, signum):
    """As `residency drill` runs it: the command's own handler turns the signal into an interrupt."""
    from residency.cli.main import _noticing_interrupts

    markers = tmp_path / "markers"
    report = DrillReport("eu-central-1", "eu-west-1", "EU", "now")
    seen: list[bool] = []

    def hold(seconds: float) -> None:
        seen.append((markers / "eu-central-1.json").is_file() and inverted(deployed, "eu-central-1"))
        os.kill(os.getpid(), signum)

    with _noticing_interrupts(), pytest.raises(KeyboardInterrupt):
        run_drill(config, deployed.route53, markers, hold, report)
    assert seen == [True]  # the marker was there while the check was inverted
    assert report.restored and not inverted(deployed, "eu-central-1")
    assert list(markers.iterdir()) == []


def test_a_second_signal_while_the_check_is_restored_waits_for_the_restore(config, deployed, tmp_path):
    """Ctrl-C twice, or a CI cancel: the second one lands while the check is being put back."""
    from residency.cli.main import _noticing_interrupts

    route53 = Route53Proxy(deployed.route53, lambda attempt: os.kill(os.getpid(), signal.SIGTERM))
    report = DrillReport("eu-central-1", "eu-west-1", "EU", "now")
    with _noticing_interrupts(), pytest.raises(KeyboardInterrupt):
        run_drill(config, route53, tmp_path / "markers", lambda seconds: os.kill(os.getpid(), signal.SIGINT),
                  report)
    assert route53.restores == 1 and report.restored and not inverted(deployed, "eu-central-1")
    assert list((tmp_path / "markers").iterdir()) == []


def test_a_failing_restore_is_retried_and_one_that_never_works_leaves_the_marker(config, deployed, tmp_path):
    def fails_twice(attempt: int) -> None:
        if attempt <= 2:
            raise ConnectionError("throttled")

    report = DrillReport("eu-central-1", "eu-west-1", "EU", "now")
    run_drill(config, Route53Proxy(deployed.route53, fails_twice), tmp_path / "markers", lambda s: None, report)
    assert report.restored and report.passed and not inverted(deployed, "eu-central-1")

    def always(attempt: int) -> None:
        raise ConnectionError("the network is gone")

    markers = tmp_path / "markers"
    report = DrillReport("eu-central-1", "eu-west-1", "EU", "later")
    run_drill(config, Route53Proxy(deployed.route53, always), markers, lambda s: None, report)
    assert not report.restored and not report.passed
    assert "still inverted" in " ".join(report.problems)
    assert inverted(deployed, "eu-central-1") and (markers / "eu-central-1.json").is_file()
    view = read_routing(config, deployed.route53, emulated=True)
    assert view.altered_checks == {"eu-central-1": "inverted"}  # what makes `verify` fail (exit 3)

    assert restore_unfinished(config, deployed.route53, ["eu-central-1"], emulated=True, markers=markers,
                              progress=lambda text: None) == []
    assert not inverted(deployed, "eu-central-1") and list(markers.iterdir()) == []
    assert read_routing(config, deployed.route53, emulated=True).altered_checks == {}


def test_a_disabled_check_is_an_altered_one(config, deployed):
    deployed.route53.update_health_check(HealthCheckId=deployed.checks["eu-west-1"], Disabled=True)
    assert read_routing(config, deployed.route53, emulated=True).altered_checks == {"eu-west-1": "disabled"}
