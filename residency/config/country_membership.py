"""Which countries each jurisdiction's law covers: a reviewed table, with its sources.

residency routes a user by country. A country whose jurisdiction has a region in regions.yaml must be
served by one of that jurisdiction's regions; this table says which jurisdiction a country's users
belong to. A country in no row belongs to no jurisdiction residency knows, and may be served anywhere
(the default region takes it).

Choices, documented:
- EU covers the 27 member states, the parts of them that ISO 3166 codes apart (Åland, the French outermost
  regions, Saint-Martin: EU law applies there, TFEU articles 349 and 355) and the EEA states Iceland,
  Liechtenstein and Norway: the GDPR applies there through the EEA Agreement (Decision of the EEA Joint
  Committee No 154/2018), so their users are protected as EU users are. Overseas countries and territories
  (Greenland, the Faroe Islands, New Caledonia, Aruba...) are outside EU law and not listed.
- UK covers Great Britain and Northern Ireland (GB). The Crown Dependencies (Jersey, Guernsey, the Isle of
  Man) and Gibraltar have their own data-protection laws and are not listed.
- US covers the United States and its inhabited territories with ISO codes of their own (Puerto Rico, Guam, the
  US Virgin Islands, American Samoa, the Northern Mariana Islands), where US federal law applies; `US` in
  `countries:` is the country alone, so list the territories a US region serves (or let a US default region
  take them).
- AU and NZ cover their own country. Their external territories are left out: Christmas Island, Cocos and Heard
  Island have no address space of their own (Route 53 cannot tell their users from Australia's), and Norfolk
  Island and Tokelau are a documented gap.
- Every other jurisdiction residency knows covers its own country.

Sources: EU member states, https://european-union.europa.eu/principles-countries-history/eu-countries_en;
outermost regions, https://ec.europa.eu/regional_policy/policy/themes/outermost-regions_en; the EEA and the
GDPR, https://www.efta.int/eea/eea-agreement and https://www.efta.int/Legal-Text/EEA-Agreement-1327 (Annex
XI); UK, https://www.legislation.gov.uk/ukpga/2018/12/contents; US territories,
https://www.doi.gov/oia/islands.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

EU_MEMBER_STATES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
                    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
# Parts of member states with ISO codes of their own, inside the EU (TFEU 349, 355).
EU_TERRITORIES = ("AX", "GF", "GP", "MF", "MQ", "RE", "YT")
EEA_STATES = ("IS", "LI", "NO")

# The United States' inhabited territories, where US federal law applies and which Route 53 geolocates apart.
US_TERRITORIES = ("AS", "GU", "MP", "PR", "VI")

_MEMBERS: dict[str, tuple[str, ...]] = {
    "EU": (*EU_MEMBER_STATES, *EU_TERRITORIES, *EEA_STATES),
    "UK": ("GB",),
    "US": ("US", *US_TERRITORIES),
}
_OWN_COUNTRY = ("CA", "MX", "BR", "CH", "ZA", "BH", "AE", "IL", "IN", "HK", "TW", "JP", "KR", "SG", "ID", "MY", "TH",
                "AU", "NZ")

# The countries whose users each jurisdiction's law protects: a region of the jurisdiction must serve them.
JURISDICTION_COUNTRIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {**_MEMBERS, **{code: (code,) for code in _OWN_COUNTRY}})
# What a jurisdiction's name that is not a country code stands for in `countries:` (under one of its regions).
GROUP_COUNTRIES: Mapping[str, tuple[str, ...]] = MappingProxyType({"EU": _MEMBERS["EU"], "UK": _MEMBERS["UK"]})

COUNTRY_JURISDICTION: Mapping[str, str] = MappingProxyType(
    {country: jurisdiction for jurisdiction, countries in JURISDICTION_COUNTRIES.items() for country in countries})


def jurisdiction_of_country(country: str) -> str | None:
    """The jurisdiction whose law covers a country's users, or None for one residency knows no law of."""
    return COUNTRY_JURISDICTION.get(country)
