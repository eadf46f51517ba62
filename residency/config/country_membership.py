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
- Territories with ISO codes of their own where US, Australian or New Zealand law applies (Puerto Rico, Guam,
  the US Virgin Islands, American Samoa, the Northern Mariana Islands, the minor outlying islands; Christmas
  Island, Cocos, Norfolk Island, Heard and McDonald; Tokelau) need not be listed: a default region of another
  jurisdiction may take them (several have no address space Route 53 can tell apart). Listed under a region of
  another jurisdiction, they are a violation like any country of that law.
- Every other jurisdiction residency knows covers its own country.

Sources: EU member states, https://european-union.europa.eu/principles-countries-history/eu-countries_en;
outermost regions, https://ec.europa.eu/regional_policy/policy/themes/outermost-regions_en; the EEA and the
GDPR, https://www.efta.int/eea/eea-agreement and https://www.efta.int/Legal-Text/EEA-Agreement-1327 (Annex
XI); UK, https://www.legislation.gov.uk/ukpga/2018/12/contents; US territories,
https://www.doi.gov/oia/islands; Australia's external territories (Privacy Act 1988, s 5A),
https://www.legislation.gov.au/C2004A03712/latest/text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

EU_MEMBER_STATES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
                    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")
# Parts of member states with ISO codes of their own, inside the EU (TFEU 349, 355).
EU_TERRITORIES = ("AX", "GF", "GP", "MF", "MQ", "RE", "YT")
EEA_STATES = ("IS", "LI", "NO")

# Territories with ISO codes of their own where a jurisdiction's privacy law applies, but which a region's
# countries need not list (a default region of another jurisdiction may take them): listed under another
# jurisdiction's region, they are judged like the jurisdiction's own countries.
TERRITORIES: Mapping[str, str] = MappingProxyType({
    **{code: "US" for code in ("AS", "GU", "MP", "PR", "UM", "VI")},
    **{code: "AU" for code in ("CC", "CX", "HM", "NF")},
    "TK": "NZ",
})

_MEMBERS: dict[str, tuple[str, ...]] = {"EU": (*EU_MEMBER_STATES, *EU_TERRITORIES, *EEA_STATES), "UK": ("GB",)}
_OWN_COUNTRY = ("US", "CA", "MX", "BR", "CH", "ZA", "BH", "AE", "IL", "IN", "HK", "TW", "JP", "KR", "SG", "ID", "MY",
                "TH", "AU", "NZ")

# The countries whose users each jurisdiction's law protects: a region of the jurisdiction must serve them.
JURISDICTION_COUNTRIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {**_MEMBERS, **{code: (code,) for code in _OWN_COUNTRY}})
# What a jurisdiction's name that is not a country code stands for in `countries:` (under one of its regions).
GROUP_COUNTRIES: Mapping[str, tuple[str, ...]] = MappingProxyType(dict(_MEMBERS))

COUNTRY_JURISDICTION: Mapping[str, str] = MappingProxyType(
    {country: jurisdiction for jurisdiction, countries in JURISDICTION_COUNTRIES.items() for country in countries})


def jurisdiction_of_country(country: str) -> str | None:
    """The jurisdiction whose law covers a country's (or a territory's) users; None for one residency knows no law
    of."""
    return COUNTRY_JURISDICTION.get(country) or TERRITORIES.get(country)
