"""Terraform CLI configuration for offline use: a filesystem mirror and one shared plugin cache."""

from __future__ import annotations

from pathlib import Path

from residency.errors import UsageError
from residency.files import WORK_FILE_LIMIT, read_handed_text

MIRROR_ENV = "RESIDENCY_PROVIDER_MIRROR"


def check_mirror(mirror: Path) -> Path:
    if not mirror.is_dir():
        raise UsageError(
            f"provider mirror {str(mirror)!r} is not a directory",
            hint=f"set {MIRROR_ENV} (or --provider-mirror) to the directory that holds "
                 "registry.terraform.io/hashicorp/aws/...",
        )
    if not (mirror / "registry.terraform.io").is_dir():
        raise UsageError(
            f"provider mirror {str(mirror)!r} has no registry.terraform.io/ directory",
            hint="point it at the mirror's top directory (the parent of registry.terraform.io)",
        )
    return mirror.resolve()


def render_cli_config(mirror: Path, plugin_cache: Path) -> str:
    # Providers from the mirror only (no registry on offline machines). Terraform links the
    # cache entries to the unpacked mirror, so the ~700 MB AWS provider is never copied; the
    # lock file then carries only the local hash, hence plugin_cache_may_break_dependency_lock_file.
    return (
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {_hcl_string(mirror)}\n"
        '    include = ["*/*/*"]\n'
        "  }\n"
        "}\n"
        f"plugin_cache_dir = {_hcl_string(plugin_cache)}\n"
        "plugin_cache_may_break_dependency_lock_file = true\n"
        "disable_checkpoint = true\n"
    )


def write_cli_config(path: Path, mirror: Path, plugin_cache: Path) -> Path:
    plugin_cache.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    content = render_cli_config(mirror, plugin_cache)
    if _current(path) != content:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(content)
        temporary.replace(path)
    return path


def _current(path: Path) -> str | None:
    """What the file holds now; None when there is none or it cannot be read (it is written anew)."""
    try:
        return read_handed_text(path, WORK_FILE_LIMIT)
    except OSError:
        return None


def _hcl_string(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'
