"""editing: a region is added as a few new lines; every other byte of regions.yaml stays as it was."""

from __future__ import annotations

import textwrap

import pytest

from residency.config.editing import add_region, unified_diff
from residency.config.loader import validate_document
from residency.config.validation import check_rules
from residency.config.yaml_source import parse_yaml
from residency.errors import UsageError
from tests.conftest import SAMPLE

CA_FLOW = "  ca-central-1:\n    jurisdiction: CA\n    countries: [CA]\n"


def yaml(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_sample_gets_the_region_after_the_last_one_and_still_loads() -> None:
    old = sample()
    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert new == old.replace("tags: {}\n", CA_FLOW + "tags: {}\n")
    document = parse_yaml(new, "regions.yaml")
    config, problems = validate_document(document)
    assert problems == []
    assert config is not None
    assert config.regions["ca-central-1"].jurisdiction == "CA"
    assert config.regions["ca-central-1"].countries == ("CA",)
    assert list(config.regions)[-1] == "ca-central-1"
    assert check_rules(config, document.lines) == []


def test_keys_come_in_order_and_optional_ones_only_when_given() -> None:
    new = add_region(sample(), "ca-west-1", jurisdiction="CA", countries=["CA", "MX"],
                     failover="ca-central-1", default=True)

    block = "  ca-west-1:\n    jurisdiction: CA\n    countries: [CA, MX]\n"
    block += "    failover: ca-central-1\n    default: true\n"
    assert new == sample().replace("tags: {}\n", block + "tags: {}\n")


def test_a_comment_on_the_last_line_of_the_last_region_stays_on_it() -> None:
    old = yaml("""
        project: acme-health
        regions:
          eu-central-1:
            jurisdiction: EU
            countries: [DE]
          us-east-1:
            jurisdiction: US
            countries: [US]
            default: true        # users from unlisted countries land here
        tags: {}
    """)

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert new == old.replace("tags: {}\n", CA_FLOW + "tags: {}\n")


def test_four_space_indentation_is_kept() -> None:
    old = yaml("""
        project: acme-health
        regions:
            us-east-1:
                jurisdiction: US
                countries: [US]
        tags: {}
    """)

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    expected = "    ca-central-1:\n        jurisdiction: CA\n        countries: [CA]\n"
    assert new == old.replace("tags: {}\n", expected + "tags: {}\n")


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("    - US\n", "    countries:\n    - CA\n    - MX\n"),
        ("      -   US\n", "    countries:\n      -   CA\n      -   MX\n"),
    ],
    ids=["dash-at-key-column", "indented-dash"],
)
def test_block_style_countries_are_written_the_way_the_file_writes_them(item: str, expected: str) -> None:
    old = f"project: acme-health\nregions:\n  us-east-1:\n    jurisdiction: US\n    countries:\n{item}"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA", "MX"])

    assert new == old + "  ca-central-1:\n    jurisdiction: CA\n" + expected


def test_empty_countries_stay_a_valid_empty_list_in_block_style() -> None:
    old = "regions:\n  us-east-1:\n    jurisdiction: US\n    countries:\n    - US\n"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=[])

    assert new == old + "  ca-central-1:\n    jurisdiction: CA\n    countries: []\n"


def test_comments_between_and_after_regions_stay_where_they_were() -> None:
    old = yaml("""
        regions:
          # Europe first
          eu-central-1:
            jurisdiction: EU

            countries: ['DE', "FR"]   # quoted on purpose
          # then the US
          us-east-1:
            jurisdiction: US
            countries: [US]
            # about us-east-1, so it stays with it

        # end of regions
        tags: {}
    """)

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    anchor = "    # about us-east-1, so it stays with it\n"
    assert new == old.replace(anchor, anchor + CA_FLOW)


def test_lines_the_last_key_does_not_cover_still_belong_to_the_last_region() -> None:
    old = yaml("""
        x: &c US
        regions:
          us-east-1:
            note: |
              text

              more
            countries:
            - DE

            - *c
    """)

    new = add_region(old + "\ntags: {}\n", "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert new == old + "  ca-central-1:\n    jurisdiction: CA\n    countries:\n    - CA\n" + "\ntags: {}\n"


def test_a_file_without_a_final_newline_gets_one_after_the_new_region() -> None:
    old = "regions:\n  us-east-1:\n    jurisdiction: US\n    countries: [US]"

    assert add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"]) == old + "\n" + CA_FLOW


def test_a_file_without_a_final_newline_keeps_what_follows_the_regions() -> None:
    old = "regions:\n  us-east-1:\n    jurisdiction: US\ntags: {}"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=[])

    assert new == "regions:\n  us-east-1:\n    jurisdiction: US\n" + CA_FLOW.replace("[CA]", "[]") + "tags: {}\n"


def test_windows_line_endings_are_kept() -> None:
    old = "regions:\r\n  us-east-1:\r\n    jurisdiction: US\r\ntags: {}\r\n"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert new == old.replace("tags", CA_FLOW.replace("\n", "\r\n") + "tags")


def test_one_line_flow_regions_get_a_one_line_flow_region() -> None:
    old = "regions:\n  us-east-1: {jurisdiction: US, countries: [US], default: true}\ntags: {}\n"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"], failover="ca-west-1")

    line = "  ca-central-1: {jurisdiction: CA, countries: [CA], failover: ca-west-1}\n"
    assert new == old.replace("tags", line + "tags")


@pytest.mark.parametrize("regions", ["regions: {}\n", "regions:\n"])
def test_empty_regions_become_a_block_mapping_with_the_files_indentation(regions: str) -> None:
    old = f"project: acme-health\nglobal:\n    region: us-east-1\n{regions}tags: {{}}\n"

    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    region = "    ca-central-1:\n        jurisdiction: CA\n        countries: [CA]\n"
    assert new == f"project: acme-health\nglobal:\n    region: us-east-1\nregions:\n{region}tags: {{}}\n"


def test_an_empty_flow_mapping_keeps_its_comment() -> None:
    new = add_region("regions: {}   # none yet\n", "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert new == "regions:   # none yet\n" + CA_FLOW


def test_a_region_already_there_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as caught:
        add_region(sample(), "us-east-1", jurisdiction="US", countries=["US"])

    assert caught.value.message == "us-east-1 is already in regions.yaml"
    assert caught.value.exit_code == 64


@pytest.mark.parametrize(
    "text",
    ["project: acme-health\n", "", "- regions\n", "regions: [us-east-1]\n", "regions: null\n"],
    ids=["no-key", "empty-file", "top-level-list", "regions-list", "regions-null"],
)
def test_no_regions_mapping_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="regions"):
        add_region(text, "ca-central-1", jurisdiction="CA", countries=["CA"])


def test_non_empty_flow_regions_are_refused_rather_than_rewritten() -> None:
    with pytest.raises(UsageError, match="flow style"):
        add_region("regions: {us-east-1: {jurisdiction: US}}\n", "ca-central-1", jurisdiction="CA", countries=[])


def test_invalid_yaml_is_a_usage_error_naming_the_line() -> None:
    with pytest.raises(UsageError, match=r"not valid YAML \(line 2\)"):
        add_region("regions:\n  us-east-1: a: b\n", "ca-central-1", jurisdiction="CA", countries=[])


@pytest.mark.parametrize(
    ("code", "jurisdiction", "countries", "failover"),
    [
        ("ca central-1", "CA", ["CA"], None),
        ("ca-central-1: x", "CA", ["CA"], None),
        ("", "CA", ["CA"], None),
        ("-ca", "CA", ["CA"], None),
        ("ca-central-1", "C#A", ["CA"], None),
        ("ca-central-1", "CA", ["CA, US"], None),
        ("ca-central-1", "CA", ["CA]"], None),
        ("ca-central-1", "CA", ["CA"], "x\ny"),
    ],
)
def test_values_that_would_break_the_yaml_are_refused(
    code: str, jurisdiction: str, countries: list[str], failover: str | None
) -> None:
    with pytest.raises(UsageError, match="is not a valid"):
        add_region(sample(), code, jurisdiction=jurisdiction, countries=countries, failover=failover)


def test_unified_diff_of_an_added_region() -> None:
    old = "project: p\nregions:\n  us-east-1:\n    jurisdiction: US\n    countries: [US]\ntags: {}\n"
    new = add_region(old, "ca-central-1", jurisdiction="CA", countries=["CA"])

    assert unified_diff(old, new, "regions.yaml") == (
        "--- a/regions.yaml\n+++ b/regions.yaml\n@@ -3,4 +3,7 @@\n"
        "   us-east-1:\n     jurisdiction: US\n     countries: [US]\n"
        "+  ca-central-1:\n+    jurisdiction: CA\n+    countries: [CA]\n"
        " tags: {}\n"
    )


def test_unified_diff_is_empty_when_nothing_changed() -> None:
    assert unified_diff(sample(), sample(), "regions.yaml") == ""


def test_unified_diff_marks_a_missing_final_newline() -> None:
    assert unified_diff("a\nb", "a\nb\n", "f") == (
        "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"
    )
