from pathlib import Path

import pytest

from residency.errors import ExitCode, UsageError
from residency.terraform.cli_config import check_mirror, render_cli_config, write_cli_config


def make_mirror(root: Path) -> Path:
    (root / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    return root


def test_config_uses_only_the_mirror_and_one_shared_cache(tmp_path):
    text = render_cli_config(Path("/m/irror"), Path("/c/ache"))
    assert 'path    = "/m/irror"' in text
    assert 'plugin_cache_dir = "/c/ache"' in text
    assert "plugin_cache_may_break_dependency_lock_file = true" in text
    assert "direct" not in text  # no registry access at all


def test_paths_are_quoted_for_hcl():
    assert 'path    = "/a \\"b\\""' in render_cli_config(Path('/a "b"'), Path("/c"))


def test_write_creates_cache_and_is_stable(tmp_path):
    mirror = make_mirror(tmp_path / "mirror")
    config = write_cli_config(tmp_path / "work" / "terraformrc", mirror, tmp_path / "cache")
    assert (tmp_path / "cache").is_dir()
    first = config.stat().st_mtime_ns
    write_cli_config(config, mirror, tmp_path / "cache")
    assert config.stat().st_mtime_ns == first  # unchanged content is not rewritten


def test_missing_mirror_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError) as caught:
        check_mirror(tmp_path / "nope")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "is not a directory" in caught.value.message
    assert "RESIDENCY_PROVIDER_MIRROR" in (caught.value.hint or "")


def test_mirror_without_registry_layout_is_rejected(tmp_path):
    with pytest.raises(UsageError) as caught:
        check_mirror(tmp_path)
    assert "has no registry.terraform.io/" in caught.value.message
    assert check_mirror(make_mirror(tmp_path / "ok")) == (tmp_path / "ok").resolve()
