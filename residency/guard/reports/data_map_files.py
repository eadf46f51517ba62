"""Writing the data map to a file, as SVG or Mermaid by the file's suffix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from residency.errors import UsageError
from residency.files import write_atomically
from residency.guard.reports.data_map_mermaid import render_mermaid
from residency.guard.reports.data_map_svg import render_svg
from residency.guard.rules.findings import DataPath

SUFFIXES = (".svg", ".mmd", ".md")



def render(
    path: Path, regions: Mapping[str, str], paths: Sequence[DataPath], *, global_region: str, title: str
) -> None:
    """Write the map to `path`, as SVG or Mermaid by its suffix; readers never see a half-written file."""
    suffix = check_suffix(path)
    if suffix == ".svg":
        text = render_svg(regions, paths, global_region=global_region, title=title)
    else:
        text = render_mermaid(regions, paths, global_region=global_region, title=title)
        text = f"```mermaid\n{text}```\n" if suffix == ".md" else text
    write_atomically(path, text)


def check_suffix(path: Path) -> str:
    """The map's format from the file name; a usage error for any other (checked before the work starts)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UsageError(
            f"cannot draw the data map as {path.name!r}: the file must end in .svg, .mmd or .md",
            hint="e.g. --graph data-map.svg (an image) or --graph data-map.md (Mermaid, shown by GitHub)",
        )
    if not path.parent.is_dir():
        raise UsageError(f"--graph {path}: the directory {path.parent} does not exist")
    return suffix
