"""yaml_source: safe YAML 1.2 reading, line numbers, and every way a file can be unreadable."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from residency.config import load_config
from residency.config.yaml_source import format_location, parse_yaml, read_yaml
from residency.errors import ConfigError, ConfigMissingError


def parse(text: str) -> object:
    return parse_yaml(textwrap.dedent(text).lstrip("\n"), "regions.yaml").data


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_yaml(textwrap.dedent(text).lstrip("\n"), "regions.yaml")
    assert caught.value.exit_code == 65
    return caught.value.render()


def test_yaml_1_2_scalars_keep_country_codes_as_text() -> None:
    data = parse(
        """
        countries: [NO, yes, on, Off, y]
        flags: [true, false, True]
        numbers: [1, 0x1F, 0o17, -3, 1_000, 1.5, 1e3, .inf]
        empty: [~, null, ]
        day: 2024-01-01
        quoted: "NO"
        tagged: !!str 5
        """
    )
    assert data == {
        "countries": ["NO", "yes", "on", "Off", "y"],
        "flags": [True, False, True],
        "numbers": [1, 31, 15, -3, 1000, 1.5, 1000.0, float("inf")],
        "empty": [None, None],
        "day": "2024-01-01",
        "quoted": "NO",
        "tagged": "5",
    }


def test_line_map_has_key_and_value_lines_and_falls_back_to_the_parent() -> None:
    document = parse_yaml(
        textwrap.dedent(
            """\
            project: acme
            regions:
              eu-west-1:
                countries:
                  - IE
                  - FR
            """
        ),
        "regions.yaml",
    )
    lines = document.lines
    assert lines.line(("project",)) == 1
    assert lines.line(("regions", "eu-west-1"), key=True) == 3
    assert lines.line(("regions", "eu-west-1", "countries"), key=True) == 4
    assert lines.line(("regions", "eu-west-1", "countries")) == 5
    assert lines.line(("regions", "eu-west-1", "countries", 1)) == 6
    assert lines.line(("regions", "eu-west-1", "jurisdiction")) == 3
    assert lines.line(("nowhere", "at", "all")) == 1


def test_an_omitted_value_is_placed_on_its_key_line() -> None:
    document = parse_yaml("regions:\n  us-east-1:\n  eu-west-1: {}\n", "regions.yaml")
    assert document.data == {"regions": {"us-east-1": None, "eu-west-1": {}}}
    assert document.lines.line(("regions", "us-east-1")) == 2


def test_an_alias_value_is_placed_where_the_alias_is_written() -> None:
    document = parse_yaml("eu: &eu [DE, FR]\nother:\n  - *eu\nagain: *eu\n", "regions.yaml")
    assert document.data == {"eu": ["DE", "FR"], "other": [["DE", "FR"]], "again": ["DE", "FR"]}
    assert document.lines.line(("other", 0)) == 3
    assert document.lines.line(("again",)) == 4


def test_syntax_error_names_the_line() -> None:
    assert error_of("project: acme\nregions: [us-east-1\n") == (
        "regions.yaml:3: YAML syntax error: expected ',' or ']', but got '<stream end>' "
        "(while parsing a flow sequence that starts on line 2)"
    )


def test_bad_indentation_is_a_syntax_error() -> None:
    assert error_of("project: acme\n regions: x\n") == (
        "regions.yaml:2: YAML syntax error: mapping values are not allowed here"
    )


def test_two_documents_are_refused() -> None:
    assert error_of("project: a\n---\nproject: b\n") == (
        "regions.yaml:2: YAML syntax error: expected a single document in the stream, but found another document"
    )


def test_undefined_alias_is_a_syntax_error() -> None:
    assert error_of("countries: *eu\n") == "regions.yaml:1: YAML syntax error: found undefined alias 'eu'"


def test_control_characters_are_refused() -> None:
    assert error_of("project: acme\nx: \x01\n") == (
        "regions.yaml:2: YAML syntax error: character #x0001 is not allowed here"
    )


def test_duplicate_top_level_key_names_both_lines() -> None:
    assert error_of("project: a\nregions: {}\nproject: b\n") == (
        "regions.yaml:3: project: duplicate key 'project' (first on line 1)\n"
        "  hint: YAML would silently keep only the last one; remove or merge one of them"
    )


def test_duplicate_nested_key_names_both_lines() -> None:
    text = """
    regions:
      eu-west-1:
        jurisdiction: EU
        countries: [IE]
        jurisdiction: UK
    """
    assert error_of(text) == (
        "regions.yaml:5: regions.eu-west-1.jurisdiction: duplicate key 'jurisdiction' (first on line 3)\n"
        "  hint: YAML would silently keep only the last one; remove or merge one of them"
    )


def test_duplicate_keys_are_all_reported() -> None:
    rendered = error_of("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert rendered.splitlines()[0] == "regions.yaml:4: b.c: duplicate key 'c' (first on line 3)"
    assert rendered.splitlines()[2] == "regions.yaml:5: a: duplicate key 'a' (first on line 1)"


def test_python_object_tag_is_refused_and_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "regions.yaml"
    path.write_text(f'project: !!python/object/apply:os.system ["touch {marker}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.render() == (
        f"{path}:1: project: YAML tags are not allowed here (found !!python/object/apply:os.system)\n"
        "  hint: write a plain value: text, a number, true/false, null, a list or a mapping"
    )
    assert caught.value.exit_code == 65
    assert not marker.exists()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("!Ref my-bucket", "!Ref"),
        ("!!set {a, b}", "!!set"),
        ("!!binary aGk=", "!!binary"),
        ("!!timestamp 2024-01-01", "!!timestamp"),
        ("!!map [a]", "!!map"),
        ("!<tag:example.com,2024:thing> x", "tag:example.com,2024:thing"),
    ],
)
def test_non_core_tags_are_refused(value: str, shown: str) -> None:
    assert error_of(f"domain: {value}\n").splitlines()[0] == (
        f"regions.yaml:1: domain: YAML tags are not allowed here (found {shown})"
    )


def test_a_tag_on_a_key_is_refused() -> None:
    assert error_of("!Ref project: acme\n") == "regions.yaml:1: YAML tags are not allowed here (found !Ref)"


def test_core_tags_that_do_not_fit_their_value_are_refused() -> None:
    assert error_of("a: !!int abc\nb: !!bool yes\nc: !!null x\n") == (
        "regions.yaml:1: a: 'abc' is not a valid !!int\n"
        "regions.yaml:2: b: 'yes' is not a valid !!bool\n"
        "regions.yaml:3: c: 'x' is not a valid !!null"
    )


def test_alias_bomb_fails_fast() -> None:
    lines = ['lol0: &a0 ["lol"]']
    lines += [f"lol{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]" for level in range(1, 10)]
    assert error_of("\n".join(lines) + "\n") == (
        "regions.yaml:6: lol5: the document has more than 100,000 values once aliases are expanded\n"
        "  hint: aliases (*name) that repeat other aliases multiply quickly; write the values out"
    )


def test_recursive_alias_is_refused() -> None:
    assert error_of("project: acme\nloop: &loop [a, *loop]\n") == (
        "regions.yaml:2: loop[1]: recursive alias: this value contains an alias to itself\n"
        "  hint: an alias (*name) cannot refer to a value that contains it"
    )


def test_recursive_alias_in_a_mapping_is_refused() -> None:
    assert error_of("a: &a {b: *a}\n").splitlines()[0] == (
        "regions.yaml:1: a.b: recursive alias: this value contains an alias to itself"
    )


def test_merge_keys_are_refused() -> None:
    text = """
    base: &base {jurisdiction: EU}
    regions:
      eu-west-1:
        <<: *base
        countries: [IE]
    """
    assert error_of(text) == (
        "regions.yaml:4: regions.eu-west-1: merge keys (<<) are not supported\n"
        "  hint: write the keys out in full; an alias (*name) may still stand for a whole value"
    )


def test_deep_nesting_is_refused() -> None:
    assert error_of("a: " + "[" * 100 + "]" * 100 + "\n") == (
        "regions.yaml:1: values are nested more than 64 levels deep"
    )


def test_yaml_1_1_directive_is_refused() -> None:
    assert error_of("%YAML 1.1\n---\ncountries: [NO]\n") == (
        "regions.yaml:2: %YAML 1.1 is not supported: regions.yaml is read as YAML 1.2\n  hint: remove the %YAML line"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_refused(text: str) -> None:
    assert error_of(text) == (
        "regions.yaml: file is empty\n  hint: start with `project: NAME` and a `regions:` mapping"
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- project\n- regions\n", "a list"), ("acme\n", "the scalar 'acme'")],
)
def test_top_level_must_be_a_mapping(text: str, kind: str) -> None:
    assert error_of(text) == (
        f"regions.yaml:1: the top level must be a mapping of keys (project:, regions:, ...), not {kind}"
    )


def test_keys_must_be_text() -> None:
    text = """
    regions:
      1: a
      true: b
      ~: c
      ? [a, b]
      : d
      "2": quoted keys are fine
    """
    assert error_of(text) == (
        "regions.yaml:2: regions: mapping keys must be text, not 1 (int)\n"
        '  hint: quote the key: "1":\n'
        "regions.yaml:3: regions: mapping keys must be text, not true (bool)\n"
        '  hint: quote the key: "true":\n'
        "regions.yaml:4: regions: mapping keys must be text, not an empty key\n"
        '  hint: quote the key: "~":\n'
        "regions.yaml:5: regions: mapping keys must be plain text, not a list"
    )


def test_missing_file_exits_66_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigMissingError) as caught:
        read_yaml(tmp_path / "regions.yaml")
    assert caught.value.exit_code == 66
    assert caught.value.render() == (
        f"error: {tmp_path / 'regions.yaml'}: no such file\n"
        "  hint: start a project with `residency init`, or point to the file with --config PATH or the "
        "RESIDENCY_CONFIG environment variable (without them, residency looks in this directory and the ones "
        "above it)"
    )


def test_a_directory_exits_66(tmp_path: Path) -> None:
    with pytest.raises(ConfigMissingError) as caught:
        load_config(tmp_path)
    assert caught.value.exit_code == 66
    assert caught.value.render().splitlines()[0] == f"error: {tmp_path} is a directory, not a regular file"


def test_file_over_1_mib_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_bytes(b"[" * (2 * 1024 * 1024))  # would be a syntax error if it were parsed
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.exit_code == 65
    assert caught.value.render() == (
        f"{path}: file is larger than 1 MiB (2,097,152 bytes); regions.yaml is never more than a few kilobytes\n"
        "  hint: check that --config points to the right file"
    )


def test_non_utf8_file_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_bytes("project: acme\nregions:\n  eu-west-1: {countries: [\xc9]}\n".encode("latin-1"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.render() == f"{path}:3: not valid UTF-8 (byte 0xc9)\n  hint: save the file as UTF-8"


def test_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "regions.yaml"
    path.write_bytes("\ufeffproject: acme\n".encode())
    assert read_yaml(path).data == {"project": "acme"}


@pytest.mark.parametrize(
    ("location", "text"),
    [
        (("regions", "eu-central-1", "countries", 2), "regions.eu-central-1.countries[2]"),
        (("tags", "cost-center"), "tags.cost-center"),
        (("tags", "team.name"), "tags['team.name']"),
        (("tags", ""), "tags['']"),
        ((), ""),
    ],
)
def test_format_location(location: tuple[str | int, ...], text: str) -> None:
    assert format_location(location) == text
