"""`region add` and `region remove`: one region more or less in regions.yaml, its comments, layout, byte-order mark
and line endings kept; and the pipelines rendered for that regions.yaml brought up to date after any change of its
regions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from residency.errors import ExitCode, ResidencyError, UsageError
from residency.files import write_atomically
from residency.flows import project

Progress = Callable[[str], None]


@dataclass(frozen=True)
class RegionEdit:
    region: str
    path: Path
    diff: str
    written: bool  # False for a dry run
    exit_code: ExitCode = ExitCode.OK


def add_region(config_path: Path, region: str, *, jurisdiction: str | None, countries: str, failover: str | None,
               default: bool, dry_run: bool) -> RegionEdit:
    """Add `region` to the regions.yaml at `config_path`; nothing is written unless the result is valid. Without
    `jurisdiction`, the region's own (AWS's region table) is written; a given one is checked against it."""
    from residency.config.aws_regions import region_jurisdiction
    from residency.config.editing import add_region as added_to

    codes = [code.strip().upper() for code in countries.split(",") if code.strip()]
    region = region.strip()
    if jurisdiction is None:
        jurisdiction = region_jurisdiction(region)
        if jurisdiction is None:
            raise UsageError(f"{region} is not an AWS region residency knows, so its jurisdiction is unknown",
                             hint="check the code (`residency region add eu-west-3 ...`), or give --jurisdiction")

    def change(text: str) -> str:
        if not codes:
            raise UsageError("--countries names no country", hint="e.g. --countries CA or --countries DE,AT")
        return added_to(text, region, jurisdiction=jurisdiction.strip(), countries=codes,
                        failover=failover.strip() if failover else None, default=default)

    return _edit(config_path, region, change, dry_run)


def remove_region(config_path: Path, region: str, *, dry_run: bool) -> RegionEdit:
    """Take `region` out of the regions.yaml at `config_path` (its workspace and data stay until `region retire`);
    nothing is written unless the result is valid."""
    from residency.config.editing import remove_region as removed_from

    region = region.strip()
    return _edit(config_path, region, lambda text: removed_from(text, region), dry_run)


def _edit(config_path: Path, region: str, change: Callable[[str], str], dry_run: bool) -> RegionEdit:
    """`change` applied to regions.yaml's text, byte-order mark and line endings kept, validated before writing."""
    from residency.config.editing import unified_diff
    from residency.config.loader import load_config_text
    from residency.config.yaml_source import BOM, read_config_text

    project.load(config_path)  # the file as it is must be valid before it is edited
    text = read_config_text(config_path)
    bom = BOM if text.startswith(BOM) else ""
    old, newline = _with_unix_newlines(text.removeprefix(BOM), config_path)
    new = change(old)
    load_config_text(new, str(config_path))
    diff = unified_diff(old, new, config_path.name).rstrip("\n")
    if not dry_run:
        write_atomically(config_path, bom + new.replace("\n", newline))
    return RegionEdit(region, config_path, diff, written=not dry_run)


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
