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
