"""One IPv4 /24 per country (ISO 3166-1 alpha-2): the client subnet `verify` gives Route 53's DNS-answer test to
stand for a user in that country.

Source: the five RIRs' delegated-*-extended-latest statistics as aggregated by ipverse/country-ip-blocks
(commit 6745bab5f398, 2026-02-01), checked against the network registration records (sub-allocations
included) aggregated by ipverse/geo-ip-blocks (commit c003820fb8bc). Per country: the largest delegated
prefix of /12 or longer (shorter ones, mostly legacy blocks of single organizations that use them anywhere,
only after those) that holds a network the registration records also place in the country, and the first
/24 of the largest such network; for BQ and GF, which have none, the first /24 of the largest prefix.
Generated once by a script that is not kept, nor is its data. Countries with no IPv4 delegation (AQ, BV, CC,
CX, EH, GS, HM, PN, SH, SJ, TF, UM) have no entry: for them Route 53 is not asked, and the answer is `unknown`.

Where addresses are delegated is not always where Route 53's geolocation places them; a disagreement this
causes is reported as one, naming both answers, never passed.
"""

from __future__ import annotations

MASK = 24
# Countries that stand in for every unlisted one (`*`) when regions.yaml lists none of them: large, with
# addresses that geolocation databases agree on. Any other unlisted country of the table follows.
STAND_INS = ("BR", "JP", "AU", "ZA", "IN", "MX", "CA", "KR", "AR", "US", "DE")

SUBNETS: dict[str, str] = {
    "AD": "46.172.224.0", "AE": "94.200.0.0", "AF": "149.54.0.0", "AG": "91.108.40.0", "AI": "204.14.248.0",
    "AL": "46.99.0.0", "AM": "46.71.0.0", "AO": "105.168.0.0", "AR": "181.8.0.0", "AS": "202.70.112.0",
    "AT": "77.116.0.0", "AU": "49.176.0.0", "AW": "201.229.0.0", "AX": "185.84.31.0", "AZ": "5.191.0.0",
    "BA": "31.176.128.0", "BB": "65.48.176.0", "BD": "114.130.0.0", "BE": "109.128.0.0", "BF": "102.178.0.0",
    "BG": "95.42.0.0", "BH": "37.131.0.0", "BI": "154.117.192.0", "BJ": "137.255.0.0", "BL": "23.135.232.0",
    "BM": "196.12.64.0", "BN": "156.31.0.0", "BO": "179.58.0.0", "BQ": "161.0.80.0", "BR": "152.254.0.0",
    "BS": "24.51.64.0", "BT": "119.2.96.0", "BW": "168.167.0.0", "BY": "178.120.0.0", "BZ": "190.197.0.0",
    "CA": "70.64.0.0", "CD": "41.243.0.0", "CF": "197.242.176.0", "CG": "160.113.0.0", "CH": "85.0.0.0",
    "CI": "102.136.0.0", "CK": "202.65.32.0", "CL": "181.72.0.0", "CM": "102.244.0.0", "CN": "1.80.0.0",
    "CO": "181.57.0.0", "CR": "201.192.0.0", "CU": "152.207.0.0", "CV": "165.90.96.0", "CW": "190.88.0.0",
    "CY": "31.153.0.0", "CZ": "85.160.0.0", "DE": "2.160.0.0", "DJ": "197.241.0.0", "DK": "2.104.0.0",
    "DM": "66.118.36.0", "DO": "181.36.0.0", "DZ": "41.96.0.0", "EC": "186.68.0.0", "EE": "90.190.0.0",
    "EG": "41.32.0.0", "ER": "196.200.96.0", "ES": "79.144.0.0", "ET": "196.188.0.0", "FI": "91.152.0.0",
    "FJ": "144.120.0.0", "FK": "80.73.208.0", "FM": "119.252.112.0", "FO": "88.85.32.0", "FR": "37.168.0.0",
    "GA": "41.158.0.0", "GB": "31.78.0.0", "GD": "74.122.88.0", "GE": "31.146.0.0", "GF": "161.22.64.0",
    "GG": "195.226.148.0", "GH": "154.160.0.0", "GI": "85.115.128.0", "GL": "88.83.0.0", "GM": "160.182.0.0",
    "GN": "197.149.192.0", "GP": "93.121.144.0", "GQ": "105.235.224.0", "GR": "94.64.0.0", "GT": "190.56.0.0",
    "GU": "168.123.0.0", "GW": "197.214.80.0", "GY": "190.80.0.0", "HK": "113.252.0.0", "HN": "181.210.0.0",
    "HR": "93.136.0.0", "HT": "186.190.64.0", "HU": "84.0.0.0", "ID": "114.0.0.0", "IE": "87.32.0.0",
    "IL": "79.178.0.0", "IM": "87.254.64.0", "IN": "49.32.0.0", "IO": "203.83.48.0", "IQ": "130.193.128.0",
    "IR": "2.176.0.0", "IS": "82.221.0.0", "IT": "2.32.0.0", "JE": "165.250.0.0", "JM": "72.27.0.0",
    "JO": "176.29.0.0", "JP": "27.80.0.0", "KE": "105.48.0.0", "KG": "158.181.128.0", "KH": "79.109.0.0",
    "KI": "103.250.0.0", "KM": "197.255.224.0", "KN": "198.167.192.0", "KP": "175.45.176.0", "KR": "1.96.0.0",
    "KW": "37.36.0.0", "KY": "148.51.0.0", "KZ": "2.72.0.0", "LA": "115.84.64.0", "LB": "178.135.0.0",
    "LC": "24.92.144.0", "LI": "82.117.0.0", "LK": "112.134.0.0", "LR": "41.86.0.0", "LS": "129.232.0.0",
    "LT": "78.56.0.0", "LU": "158.166.0.0", "LV": "46.109.0.0", "LY": "41.252.0.0", "MA": "105.64.0.0",
    "MC": "88.209.64.0", "MD": "92.115.0.0", "ME": "31.204.192.0", "MF": "204.27.52.0", "MG": "102.16.0.0",
    "MH": "117.103.88.0", "MK": "77.28.0.0", "ML": "154.118.128.0", "MM": "37.111.0.0", "MN": "180.149.64.0",
    "MO": "60.246.0.0", "MP": "202.88.64.0", "MQ": "109.203.240.0", "MR": "41.188.64.0", "MS": "208.90.112.0",
    "MT": "46.11.0.0", "MU": "41.170.0.0", "MV": "27.114.128.0", "MW": "102.70.0.0", "MX": "187.164.0.0",
    "MY": "175.136.0.0", "MZ": "197.218.0.0", "NA": "41.182.0.0", "NC": "101.101.0.0", "NE": "197.214.0.0",
    "NF": "103.43.204.0", "NG": "105.112.0.0", "NI": "165.98.0.0", "NL": "77.160.0.0", "NO": "84.208.0.0",
    "NP": "36.252.0.0", "NR": "203.98.224.0", "NU": "49.156.48.0", "NZ": "122.56.0.0", "OM": "5.36.0.0",
    "PA": "190.32.0.0", "PE": "190.234.0.0", "PF": "123.50.64.0", "PG": "124.240.192.0", "PH": "49.144.0.0",
    "PK": "182.176.0.0", "PL": "89.64.0.0", "PM": "70.36.0.0", "PR": "66.50.192.0", "PS": "188.161.0.0",
    "PT": "85.240.0.0", "PW": "202.124.224.0", "PY": "181.125.0.0", "QA": "37.210.0.0", "RE": "102.35.0.0",
    "RO": "86.120.0.0", "RS": "178.220.0.0", "RU": "5.136.0.0", "RW": "41.186.0.0", "SA": "188.48.0.0",
    "SB": "202.1.160.0", "SC": "45.194.67.0", "SD": "102.120.0.0", "SE": "78.64.0.0", "SG": "8.214.0.0",
    "SI": "188.196.0.0", "SK": "78.98.0.0", "SL": "102.143.0.0", "SM": "89.186.32.0", "SN": "41.82.0.0",
    "SO": "154.115.192.0", "SR": "190.98.32.0", "SS": "105.235.208.0", "ST": "197.159.160.0", "SV": "168.243.8.0",
    "SX": "190.102.8.0", "SY": "5.0.0.0", "SZ": "41.84.224.0", "TC": "65.255.48.0", "TD": "154.68.128.0",
    "TG": "196.168.0.0", "TH": "171.96.0.0", "TJ": "85.9.128.0", "TK": "27.96.24.0", "TL": "180.189.160.0",
    "TM": "95.85.96.0", "TN": "196.224.0.0", "TO": "175.176.144.0", "TR": "85.96.0.0", "TT": "190.213.0.0",
    "TV": "202.2.96.0", "TW": "1.160.0.0", "TZ": "156.156.0.0", "UA": "37.52.0.0", "UG": "102.80.0.0",
    "US": "8.192.0.0", "UY": "179.31.0.0", "UZ": "84.54.64.0", "VA": "212.77.0.0", "VC": "207.191.240.0",
    "VE": "179.23.0.0", "VG": "66.81.192.0", "VI": "146.226.0.0", "VN": "27.64.0.0", "VU": "202.80.32.0",
    "WF": "117.20.32.0", "WS": "202.4.32.0", "YE": "134.35.0.0", "YT": "41.242.116.0", "ZA": "41.112.0.0",
    "ZM": "102.144.0.0", "ZW": "41.85.208.0",
}


def subnet_of(country: str) -> str | None:
    """The address of the country's /24, or None when the table has none."""
    return SUBNETS.get(country)


def stand_in(listed: set[str]) -> str | None:
    """A country of the table that regions.yaml does not list, to stand for the unlisted ones."""
    preferred = [country for country in STAND_INS if country not in listed]
    rest = [country for country in sorted(SUBNETS) if country not in listed]
    return next(iter(preferred + rest), None)
