"""The data map: SVG that is valid and renders (violations visibly red), Mermaid whose linkStyle hits the
violating edge, and files written by suffix."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import cairosvg
import pytest
from PIL import Image

from residency.errors import UsageError
from residency.guard.reports.data_map_files import render
from residency.guard.reports.data_map_mermaid import render_mermaid
from residency.guard.reports.data_map_svg import render_svg
from residency.guard.rules.findings import DataPath

NS = "{http://www.w3.org/2000/svg}"
REGIONS = {"eu-central-1": "EU", "eu-west-1": "EU", "us-east-1": "US", "ap-southeast-2": "AU"}
RED = (0xD3, 0x2F, 0x2F)
VIOLATION = DataPath("replica", "eu-central-1", "aws_dynamodb_table.users", "eu-central-1", "us-east-1", True)


def fine_paths() -> list[DataPath]:
    paths = [DataPath("routing", "global", f"aws_route53_record.{code}", "global", code) for code in REGIONS]
    paths += [DataPath("directory", "global", f"aws_dynamodb_table_item.{code}", "global", code) for code in REGIONS]
    paths.append(DataPath("failover", "global", "aws_route53_record.failover", "eu-central-1", "eu-west-1"))
    return paths


def svg(paths: list[DataPath], title: str = "data map") -> str:
    return render_svg(REGIONS, paths, global_region="us-east-1", title=title)


def mermaid(paths: list[DataPath]) -> str:
    return render_mermaid(REGIONS, paths, global_region="us-east-1", title="data map")


def texts(document: str) -> list[str]:
    return [element.text or "" for element in ElementTree.fromstring(document).iter(f"{NS}text")]


def red_pixels(document: str) -> int:
    png = cairosvg.svg2png(bytestring=document.encode("utf-8"))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # An RGB image counts (count, (r, g, b)) pairs; a float colour is for single-band images only.
    colours = [(count, colour) for count, colour in image.getcolors(image.width * image.height) or []
               if isinstance(colour, tuple)]
    # Anti-aliased edges blend towards the background; the core of a line keeps the exact colour.
    return sum(count for count, colour in colours if max(abs(a - b) for a, b in zip(colour, RED, strict=True)) <= 24)


def test_svg_is_a_standalone_document_with_every_jurisdiction_and_region() -> None:
    root = ElementTree.fromstring(svg([*fine_paths(), VIOLATION]))

    assert root.tag == f"{NS}svg"
    assert {"width", "height", "viewBox"} <= set(root.attrib)
    shown = texts(svg([*fine_paths(), VIOLATION]))
    assert {"EU", "US", "AU"} <= set(shown)
    assert set(REGIONS) <= set(shown)
    assert {"Frankfurt", "Sydney", "global (us-east-1)"} <= set(shown)


def test_a_violation_renders_red_and_fine_paths_do_not() -> None:
    assert red_pixels(svg([*fine_paths(), VIOLATION])) > 100
    assert red_pixels(svg(fine_paths())) == 0


def test_a_violation_is_a_thicker_red_arrow_with_a_marked_label() -> None:
    document = svg([*fine_paths(), VIOLATION])
    arrows = [path for path in ElementTree.fromstring(document).iter(f"{NS}path") if path.get("marker-end")]
    red = [float(path.get("stroke-width", "0")) for path in arrows if path.get("stroke") == "#d32f2f"]
    grey = [float(path.get("stroke-width", "0")) for path in arrows if path.get("stroke") != "#d32f2f"]

    assert len(red) == 2  # the replica and the legend's sample
    assert min(red) > max(grey)
    assert "✗ replica" in texts(document)


def test_paths_sharing_source_destination_and_kind_are_one_counted_arrow_and_self_loops_are_not_drawn() -> None:
    extra = [DataPath("routing", "global", f"aws_route53_record.extra{n}", "global", "us-east-1") for n in range(2)]
    loop = DataPath("backup-copy", "eu-west-1", "aws_backup_plan.local", "eu-west-1", "eu-west-1")
    shown = texts(svg([*fine_paths(), *extra, loop]))

    assert shown.count("routing ×3") == 1
    assert shown.count("routing") == 3  # the three other regions
    assert "backup-copy" not in shown


def test_the_unknown_destination_appears_only_when_a_path_leads_there_and_is_always_a_violation() -> None:
    lost = DataPath("backup-copy", "eu-west-1", "aws_backup_plan.copy", "eu-west-1", "unknown")

    assert "unknown destination" not in texts(svg(fine_paths()))
    assert "unknown destination" in texts(svg([*fine_paths(), lost]))
    assert "✗ backup-copy" in texts(svg([*fine_paths(), lost]))


def test_a_region_outside_the_configuration_is_still_drawn_in_its_jurisdiction() -> None:
    stray = DataPath("replication", "us-east-1", "aws_s3_bucket_replication_configuration.x", "us-east-1",
                     "ap-south-1", True)
    shown = texts(svg([*fine_paths(), stray]))

    assert {"ap-south-1", "IN", "region not in the configuration"} <= set(shown)


def test_output_is_deterministic_whatever_the_order_of_paths() -> None:
    paths = [*fine_paths(), VIOLATION]

    assert svg(paths) == svg(paths) == svg(list(reversed(paths)))
    assert mermaid(paths) == mermaid(list(reversed(paths)))


def test_text_is_xml_escaped() -> None:
    title = 'regions <eu> & "friends"'
    document = svg([*fine_paths(), VIOLATION], title=title)

    assert "&lt;eu&gt; &amp; &quot;friends&quot;" in document
    assert ElementTree.fromstring(document).findtext(f"{NS}title") == title
    assert title in texts(document)


def test_nothing_to_draw_is_still_a_valid_document() -> None:
    document = render_svg({}, [], global_region="us-east-1", title="empty")

    assert ElementTree.fromstring(document).tag == f"{NS}svg"
    assert "✓ no violations" in texts(document)


def test_mermaid_has_one_subgraph_per_jurisdiction_and_styles_the_violating_edge() -> None:
    lines = mermaid([*fine_paths(), VIOLATION]).splitlines()
    edges = [line for line in lines if "-->" in line]
    styled = [line.split()[1] for line in lines if line.strip().startswith("linkStyle")]

    assert "flowchart LR" in lines
    assert [line.split("[")[1] for line in lines if line.strip().startswith("subgraph")] == ['"EU"]', '"US"]', '"AU"]']
    assert styled == [str(next(i for i, edge in enumerate(edges) if "✗ replica" in edge))]
    assert "#d32f2f" in next(line for line in lines if "linkStyle" in line)
    assert not any("-" in line.split()[0] for line in edges)  # ids are sanitized, region codes are not ids


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("map.svg", lambda text: ElementTree.fromstring(text).tag == f"{NS}svg"),
        ("map.mmd", lambda text: "flowchart LR" in text and "```" not in text),
        ("map.md", lambda text: text.startswith("```mermaid\n") and text.endswith("```\n") and "flowchart LR" in text),
    ],
)
def test_render_picks_the_format_by_suffix(tmp_path: Path, name: str, check) -> None:
    target = tmp_path / name
    render(target, REGIONS, [*fine_paths(), VIOLATION], global_region="us-east-1", title="data map")

    assert check(target.read_text(encoding="utf-8"))
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_render_rejects_other_suffixes(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        render(tmp_path / "map.png", REGIONS, fine_paths(), global_region="us-east-1", title="data map")

    assert all(suffix in raised.value.message for suffix in (".svg", ".mmd", ".md"))
    assert list(tmp_path.iterdir()) == []
