"""`region add`: one more region in regions.yaml, its comments, layout, byte-order mark and line endings kept;
and the pipelines rendered for that regions.yaml brought up to date after any change of its regions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from residency.errors import ExitCode, ResidencyError, UsageError
from residency.files import write_atomically
from residency.flows import project

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RegionAddition:
    region: str
    path: Path
    diff: str
    written: bool  # False for a dry run
    exit_code: ExitCode = ExitCode.OK


def add_region(config_path: Path, region: str, *, jurisdiction: str, countries: str, failover: str | None,
               default: bool, dry_run: bool) -> RegionAddition:
    """Add `region` to the regions.yaml at `config_path`; nothing is written unless the result is valid."""
    from residency.config.editing import add_region as added_to
    from residency.config.editing import unified_diff
    from residency.config.loader import load_config_text
    from residency.config.yaml_source import BOM, read_config_text

    project.load(config_path)  # the file as it is must be valid before it is edited
    text = read_config_text(config_path)
    bom = BOM if text.startswith(BOM) else ""
    old, newline = _with_unix_newlines(text.removeprefix(BOM), config_path)
    codes = [code.strip().upper() for code in countries.split(",") if code.strip()]
    if not codes:
        raise UsageError("--countries names no country", hint="e.g. --countries CA or --countries DE,AT")
    region = region.strip()
    new = added_to(old, region, jurisdiction=jurisdiction.strip(), countries=codes,
                   failover=failover.strip() if failover else None, default=default)
    load_config_text(new, str(config_path))
    diff = unified_diff(old, new, config_path.name).rstrip("\n")
    if not dry_run:
        write_atomically(config_path, bom + new.replace("\n", newline))
    return RegionAddition(region, config_path, diff, written=not dry_run)


def _with_unix_newlines(text: str, path: Path) -> tuple[str, str]:
    """The text with LF line endings, and the ending the file uses, so that the edit keeps it."""
    crlf = text.count("\r\n")
    if crlf == 0:
        if "\r" in text:
            raise UsageError(f"{path} has line endings residency cannot keep (a bare CR)",
                             hint="save it with LF or CRLF line endings")
        return text, "\n"
    if crlf != text.count("\n") or text.replace("\r\n", "").count("\r"):
        raise UsageError(f"{path} mixes CRLF and LF line endings; an added region could only follow one of them",
                         hint="convert the file to one kind (e.g. dos2unix or unix2dos), then run this again")
    return text.replace("\r\n", "\n"), "\r\n"


def follow_pipelines(config_path: Path, progress: Progress) -> None:
    """Render again each pipeline rendered for this regions.yaml, so that it applies what regions.yaml lists now;
    say which command does it when it cannot be done here."""
    from residency.pipelines.pipeline_drift import rerender, stale_pipelines

    config = project.load(config_path)
    for stale in stale_pipelines(config, config_path):
        try:
            progress(f"rendered {rerender(stale, config, config_path)} again: {stale.why}")
        except (ResidencyError, AttributeError) as error:
            message = error.message if isinstance(error, ResidencyError) else "its settings line cannot be read"
            progress(f"warning: {stale.path} is out of date ({stale.why}) and was not rendered again "
                     f"({message}); run `{stale.command}`")
