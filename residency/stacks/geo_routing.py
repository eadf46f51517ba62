"""Route 53 for the global API name: each user to their region, failover only within a jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.data_aws_route53_zone import DataAwsRoute53Zone
from cdktf_cdktf_provider_aws.route53_health_check import Route53HealthCheck
from cdktf_cdktf_provider_aws.route53_record import (
    Route53Record,
    Route53RecordAlias,
    Route53RecordFailoverRoutingPolicy,
    Route53RecordGeolocationRoutingPolicy,
    Route53RecordLatencyRoutingPolicy,
)
from constructs import Construct

from residency import naming

ANY_COUNTRY = "*"  # Route 53's default geolocation location


@dataclass(frozen=True)
class RegionEndpoint:
    """What the global workspace knows of a region: where its API answers, and for whom."""

    region: str
    countries: tuple[str, ...]
    default: bool
    failover: str | None
    target: str  # the regional API Gateway domain behind `api.<domain>` (a cross-stack reference)
    target_zone_id: str


class ApiRouting(Construct):
    def __init__(self, scope: Construct, id_: str, *, domain: str, zone: DataAwsRoute53Zone, routing: str,
                 endpoints: list[RegionEndpoint]) -> None:
        super().__init__(scope, id_)
        self.zone = zone
        self.domain = domain
        self.endpoints = {endpoint.region: endpoint for endpoint in endpoints}
        self.health_checks = {
            endpoint.region: Route53HealthCheck(
                self, f"health-{endpoint.region}",
                fqdn=naming.region_api_host(endpoint.region, domain),
                type="HTTPS",
                port=443,
                resource_path="/health",
                failure_threshold=3,
                request_interval=30,
                tags={"Name": f"{endpoint.region} /health"},
            )
            for endpoint in endpoints
        }
        self.records: list[Route53Record] = []
        self.failover_primaries: dict[str, Route53Record] = {}
        for endpoint in endpoints:
            if endpoint.failover:
                self._failover_pair(endpoint)
            if routing == "latency":
                self._api_record(endpoint, endpoint.region, latency_region=endpoint.region)
                continue
            for country in endpoint.countries:
                self._api_record(endpoint, f"{endpoint.region}-{country}", country=country)
            if endpoint.default:
                self._api_record(endpoint, "default", country=ANY_COUNTRY)

    def _api_record(self, endpoint: RegionEndpoint, set_identifier: str, *, country: str | None = None,
                    latency_region: str | None = None) -> None:
        if endpoint.failover:
            # Through the region's failover pair, which stays inside its jurisdiction.
            alias = Route53RecordAlias(name=self.failover_primaries[endpoint.region].fqdn,
                                       zone_id=self.zone.zone_id, evaluate_target_health=True)
            health_check_id = None
        else:
            alias = Route53RecordAlias(name=endpoint.target, zone_id=endpoint.target_zone_id,
                                       evaluate_target_health=True)
            health_check_id = self.health_checks[endpoint.region].id
        self.records.append(Route53Record(
            self, f"api-{set_identifier}",
            zone_id=self.zone.zone_id,
            name=naming.global_api_host(self.domain),
            type="A",
            set_identifier=set_identifier,
            alias=alias,
            health_check_id=health_check_id,
            geolocation_routing_policy=(
                Route53RecordGeolocationRoutingPolicy(country=country) if country else None),
            latency_routing_policy=(
                Route53RecordLatencyRoutingPolicy(region=latency_region) if latency_region else None),
        ))

    def _failover_pair(self, endpoint: RegionEndpoint) -> None:
        assert endpoint.failover is not None
        for role, serving in (("PRIMARY", endpoint.region), ("SECONDARY", endpoint.failover)):
            target = self.endpoints[serving]
            record = Route53Record(
                self, f"failover-{endpoint.region}-{role.lower()}",
                zone_id=self.zone.zone_id,
                name=naming.failover_host(endpoint.region, self.domain),
                type="A",
                set_identifier=f"{endpoint.region}-{role.lower()}",
                failover_routing_policy=Route53RecordFailoverRoutingPolicy(type=role),
                health_check_id=self.health_checks[serving].id,
                alias=Route53RecordAlias(name=target.target, zone_id=target.target_zone_id,
                                         evaluate_target_health=True),
            )
            self.records.append(record)
            if role == "PRIMARY":
                self.failover_primaries[endpoint.region] = record
