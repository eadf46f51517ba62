"""What one region's silo is built from: regions.yaml read once for that region, frozen.

The constructs take this spec rather than a score of scalars, so adding a setting to every silo is one field here
and its use in the construct that needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from residency import naming
from residency.config import Config, StateConfig
from residency.config.model import (
    AlertsConfig,
    DirectoryConfig,
    FeaturesConfig,
    IdentityConfig,
    LimitsConfig,
    ObjectLock,
)
from residency.target import TargetProfile


@dataclass(frozen=True)
class AuditPlacement:
    """Where a region's audit trail goes: its jurisdiction's home region, and every region of that jurisdiction
    (the trails that may write to the home's bucket)."""

    home: str
    regions: tuple[str, ...]
    retention_days: int
    break_glass_role: str | None = None
    object_lock: ObjectLock = "off"


@dataclass(frozen=True)
class RegionSpec:
    project: str
    region: str
    jurisdiction: str
    state: StateConfig
    global_region: str
    directory_copy_region: str  # where its functions read the directory: its own replica, else the global region
    domain: str | None
    extra_tags: Mapping[str, str]
    target: TargetProfile
    identity: IdentityConfig
    limits: LimitsConfig
    directory: DirectoryConfig
    alerts: AlertsConfig | None
    features: FeaturesConfig | None
    audit: AuditPlacement | None
    tracing: bool

    @classmethod
    def of(cls, config: Config, code: str) -> RegionSpec:
        target = config.profile
        replicas = config.directory_replica_regions if target.directory_replicas else ()
        return cls(project=config.project, region=code, jurisdiction=config.regions[code].jurisdiction,
                   state=config.state, global_region=config.global_.region,
                   directory_copy_region=code if code in replicas else config.global_.region,
                   domain=config.domain, extra_tags=dict(config.tags), target=target, identity=config.identity,
                   limits=config.limits, directory=config.directory, alerts=config.alerts, features=config.features,
                   audit=_audit_placement(config, code), tracing=config.tracing)

    @property
    def tags(self) -> dict[str, str]:
        return {**self.extra_tags, **naming.standard_tags(self.project, self.region, self.jurisdiction)}

    def name(self, purpose: str) -> str:
        return naming.resource_name(self.project, self.region, purpose)

    def function_name(self, purpose: str) -> str:
        return naming.function_name(self.project, self.region, purpose)


def _audit_placement(config: Config, code: str) -> AuditPlacement | None:
    jurisdiction = config.regions[code].jurisdiction
    home = config.audit_home(jurisdiction)
    if config.audit is None or home is None:
        return None
    return AuditPlacement(home=home, regions=tuple(other for other, region in config.regions.items()
                                                   if region.jurisdiction == jurisdiction),
                          retention_days=config.audit.retention_days,
                          break_glass_role=config.audit.break_glass_role, object_lock=config.audit.object_lock)


@dataclass(frozen=True)
class GlobalSpec:
    """What the global workspace is built from: the directory, its keys and the routing to every region."""

    project: str
    region: str
    state: StateConfig
    replica_regions: tuple[str, ...]  # the directory's replicas
    hmac_regions: tuple[str, ...]  # where the HMAC key has a replica: every listed region but global's own
    user_regions: tuple[str, ...]  # whose functions compute user keys
    key_versions: tuple[int, ...]
    extra_tags: Mapping[str, str]
    target: TargetProfile
    domain: str | None
    routing: str
    frontend: bool
    frontend_requests_per_ip: int
    countries: Mapping[str, tuple[str, ...]]  # region -> the countries it serves
    jurisdictions: Mapping[str, str]  # region -> its jurisdiction
    alerts: AlertsConfig | None

    @classmethod
    def of(cls, config: Config) -> GlobalSpec:
        target = config.profile
        return cls(project=config.project, region=config.global_.region, state=config.state,
                   replica_regions=tuple(config.directory_replica_regions) if target.directory_replicas else (),
                   hmac_regions=tuple(code for code in config.regions if code != config.global_.region),
                   user_regions=tuple(config.regions), key_versions=config.directory.key_versions,
                   extra_tags=dict(config.tags), target=target, domain=config.domain,
                   routing=config.global_.routing, frontend=config.global_.frontend,
                   frontend_requests_per_ip=config.limits.frontend_requests_per_ip,
                   countries={code: tuple(config.countries_of(code)) for code in config.regions},
                   jurisdictions={code: region.jurisdiction for code, region in config.regions.items()},
                   alerts=config.alerts)

    @property
    def tags(self) -> dict[str, str]:
        return {**self.extra_tags,
                **naming.standard_tags(self.project, naming.GLOBAL_WORKSPACE, naming.GLOBAL_JURISDICTION)}

    def name(self, purpose: str) -> str:
        return naming.resource_name(self.project, naming.GLOBAL_WORKSPACE, purpose)
