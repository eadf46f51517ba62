"""Plain-text tables whose columns fit their widest cell, so no value runs into the next column."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

GAP = "  "


def aligned(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """`headers` and `rows` as lines, each column as wide as its widest cell; the last is not padded."""
    table = [[str(cell) for cell in headers], *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[column]) for row in table) for column in range(len(headers))]
    return [GAP.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table]
