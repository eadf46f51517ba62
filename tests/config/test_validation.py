"""rules: every cross-field rule of DESIGN.md, asserted as the exact message a user reads."""

from __future__ import annotations

import pytest

from residency.config import CloudState, Config, S3State, load_config
from residency.config.validation import check_rules, did_you_mean
from residency.errors import Problem
from tests.config.conftest import LoadError, WriteConfig

REGION_US = """
  us-east-1:
    jurisdiction: US
    countries: [US]
    default: true
"""


def rendered(load_error: LoadError, text: str) -> str:
    path, error = load_error(text)
    return error.render().replace(str(path), "regions.yaml")


# --- region codes -----------------------------------------------------------------------------


def test_unknown_region_code_gets_did_you_mean(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  eu-cental-1:\n    jurisdiction: EU\n    default: true\n"
    assert rendered(load_error, text) == (
        "regions.yaml:3: regions.eu-cental-1: unknown AWS region 'eu-cental-1'\n  hint: did you mean 'eu-central-1'?"
    )


def test_uppercase_region_code_gets_the_lowercase_one(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  US-EAST-1:\n    jurisdiction: US\n    default: true\n"
    assert rendered(load_error, text) == (
        "regions.yaml:3: regions.US-EAST-1: unknown AWS region 'US-EAST-1'\n  hint: did you mean 'us-east-1'?"
    )


def test_unknown_region_code_without_a_close_match(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  frankfurt:\n    jurisdiction: EU\n    default: true\n"
    assert rendered(load_error, text) == (
        "regions.yaml:3: regions.frankfurt: unknown AWS region 'frankfurt'\n"
        "  hint: expected an AWS commercial region code such as eu-central-1 or us-east-1"
    )


def test_unknown_global_region(load_error: LoadError) -> None:
    text = f"project: acme\nglobal:\n  region: us-esat-1\nregions:{REGION_US}"
    assert rendered(load_error, text) == (
        "regions.yaml:3: global.region: unknown AWS region 'us-esat-1'\n  hint: did you mean 'us-east-1'?"
    )


# --- jurisdictions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "city", "real"),
    [("eu-west-2", "London", "UK"), ("eu-central-2", "Zurich", "CH")],
)
def test_jurisdiction_must_match_the_region(load_error: LoadError, code: str, city: str, real: str) -> None:
    text = f"project: acme\nregions:\n  {code}:\n    jurisdiction: EU\n    default: true\n"
    assert rendered(load_error, text) == (
        f"regions.yaml:4: regions.{code}.jurisdiction: {code} ({city}) is in jurisdiction {real}, not EU\n"
        f"  hint: jurisdiction: {real}"
    )


# --- countries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "hint"),
    [
        ("uk", "use GB: the ISO code for the United Kingdom is GB"),
        ("EL", "use GR: EL is the EU's own code for Greece; the ISO code is GR"),
        ("de", "country codes are uppercase: DE"),
        ("XX", "use the two-letter ISO 3166-1 code, e.g. DE, FR, US"),
        ("USA", "use US: country codes have two letters; the United States is US"),
    ],
)
def test_invalid_country_codes(load_error: LoadError, country: str, hint: str) -> None:
    text = (
        f"project: acme\nregions:\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE, {country}]\n"
        "    default: true\n"
    )
    assert rendered(load_error, text) == (
        f"regions.yaml:5: regions.eu-west-1.countries[1]: {country!r} is not an ISO 3166-1 alpha-2 country code\n"
        f"  hint: {hint}"
    )


def test_country_listed_twice_in_one_region(load_error: LoadError) -> None:
    text = (
        "project: acme\nregions:\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE, FR, IE]\n    default: true\n"
    )
    assert rendered(load_error, text) == (
        "regions.yaml:5: regions.eu-west-1.countries[2]: country 'IE' is listed twice in eu-west-1 "
        "(also at countries[0])\n"
        "  hint: remove one of them"
    )


def test_country_in_two_regions_names_both(load_error: LoadError) -> None:
    text = f"project: acme\nregions:\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE, US]{REGION_US}"
    assert rendered(load_error, text) == (
        "regions.yaml:8: regions.us-east-1.countries[0]: country 'US' is already in region eu-west-1; "
        "a country belongs to at most one region\n"
        "  hint: remove US from eu-west-1 or from us-east-1"
    )


def test_norway_stays_a_country(write_config: WriteConfig) -> None:
    path = write_config(
        "project: acme\nregions:\n  eu-north-1:\n    jurisdiction: EU\n    countries: [NO, SE]\n    default: true\n"
    )
    assert load_config(path).regions["eu-north-1"].countries == ("NO", "SE")


# --- default region -----------------------------------------------------------------------------


def test_no_default_region_under_geolocation(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE]\n"
    assert rendered(load_error, text) == (
        "regions.yaml:2: regions: no region has default: true; under geolocation routing exactly one region "
        "takes users from unlisted countries\n"
        "  hint: add default: true to one region, e.g. eu-west-1"
    )


def test_no_default_region_is_fine_under_latency(write_config: WriteConfig) -> None:
    path = write_config("project: acme\nglobal:\n  routing: latency\nregions:\n  eu-west-1:\n    jurisdiction: EU\n")
    assert load_config(path).default_region is None


@pytest.mark.parametrize("routing", ["geolocation", "latency"])
def test_several_default_regions(load_error: LoadError, routing: str) -> None:
    text = (
        f"project: acme\nglobal:\n  routing: {routing}\nregions:\n  eu-west-1:\n    jurisdiction: EU\n"
        f"    default: true{REGION_US}"
    )
    assert rendered(load_error, text) == (
        "regions.yaml:11: regions.us-east-1.default: several regions have default: true (eu-west-1, us-east-1); "
        "exactly one may\n"
        "  hint: keep default: true on one region only"
    )


# --- failover -----------------------------------------------------------------------------------

EU_PAIR = """
project: acme
regions:
  eu-central-1:
    jurisdiction: EU
    countries: [DE]
    default: true
    failover: {failover}
  eu-west-1:
    jurisdiction: EU
    countries: [IE]
  us-east-1:
    jurisdiction: US
    countries: [US]
"""


def test_failover_to_a_region_of_the_same_jurisdiction_is_fine(write_config: WriteConfig) -> None:
    config = load_config(write_config(EU_PAIR.format(failover="eu-west-1")))
    assert config.regions["eu-central-1"].failover == "eu-west-1"


@pytest.mark.parametrize(
    ("failover", "message", "hint"),
    [
        (
            "eu-north-1",
            "failover region 'eu-north-1' is not listed under regions",
            "add eu-north-1 (jurisdiction EU) under regions, or remove failover",
        ),
        ("eu-wset-1", "failover region 'eu-wset-1' is not listed under regions", "did you mean 'eu-west-1'?"),
        ("eu-central-1", "a region cannot fail over to itself", "failover: eu-west-1"),
        (
            "us-east-1",
            "failover region us-east-1 is in jurisdiction US, but eu-central-1 is in EU; "
            "failover must stay in the same jurisdiction",
            "failover: eu-west-1",
        ),
    ],
)
def test_bad_failover(load_error: LoadError, failover: str, message: str, hint: str) -> None:
    assert rendered(load_error, EU_PAIR.format(failover=failover)) == (
        f"regions.yaml:7: regions.eu-central-1.failover: {message}\n  hint: {hint}"
    )


def test_failover_without_a_partner_in_the_jurisdiction(load_error: LoadError) -> None:
    text = f"project: acme\nregions:{REGION_US}    failover: eu-west-1\n  eu-west-1:\n    jurisdiction: EU\n"
    assert rendered(load_error, text) == (
        "regions.yaml:7: regions.us-east-1.failover: failover region eu-west-1 is in jurisdiction EU, "
        "but us-east-1 is in US; failover must stay in the same jurisdiction\n"
        "  hint: list another US region and fail over to it, or remove failover"
    )


# --- project and domain -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "hint"),
    [
        ("Acme_Health", "may only contain lowercase letters, digits and '-'", "project: acme-health"),
        ("ACME", "may only contain lowercase letters, digits and '-'", "project: acme"),
        ("ab", "is too short (3-24 characters)", "use 3-24 lowercase letters, digits and '-', starting with a letter"),
        ("a-very-long-project-name-indeed", "is too long (3-24 characters)", "project: a-very-long-project-name"),
        ("1acme", "must start with a letter", "project: acme"),
        ("acme-", "must not end with '-'", "project: acme"),
        ("-", "is too short (3-24 characters)", "use 3-24 lowercase letters, digits and '-', starting with a letter"),
    ],
)
def test_malformed_project_name(load_error: LoadError, name: str, message: str, hint: str) -> None:
    text = f"project: '{name}'\nregions:{REGION_US}"
    assert rendered(load_error, text) == f"regions.yaml:1: project: project name {name!r} {message}\n  hint: {hint}"


@pytest.mark.parametrize("name", ["abc", "acme-health", "a1-b2", "x" * 24])
def test_good_project_names(write_config: WriteConfig, name: str) -> None:
    assert load_config(write_config(f"project: {name}\nregions:{REGION_US}")).project == name


@pytest.mark.parametrize(
    ("domain", "message", "hint"),
    [
        ("https://Example.com/app", "must be a bare domain name, without a scheme", "domain: example.com"),
        ("example.com/app", "must be a bare domain name, without a path or port", "domain: example.com"),
        ("example.com:443", "must be a bare domain name, without a path or port", "domain: example.com"),
        ("example.com.", "must not end with a dot", "domain: example.com"),
        ("Example.COM", "must be lowercase", "domain: example.com"),
        ("localhost", "needs at least two labels, e.g. example.com", "write a bare domain name such as example.com"),
        ("a..com", "has an empty label (two dots in a row?)", "write a bare domain name such as example.com"),
        (
            "-bad.example.com",
            "has an invalid label '-bad': use letters, digits and '-', not at either end",
            "write a bare domain name such as example.com",
        ),
        ("10.0.0.1", "looks like an IP address; use a domain name", "write a bare domain name such as example.com"),
        (
            "münchen.de",
            "has an invalid label 'münchen': use letters, digits and '-', not at either end",
            "domain: xn--mnchen-3ya.de",
        ),
    ],
)
def test_malformed_domain(load_error: LoadError, domain: str, message: str, hint: str) -> None:
    text = f"project: acme\ndomain: '{domain}'\nregions:{REGION_US}"
    assert rendered(load_error, text) == f"regions.yaml:2: domain: domain {domain!r} {message}\n  hint: {hint}"


@pytest.mark.parametrize("domain", ["example.com", "api.acme-health.co.uk", "xn--mnchen-3ya.de"])
def test_good_domains(write_config: WriteConfig, domain: str) -> None:
    assert load_config(write_config(f"project: acme\ndomain: {domain}\nregions:{REGION_US}")).domain == domain


# --- state --------------------------------------------------------------------------------------


def test_cloud_backend_needs_organization_and_workspace_prefix(load_error: LoadError) -> None:
    text = f"project: acme\nstate:\n  backend: cloud\nregions:{REGION_US}"
    assert rendered(load_error, text) == (
        "regions.yaml:2: state.organization: backend cloud needs organization "
        "(the HCP Terraform organization that holds the workspaces)\n"
        "  hint: organization: NAME\n"
        "regions.yaml:2: state.workspace_prefix: backend cloud needs workspace_prefix "
        "(workspace names are this prefix + the workspace)\n"
        "  hint: workspace_prefix: acme-"
    )


def test_cloud_backend_names_are_checked(load_error: LoadError) -> None:
    text = (
        "project: acme\nstate:\n  backend: cloud\n  organization: acme corp\n  workspace_prefix: acme-\n"
        f"regions:{REGION_US}"
    )
    assert rendered(load_error, text) == (
        "regions.yaml:4: state.organization: organization 'acme corp' may only contain letters, digits, '-' and '_'\n"
        "  hint: HCP Terraform names allow nothing else"
    )


def test_cloud_backend_is_fine_with_both(write_config: WriteConfig) -> None:
    text = (
        f"project: acme\nstate:\n  backend: cloud\n  organization: acme\n  workspace_prefix: acme-\nregions:{REGION_US}"
    )
    state = load_config(write_config(text)).state
    assert state == CloudState(backend="cloud", organization="acme", workspace_prefix="acme-")


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_cloud_settings_are_refused_for_other_backends(load_error: LoadError, backend: str) -> None:
    text = (
        f"project: acme\nstate:\n  backend: {backend}\n  organization: acme\n  workspace_prefix: acme-\n"
        f"regions:{REGION_US}"
    )
    assert rendered(load_error, text) == (
        f"regions.yaml:4: state.organization: organization is only used with backend: cloud (backend is {backend})\n"
        "  hint: remove it, or set backend: cloud\n"
        f"regions.yaml:5: state.workspace_prefix: workspace_prefix is only used with backend: cloud "
        f"(backend is {backend})\n"
        "  hint: remove it, or set backend: cloud"
    )


def test_s3_state_buckets_default_to_the_project_name(write_config: WriteConfig) -> None:
    config = load_config(write_config(f"project: acme\nstate:\n  backend: s3\nregions:{REGION_US}"))
    assert (config.state, config.state_regions) == (S3State(backend="s3"), ("us-east-1",))


def test_state_regions_include_the_global_region_once(write_config: WriteConfig) -> None:
    text = (f"project: acme\nglobal:\n  region: eu-west-1\nregions:{REGION_US}"
            "  eu-central-1:\n    jurisdiction: EU\n    countries: [DE]\n")
    assert load_config(write_config(text)).state_regions == ("us-east-1", "eu-central-1", "eu-west-1")


@pytest.mark.parametrize(("prefix", "message", "hint"), [
    ("Acme_State", "bucket_prefix 'Acme_State' is not usable in an S3 bucket name",
     "use lowercase letters, digits and single '-', starting and ending with a letter or digit"),
    ("acme--state", "bucket_prefix 'acme--state' is not usable in an S3 bucket name",
     "use lowercase letters, digits and single '-', starting and ending with a letter or digit"),
    ("a" * 50, f"bucket_prefix {'a' * 50!r} is too long: the state bucket {'a' * 50 + '-us-east-1'!r} has 60 "
     "characters, S3 allows 63", "use at most 53 characters"),
])
def test_bad_bucket_prefixes(load_error: LoadError, prefix: str, message: str, hint: str) -> None:
    # The longest state region decides; us-east-1 has 9 characters, so 50 + 1 + 9 = 60 passes ...
    text = f"project: acme\nstate:\n  backend: s3\n  bucket_prefix: {prefix}\nregions:{REGION_US}"
    if len(prefix) == 50:
        # ... and ap-southeast-2 (14) does not: 50 + 1 + 14 = 65.
        text += "  ap-southeast-2:\n    jurisdiction: AU\n    countries: [AU]\n"
        message = message.replace("us-east-1", "ap-southeast-2").replace("has 60", "has 65")
        hint = "use at most 48 characters"
    assert rendered(load_error, text) == f"regions.yaml:4: state.bucket_prefix: {message}\n  hint: {hint}"


def test_bucket_prefix_is_refused_for_other_backends(load_error: LoadError) -> None:
    text = f"project: acme\nstate:\n  backend: local\n  bucket_prefix: acme-state\nregions:{REGION_US}"
    assert rendered(load_error, text) == (
        "regions.yaml:4: state.bucket_prefix: bucket_prefix is only used with backend: s3 (backend is local)\n"
        "  hint: remove it, or set backend: s3")


# --- tags ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["project", "workspace", "jurisdiction", "managed-by", "Project"])
def test_reserved_tag_keys(load_error: LoadError, key: str) -> None:
    text = f"project: acme\nregions:{REGION_US}tags:\n  {key}: x\n"
    assert rendered(load_error, text) == (
        f"regions.yaml:8: tags.{key}: tag key {key!r} is reserved: residency sets it on every resource\n"
        "  hint: choose another key; residency sets project, workspace, jurisdiction and managed-by itself"
    )


def test_aws_prefix_is_refused(load_error: LoadError) -> None:
    text = f"project: acme\nregions:{REGION_US}tags:\n  aws:createdBy: me\n"
    assert rendered(load_error, text) == (
        "regions.yaml:8: tags.aws:createdBy: tag key 'aws:createdBy' uses the aws: prefix, "
        "which AWS keeps for itself\n"
        "  hint: choose another key"
    )


def test_tag_lengths(load_error: LoadError) -> None:
    long_key, long_value = "k" * 129, "v" * 257
    text = f"project: acme\nregions:{REGION_US}tags:\n  '': empty\n  {long_key}: x\n  team: {long_value}\n"
    assert rendered(load_error, text) == (
        "regions.yaml:8: tags['']: tag key must be 1-128 characters, not 0\n"
        f"regions.yaml:9: tags.{long_key}: tag key must be 1-128 characters, not 129\n"
        "regions.yaml:10: tags.team: tag value is 257 characters long; AWS allows at most 256"
    )


def test_tag_characters(load_error: LoadError) -> None:
    text = f"project: acme\nregions:{REGION_US}tags:\n  team!: x\n  owner: a*b\n"
    assert rendered(load_error, text) == (
        "regions.yaml:8: tags['team!']: tag key 'team!' has characters AWS does not allow\n"
        "  hint: use letters, digits, spaces and + - = . _ : / @\n"
        "regions.yaml:9: tags.owner: tag value 'a*b' has characters AWS does not allow\n"
        "  hint: use letters, digits, spaces and + - = . _ : / @"
    )


def test_good_tags(write_config: WriteConfig) -> None:
    text = f"project: acme\nregions:{REGION_US}tags:\n  cost-center: '1234'\n  team name: Data & Platform\n"
    path = write_config(text.replace(" & ", " + "))
    assert dict(load_config(path).tags) == {"cost-center": "1234", "team name": "Data + Platform"}


# --- unknown keys -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"project: acme\ntarrget: aws\nregions:{REGION_US}",
            "regions.yaml:2: tarrget: unknown key 'tarrget'\n"
            "  hint: did you mean 'target'? (allowed here: project, target, domain, state, global, regions, "
            "directory, extensions, identity, limits, exceptions, processors, organization_scp, tags, ci, features, "
            "alerts, audit, tracing)",
        ),
        (
            f"project: acme\nglobal:\n  fronted: true\nregions:{REGION_US}",
            "regions.yaml:3: global.fronted: unknown key 'fronted'\n"
            "  hint: did you mean 'frontend'? (allowed here: region, routing, frontend)",
        ),
        (
            f"project: acme\nstate:\n  bakend: s3\nregions:{REGION_US}",
            "regions.yaml:3: state.bakend: unknown key 'bakend'\n"
            "  hint: did you mean 'backend'? "
            "(allowed here: backend, bucket_prefix, organization, workspace_prefix, hostname)",
        ),
        (
            f"project: acme\nregions:{REGION_US}    country: [CA]\n",
            "regions.yaml:7: regions.us-east-1.country: unknown key 'country'\n"
            "  hint: did you mean 'countries'? (allowed here: jurisdiction, countries, failover, default)",
        ),
        (
            f"project: acme\nglobal_:\n  frontend: true\nregions:{REGION_US}",
            "regions.yaml:2: global_: unknown key 'global_'\n"
            "  hint: did you mean 'global'? (allowed here: project, target, domain, state, global, regions, "
            "directory, extensions, identity, limits, exceptions, processors, organization_scp, tags, ci, features, "
            "alerts, audit, tracing)",
        ),
        (
            f"project: acme\nowner: me\nregions:{REGION_US}",
            "regions.yaml:2: owner: unknown key 'owner'\n"
            "  hint: allowed here: project, target, domain, state, global, regions, directory, extensions, identity, "
            "limits, exceptions, processors, organization_scp, tags, ci, features, alerts, audit, tracing",
        ),
        (
            f"project: acme\nregions:{REGION_US}eu-west-1:\n  jurisdiction: EU\n",
            "regions.yaml:7: eu-west-1: unknown key 'eu-west-1'\n"
            "  hint: region codes go under regions: (allowed here: project, target, domain, state, global, regions, "
            "directory, extensions, identity, limits, exceptions, processors, organization_scp, tags, ci, features, "
            "alerts, audit, tracing)",
        ),
    ],
)
def test_unknown_keys_get_did_you_mean(load_error: LoadError, text: str, expected: str) -> None:
    assert rendered(load_error, text) == expected


@pytest.mark.parametrize(("section", "typo", "meant"), [
    ("audit", "retension_days: 3", "retention_days"),
    ("directory", "key_version: [1]", "key_versions"),
    ("identity", "mfaa: off", "mfa"),
    ("features", "defualts: {}", "defaults"),
])
def test_every_section_names_its_keys(load_error: LoadError, section: str, typo: str, meant: str) -> None:
    """Found by following the model, not a list of sections kept by hand (which had missed audit)."""
    text = rendered(load_error, f"project: acme\nregions:{REGION_US}{section}:\n  {typo}\n")
    assert f"did you mean {meant!r}? (allowed here: " in text, text


def test_rules_still_run_beside_unknown_keys(load_error: LoadError) -> None:
    text = "project: acme\nregions:\n  eu-west-2:\n    jurisdiction: EU\n    contries: [GB]\n    default: true\n"
    assert rendered(load_error, text) == (
        "regions.yaml:4: regions.eu-west-2.jurisdiction: eu-west-2 (London) is in jurisdiction UK, not EU\n"
        "  hint: jurisdiction: UK\n"
        "regions.yaml:5: regions.eu-west-2.contries: unknown key 'contries'\n"
        "  hint: did you mean 'countries'? (allowed here: jurisdiction, countries, failover, default)"
    )


# --- the rules as a library ---------------------------------------------------------------------


def test_check_rules_without_lines() -> None:
    config = Config.model_validate(
        {"project": "acme", "regions": {"eu-west-2": {"jurisdiction": "EU", "default": True}}}
    )
    assert check_rules(config) == [
        Problem(
            None,
            "regions.eu-west-2.jurisdiction",
            "eu-west-2 (London) is in jurisdiction UK, not EU",
            "jurisdiction: UK",
        )
    ]


def test_check_rules_finds_nothing_in_a_good_config() -> None:
    config = Config.model_validate(
        {"project": "acme", "regions": {"us-east-1": {"jurisdiction": "US", "default": True}}}
    )
    assert check_rules(config) == []


@pytest.mark.parametrize(
    ("word", "match"),
    [
        ("fronted", "frontend"),
        ("ROUTING", "routing"),
        ("eu-cental-1", "eu-central-1"),
        ("eu-cnetral-2", "eu-central-2"),
        ("us-esat-1", "us-east-1"),
        ("regoin", "region"),
        ("zzz", None),
    ],
)
def test_did_you_mean(word: str, match: str | None) -> None:
    choices = ["frontend", "routing", "region", "eu-central-1", "eu-central-2", "us-east-1", "us-west-1"]
    assert did_you_mean(word, choices) == match


# --- alerts and ci ------------------------------------------------------------------------------


@pytest.mark.parametrize(("section", "message"), [
    ("alerts: {email: {default: [oncall@acme.example], EUU: [oncall@acme.example]}}",
     "regions.yaml:10: alerts.email.EUU: 'EUU' is not a listed region, a jurisdiction of one, 'global' or 'default'\n"
     "  hint: did you mean 'EU'?"),
    ("alerts: {email: {EU: [oncall@acme.example]}}",
     "regions.yaml:10: alerts.email: no operator address for us-east-1: its alarms would reach no one\n"
     "  hint: add `default: [oncall@example.com]`, or an entry for its jurisdiction"),
    ("ci: {apply_roles: {global: 'arn:aws:iam::123456789012:role/a', EUU: 'arn:aws:iam::123456789012:role/b'}}",
     "regions.yaml:10: ci.apply_roles.EUU: 'EUU' is not a listed region, a jurisdiction of one, or 'global'\n"
     "  hint: did you mean 'EU'?"),
])
def test_alerts_and_ci_name_listed_regions_or_jurisdictions(load_error: LoadError, section: str,
                                                            message: str) -> None:
    text = f"project: acme\nregions:\n  eu-west-1:\n    jurisdiction: EU\n    countries: [IE]{REGION_US}{section}\n"
    assert rendered(load_error, text) == message


def test_an_operator_address_must_be_an_address(load_error: LoadError) -> None:
    text = f"project: acme\nregions:{REGION_US}alerts: {{email: {{default: [oncall]}}}}\n"
    assert rendered(load_error, text).startswith(
        "regions.yaml:7: alerts.email.default[0]: 'oncall' is not an email address (e.g. oncall@example.com)")
