"""The one table of AWS commercial regions: where each region is, by jurisdiction and city."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class AwsRegion:
    code: str
    jurisdiction: str
    city: str


_ROWS: tuple[tuple[str, str, str], ...] = (
    ("us-east-1", "US", "N. Virginia"),
    ("us-east-2", "US", "Ohio"),
    ("us-west-1", "US", "N. California"),
    ("us-west-2", "US", "Oregon"),
    ("ca-central-1", "CA", "Montreal"),
    ("ca-west-1", "CA", "Calgary"),
    ("mx-central-1", "MX", "Querétaro"),
    ("sa-east-1", "BR", "São Paulo"),
    ("eu-central-1", "EU", "Frankfurt"),
    ("eu-west-1", "EU", "Ireland"),
    ("eu-west-3", "EU", "Paris"),
    ("eu-north-1", "EU", "Stockholm"),
    ("eu-south-1", "EU", "Milan"),
    ("eu-south-2", "EU", "Spain"),
    ("eu-west-2", "UK", "London"),
    ("eu-central-2", "CH", "Zurich"),
    ("af-south-1", "ZA", "Cape Town"),
    ("me-south-1", "BH", "Bahrain"),
    ("me-central-1", "AE", "UAE"),
    ("il-central-1", "IL", "Tel Aviv"),
    ("ap-south-1", "IN", "Mumbai"),
    ("ap-south-2", "IN", "Hyderabad"),
    ("ap-east-1", "HK", "Hong Kong"),
    ("ap-east-2", "TW", "Taipei"),
    ("ap-northeast-1", "JP", "Tokyo"),
    ("ap-northeast-3", "JP", "Osaka"),
    ("ap-northeast-2", "KR", "Seoul"),
    ("ap-southeast-1", "SG", "Singapore"),
    ("ap-southeast-3", "ID", "Jakarta"),
    ("ap-southeast-5", "MY", "Malaysia"),
    ("ap-southeast-7", "TH", "Thailand"),
    ("ap-southeast-2", "AU", "Sydney"),
    ("ap-southeast-4", "AU", "Melbourne"),
    ("ap-southeast-6", "NZ", "Auckland"),
)

REGIONS: Mapping[str, AwsRegion] = MappingProxyType(
    {code: AwsRegion(code, jurisdiction, city) for code, jurisdiction, city in _ROWS}
)

JURISDICTIONS: tuple[str, ...] = tuple(sorted({region.jurisdiction for region in REGIONS.values()}))


def region_jurisdiction(code: str) -> str | None:
    """The jurisdiction an AWS region is in; None for a code that names no commercial region."""
    known = REGIONS.get(code)
    return known.jurisdiction if known is not None else None
