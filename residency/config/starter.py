"""The regions.yaml `residency init` writes: commented, for a project and its regions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from residency.config.aws_regions import REGIONS
from residency.config.country_membership import GROUP_COUNTRIES

PROJECT_NAME_LENGTH = (3, 24)
FALLBACK_PROJECT = "my-product"
# The global workspace's home: CloudFront's certificates and Route 53 live in us-east-1.
GLOBAL_REGION = "us-east-1"
# Countries to offer for a region of each jurisdiction when asking (the user edits them).
SUGGESTED_COUNTRIES = {
    "EU": ("IE", "FR", "DE"), "US": ("US",), "AU": ("AU", "NZ"), "CA": ("CA",), "GB": ("GB",), "BR": ("BR",),
    "JP": ("JP",), "IN": ("IN",), "KR": ("KR",), "SG": ("SG",), "CH": ("CH",), "ZA": ("ZA",), "AE": ("AE",),
    "ID": ("ID",), "IL": ("IL",), "BH": ("BH",), "HK": ("HK",), "MX": ("MX",), "MY": ("MY",), "TH": ("TH",),
    "NZ": ("NZ",), "TW": ("TW",),
}


@dataclass(frozen=True)
class StarterRegion:
    code: str
    countries: tuple[str, ...]
    default: bool = False


SAMPLE_REGIONS = (
    StarterRegion("eu-west-1", ("IE", "FR", "DE", "NL")),
    StarterRegion("us-east-1", ("US",), default=True),
    StarterRegion("ap-southeast-2", ("AU", "NZ")),
)


CI_COMMENT = "                     # the pipeline (`residency ci render`): what it installs, the roles it assumes"


@dataclass(frozen=True)
class StarterCi:
    """The pipeline's settings `init` writes (`ci:`), as given; None leaves a key out."""

    install: str | None = None
    plan_role: str | None = None
    apply_role: str | None = None


def project_name_from(directory_name: str) -> str:
    """A valid project name made from a directory's name (lowercase letters, digits and '-')."""
    name = re.sub(r"[^a-z0-9]+", "-", directory_name.lower()).strip("-")[:PROJECT_NAME_LENGTH[1]].strip("-")
    return name if len(name) >= PROJECT_NAME_LENGTH[0] and name[0].isalpha() else FALLBACK_PROJECT


def suggested_countries(region: str) -> tuple[str, ...]:
    known = REGIONS.get(region)
    return SUGGESTED_COUNTRIES.get(known.jurisdiction, ()) if known else ()


def starter_text(project: str, regions: tuple[StarterRegion, ...], target: str = "local",
                 ci: StarterCi = StarterCi(), backend: str = "local") -> str:
    """regions.yaml for `project`: every region's jurisdiction from AWS's table, comments for each key.
    An unknown region code is written as it is (validation names it); so is a bad project name."""
    lines = [
        "# residency: one product in several AWS regions, each user's personal data kept in its jurisdiction.",
        "# Every key is described in residency's README (regions.yaml); `residency schema` prints the JSON",
        "# Schema for editors, and `residency validate` checks this file.",
        f"project: {project}" + _comment(len(project) + 9, "3-24 chars: a-z, 0-9, '-'; prefixes every resource name"),
        f"target: {target}" + _comment(len(target) + 8, "local: the embedded AWS emulator, no account | aws"),
        "# domain: example.com      # optional: route users to their region under this Route 53 zone",
        "state:",
        f"  backend: {backend}" + _comment(len(backend) + 11,
                                            "local (.residency/state) | s3 (a bucket per region) | cloud (HCP)"),
        "global:",
        f"  region: {GLOBAL_REGION}        # the global workspace: the pseudonymous directory and routing",
        "  routing: geolocation     # geolocation | latency",
        "  frontend: false          # true: a CloudFront + private S3 static site",
        "regions:                   # AWS region -> its jurisdiction and the countries whose users live there",
    ]
    grouped: set[str] = set()
    for region in regions:
        known = REGIONS.get(region.code)
        countries = list(region.countries)
        group = known.jurisdiction if known and known.jurisdiction in GROUP_COUNTRIES else None
        note = ""
        if group and group not in grouped and group not in countries:
            countries.append(group)  # its law's other member states come here, not to another jurisdiction's default
            note = _comment(len(", ".join(countries)) + 17, f"{group}: every other {group} country")
        if group:
            grouped.add(group)
        lines += [
            f"  {region.code}:" + (_comment(len(region.code) + 3, known.city) if known else ""),
            f"    jurisdiction: {known.jurisdiction if known else '??'}",
            f"    countries: [{', '.join(countries)}]" + note,
        ]
        if region.default:
            lines.append("    default: true" + _comment(17, "users from unlisted countries land here"))
    lines += ["tags: {}                   # tags on every resource, e.g. {cost-center: cc-42}"]
    lines += _ci_lines(ci)
    return "\n".join([*lines, ""])


def _ci_lines(ci: StarterCi) -> list[str]:
    given = {key: value for key, value in (("install", ci.install), ("plan_role", ci.plan_role),
                                           ("apply_role", ci.apply_role)) if value}
    if not given:
        return [f"# ci:{CI_COMMENT}",
                '#   install: "residency @ git+https://github.com/ORG/residency@<40-hex commit>"  # always pinned',
                "#   plan_role: arn:aws:iam::<account>:role/residency-plan    # aws: read-only, plans and drift",
                "#   apply_role: arn:aws:iam::<account>:role/residency-apply  # aws: applies (apply_roles: per region)"]
    return [f"ci:  {CI_COMMENT}",
            *(f"  {key}: {json.dumps(value)}" for key, value in given.items())]


def _comment(width: int, text: str) -> str:
    return " " * max(1, 27 - width) + f"# {text}"
