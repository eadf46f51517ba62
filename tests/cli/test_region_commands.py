"""`residency region add|retire` as users meet them: the file edited in place or not at all, and
retirement refused up front when it cannot be confirmed."""

from __future__ import annotations

from residency.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_keeps_the_file_and_shows_the_diff(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, out, err = run(capsys, "--config", str(config), "region", "add", "ca-central-1",
                         "--jurisdiction", "CA", "--countries", "ca")
    assert code == 0, err
    after = config.read_text()
    added = "  ca-central-1:\n    jurisdiction: CA\n    countries: [CA]\n"
    assert after == before.replace("tags: {}", added + "tags: {}")
    assert "# users from unlisted countries land here" in after
    assert "+  ca-central-1:" in out and out.startswith("--- a/regions.yaml")
    code, _, _ = run(capsys, "--config", str(config), "validate")
    assert code == 0


def test_dry_run_writes_nothing(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, out, _ = run(capsys, "--config", str(config), "region", "add", "ca-central-1",
                       "--jurisdiction", "CA", "--countries", "CA", "--dry-run")
    assert code == 0 and "+    countries: [CA]" in out
    assert config.read_text() == before


def test_an_invalid_result_exits_65_and_leaves_the_file_alone(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, _, err = run(capsys, "--config", str(config), "region", "add", "ca-central-1",
                       "--jurisdiction", "CA", "--countries", "CA,IE")
    assert code == 65
    assert "country 'IE' is already in region eu-west-1" in err
    assert config.read_text() == before
    assert sorted(p.name for p in project.iterdir()) == ["regions.yaml"]  # no temporary file left


def test_adding_a_listed_region_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, "--config", str(project / "regions.yaml"), "region", "add", "us-east-1",
                       "--jurisdiction", "US", "--countries", "PR")
    assert code == 64 and "us-east-1 is already in regions.yaml" in err


def test_retire_refuses_a_listed_region_and_unconfirmed_runs(project, capsys):
    config = str(project / "regions.yaml")
    code, _, err = run(capsys, "--config", config, "region", "retire", "us-east-1", "--yes",
                       "--i-understand-data-loss")
    assert code == 64 and "us-east-1 is still in regions.yaml" in err
    code, _, err = run(capsys, "--config", config, "region", "retire", "ca-central-1", "--yes")
    assert code == 64 and "--yes needs --i-understand-data-loss" in err
    code, _, err = run(capsys, "--config", config, "region", "retire", "ca-central-1")
    assert code == 64 and "refusing to retire a region without confirmation" in err


def test_add_takes_the_jurisdiction_from_awss_region_table_and_checks_a_given_one(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, out, err = run(capsys, "--config", str(config), "region", "add", "ca-central-1", "--countries", "CA")
    assert code == 0, err
    assert "+    jurisdiction: CA" in out and "jurisdiction: CA" in config.read_text()
    config.write_text(before)
    code, _, err = run(capsys, "--config", str(config), "region", "add", "ca-central-1", "--jurisdiction", "US",
                       "--countries", "CA")
    assert code == 65 and "ca-central-1 (Montreal) is in jurisdiction CA, not US" in err
    assert config.read_text() == before
    code, _, err = run(capsys, "--config", str(config), "region", "add", "mars-north-1", "--countries", "CA")
    assert code == 64 and "mars-north-1 is not an AWS region residency knows" in err
    assert config.read_text() == before


def test_remove_takes_the_region_out_keeps_everything_else_and_says_to_retire(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, out, err = run(capsys, "--config", str(config), "region", "remove", "ap-southeast-2", "--dry-run")
    assert code == 0 and "-  ap-southeast-2:" in out and config.read_text() == before
    code, out, err = run(capsys, "--config", str(config), "region", "remove", "ap-southeast-2")
    assert code == 0, err
    assert config.read_text() == before.replace(
        "  ap-southeast-2:\n    jurisdiction: AU\n    countries: [AU, NZ]\n", "")
    assert "# users from unlisted countries land here" in config.read_text()
    assert "residency region retire ap-southeast-2 --export DIR" in err
    code, _, err = run(capsys, "--config", str(config), "region", "remove", "ap-southeast-2")
    assert code == 64 and "ap-southeast-2 is not in regions.yaml" in err


def test_remove_refuses_what_would_leave_regions_yaml_invalid(project, capsys):
    config = project / "regions.yaml"
    before = config.read_text()
    code, _, err = run(capsys, "--config", str(config), "region", "remove", "us-east-1")  # the default region
    assert code == 65, err
    assert config.read_text() == before


def test_remove_keeps_crlf_line_endings_and_the_byte_order_mark(project, capsys):
    config = project / "regions.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_text().replace("\n", "\r\n").encode())
    code, _, err = run(capsys, "--config", str(config), "region", "remove", "eu-west-1")
    assert code == 0, err
    data = config.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"eu-west-1" not in data
    assert data.count(b"\r\n") == data.count(b"\n")
