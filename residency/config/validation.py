"""Cross-field rules over a schema-valid Config, each failure a Problem at its exact location."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from residency import naming
from residency.config.aws_regions import JURISDICTIONS, REGIONS
from residency.config.countries import COMMON_MISTAKES, COUNTRY_CODES
from residency.config.model import (
    ALERTS_DEFAULT_KEY,
    COUNTRY_GROUPS,
    EXCEPTION_REASON_MIN,
    EXCEPTION_RULE_PATTERN,
    PROJECT_PATTERN,
    Config,
    GuardException,
)
from residency.config.yaml_source import LineMap, Location, format_location
from residency.errors import Problem

RESERVED_TAG_KEYS = ("project", "workspace", "jurisdiction", "managed-by")
_TAG_PUNCTUATION = " _.:/=+-@"
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_PROJECT_RULES = "use 3-24 lowercase letters, digits and '-', starting with a letter"


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to word: same letters in another case, then one typo away, then difflib's best."""
    options = list(choices)
    lowered = word.lower()
    by_lower = {option.lower(): option for option in options}
    if lowered in by_lower:
        return by_lower[lowered]
    typos = sorted((_typo_distance(lowered, option.lower()), option) for option in options)
    if typos and typos[0][0] <= max(1, len(word) // 5):
        return typos[0][1]
    matches = difflib.get_close_matches(lowered, options, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) between a and b; difflib misses swaps."""
    previous, current = list(range(len(b) + 1)), [0] * (len(b) + 1)
    before_previous: list[int] = []
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before_previous[j - 2] + 1)
        before_previous, previous = previous, current
    return previous[len(b)]


def suggest(word: str, choices: Iterable[str]) -> str | None:
    match = did_you_mean(word, choices)
    return f"did you mean {match!r}?" if match is not None and match != word else None


class _Report:
    def __init__(self, lines: LineMap | None) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, location: Location, message: str, hint: str | None = None, *, key: bool = False) -> None:
        line = self.lines.line(location, key=key) if self.lines is not None else None
        self.problems.append(Problem(line, format_location(location), message, hint))


def _ci(config: Config, report: _Report) -> None:
    """An apply role is named for a listed region, a jurisdiction in use, or `global`; nothing else."""
    known = {*config.regions, *config.jurisdictions, naming.GLOBAL_WORKSPACE}
    for key in config.ci.apply_roles:
        if key not in known:
            report.add(("ci", "apply_roles", key), f"{key!r} is not a listed region, a jurisdiction of one, or "
                       "'global'", suggest(key, known) or f"one of {', '.join(sorted(known))}", key=True)


def _organization_scp(config: Config, report: _Report) -> None:
    """The SCP lets only the apply roles of the regions invoke or change the functions: a region without one would
    have functions nobody may change."""
    if not config.organization_scp:
        return
    unnamed = [code for code, region in config.regions.items()
               if config.ci.apply_role_for(code, region.jurisdiction) is None]
    if unnamed:
        report.add(("organization_scp",), "the SCP lets only the roles that apply the regions invoke or change their "
                   f"functions, and none is named for {', '.join(unnamed)}",
                   "name it in ci.apply_role (or ci.apply_roles by region or jurisdiction); if you apply from a "
                   "workstation, name the role you apply with")


def _features(config: Config, report: _Report) -> None:
    """Overrides name listed regions or jurisdictions in use, and only flags `defaults` has, of the same type."""
    features = config.features
    if features is None:
        return
    for section, keys in (("jurisdictions", config.jurisdictions), ("regions", tuple(config.regions))):
        overrides = getattr(features, section)
        for key, flags in overrides.items():
            if key not in keys:
                what = "a jurisdiction of a listed region" if section == "jurisdictions" else "a listed region"
                report.add(("features", section, key), f"{key!r} is not {what}",
                           suggest(key, keys) or f"one of {', '.join(keys)}", key=True)
            for name, value in flags.items():
                location = ("features", section, key, name)
                if name not in features.defaults:
                    report.add(location, f"flag {name!r} has no default: every flag is declared in "
                               "features.defaults", suggest(name, features.defaults) or
                               f"add `{name}: ...` to features.defaults", key=True)
                elif type(value) is not type(features.defaults[name]):
                    kinds = {bool: "true or false", int: "a whole number", str: "a text"}
                    report.add(location, f"flag {name!r} takes {kinds[type(features.defaults[name])]} (its default "
                               f"is {json.dumps(features.defaults[name])}), not {json.dumps(value)}")


def _alerts(config: Config, report: _Report) -> None:
    """Addresses are given for listed regions, jurisdictions in use or `default`; every region has someone."""
    if config.alerts is None:
        return
    known = {*config.regions, *config.jurisdictions, naming.GLOBAL_WORKSPACE, ALERTS_DEFAULT_KEY}
    for key in config.alerts.email:
        if key not in known:
            report.add(("alerts", "email", key), f"{key!r} is not a listed region, a jurisdiction of one, "
                       f"{naming.GLOBAL_WORKSPACE!r} or {ALERTS_DEFAULT_KEY!r}",
                       suggest(key, known) or f"one of {', '.join(sorted(known))}", key=True)
    unheard = [code for code, region in config.regions.items()
               if not config.alerts.addresses_for(code, region.jurisdiction)]
    if config.directory_replica_regions and config.profile.directory_replicas and \
            not config.alerts.addresses_for(naming.GLOBAL_WORKSPACE, naming.GLOBAL_JURISDICTION):
        unheard.append(f"{naming.GLOBAL_WORKSPACE} (the directory replicas' lag)")
    if unheard:
        report.add(("alerts", "email"), f"no operator address for {', '.join(unheard)}: its alarms would reach no one",
                   f"add `{ALERTS_DEFAULT_KEY}: [oncall@example.com]`, or an entry for its jurisdiction")


def _audit(config: Config, report: _Report) -> None:
    """An audit home is a listed region of the jurisdiction it is named for: the bucket never leaves it."""
    if config.audit is None:
        return
    for jurisdiction, region in config.audit.home.items():
        if jurisdiction not in config.jurisdictions:
            report.add(("audit", "home", jurisdiction), f"{jurisdiction!r} is not the jurisdiction of a listed region",
                       suggest(jurisdiction, config.jurisdictions) or
                       f"one of {', '.join(config.jurisdictions)}", key=True)
        elif region not in config.regions:
            report.add(("audit", "home", jurisdiction), f"{region!r} is not a listed region",
                       suggest(region, config.regions) or f"one of {', '.join(config.regions)}")
        elif config.regions[region].jurisdiction != jurisdiction:
            report.add(("audit", "home", jurisdiction),
                       f"{region} is in {config.regions[region].jurisdiction}, not {jurisdiction}: the "
                       f"{jurisdiction} audit trail would leave its jurisdiction",
                       "name a region of " + ", ".join(code for code, r in config.regions.items()
                                                       if r.jurisdiction == jurisdiction))


def check_rules(config: Config, lines: LineMap | None = None) -> list[Problem]:
    """Every rule DESIGN.md lists beyond the schema; lines (from the YAML) place the problems."""
    report = _Report(lines)
    for rule in _RULES:
        rule(config, report)
    return report.problems


def _region_codes(config: Config, report: _Report) -> None:
    for code in config.regions:
        if code not in REGIONS:
            report.add(("regions", code), f"unknown AWS region {code!r}", _region_hint(code), key=True)
    if config.global_.region not in REGIONS:
        region = config.global_.region
        report.add(("global", "region"), f"unknown AWS region {region!r}", _region_hint(region))


def _region_hint(code: str) -> str:
    return suggest(code, REGIONS) or "expected an AWS commercial region code such as eu-central-1 or us-east-1"


def _jurisdictions(config: Config, report: _Report) -> None:
    for code, region in config.regions.items():
        real = REGIONS.get(code)
        if real is not None and region.jurisdiction != real.jurisdiction:
            report.add(
                ("regions", code, "jurisdiction"),
                f"{code} ({real.city}) is in jurisdiction {real.jurisdiction}, not {region.jurisdiction}",
                f"jurisdiction: {real.jurisdiction}",
            )


def _countries(config: Config, report: _Report) -> None:
    first_seen: dict[str, tuple[str, int]] = {}
    for code, region in config.regions.items():
        for index, country in enumerate(region.countries):
            location = ("regions", code, "countries", index)
            own_group = country == config.jurisdiction_of(code)
            if country in COUNTRY_GROUPS and (country not in COUNTRY_CODES or own_group):
                _country_group(config, code, index, country, report, first_seen)
                continue
            if country not in COUNTRY_CODES:
                report.add(location, f"{country!r} is not an ISO 3166-1 alpha-2 country code", _country_hint(country))
            if country not in first_seen:
                first_seen[country] = (code, index)
                continue
            other, other_index = first_seen[country]
            if other == code:
                message = f"country {country!r} is listed twice in {code} (also at countries[{other_index}])"
                report.add(location, message, "remove one of them")
            else:
                message = f"country {country!r} is already in region {other}; a country belongs to at most one region"
                report.add(location, message, f"remove {country} from {other} or from {code}")


def _country_group(config: Config, code: str, index: int, group: str, report: _Report,
                   first_seen: dict[str, tuple[str, int]]) -> None:
    """A jurisdiction's name stands for its members: only under a region of that jurisdiction, and only once."""
    location = ("regions", code, "countries", index)
    jurisdiction = config.jurisdiction_of(code)
    if group != jurisdiction:
        report.add(location, f"{group} stands for the countries of jurisdiction {group}, but {code} is in "
                   f"{jurisdiction}: their users' data would leave {group}",
                   f"list {group} under a region of {group}, or list countries by code")
        return
    if group in first_seen:
        other, _ = first_seen[group]
        if group in COUNTRY_CODES:  # US, AU, NZ: the country itself is listed twice
            report.add(location, f"country {group!r} is already in region {other}; a country belongs to at most one "
                       "region", f"remove {group} from {other} or from {code}")
        else:
            report.add(location, f"{group} is already listed by {other}; its members can go to one region only",
                       f"keep {group} in one region and list the other region's countries by code")
        return
    first_seen[group] = (code, index)


def _country_hint(country: str) -> str:
    upper = country.strip().upper()
    if upper in COMMON_MISTAKES:
        correction = COMMON_MISTAKES[upper]
        return f"use {correction.code}: {correction.reason}"
    if upper in COUNTRY_CODES:
        return f"country codes are uppercase: {upper}"
    return "use the two-letter ISO 3166-1 code, e.g. DE, FR, US"


def _defaults(config: Config, report: _Report) -> None:
    defaults = [code for code, region in config.regions.items() if region.default]
    if len(defaults) > 1:
        report.add(
            ("regions", defaults[1], "default"),
            f"several regions have default: true ({', '.join(defaults)}); exactly one may",
            "keep default: true on one region only",
        )
    elif not defaults and config.global_.routing == "geolocation":
        report.add(
            ("regions",),
            "no region has default: true; under geolocation routing exactly one region "
            "takes users from unlisted countries",
            _default_hint(config),
            key=True,
        )


def _default_hint(config: Config) -> str:
    known = [code for code in config.regions if code in REGIONS]
    return f"add default: true to one region, e.g. {known[0]}" if known else "add default: true to one region"


def _failover(config: Config, report: _Report) -> None:
    for code, region in config.regions.items():
        if region.failover is not None:
            problem = _failover_problem(config, code, region.failover)
            if problem is not None:
                report.add(("regions", code, "failover"), *problem)


def _failover_problem(config: Config, code: str, target: str) -> tuple[str, str] | None:
    own = config.jurisdiction_of(code)
    same = [other for other in config.regions if other != code and config.jurisdiction_of(other) == own]
    alternative = (
        f"failover: {same[0]}" if same else f"list another {own} region and fail over to it, or remove failover"
    )
    if target == code:
        return "a region cannot fail over to itself", alternative
    if target not in config.regions:
        if target in REGIONS:
            hint = f"add {target} (jurisdiction {REGIONS[target].jurisdiction}) under regions, or remove failover"
        else:
            hint = suggest(target, [other for other in config.regions if other != code]) or _region_hint(target)
        return f"failover region {target!r} is not listed under regions", hint
    theirs = config.jurisdiction_of(target)
    if theirs != own:
        message = (
            f"failover region {target} is in jurisdiction {theirs}, but {code} is in {own}; "
            "failover must stay in the same jurisdiction"
        )
        return message, alternative
    return None


def _project(config: Config, report: _Report) -> None:
    name = config.project
    reason = _project_reason(name)
    if reason is not None:
        fixed = _project_suggestion(name)
        hint = f"project: {fixed}" if fixed is not None else _PROJECT_RULES
        report.add(("project",), f"project name {name!r} {reason}", hint)


def _project_reason(name: str) -> str | None:
    if len(name) < 3:
        return "is too short (3-24 characters)"
    if len(name) > 24:
        return "is too long (3-24 characters)"
    if not re.fullmatch(r"[a-z0-9-]+", name):
        return "may only contain lowercase letters, digits and '-'"
    if not name[0].isalpha():
        return "must start with a letter"
    if name.endswith("-"):
        return "must not end with '-'"
    return None


def _project_suggestion(name: str) -> str | None:
    fixed = re.sub(r"[^a-z0-9-]+", "-", name.strip().lower())
    fixed = re.sub(r"^[^a-z]+", "", fixed)[:24].rstrip("-")
    return fixed if fixed != name and re.fullmatch(PROJECT_PATTERN, fixed) else None


def _domain(config: Config, report: _Report) -> None:
    domain = config.domain
    if domain is None:
        return
    reason = _domain_reason(domain)
    if reason is not None:
        fixed = _domain_suggestion(domain)
        hint = f"domain: {fixed}" if fixed is not None else "write a bare domain name such as example.com"
        report.add(("domain",), f"domain {domain!r} {reason}", hint)


def _domain_reason(domain: str) -> str | None:
    if "://" in domain:
        return "must be a bare domain name, without a scheme"
    if any(char in domain for char in "/?#:"):
        return "must be a bare domain name, without a path or port"
    if domain.endswith("."):
        return "must not end with a dot"
    if domain != domain.lower():
        return "must be lowercase"
    labels = domain.split(".")
    if len(labels) < 2:
        return "needs at least two labels, e.g. example.com"
    if len(domain) > 253:
        return "is longer than 253 characters"
    for label in labels:
        if not label:
            return "has an empty label (two dots in a row?)"
        if len(label) > 63:
            return f"has a label longer than 63 characters ({label[:20]}...)"
        if not _LABEL.match(label):
            return f"has an invalid label {label!r}: use letters, digits and '-', not at either end"
    if labels[-1].isdigit():
        return "looks like an IP address; use a domain name"
    return None


def _domain_suggestion(domain: str) -> str | None:
    fixed = domain.strip().lower().split("://", 1)[-1]
    fixed = re.split(r"[/?#:]", fixed, maxsplit=1)[0].rstrip(".")
    try:
        fixed = fixed.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return fixed if fixed != domain and _domain_reason(fixed) is None else None


def _state(config: Config, report: _Report) -> None:
    for problem in config.state.problems(config.project, config.state_regions):
        report.add(("state", problem.field), problem.message, problem.hint, key=problem.at_key)


def _tags(config: Config, report: _Report) -> None:
    for key, value in config.tags.items():
        problem = _tag_key_problem(key)
        if problem is not None:
            report.add(("tags", key), *problem, key=True)
        if len(value) > 256:
            report.add(("tags", key), f"tag value is {len(value)} characters long; AWS allows at most 256")
        elif not _tag_text_ok(value):
            report.add(("tags", key), f"tag value {value!r} has characters AWS does not allow", _TAG_CHARS_HINT)


_TAG_CHARS_HINT = "use letters, digits, spaces and + - = . _ : / @"


def _tag_key_problem(key: str) -> tuple[str, str | None] | None:
    if not 1 <= len(key) <= 128:
        return f"tag key must be 1-128 characters, not {len(key)}", None
    if key.lower().startswith("aws:"):
        return f"tag key {key!r} uses the aws: prefix, which AWS keeps for itself", "choose another key"
    if key.lower() in RESERVED_TAG_KEYS:
        return (
            f"tag key {key!r} is reserved: residency sets it on every resource",
            "choose another key; residency sets project, workspace, jurisdiction and managed-by itself",
        )
    if not _tag_text_ok(key):
        return f"tag key {key!r} has characters AWS does not allow", _TAG_CHARS_HINT
    return None


def _tag_text_ok(text: str) -> bool:
    return all(char.isalnum() or char in _TAG_PUNCTUATION for char in text)


def _directory(config: Config, report: _Report) -> None:
    wanted = config.directory.replicate_to
    if isinstance(wanted, str):
        return
    jurisdictions = {region.jurisdiction for region in config.regions.values()}
    for index, entry in enumerate(wanted):
        if entry in config.regions or entry in jurisdictions:
            continue
        choices = [*config.regions, *sorted(jurisdictions)]
        hint = suggest(entry, choices) or f"use listed region codes or jurisdictions: {', '.join(choices)}"
        report.add(("directory", "replicate_to", index),
                   f"{entry!r} is neither a listed region nor the jurisdiction of one", hint)


def today() -> date:
    return datetime.now(UTC).date()


def _exceptions(config: Config, report: _Report) -> None:
    for index, exception in enumerate(config.exceptions):
        here = ("exceptions", index)
        if not re.fullmatch(EXCEPTION_RULE_PATTERN, exception.rule):
            report.add((*here, "rule"), f"{exception.rule!r} is not a rule id", "rule ids look like RES002")
        _exception_workspaces(config, exception, here, report)
        if not exception.destination.strip():
            report.add((*here, "destination"), "the destination is empty", "copy it from `check`'s finding (after ->)")
        reason = exception.reason.strip()
        if len(reason) < EXCEPTION_REASON_MIN:
            report.add((*here, "reason"), f"the reason is {len(reason)} characters; an exception needs a reason "
                       f"of at least {EXCEPTION_REASON_MIN}", "say who accepted the risk and why")
        try:
            expires = date.fromisoformat(exception.expires)
        except ValueError:
            report.add((*here, "expires"), f"{exception.expires!r} is not a date", "write expires: YYYY-MM-DD")
            continue
        if expires < today():
            report.add((*here, "expires"), f"the exception for {exception.rule} on {exception.resource} expired "
                       f"on {expires.isoformat()}", "review it: fix the resource, or renew with a new expiry date")


def _exception_workspaces(config: Config, exception: GuardException, here: Location, report: _Report) -> None:
    """Each workspace an exception covers is named: one `workspace`, or a `workspaces` list, never both or none."""
    if (exception.workspace is None) == (not exception.workspaces):
        report.add(here, "an exception names the workspace it was reviewed for: `workspace: eu-central-1`, or "
                   "`workspaces: [..]` for several" if exception.workspace is None else
                   "an exception has `workspace` or `workspaces`, not both",
                   "an address is the same in every region, so an exception without one would excuse them all",
                   key=True)
        return
    key = "workspace" if exception.workspace is not None else "workspaces"
    for position, workspace in enumerate(exception.covered_workspaces):
        if workspace not in config.workspaces:
            hint = suggest(workspace, config.workspaces) or f"one of {', '.join(config.workspaces)}"
            location = (*here, key) if key == "workspace" else (*here, key, position)
            report.add(location, f"{workspace!r} is not a workspace", hint)


def _is_public_suffix(name: str) -> bool:
    """`co.uk`, `github.io`, `cloudfront.net`: suffixes under which anyone registers names (the public suffix
    list, its private part included)."""
    return _suffix_list().publicsuffix(name.lower(), accept_unknown=False) == name.lower()


@lru_cache(maxsize=1)
def _suffix_list() -> Any:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def _processors(config: Config, report: _Report) -> None:
    seen: set[str] = set()
    for index, processor in enumerate(config.processors):
        here = ("processors", index)
        if processor.name in seen:
            report.add((*here, "name"), f"processor {processor.name!r} is listed twice", "give each a unique name")
        seen.add(processor.name)
        if processor.jurisdiction not in JURISDICTIONS:
            report.add((*here, "jurisdiction"), f"{processor.jurisdiction!r} is not a jurisdiction residency knows",
                       suggest(processor.jurisdiction, JURISDICTIONS) or f"one of {', '.join(JURISDICTIONS)}")
        for position, pattern in enumerate(processor.hosts):
            if _is_public_suffix(pattern.removeprefix("*.")):
                report.add((*here, "hosts", position), f"{pattern!r} names a public suffix: anyone can own a name "
                           "under it, so it cannot stand for one processor", "list the processor's own host names")
        for position, region in enumerate(processor.regions):
            if region not in config.regions:
                report.add((*here, "regions", position), f"{region!r} is not a listed region",
                           suggest(region, config.regions) or f"one of {', '.join(config.regions)}")
            elif config.jurisdiction_of(region) != processor.jurisdiction:
                report.add((*here, "regions", position), f"{region} is in {config.jurisdiction_of(region)}, but "
                           f"{processor.name} processes in {processor.jurisdiction}: using it from there is a "
                           "transfer, not a processor of the region", "list only regions of its jurisdiction")


_RULES: tuple[Callable[[Config, _Report], None], ...] = (
    _project,
    _domain,
    _state,
    _region_codes,
    _jurisdictions,
    _countries,
    _defaults,
    _failover,
    _directory,
    _exceptions,
    _processors,
    _tags,
    _ci,
    _organization_scp,
    _alerts,
    _features,
    _audit,
)
