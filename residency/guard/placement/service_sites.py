"""The reviewed table of well-known services' regional sites: which host (or site name) is in which jurisdiction.

Many services run separate sites per region: Datadog's `datadoghq.com` is in the US and `datadoghq.eu` in the EU;
Sentry's `o1.ingest.sentry.io` is in the US and `o1.ingest.de.sentry.io` in the EU. This table lets residency place
such hosts without anyone declaring them, and tell the user which site of their own jurisdiction to use instead.

Every row is reviewed and sourced: `source` is the vendor's page that lists the site and where it stores and
processes data. A site whose location is undocumented, is in none of residency's jurisdictions, or spans several
(a "global" endpoint that may process anywhere) is NOT here, and stays unplaceable: that is the safe default, and
the user declares it (a processor in regions.yaml) if it is fine.

To add a row: find the vendor's page that names the site AND where it processes data; add a `Site` with that page as
`source`, its hosts (exact `api.example.eu`, or `*.example.eu` for any subdomain of it) and the names integrations
write for it without a host (`tokens`); run tests/guard/placement/test_service_sites.py. Prefer exact hosts and
region-labelled wildcards (`*.eu.example.com`) to a wildcard over a whole domain: `*.example.com` would also place
the next region the vendor opens under it (an `ap3.example.com`) in this row's jurisdiction. Where a wildcard is
unavoidable, fence off the other regions' names with `excludes`.

The most specific pattern wins (`o1.ingest.de.sentry.io` is the EU's `*.de.sentry.io`, not the US's
`*.ingest.sentry.io`); a host no row matches, or that two jurisdictions match equally, is unplaceable (None).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from types import MappingProxyType


@dataclass(frozen=True)
class Site:
    service: str  # "Datadog"
    jurisdiction: str  # one of residency's jurisdiction codes (residency.config.aws_regions.JURISDICTIONS)
    hosts: tuple[str, ...]  # exact "datadoghq.eu", or "*.datadoghq.eu" (any subdomain, not the name itself)
    tokens: tuple[str, ...] = ()  # the site's name as integrations write it without a host (DD_SITE=datadoghq.eu)
    source: str = ""  # the vendor's page that lists this site and where it processes data
    note: str = ""
    # Regular expressions (full match, case-insensitive) for hosts a wildcard of this site covers that are NOT this
    # site (another region's, or one the vendor may open later): a host matching one is never placed at this site.
    excludes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteSetting:
    """A setting (environment variable or configuration key) a known integration reads as a site token, not a host."""

    pattern: str  # fnmatch-style, case-insensitive: "DD_SITE", "BIGQUERY_*_LOCATION"
    service: str  # which service's tokens it takes
    source: str


# Sources ----------------------------------------------------------------------------------------------------------

_DATADOG = "https://docs.datadoghq.com/getting_started/site/"
_DATADOG_NOTE = ("Intake hosts are the prefixes on https://docs.datadoghq.com/agent/configuration/network/ under the "
                 "site's domain; browser-intake-* from DataDog/documentation config/_default/params.yaml")
_SENTRY = "https://docs.sentry.io/organization/data-storage-location/"
_SENTRY_NOTE = ("Hosts per https://docs.sentry.io/security-legal-pii/security/ip-ranges/ (o<n>.ingest.sentry.io and "
                "o<n>.us.ingest.sentry.io are the US ingest; EU organizations cannot ingest via sentry.io)")
_NEW_RELIC = "https://docs.newrelic.com/docs/accounts/accounts-billing/account-setup/choose-your-data-center/"
_NEW_RELIC_HOSTS = "Hosts per https://docs.newrelic.com/docs/new-relic-solutions/get-started/networks/"
_HONEYCOMB = "https://docs.honeycomb.io/api/introduction"
_SUMO = "https://www.sumologic.com/help/docs/api/about-apis/getting-started/"
_SUMO_NOTE = "Each deployment's service, api, collectors, collection and open-collectors hosts live under its label"
_LOGZIO = "https://github.com/logzio/logz-docs/blob/master/_source/_data/logzio-regions.yml"
_LOGZIO_NOTE = "Logz.io appends the region suffix to the app, listener and api hosts (none for US East)"
_HONEYBADGER = "https://docs.honeybadger.io/resources/data-residency/"
_MAILGUN = "https://documentation.mailgun.com/docs/mailgun/api-reference/api-overview"
_SENDGRID = "https://www.twilio.com/docs/sendgrid/data-residency/migrate-subusers"
_MANDRILL = "https://mailchimp.com/help/mailchimp-european-data-transfers/"
_MIXPANEL = "https://developer.mixpanel.com/docs/privacy-security"
_MIXPANEL_IN = "https://docs.mixpanel.com/docs/privacy"
_AMPLITUDE = "https://amplitude.com/docs/get-started/create-a-new-account"
_AMPLITUDE_HOSTS = "Hosts per https://amplitude.com/docs/apis/analytics/http-v2 (default region = US)"
_SEGMENT = "https://www.twilio.com/docs/segment/guides/regional-segment"
_POSTHOG = "https://posthog.com/docs/privacy/data-storage"
_BIGQUERY = "https://cloud.google.com/bigquery/docs/locations"
_INTERCOM = "https://developers.intercom.com/building-apps/docs/rest-apis"
_INTERCOM_TOKENS = ("Tokens: IntercomRegion (iOS) and io.intercom.android.sdk.server.region (Android) values, "
                    "https://developers.intercom.com/installing-intercom/android/data-hosting-region-configuration")
_AUTH0 = "https://auth0.com/docs/troubleshoot/customer-support/operational-policies/public-cloud-service-endpoints"
_AUTH0_NOTE = ("Tenant domains {tenant}.<locality>.auth0.com; localities per "
               "https://auth0.com/docs/get-started/auth0-overview/create-tenants. Legacy {tenant}.auth0.com and the "
               "shared manage.auth0.com / auth0.auth0.com are not placed")
_BRAZE = "https://www.braze.com/docs/user_guide/data/infrastructure/data_centers/"
_TWILIO = "https://www.twilio.com/docs/global-infrastructure/regional-product-and-feature-availability"
_TWILIO_NOTE = ("The Region in product.edge.region.twilio.com processes and stores the request's data; without one, "
                "US1 does (https://www.twilio.com/docs/global-infrastructure/using-the-twilio-rest-api-in-a-non-us-region)")
_OPENAI = "https://developers.openai.com/api/docs/guides/data-residency"
_OPENAI_NOTE = ("Regional processing for customer content; system data (account, usage metadata) may be processed "
                "elsewhere. api.openai.com is global and is not placed")

# Sites --------------------------------------------------------------------------------------------------------------

_SERVICE_SITES: tuple[Site, ...] = (
    # Observability ------------------------------------------------------------------------------------------------
    Site("Datadog", "US", (
        "datadoghq.com", "app.datadoghq.com", "api.datadoghq.com", "*.agent.datadoghq.com", "*.logs.datadoghq.com",
        "*.profile.datadoghq.com", "*.synthetics.datadoghq.com", "process.datadoghq.com",
        "orchestrator.datadoghq.com", "config.datadoghq.com", "instrumentation-telemetry-intake.datadoghq.com",
        "llmobs-intake.datadoghq.com", "contimage-intake.datadoghq.com", "contlcycle-intake.datadoghq.com",
        "ndm-intake.datadoghq.com", "snmp-traps-intake.datadoghq.com", "ndmflow-intake.datadoghq.com",
        "netpath-intake.datadoghq.com", "sbom-intake.datadoghq.com", "dbm-metrics-intake.datadoghq.com",
        "dbquery-intake.datadoghq.com", "browser-intake-datadoghq.com"),
        ("datadoghq.com", "US1"), _DATADOG,
        "US1. Only its own hosts are listed: us3./us5./ap1./ap2. are other sites under its domain. " + _DATADOG_NOTE),
    Site("Datadog", "US", ("us3.datadoghq.com", "*.us3.datadoghq.com", "browser-intake-us3-datadoghq.com"),
         ("us3.datadoghq.com", "US3"), _DATADOG, "US3. " + _DATADOG_NOTE),
    Site("Datadog", "US", ("us5.datadoghq.com", "*.us5.datadoghq.com", "browser-intake-us5-datadoghq.com"),
         ("us5.datadoghq.com", "US5"), _DATADOG, "US5. " + _DATADOG_NOTE),
    Site("Datadog", "US", ("ddog-gov.com", "*.ddog-gov.com"), ("ddog-gov.com", "US1-FED"), _DATADOG,
         "US1-FED (government). " + _DATADOG_NOTE),
    Site("Datadog", "US", ("us2.ddog-gov.com", "*.us2.ddog-gov.com"), ("us2.ddog-gov.com", "US2-FED"),
         "https://docs.datadoghq.com/ja/getting_started/site/", "US2-FED, listed in the Japanese edition of the page"),
    Site("Datadog", "EU", ("datadoghq.eu", "*.datadoghq.eu", "browser-intake-datadoghq.eu"), ("datadoghq.eu", "EU1"),
         _DATADOG, "EU1, in Germany. " + _DATADOG_NOTE),
    Site("Datadog", "JP", ("ap1.datadoghq.com", "*.ap1.datadoghq.com", "browser-intake-ap1-datadoghq.com"),
         ("ap1.datadoghq.com", "AP1"), _DATADOG, "AP1, in Japan. " + _DATADOG_NOTE),
    Site("Datadog", "AU", ("ap2.datadoghq.com", "*.ap2.datadoghq.com", "browser-intake-ap2-datadoghq.com"),
         ("ap2.datadoghq.com", "AP2"), _DATADOG, "AP2, in Australia. " + _DATADOG_NOTE),

    Site("New Relic", "US", (
        "api.newrelic.com", "collector.newrelic.com", "log-api.newrelic.com", "metric-api.newrelic.com",
        "trace-api.newrelic.com", "insights-collector.newrelic.com", "aws-api.newrelic.com"),
        (), _NEW_RELIC, "The default region. " + _NEW_RELIC_HOSTS),
    Site("New Relic", "EU", ("api.eu.newrelic.com", "*.eu.newrelic.com", "*.eu01.nr-data.net"), (), _NEW_RELIC,
         _NEW_RELIC_HOSTS),
    Site("New Relic", "JP", ("api.jp.newrelic.com",), (), _NEW_RELIC,
         "Host per https://newrelic.com/info/blog/solution-recommendation/"
         "nerdgraph-regional-endpoints-for-us-eu-and-jp-which-url-should-you-use; its other hosts are not documented"),

    Site("Honeycomb", "US", ("api.honeycomb.io", "ui.honeycomb.io"), (), _HONEYCOMB),
    Site("Honeycomb", "EU", ("api.eu1.honeycomb.io", "ui.eu1.honeycomb.io", "*.eu1.honeycomb.io"), (), _HONEYCOMB),

    Site("Sumo Logic", "US", (
        "api.sumologic.com", "service.sumologic.com", "collectors.sumologic.com", "open-collectors.sumologic.com",
        "*.collection.sumologic.com"), ("US1",), _SUMO, "US1, AWS us-east-1. " + _SUMO_NOTE),
    Site("Sumo Logic", "US", ("*.us2.sumologic.com",), ("US2",), _SUMO, "AWS us-west-2. " + _SUMO_NOTE),
    Site("Sumo Logic", "US", ("*.fed.sumologic.com",), ("FED",), _SUMO, "AWS us-east-1. " + _SUMO_NOTE),
    Site("Sumo Logic", "EU", ("*.eu.sumologic.com",), ("EU",), _SUMO, "AWS eu-west-1 (Ireland). " + _SUMO_NOTE),
    Site("Sumo Logic", "EU", ("*.de.sumologic.com",), ("DE",), _SUMO, "AWS eu-central-1 (Frankfurt). " + _SUMO_NOTE),
    Site("Sumo Logic", "CH", ("*.ch.sumologic.com", "*.zrh.sumologic.com"), ("CH",), _SUMO,
         "AWS eu-central-2 (Zurich); an older page calls it ZRH (api.zrh.sumologic.com). " + _SUMO_NOTE),
    Site("Sumo Logic", "AU", ("*.au.sumologic.com",), ("AU",), _SUMO, "AWS ap-southeast-2. " + _SUMO_NOTE),
    Site("Sumo Logic", "CA", ("*.ca.sumologic.com",), ("CA",), _SUMO, "AWS ca-central-1. " + _SUMO_NOTE),
    Site("Sumo Logic", "JP", ("*.jp.sumologic.com",), ("JP",), _SUMO, "AWS ap-northeast-1. " + _SUMO_NOTE),
    Site("Sumo Logic", "KR", ("*.kr.sumologic.com",), ("KR",), _SUMO, "AWS ap-northeast-2. " + _SUMO_NOTE),

    Site("Logz.io", "US", ("listener.logz.io", "api.logz.io", "app.logz.io"), ("us",), _LOGZIO,
         "AWS US East (N. Virginia). " + _LOGZIO_NOTE),
    Site("Logz.io", "US", ("listener-wa.logz.io", "api-wa.logz.io", "app-wa.logz.io"), ("wa",), _LOGZIO,
         "Azure West US 2 (Washington). " + _LOGZIO_NOTE),
    Site("Logz.io", "EU", ("listener-eu.logz.io", "api-eu.logz.io", "app-eu.logz.io"), ("eu",), _LOGZIO,
         "AWS Europe (Frankfurt). " + _LOGZIO_NOTE),
    Site("Logz.io", "EU", ("listener-nl.logz.io", "api-nl.logz.io", "app-nl.logz.io"), ("nl",), _LOGZIO,
         "Azure West Europe (Netherlands). " + _LOGZIO_NOTE),
    Site("Logz.io", "AU", ("listener-au.logz.io", "api-au.logz.io", "app-au.logz.io"), ("au",), _LOGZIO,
         "AWS Asia Pacific (Sydney). " + _LOGZIO_NOTE),
    Site("Logz.io", "CA", ("listener-ca.logz.io", "api-ca.logz.io", "app-ca.logz.io"), ("ca",), _LOGZIO,
         "AWS Canada (Central). " + _LOGZIO_NOTE),

    # Error tracking -----------------------------------------------------------------------------------------------
    Site("Sentry", "US", ("sentry.io", "us.sentry.io", "*.us.sentry.io", "*.ingest.sentry.io",
                          "*.us.ingest.sentry.io", "app.getsentry.com"),
         (), _SENTRY, "Stored in Iowa. " + _SENTRY_NOTE,
         excludes=(r".+\.(?!us\.)[^.]+\.ingest\.sentry\.io",)),  # o1.<location>.ingest.sentry.io of another location
    Site("Sentry", "EU", ("de.sentry.io", "*.de.sentry.io"), (), _SENTRY,
         "Stored in Frankfurt; DSNs o<n>.ingest.de.sentry.io. " + _SENTRY_NOTE),

    Site("Honeybadger", "US", ("api.honeybadger.io", "app.honeybadger.io"), (), _HONEYBADGER, "AWS us-east-1"),
    Site("Honeybadger", "EU", ("eu-app.honeybadger.io",), (), _HONEYBADGER,
         "AWS eu-central-1 (Frankfurt); its EU API host is not in the stored page, so only the app host is listed"),

    # Email --------------------------------------------------------------------------------------------------------
    Site("Mailgun", "US", ("api.mailgun.net", "smtp.mailgun.org"), (), _MAILGUN,
         "Domains created in the US region (API and SMTP hosts)"),
    Site("Mailgun", "EU", ("api.eu.mailgun.net", "smtp.eu.mailgun.org"), (), _MAILGUN,
         "Domains created in the EU region (API and SMTP hosts)"),
    Site("SendGrid", "EU", ("api.eu.sendgrid.com",), (), _SENDGRID,
         "EU regional subusers: email and recipient PII processed and stored in the EU. The global api.sendgrid.com "
         "receives mail through data centers around the world and is not placed"),
    Site("Mailchimp Transactional", "US", ("mandrillapp.com", "*.mandrillapp.com"), (), _MANDRILL,
         "Mandrill; Mailchimp processes customer data in the United States (the page is Mailchimp's, of which "
         "Transactional is an add-on)"),

    # Product analytics ------------------------------------------------------------------------------------------------
    Site("Mixpanel", "US", ("api.mixpanel.com", "data.mixpanel.com", "mixpanel.com"), (), _MIXPANEL,
         "The standard servers (US, on Google Cloud)"),
    Site("Mixpanel", "EU", ("api-eu.mixpanel.com", "eu.mixpanel.com", "data-eu.mixpanel.com"), (), _MIXPANEL,
         "EU Data Residency"),
    Site("Mixpanel", "IN", ("api-in.mixpanel.com", "in.mixpanel.com", "data-in.mixpanel.com"), (), _MIXPANEL_IN,
         "India Data Residency; hosts per https://docs.mixpanel.com/reference/overview"),
    Site("Amplitude", "US", ("api2.amplitude.com", "api.amplitude.com", "amplitude.com"), ("US",), _AMPLITUDE,
         "Tokens: the SDKs' serverZone. " + _AMPLITUDE_HOSTS),
    Site("Amplitude", "EU", ("api.eu.amplitude.com", "analytics.eu.amplitude.com", "*.eu.amplitude.com"), ("EU",),
         _AMPLITUDE, "Tokens: the SDKs' serverZone. " + _AMPLITUDE_HOSTS),
    Site("Segment", "US", ("api.segment.io",), (), _SEGMENT, "The default region, Oregon"),
    Site("Segment", "EU", ("events.eu1.segmentapis.com",), (), _SEGMENT, "EU workspaces: Dublin"),
    Site("PostHog", "US", ("us.i.posthog.com", "us.posthog.com", "app.posthog.com"), (), _POSTHOG,
         "US Cloud (PostHog names it so; the page gives no city). Hosts per PostHog's docs' cloud-region notes"),
    Site("PostHog", "EU", ("eu.i.posthog.com", "eu.posthog.com"), (), _POSTHOG, "EU Cloud, Frankfurt"),

    # Customer messaging and identity -------------------------------------------------------------------------------
    Site("Intercom", "US", ("api.intercom.io",), ("US", "intercom_server_region_us"), _INTERCOM,
         "api.intercom.io also routes other regions' workspaces, through the US. " + _INTERCOM_TOKENS),
    Site("Intercom", "EU", ("api.eu.intercom.io",), ("EU", "intercom_server_region_eu"), _INTERCOM, _INTERCOM_TOKENS),
    Site("Intercom", "AU", ("api.au.intercom.io",), ("AU", "intercom_server_region_aus"), _INTERCOM,
         _INTERCOM_TOKENS),
    Site("Auth0", "US", ("*.us.auth0.com",), ("US",), _AUTH0, _AUTH0_NOTE),
    Site("Auth0", "EU", ("*.eu.auth0.com",), ("EU",), _AUTH0, "Auth0's Europe region. " + _AUTH0_NOTE),
    Site("Auth0", "UK", ("*.uk.auth0.com",), ("UK",), _AUTH0, _AUTH0_NOTE),
    Site("Auth0", "AU", ("*.au.auth0.com",), ("AU",), _AUTH0, _AUTH0_NOTE),
    Site("Auth0", "CA", ("*.ca.auth0.com",), ("CA",), _AUTH0, _AUTH0_NOTE),
    Site("Auth0", "JP", ("*.jp.auth0.com",), ("JP",), _AUTH0, _AUTH0_NOTE),
    Site("Braze", "US", tuple(f"{kind}{n}.braze.com" for n in ("01", "02", "03", "04", "05", "06", "07", "08", "10")
                              for kind in ("rest.iad-", "sdk.iad-", "dashboard-")),
         ("US",), _BRAZE, "Instances US-01..US-08 and US-10"),
    Site("Braze", "EU", ("rest.fra-01.braze.eu", "sdk.fra-01.braze.eu", "dashboard-01.braze.eu",
                         "rest.fra-02.braze.eu", "sdk.fra-02.braze.eu", "dashboard-02.braze.eu"),
         ("EU",), _BRAZE, "Instances EU-01 and EU-02"),
    Site("Braze", "AU", ("rest.au-01.braze.com", "sdk.au-01.braze.com", "dashboard.au-01.braze.com"), ("AU",), _BRAZE),
    Site("Braze", "ID", ("rest.id-01.braze.com", "sdk.id-01.braze.com", "dashboard.id-01.braze.com"), ("ID",), _BRAZE),
    Site("Braze", "JP", ("rest.jp-01.braze.com", "sdk.jp-01.braze.com", "dashboard.jp-01.braze.com"), ("JP",), _BRAZE),
    Site("Twilio", "US", ("api.twilio.com", "*.us1.twilio.com"), ("us1",), _TWILIO,
         "US1, the default. " + _TWILIO_NOTE),
    Site("Twilio", "EU", ("*.ie1.twilio.com",), ("ie1",), _TWILIO, "IE1, Dublin. " + _TWILIO_NOTE),
    Site("Twilio", "AU", ("*.au1.twilio.com",), ("au1",), _TWILIO, "AU1, Sydney. " + _TWILIO_NOTE),
    Site("Twilio", "JP", ("*.jp1.twilio.com",), ("jp1",), "https://www.twilio.com/docs/twilio-cli/general-usage/regional",
         "JP1, Twilio's Japan Region. " + _TWILIO_NOTE),

    # AI APIs ------------------------------------------------------------------------------------------------------
    Site("OpenAI", "US", ("us.api.openai.com",), (), _OPENAI, _OPENAI_NOTE),
    Site("OpenAI", "EU", ("eu.api.openai.com",), (), _OPENAI, _OPENAI_NOTE),
)

# Cloud regions named as tokens (a BigQuery dataset location, an Azure location) ------------------------------------

GOOGLE_CLOUD_REGIONS_SOURCE = _BIGQUERY  # lists each Google Cloud region name with its city
GOOGLE_CLOUD_REGIONS: Mapping[str, str] = MappingProxyType({
    "us-central1": "US", "us-east1": "US", "us-east4": "US", "us-east5": "US", "us-south1": "US", "us-west1": "US",
    "us-west2": "US", "us-west3": "US", "us-west4": "US",
    "northamerica-northeast1": "CA", "northamerica-northeast2": "CA",  # Montréal, Toronto
    "northamerica-south1": "MX",  # Mexico
    "southamerica-east1": "BR",  # São Paulo
    "europe-west1": "EU", "europe-west3": "EU", "europe-west4": "EU", "europe-west8": "EU", "europe-west9": "EU",
    "europe-west10": "EU", "europe-west12": "EU", "europe-north1": "EU", "europe-north2": "EU",
    "europe-central2": "EU", "europe-southwest1": "EU",  # Belgium Frankfurt Netherlands Milan Paris Berlin Turin ...
    "europe-west2": "UK",  # London
    "europe-west6": "CH",  # Zurich
    "me-west1": "IL",  # Tel Aviv
    "asia-south1": "IN", "asia-south2": "IN",  # Mumbai, Delhi
    "asia-east1": "TW", "asia-east2": "HK",
    "asia-northeast1": "JP", "asia-northeast2": "JP",  # Tokyo, Osaka
    "asia-northeast3": "KR",  # Seoul
    "asia-southeast1": "SG", "asia-southeast2": "ID",  # Singapore, Jakarta
    "australia-southeast1": "AU", "australia-southeast2": "AU",  # Sydney, Melbourne
    # Not placed: southamerica-west1 (Santiago), me-central1 (Doha), me-central2 (Dammam): no jurisdiction of ours.
})

AZURE_REGIONS_SOURCE = "https://learn.microsoft.com/azure/reliability/regions-list"  # physical location, geography
AZURE_REGIONS: Mapping[str, str] = MappingProxyType({
    "eastus": "US", "eastus2": "US", "centralus": "US", "northcentralus": "US", "southcentralus": "US",
    "westcentralus": "US", "westus": "US", "westus2": "US", "westus3": "US",
    "canadacentral": "CA", "canadaeast": "CA",
    "mexicocentral": "MX",
    "brazilsouth": "BR", "brazilsoutheast": "BR",
    "northeurope": "EU", "westeurope": "EU", "francecentral": "EU", "francesouth": "EU", "germanywestcentral": "EU",
    "germanynorth": "EU", "italynorth": "EU", "polandcentral": "EU", "spaincentral": "EU", "swedencentral": "EU",
    "swedensouth": "EU", "austriaeast": "EU", "belgiumcentral": "EU",  # Ireland, Netherlands, ...
    "uksouth": "UK", "ukwest": "UK",
    "switzerlandnorth": "CH", "switzerlandwest": "CH",
    "southafricanorth": "ZA", "southafricawest": "ZA",
    "uaenorth": "AE", "uaecentral": "AE",
    "israelcentral": "IL",
    "centralindia": "IN", "southindia": "IN", "westindia": "IN", "jioindiacentral": "IN", "jioindiawest": "IN",
    "eastasia": "HK", "southeastasia": "SG",  # Hong Kong, Singapore
    "japaneast": "JP", "japanwest": "JP",
    "koreacentral": "KR", "koreasouth": "KR",
    "indonesiacentral": "ID",
    "malaysiawest": "MY",
    "australiaeast": "AU", "australiasoutheast": "AU", "australiacentral": "AU", "australiacentral2": "AU",
    "newzealandnorth": "NZ",
    # Not placed: norwayeast/norwaywest (Norway is not in the EU), qatarcentral, chilecentral, and the geography
    # names (europe, asiapacific, ...) that span several countries.
})

CLOUD_REGIONS: Mapping[str, str] = MappingProxyType({**GOOGLE_CLOUD_REGIONS, **AZURE_REGIONS})


def _bigquery(jurisdiction: str, multi_region: tuple[str, ...], note: str) -> Site:
    regions = tuple(name for name, where in GOOGLE_CLOUD_REGIONS.items() if where == jurisdiction)
    return Site("BigQuery", jurisdiction, (), multi_region + regions, _BIGQUERY, note)


_BIGQUERY_SITES: tuple[Site, ...] = (
    _bigquery("US", ("US",), "The US multi-region (data centers in the United States) and the US regions"),
    _bigquery("EU", ("EU",), "The EU multi-region (data centers in EU member states) and the EU regions"),
    *(_bigquery(jurisdiction, (), "Regional locations")
      for jurisdiction in sorted(set(GOOGLE_CLOUD_REGIONS.values()) - {"US", "EU"})),
)


def _cloud_regions(service: str, regions: Mapping[str, str], source: str) -> tuple[Site, ...]:
    """A cloud's regions as the tokens of its sites, one site per jurisdiction: `GCP_REGION=us-east4` is the US."""
    return tuple(Site(service, jurisdiction, (), tuple(name for name, where in regions.items() if where == place),
                      source, "The cloud's regions in this jurisdiction")
                 for jurisdiction in sorted(set(regions.values())) for place in (jurisdiction,))


_CLOUD_SITES = (_cloud_regions("Google Cloud", GOOGLE_CLOUD_REGIONS, GOOGLE_CLOUD_REGIONS_SOURCE)
                + _cloud_regions("Azure", AZURE_REGIONS, AZURE_REGIONS_SOURCE))
SITES: tuple[Site, ...] = _SERVICE_SITES + _BIGQUERY_SITES + _CLOUD_SITES

# Settings integrations read as a site token ------------------------------------------------------------------------

SITE_SETTINGS: tuple[SiteSetting, ...] = (
    SiteSetting("DD_SITE", "Datadog", "https://docs.datadoghq.com/agent/troubleshooting/site/"),
    # No Google-defined variable: the names deployments use for a dataset location, read as BigQuery locations.
    SiteSetting("BIGQUERY_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("BIGQUERY_*_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("*_BIGQUERY_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("BQ_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("BQ_*_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("*_BQ_LOCATION", "BigQuery", _BIGQUERY),
    SiteSetting("IntercomRegion", "Intercom",
                "https://developers.intercom.com/installing-intercom/ios/data-hosting-region-configuration"),
    SiteSetting("io.intercom.android.sdk.server.region", "Intercom",
                "https://developers.intercom.com/installing-intercom/android/data-hosting-region-configuration"),
    SiteSetting("TWILIO_REGION", "Twilio",
                "https://github.com/twilio/twilio-python/blob/main/twilio/base/client_base.py"),
    SiteSetting("SUMO_DEPLOYMENT", "Sumo Logic", _SUMO),
    SiteSetting("SUMOLOGIC_DEPLOYMENT", "Sumo Logic", _SUMO),
    # The names deployments use for a Google Cloud or Azure region or location, read as that cloud's regions.
    *(SiteSetting(pattern, "Google Cloud", GOOGLE_CLOUD_REGIONS_SOURCE) for pattern in (
        "GCP_REGION", "GCP_*_REGION", "*_GCP_REGION", "GCP_LOCATION", "GOOGLE_CLOUD_REGION", "GOOGLE_CLOUD_LOCATION",
        "CLOUDSDK_COMPUTE_REGION", "VERTEX_AI_LOCATION", "VERTEX_LOCATION", "VERTEXAI_LOCATION", "GEMINI_LOCATION")),
    *(SiteSetting(pattern, "Azure", AZURE_REGIONS_SOURCE) for pattern in (
        "AZURE_REGION", "AZURE_LOCATION", "AZURE_*_REGION", "AZURE_*_LOCATION", "ARM_LOCATION")),
)

# Lookups ------------------------------------------------------------------------------------------------------------


def _normal(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _specificity(pattern: str, host: str) -> tuple[int, int] | None:
    """How specifically `pattern` names `host` (more labels, then exact over wildcard); None: it does not."""
    if pattern.startswith("*."):
        suffix = pattern[2:]
        return (suffix.count(".") + 1, 0) if host.endswith("." + suffix) else None
    return (pattern.count(".") + 1, 1) if host == pattern else None


@lru_cache(maxsize=1)
def _excludes() -> dict[int, tuple[re.Pattern[str], ...]]:
    return {index: tuple(re.compile(expression, re.IGNORECASE) for expression in site.excludes)
            for index, site in enumerate(SITES) if site.excludes}


@lru_cache(maxsize=4096)
def site_for_host(host: str) -> Site | None:
    """The site a host belongs to: the most specific pattern wins; None when no site, or two jurisdictions equally."""
    host = _normal(host)
    if not host:
        return None
    excludes = _excludes()
    best: tuple[int, int] | None = None
    found: list[Site] = []
    for index, site in enumerate(SITES):
        matches = [score for pattern in site.hosts if (score := _specificity(pattern, host)) is not None]
        if not matches or any(expression.fullmatch(host) for expression in excludes.get(index, ())):
            continue
        score = max(matches)
        if best is None or score > best:
            best, found = score, [site]
        elif score == best:
            found.append(site)
    if not found or len({site.jurisdiction for site in found}) > 1:
        return None
    return found[0]


def site_for_token(service: str, token: str) -> Site | None:
    """The site of `service` an integration names by `token` (DD_SITE=datadoghq.eu; a BigQuery location EU)."""
    service, token = service.strip().lower(), _normal(token)
    found = [site for site in SITES if site.service.lower() == service
             and token in (_normal(candidate) for candidate in site.tokens)]
    return found[0] if found and len({site.jurisdiction for site in found}) == 1 else None


@lru_cache(maxsize=4096)
def settings_service(key: str) -> str | None:
    """Which service a setting (environment variable, configuration key) names a site token for; None: none known."""
    key = key.strip().upper()
    return next((setting.service for setting in SITE_SETTINGS if fnmatchcase(key, setting.pattern.upper())), None)


def alternatives(service: str, jurisdiction: str) -> tuple[Site, ...]:
    """The service's sites in a jurisdiction, the usual one first: what to use instead of another jurisdiction's."""
    service = service.strip().lower()
    return tuple(site for site in SITES if site.service.lower() == service and site.jurisdiction == jurisdiction)
