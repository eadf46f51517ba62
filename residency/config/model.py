"""The shape of regions.yaml as frozen, strict pydantic models (cross-field rules live in validation.py)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, NoReturn, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StrictStr,
)

from residency import naming
from residency.config.aws_regions import JURISDICTIONS, REGIONS, region_jurisdiction
from residency.config.countries import COUNTRY_CODES
from residency.config.country_membership import GROUP_COUNTRIES
from residency.config.state import DEFAULT_STATE, StateConfig
from residency.target import TargetProfile, profile_for

K = TypeVar("K")
V = TypeVar("V")

PROJECT_PATTERN = r"^[a-z][a-z0-9-]{1,22}[a-z0-9]$"
# Jurisdiction names a region's `countries` may list for all the countries their law covers (under a region of
# that jurisdiction).
COUNTRY_GROUPS: tuple[str, ...] = tuple(sorted(GROUP_COUNTRIES))  # EU, UK: not country codes


class FrozenDict(dict[K, V]):
    """A dict that refuses changes, so the frozen models stay immutable and hashable."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(self.items()))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))

    def __copy__(self) -> FrozenDict[K, V]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> FrozenDict[K, V]:
        return type(self)(copy.deepcopy(dict(self), memo))


def _freeze(value: Mapping[K, V]) -> FrozenDict[K, V]:
    return FrozenDict(value)


def _strict(title: str | None = None) -> ConfigDict:
    return ConfigDict(
        frozen=True, extra="forbid", strict=True, validate_by_alias=True, serialize_by_alias=True, title=title
    )


def _enum(values: Iterable[str]) -> list[JsonValue]:
    return [value for value in sorted(values)]


class GlobalConfig(BaseModel):
    """The global workspace: DNS routing and the optional static frontend."""

    model_config = _strict()

    region: str = Field(
        default="us-east-1",
        description="home of the global workspace (CloudFront and its certificate need us-east-1)",
        json_schema_extra={"enum": _enum(REGIONS)},
    )
    routing: Literal["geolocation", "latency"] = Field(default="geolocation", description="geolocation | latency")
    frontend: bool = Field(default=False, description="CloudFront + private S3 static site")


class RegionConfig(BaseModel):
    """One AWS region and the countries whose data it keeps."""

    model_config = _strict()

    jurisdiction: str = Field(
        description="the jurisdiction the region really is in (EU, UK, CH, US, ...)",
        json_schema_extra={"enum": _enum(JURISDICTIONS)},
    )
    countries: Annotated[tuple[str, ...], Field(strict=False)] = Field(
        default=(),
        description="ISO 3166-1 alpha-2 codes; a country belongs to at most one region. EU (under an EU region) "
                    "and UK (under a UK region) stand for every country their law covers that no other region lists",
        json_schema_extra={"items": {"type": "string", "enum": _enum({*COUNTRY_CODES, *COUNTRY_GROUPS})},
                           "uniqueItems": True},
    )
    failover: str | None = Field(default=None, description="another listed region in the same jurisdiction")
    default: bool = Field(
        default=False, description="takes users from unlisted countries (exactly one region, geolocation)"
    )


def _replication_choice(value: Any) -> str | tuple[str, ...]:
    if value in ("all", "none"):
        return str(value)
    if isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError("expected all, none or a list of region codes and jurisdictions")


def _distinct_versions(versions: tuple[int, ...]) -> tuple[int, ...]:
    if len(set(versions)) != len(versions) or any(not 1 <= version <= 99 for version in versions):
        raise ValueError("key versions are distinct whole numbers from 1 to 99, the current one first")
    return versions


class DirectoryConfig(BaseModel):
    """The residency directory (pseudonymous user key -> home region) and where copies of it may live."""

    model_config = _strict()

    replicate_to: Annotated[str | tuple[str, ...], BeforeValidator(_replication_choice)] = Field(
        default="all",
        json_schema_extra={"anyOf": [{"enum": ["all", "none"]}, {"type": "array", "items": {"type": "string"}}]},
        description="where directory replicas may live: all (every listed region), none (only the global "
                    "region), or a list of listed region codes and/or jurisdictions, e.g. [EU]",
    )
    pending_claim_hours: int = Field(
        default=1, ge=1, le=168,
        description="how long (1-168 hours) an unconfirmed sign-up holds its address against sign-ups in other "
                    "regions; after that it blocks nobody (confirming later still works: it overrides pending "
                    "claims), so the default is short",
    )
    key_versions: Annotated[tuple[int, ...], Field(strict=False, min_length=1, max_length=4),
                            AfterValidator(_distinct_versions)] = Field(
        default=(1,),
        description="the directory's HMAC keys, the current one first: users are looked up under each and "
                    "moved to the current one as they sign in (add a version at the front to rotate)",
        json_schema_extra={"items": {"type": "integer", "minimum": 1, "maximum": 99}, "uniqueItems": True},
    )


class IdentityConfig(BaseModel):
    """How each region's user pool signs people in, and what protects it from abuse."""

    model_config = _strict()

    mfa: Literal["off", "optional", "required"] = Field(
        default="optional", description="TOTP (authenticator app) MFA: off | optional (each user may turn it on) "
                                        "| required")
    threat_protection: Literal["off", "audit", "enforced"] = Field(
        default="off", description="Cognito threat protection (compromised credentials, risky sign-ins): off | "
                                   "audit | enforced; audit and enforced use the Plus tier, which AWS bills per user")
    password_min_length: int = Field(default=12, ge=8, le=99, description="minimum password length (8-99); "
                                     "upper and lower case letters, a digit and a symbol are always required")


class LimitsConfig(BaseModel):
    """Rate limits of each region's API and of the front end, and the concurrency the functions may take."""

    model_config = _strict()

    api_rate: int = Field(default=100, ge=1, le=10000,
                          description="requests per second each region's API accepts (steady rate)")
    api_burst: int = Field(default=200, ge=1, le=5000, description="requests each region's API accepts at once")
    frontend_requests_per_ip: int = Field(
        default=1000, ge=10, le=2_000_000_000,
        description="with global.frontend: requests one address may send the front end in five minutes before "
                    "its WAF blocks it (AWS WAF's rate-based rule; 10 at least)")
    function_concurrency: int | None = Field(
        default=10, ge=1, le=1000,
        description="reserved concurrency of each sign-up/sign-in trigger and of the API function, which is "
                    "also the most of them that run at once; null for none (accounts still at AWS's default "
                    "quota of 10 cannot reserve any)")


# `package.module:callable`, the module importable from the directory of regions.yaml.
_DOTTED_NAME = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
EXTENSION_PATTERN = f"^{_DOTTED_NAME}:{_DOTTED_NAME}$"


def _extension_reference(value: str) -> str:
    if not re.fullmatch(EXTENSION_PATTERN, value):
        raise ValueError(f"{value!r} is not `module:callable` (e.g. billing.infra:region_resources: the module "
                         "importable from the directory of regions.yaml, then the callable in it)")
    return value


ExtensionReference = Annotated[str, AfterValidator(_extension_reference),
                               Field(json_schema_extra={"pattern": EXTENSION_PATTERN})]


class ExtensionsConfig(BaseModel):
    """The team's own constructs, added to every region workspace and to the global one."""

    model_config = _strict()

    region: Annotated[tuple[ExtensionReference, ...], Field(strict=False)] = Field(
        default=(), description="`module:callable` entries, each called as callable(scope, context) once in every "
                                "region workspace (context: residency.stacks.extensions.RegionContext)")
    global_: Annotated[tuple[ExtensionReference, ...], Field(strict=False)] = Field(
        default=(), alias="global", description="`module:callable` entries, each called once in the global "
                                                "workspace (context: residency.stacks.extensions.GlobalContext)")

    @property
    def any(self) -> bool:
        return bool(self.region or self.global_)


FLAG_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
FlagName = Annotated[str, Field(pattern=FLAG_NAME_PATTERN)]
# A flag is on/off, a number or a short text; strict, so that `true` never becomes 1 nor "1" a number.
FlagValue = Annotated[StrictBool | StrictInt | Annotated[StrictStr, Field(max_length=256)],
                      Field(union_mode="left_to_right")]
FlagSet = Annotated[Mapping[FlagName, FlagValue], AfterValidator(_freeze)]


class FeaturesConfig(BaseModel):
    """Per-region feature flags (AWS AppConfig): local requirements as configuration, not per-region code."""

    model_config = _strict()

    defaults: FlagSet = Field(default={}, validate_default=True,
                              description="every flag and its value where nothing overrides it")
    jurisdictions: Annotated[Mapping[str, FlagSet], AfterValidator(_freeze)] = Field(
        default={}, validate_default=True, description="overrides by jurisdiction (EU: {new_checkout: false})")
    regions: Annotated[Mapping[str, FlagSet], AfterValidator(_freeze)] = Field(
        default={}, validate_default=True, description="overrides by region code, over its jurisdiction's")

    def for_region(self, region: str, jurisdiction: str) -> dict[str, bool | int | str]:
        return {**self.defaults, **self.jurisdictions.get(jurisdiction, {}), **self.regions.get(region, {})}


EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
ALERTS_DEFAULT_KEY = "default"
def _operator_address(value: str) -> str:
    if not re.fullmatch(EMAIL_PATTERN, value) or len(value) > 254:
        raise ValueError(f"{value!r} is not an email address (e.g. oncall@example.com)")
    return value


OperatorAddress = Annotated[str, AfterValidator(_operator_address), Field(json_schema_extra={"pattern": EMAIL_PATTERN})]


class AlertsConfig(BaseModel):
    """CloudWatch alarms in every region, sent to the region's own encrypted SNS topic, which emails the
    operators named here. Operator addresses are configuration, not user data: the residency rules accept an
    email subscription to exactly these addresses on exactly that topic, and nothing else."""

    model_config = _strict()

    email: Annotated[Mapping[str, Annotated[tuple[OperatorAddress, ...], Field(strict=False)]],
                     AfterValidator(_freeze)] = Field(
        default={}, validate_default=True,
        description="operator addresses by region code, jurisdiction, `global` (the directory's alarms) or "
                    "`default` (a region's own list wins over its jurisdiction's, which wins over the default)")
    api_latency_ms: int = Field(default=3000, ge=100, le=30000,
                                description="the API's p99 latency (over 5 minutes) that raises the latency alarm")
    replication_latency_ms: int = Field(
        default=1000, ge=100, le=600000,
        description="the directory replicas' average replication lag (over 15 minutes) that raises their alarm, "
                    "sent to the `global` operators (on AWS, where there are replicas)")

    def addresses_for(self, region: str, jurisdiction: str) -> tuple[str, ...]:
        return self.email.get(region) or self.email.get(jurisdiction) or self.email.get(ALERTS_DEFAULT_KEY) or ()


AUDIT_RETENTION_DEFAULT_DAYS = 365
ObjectLock = Literal["off", "governance", "compliance"]


class AuditConfig(BaseModel):
    """CloudTrail management events of every region, delivered to one bucket per jurisdiction, in it."""

    model_config = _strict()

    retention_days: int = Field(
        default=AUDIT_RETENTION_DEFAULT_DAYS, ge=1, le=3650,
        description="days a log file is kept (a deleted or overwritten one too, as an old version), then expired")
    home: Annotated[Mapping[str, str], AfterValidator(_freeze)] = Field(
        default={}, validate_default=True,
        description="jurisdiction -> the listed region of it that keeps its audit bucket (default: its first region "
                    "in regions.yaml)")
    break_glass_role: IamRole | None = Field(
        default=None,
        description="the one role that may delete the log files' versions and change the buckets' lifecycle, "
                    "versioning and Object Lock (also an apply that changes retention_days or object_lock); "
                    "unset: nobody may")
    object_lock: ObjectLock = Field(
        default="off",
        description="S3 Object Lock of the audit buckets, retention_days long: governance (the break-glass role "
                    "may bypass it) or compliance (nobody may, and `region retire` of an audit home waits for it)")


def _audit_switch(value: object) -> object:
    """`audit: true` turns it on with the defaults; `audit: false` is the same as leaving it out."""
    if value is True:
        return {}
    return None if value is False else value


IAM_ROLE_PATTERN = r"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"
ENVIRONMENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$"
# A container image by its content digest (a tag may move): registry/path[:tag]@sha256:<64 hex>.
IMAGE_BY_DIGEST_PATTERN = r"^[a-z0-9][a-z0-9._/:-]{0,200}@sha256:[0-9a-f]{64}$"
# What pipelines may `pip install`: an exact version, a git commit, an archive with its sha256, or a
# directory of the repository. Never a bare name or a range: a job holding the apply role installs it.
# The grammar has no shell or expression metacharacter (`$`, backticks, quotes, braces, `;`, `|`, spaces but the
# ` @ ` of a direct reference): a rendered file quotes it for the shell as well, never trusting either alone.
_URL_PATH = r"[A-Za-z0-9._~%+/:-]+"
_PINNED_INSTALL = re.compile(
    r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+-]*"
    rf"|[A-Za-z0-9][A-Za-z0-9._-]* @ git\+https://{_URL_PATH}@[0-9a-f]{{40}}"
    rf"|[A-Za-z0-9][A-Za-z0-9._-]* @ https://{_URL_PATH}#sha256=[0-9a-f]{{64}}"
    r"|\.(?:/[A-Za-z0-9._/-]*)?)$")
_NOT_IN_AN_INSTALL = re.compile(r"[$`'\"\\{}();|&*?!\[\]\s]")  # (`<`, `>` of a range: "not pinned")
IamRole = Annotated[str, Field(pattern=IAM_ROLE_PATTERN)]


def pinned_install(value: str) -> str:
    unsafe = sorted(set(_NOT_IN_AN_INSTALL.findall(value.replace(" @ ", "@", 1))))
    if unsafe:
        raise ValueError(f"{value!r} holds {' '.join(repr(c) for c in unsafe)}: a pipeline's install spec is a "
                         "package version, a URL or a path, never shell or workflow-expression syntax")
    if not _PINNED_INSTALL.match(value):
        raise ValueError(
            f"{value!r} is not pinned: pipelines install it in jobs that hold the apply role. Use an exact "
            "version (residency==0.2.0), a git commit (residency @ git+https://host/org/residency@<40-hex sha>), "
            "an archive with its hash (residency @ https://host/residency.whl#sha256=<64 hex>), or a directory "
            "of this repository (./tools/residency)")
    if value.startswith(".") and ".." in value.split("/"):
        raise ValueError(f"{value!r} leaves the repository: name a directory inside it")
    return value


class CiConfig(BaseModel):
    """How the rendered pipelines install residency and reach AWS (`residency ci render`)."""

    model_config = _strict()

    install: Annotated[str | None, AfterValidator(lambda v: v if v is None else pinned_install(v))] = Field(
        default=None, description="what the jobs `pip install`, pinned; default: the repository itself when it "
                                  "contains residency (`.`)")
    plan_role: IamRole | None = Field(
        default=None, description="aws target: the read-only role pull-request plans and drift checks assume (OIDC)")
    apply_role: IamRole | None = Field(
        default=None, description="aws target: the role applies assume (OIDC), unless apply_roles names another")
    apply_roles: Annotated[Mapping[str, IamRole], AfterValidator(_freeze)] = Field(
        default={}, validate_default=True,
        description="apply roles by region code, jurisdiction or `global`: each workspace's apply job assumes "
                    "its own (a region's code wins over its jurisdiction)")
    image: str | None = Field(
        default=None, pattern=IMAGE_BY_DIGEST_PATTERN,
        description="GitLab: the jobs' image by digest (python:3.11-trixie@sha256:<64 hex>, with Node 20 for jsii); "
                    "default: python:3.11-trixie by tag")
    environment: str = Field(
        default="production", pattern=ENVIRONMENT_PATTERN,
        description="the apply jobs' environments are this + '-' + the jurisdiction (production-eu) or 'global': "
                    "require reviewers there, and approvals follow jurisdictions")

    def apply_role_for(self, workspace: str, jurisdiction: str) -> str | None:
        return self.apply_roles.get(workspace) or self.apply_roles.get(jurisdiction) or self.apply_role


EXCEPTION_RULE_PATTERN = r"^RES[0-9]{3}$"
EXCEPTION_REASON_MIN = 20


class GuardException(BaseModel):
    """A reviewed, expiring exception to one residency rule, for one destination of one resource, in the
    workspaces it names: exactly what was reviewed, nothing beside it."""

    model_config = _strict()

    rule: str = Field(description="the rule id, e.g. RES002", json_schema_extra={"pattern": EXCEPTION_RULE_PATTERN})
    resource: str = Field(description="the resource address as `check` reports it, e.g. aws_s3_bucket.logs")
    workspace: str | None = Field(default=None, description="the workspace (region code or global); this or "
                                                            "`workspaces` is required")
    workspaces: Annotated[tuple[str, ...], Field(strict=False)] = Field(
        default=(), description="several workspaces, each named (instead of `workspace`)")
    destination: str = Field(description="what the finding reaches, as `check` reports it after `->`: a host, a "
                                         "region, an ARN, a processor or a country; other findings of the resource "
                                         "are still reported")
    reason: str = Field(description=f"why this is acceptable; at least {EXCEPTION_REASON_MIN} characters",
                        json_schema_extra={"minLength": EXCEPTION_REASON_MIN})
    expires: str = Field(description="YYYY-MM-DD; an expired exception is an error",
                         json_schema_extra={"format": "date"})

    @property
    def covered_workspaces(self) -> tuple[str, ...]:
        return (self.workspace,) if self.workspace is not None else self.workspaces

    def matches(self, rule: str, workspace: str, address: str, reaches: tuple[str, ...]) -> bool:
        """Whether this excuses a finding: same rule, address and workspace, and it names what the finding reaches
        (its destination, or the value that names it: an ARN, a URL's host)."""
        wanted = self.destination.strip().lower()
        return (self.rule == rule and self.resource == address and workspace in self.covered_workspaces
                and any(wanted == reached.strip().lower() for reached in reaches))


PROCESSOR_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
HOST_PATTERN = r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$"


HostPattern = Annotated[str, Field(pattern=HOST_PATTERN)]


class Processor(BaseModel):
    """An outside service personal data may reach (a GDPR sub-processor): where it processes, and what for."""

    model_config = _strict()

    name: str = Field(description="a short unique name, e.g. datadog-eu", pattern=PROCESSOR_NAME_PATTERN)
    hosts: Annotated[tuple[HostPattern, ...], Field(strict=False, min_length=1)] = Field(
        description="its host names, lowercase; `*.example.com` is any name under example.com")
    jurisdiction: str = Field(description="the jurisdiction where it processes the data",
                              json_schema_extra={"enum": _enum(JURISDICTIONS)})
    purpose: str = Field(min_length=5, description="what it does with the data (shown in the sub-processor list)")
    regions: Annotated[tuple[str, ...], Field(strict=False)] = Field(
        default=(), description="only these listed regions (of its jurisdiction) may use it; all of them if left out")

    def serves(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:]))
                   for pattern in self.hosts)


class Config(BaseModel):
    """A valid regions.yaml."""

    model_config = _strict("regions.yaml")

    project: str = Field(
        description="3-24 chars, lowercase letters, digits, '-'; prefixes every resource name",
        json_schema_extra={"pattern": PROJECT_PATTERN},
    )
    target: Literal["local", "aws"] = Field(
        default="local", description="local (embedded AWS emulator) | aws (a real account, standard credential chain)"
    )
    domain: str | None = Field(
        default=None, description="enables Route 53 records, ACM certificates, custom API domains"
    )
    state: StateConfig = Field(default=DEFAULT_STATE, description="where Terraform state lives")
    global_: GlobalConfig = Field(default=GlobalConfig(), alias="global", description="the global workspace")
    regions: Annotated[Mapping[str, RegionConfig], AfterValidator(_freeze)] = Field(
        min_length=1,
        description="AWS region code -> settings; at least one",
        json_schema_extra={"propertyNames": {"enum": _enum(REGIONS)}},
    )
    directory: DirectoryConfig = Field(default=DirectoryConfig(), description="the residency directory")
    extensions: ExtensionsConfig = Field(
        default=ExtensionsConfig(), description="your own constructs in every region workspace and in global")
    identity: IdentityConfig = Field(default=IdentityConfig(), description="sign-in settings of the user pools")
    limits: LimitsConfig = Field(default=LimitsConfig(), description="abuse limits of the regions' APIs and functions")
    exceptions: Annotated[tuple[GuardException, ...], Field(strict=False)] = Field(
        default=(), description="reviewed, expiring exceptions to residency rules (`residency check`)"
    )
    processors: Annotated[tuple[Processor, ...], Field(strict=False)] = Field(
        default=(), description="outside services personal data may reach, and where they process it (the "
                                "sub-processor list); a host no processor or known site covers is a violation")
    organization_scp: bool = Field(
        default=False, description="also write cdktf.out/organization-scp.json, an SCP that keeps every account "
                                   "in the governed regions (checked by `residency check`)")
    tags: Annotated[Mapping[str, str], AfterValidator(_freeze)] = Field(
        default={}, validate_default=True, description="extra tags for every resource"
    )
    ci: CiConfig = Field(default=CiConfig(), description="the rendered pipelines: install spec and AWS roles")
    features: FeaturesConfig | None = Field(
        default=None, description="per-region feature flags, served by AWS AppConfig (see README, Feature flags)")
    alerts: AlertsConfig | None = Field(
        default=None, description="alarms in every region, emailed to operators (off unless set; see README, Alerts)")
    audit: Annotated[AuditConfig | None, BeforeValidator(_audit_switch)] = Field(
        default=None, description="`true` or settings: an audit trail per jurisdiction (CloudTrail; see README, Audit "
                                  "trail)",
        json_schema_extra=lambda schema: schema["anyOf"].insert(0, {"type": "boolean"}))  # type: ignore[index,union-attr]
    tracing: bool = Field(
        default=False, description="X-Ray tracing of the regions' functions, traces encrypted with the region's key")

    def local_limitations(self) -> tuple[str, ...]:
        """What the local target leaves out or changes for this configuration (nothing on `aws`)."""
        uses = {"": True, "frontend": self.global_.frontend, "domain": self.domain is not None,
                "directory_replicas": bool(self.directory_replica_regions), "features": self.features is not None,
                "tracing": self.tracing}
        return tuple(limitation.text for limitation in self.profile.limitations if uses.get(limitation.when, True))

    def countries_of(self, region: str) -> tuple[str, ...]:
        """The countries a region serves: its codes, and for a jurisdiction's name (EU) the members that no
        other region lists by code."""
        return self.served_countries.get(region, ())

    @cached_property
    def served_countries(self) -> dict[str, tuple[str, ...]]:
        """Region -> the countries it serves, expanded (see countries_of)."""
        served: dict[str, tuple[str, ...]] = {}
        for region, settings in self.regions.items():
            listed_elsewhere = {country for code, other in self.regions.items() if code != region
                                for country in other.countries}
            found: dict[str, None] = {}
            for entry in settings.countries:
                if entry in GROUP_COUNTRIES and entry == settings.jurisdiction:
                    found.update((country, None) for country in GROUP_COUNTRIES[entry]
                                 if country not in listed_elsewhere)
                else:
                    found[entry] = None
            served[region] = tuple(found)
        return served

    def region_of_country(self, country: str) -> str | None:
        """The listed region that serves a country (None: the default region takes it)."""
        return next((code for code, countries in self.served_countries.items() if country in countries), None)

    @property
    def function_deployers(self) -> tuple[str, ...]:
        """The distinct apply roles of the region workspaces (where the functions are), sorted: with
        `organization_scp`, the only principals that may invoke or change the project's functions."""
        return tuple(sorted({role for code, region in self.regions.items()
                             if (role := self.ci.apply_role_for(code, region.jurisdiction)) is not None}))

    @property
    def region_codes(self) -> tuple[str, ...]:
        """Region codes in file order."""
        return tuple(self.regions)

    @property
    def default_region(self) -> str | None:
        """The region that takes users from unlisted countries, if one is marked default."""
        return next((code for code, region in self.regions.items() if region.default), None)

    @property
    def jurisdictions(self) -> tuple[str, ...]:
        """The distinct jurisdictions of the listed regions, sorted."""
        return tuple(sorted({region.jurisdiction for region in self.regions.values()}))

    def jurisdiction_of(self, workspace: str) -> str:
        """A workspace's jurisdiction: its region's as AWS places it (as written, for a code AWS does not know,
        which validation reports), or `global`'s."""
        if workspace == naming.GLOBAL_WORKSPACE:
            return naming.GLOBAL_JURISDICTION
        return region_jurisdiction(workspace) or self.regions[workspace].jurisdiction

    def audit_home(self, jurisdiction: str) -> str | None:
        """The region that keeps the jurisdiction's audit bucket (None without `audit`)."""
        if self.audit is None:
            return None
        configured = self.audit.home.get(jurisdiction)
        return configured or next((code for code, region in self.regions.items()
                                   if region.jurisdiction == jurisdiction), None)

    @property
    def directory_replica_regions(self) -> tuple[str, ...]:
        """Listed regions, other than the global one, that hold a directory replica (in file order)."""
        wanted = self.directory.replicate_to
        if wanted == "none":
            return ()
        candidates = [code for code in self.regions if code != self.global_.region]
        if wanted == "all":
            return tuple(candidates)
        return tuple(code for code in candidates
                     if code in wanted or self.regions[code].jurisdiction in wanted)

    @property
    def state_regions(self) -> tuple[str, ...]:
        """Regions that keep Terraform state: the listed ones in file order, then global's if not listed."""
        return tuple(dict.fromkeys((*self.region_codes, self.global_.region)))

    @property
    def profile(self) -> TargetProfile:
        """What the target changes: the one place residency tells the emulator from AWS."""
        return profile_for(self.target)

    def state_location(self, workspace: str) -> str:
        """Where the workspace's Terraform state is kept (a bootstrap workspace's too), as a person looks for it."""
        region = self.workspace_region(workspace.removeprefix(naming.BOOTSTRAP_WORKSPACE_PREFIX))
        return self.state.location(self.project, workspace, region)

    def workspace_region(self, workspace: str) -> str:
        return self.global_.region if workspace == naming.GLOBAL_WORKSPACE else workspace

    @property
    def workspaces(self) -> tuple[str, ...]:
        """Terraform workspaces: one per region in file order, then global."""
        return (*self.region_codes, naming.GLOBAL_WORKSPACE)
