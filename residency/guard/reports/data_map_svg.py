"""The data map as an SVG image: a small layout engine (jurisdiction boxes, curved edges, labels that avoid
each other) and its markup. Standard library only."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from residency.guard.reports.data_map import FINE_COLOUR, VIOLATION_COLOUR, DataMap, Edge, build_map, city
from residency.guard.rules.findings import DataPath
from residency.guard.terraform_json.values import GLOBAL, UNKNOWN

_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
_MARGIN = 24.0
_NODE_W, _NODE_H = 140.0, 44.0
_NODE_GAP, _BOX_PAD, _BOX_STRIP, _BOX_GAP = 16.0, 14.0, 26.0, 28.0
_HEADER_H = 56.0
_LABEL_H, _LABEL_SIZE = 17.0, 11.0
_LANE, _PORT = 44.0, 24.0  # how far apart parallel edges run in the middle, and where they meet nodes
_LABEL_POSITIONS = (0.5, 0.38, 0.62, 0.26, 0.74, 0.44, 0.56, 0.32, 0.68, 0.2, 0.8)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Point = tuple[float, float]



@dataclass(frozen=True)
class _Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def centre(self) -> Point:
        return (self.x + self.w / 2, self.y + self.h / 2)

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def grow(self, by: float) -> _Rect:
        return _Rect(self.x - by, self.y - by, self.w + 2 * by, self.h + 2 * by)

    def overlap(self, other: _Rect) -> float:
        width = min(self.x + self.w, other.x + other.w) - max(self.x, other.x)
        height = min(self.bottom, other.bottom) - max(self.y, other.y)
        return max(width, 0.0) * max(height, 0.0)

    def border_toward(self, target: Point, origin: Point | None = None) -> Point:
        """Where the ray from `origin` (the centre unless given) toward `target` leaves the rectangle."""
        ox, oy = origin or self.centre
        dx, dy = target[0] - ox, target[1] - oy
        limits = [((self.x + self.w if dx > 0 else self.x) - ox) / dx] if dx else []
        limits += [((self.bottom if dy > 0 else self.y) - oy) / dy] if dy else []
        scale = min(limits, default=0.0)
        return (ox + dx * scale, oy + dy * scale)

    def inner(self, point: Point) -> Point:
        """The point, moved well inside if need be; parallel edges aim at such points, not at one centre."""
        return (max(self.x + 8, min(self.x + self.w - 8, point[0])), max(self.y + 8, min(self.bottom - 8, point[1])))


@dataclass(frozen=True)
class _Curve:
    edge: Edge
    start: Point
    control: Point
    end: Point

    def at(self, t: float) -> Point:
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t**2
        return (
            a * self.start[0] + b * self.control[0] + c * self.end[0],
            a * self.start[1] + b * self.control[1] + c * self.end[1],
        )


@dataclass(frozen=True)
class _Layout:
    width: float
    nodes: dict[str, _Rect]
    clusters: tuple[tuple[str, _Rect], ...]
    row: _Rect

    def anchor(self, name: str, other: str) -> Point:
        """Where an edge to `other` is aimed inside node `name`."""
        box = self.nodes[name]
        if name != GLOBAL or not _inside(self.nodes[other].centre, self.row):
            return box.centre
        # The global node spreads its edges along its width in the order of the regions below, so they fan out.
        share = (self.nodes[other].centre[0] - self.row.x) / self.row.w
        return (box.x + box.w * (0.08 + 0.84 * share), box.centre[1])


def _inside(point: Point, box: _Rect) -> bool:
    return box.x <= point[0] <= box.x + box.w and box.y <= point[1] <= box.bottom


def _text_width(text: str, size: float, *, bold: bool = False) -> float:
    return len(text) * size * (0.68 if bold else 0.62)


def _region_width(code: str) -> float:
    return max(_NODE_W, _text_width(code, 13, bold=True) + 20, _text_width(city(code), 11) + 20)


def _cluster_width(codes: Sequence[str]) -> float:
    return 2 * _BOX_PAD + sum(_region_width(code) for code in codes) + _NODE_GAP * (len(codes) - 1)


def _layout(graph: DataMap) -> _Layout:
    row_w = sum(_cluster_width(codes) for _, codes in graph.clusters) + _BOX_GAP * max(len(graph.clusters) - 1, 0)
    global_w = max(_NODE_W, _text_width(graph.global_label, 13, bold=True) + 24, 0.4 * row_w)
    unknown_w = _text_width("unknown destination", 12) + 24
    top_w = global_w + 2 * (40 + unknown_w) if graph.has_unknown else global_w
    content_w = max(row_w, top_w, _text_width(graph.title, 18, bold=True), _legend_width(graph))
    top_y = _MARGIN + _HEADER_H
    nodes = {GLOBAL: _Rect(_MARGIN + (content_w - global_w) / 2, top_y, global_w, _NODE_H)}
    if graph.has_unknown:
        nodes[UNKNOWN] = _Rect(_MARGIN + content_w - unknown_w, top_y, unknown_w, _NODE_H)
    row = _Rect(_MARGIN + (content_w - row_w) / 2, top_y + _NODE_H + _fan_height(graph), row_w,
                _BOX_STRIP + _NODE_H + _BOX_PAD)
    clusters = _place_row(graph, nodes, row.x, row.y)
    return _Layout(content_w + 2 * _MARGIN, nodes, clusters, row)


def _fan_height(graph: DataMap) -> float:
    """Room between the global node and the regions: more where several labelled edges share one region."""
    parallel: dict[str, int] = {}
    for edge in graph.edges:
        if GLOBAL in (edge.source, edge.destination):
            other = edge.destination if edge.source == GLOBAL else edge.source
            parallel[other] = parallel.get(other, 0) + 1
    return min(150 + 24 * max(parallel.values(), default=1), 300)


def _place_row(graph: DataMap, nodes: dict[str, _Rect], x: float, y: float) -> tuple[tuple[str, _Rect], ...]:
    clusters = []
    for jurisdiction, codes in graph.clusters:
        clusters.append((jurisdiction, _Rect(x, y, _cluster_width(codes), _BOX_STRIP + _NODE_H + _BOX_PAD)))
        node_x = x + _BOX_PAD
        for code in codes:
            nodes[code] = _Rect(node_x, y + _BOX_STRIP, _region_width(code), _NODE_H)
            node_x += _region_width(code) + _NODE_GAP
        x += _cluster_width(codes) + _BOX_GAP
    return tuple(clusters)


def _curves(graph: DataMap, layout: _Layout) -> list[_Curve]:
    lanes: dict[frozenset[str], list[Edge]] = {}
    for edge in graph.edges:
        lanes.setdefault(frozenset((edge.source, edge.destination)), []).append(edge)
    curves = []
    for edge in graph.edges:
        siblings = lanes[frozenset((edge.source, edge.destination))]
        if {edge.source, edge.destination} <= set(graph.regions):
            curves.append(_below_row(edge, layout, siblings.index(edge)))
        else:
            curves.append(_beside(edge, layout, siblings.index(edge) - (len(siblings) - 1) / 2))
    return curves


def _below_row(edge: Edge, layout: _Layout, lane: int) -> _Curve:
    """Regions share one row, so a path between two of them bends under the row instead of crossing nodes."""
    source, destination = layout.nodes[edge.source], layout.nodes[edge.destination]
    (x0, y0), (x1, y1) = source.centre, destination.centre
    apex = layout.row.bottom + 26 + min(0.1 * abs(x1 - x0), 120) + lane * 26
    control = ((x0 + x1) / 2, 2 * apex - y0)
    outward = math.copysign(lane * 14, x1 - x0)  # deeper lanes start and end further apart, so arcs nest
    start = source.border_toward(control, source.inner((x0 - outward, y0)))
    return _Curve(edge, start, control, destination.border_toward(control, destination.inner((x1 + outward, y1))))


def _beside(edge: Edge, layout: _Layout, lane: float) -> _Curve:
    source, destination = layout.nodes[edge.source], layout.nodes[edge.destination]
    a, b = layout.anchor(edge.source, edge.destination), layout.anchor(edge.destination, edge.source)
    # The normal is taken in one fixed direction per pair, so paths both ways between two nodes get distinct lanes.
    first, second = sorted((a, b))
    length = math.hypot(second[0] - first[0], second[1] - first[1]) or 1.0
    nx, ny = -(second[1] - first[1]) / length * lane, (second[0] - first[0]) / length * lane
    control = ((a[0] + b[0]) / 2 + nx * _LANE, (a[1] + b[1]) / 2 + ny * _LANE)
    start = source.border_toward(control, source.inner((a[0] + nx * _PORT, a[1] + ny * _PORT)))
    end = destination.border_toward(control, destination.inner((b[0] + nx * _PORT, b[1] + ny * _PORT)))
    return _Curve(edge, start, control, end)


def _label_box(curve: _Curve, t: float) -> _Rect:
    x, y = curve.at(t)
    width = _text_width(curve.edge.label, _LABEL_SIZE, bold=curve.edge.violation) + 10
    return _Rect(x - width / 2, y - _LABEL_H / 2, width, _LABEL_H)


def _place_labels(curves: Sequence[_Curve], obstacles: Sequence[_Rect]) -> dict[Edge, _Rect]:
    """Greedy: each label takes the first spot along its curve that is free, violations first."""
    taken = list(obstacles)
    placed: dict[Edge, _Rect] = {}
    for curve in sorted(curves, key=lambda curve: not curve.edge.violation):
        options = [_label_box(curve, t) for t in _LABEL_POSITIONS]
        _, best = min(enumerate(options), key=lambda item: (sum(item[1].overlap(r) for r in taken), item[0]))
        placed[curve.edge] = best
        taken.append(best.grow(2))
    return placed


# --- SVG markup -----------------------------------------------------------------------------------


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _escape(text: str) -> str:
    return html.escape(_XML_INVALID.sub("", text), quote=True)


def _element(tag: str, content: str | None = None, /, **attributes: str | float) -> str:
    parts = [tag]
    for name, value in attributes.items():
        shown = _num(value) if isinstance(value, float | int) else _escape(value)
        parts.append(f'{name.rstrip("_").replace("_", "-")}="{shown}"')
    opening = " ".join(parts)
    return f"<{opening}/>" if content is None else f"<{opening}>{content}</{tag}>"


def _text(x: float, y: float, text: str, size: float, **attributes: str | float) -> str:
    return _element("text", _escape(text), x=x, y=y, font_size=size, **attributes)


def _markers() -> str:
    def marker(name: str, colour: str) -> str:
        head = _element("path", d="M0,0 L10,5 L0,10 z", fill=colour)
        return _element(
            "marker", head, id=f"arrow-{name}", viewBox="0 0 10 10", refX=9.0, refY=5.0, markerWidth=10.0,
            markerHeight=10.0, markerUnits="userSpaceOnUse", orient="auto",
        )

    return _element("defs", marker("fine", FINE_COLOUR) + marker("violation", VIOLATION_COLOUR))


def _stroke(edge: Edge) -> dict[str, str | float]:
    if edge.violation:
        return {"stroke": VIOLATION_COLOUR, "stroke_width": 3.0, "marker_end": "url(#arrow-violation)"}
    return {"stroke": FINE_COLOUR, "stroke_width": 1.5, "marker_end": "url(#arrow-fine)"}


def _svg_header(graph: DataMap) -> list[str]:
    paths = f"{graph.path_count} data path{'s' * (graph.path_count != 1)}"
    violations = f"{graph.violation_count} violation{'s' * (graph.violation_count != 1)}"
    return [
        _element("title", _escape(graph.title)),
        _text(_MARGIN, _MARGIN + 18, graph.title, 18, font_weight="bold", fill="#263238"),
        _text(_MARGIN, _MARGIN + 38, f"{paths}, {violations}", 12, fill="#546e7a"),
    ]


def _svg_clusters(layout: _Layout) -> list[str]:
    return [
        _element("rect", x=box.x, y=box.y, width=box.w, height=box.h, rx=10.0, fill="#eef3f7", stroke="#b0bec5")
        for _, box in layout.clusters
    ]


def _cluster_labels(layout: _Layout) -> list[tuple[str, _Rect]]:
    # In the top corner away from the global node: the paths from it enter each box on that node's side.
    labels = []
    for name, box in layout.clusters:
        width = _text_width(name, 13, bold=True) + 10
        right = box.centre[0] > layout.nodes[GLOBAL].centre[0] + 1
        labels.append((name, _Rect(box.x + box.w - 6 - width if right else box.x + 6, box.y + 4, width, 19)))
    return labels


def _svg_cluster_labels(layout: _Layout) -> list[str]:
    # Drawn over the edges: a path entering the box must not hide which jurisdiction it is.
    elements = []
    for name, label in _cluster_labels(layout):
        elements.append(_element("rect", x=label.x, y=label.y, width=label.w, height=label.h, rx=4.0, fill="#eef3f7"))
        elements.append(_text(label.x + 5, label.y + 14, name, 13, font_weight="bold", fill="#37474f"))
    return elements


def _svg_node(graph: DataMap, name: str, box: _Rect) -> str:
    cx, cy = box.centre
    dashed = {"stroke_dasharray": "5 3"} if name in graph.outside or name == UNKNOWN else {}
    if name == GLOBAL:
        style: dict[str, str | float] = {"fill": "#e8eaf6", "stroke": "#3949ab"}
        lines = [_text(cx, cy + 5, graph.global_label, 13, font_weight="bold", text_anchor="middle", fill="#1a237e")]
    elif name == UNKNOWN:
        style = {"fill": "#ffffff", "stroke": VIOLATION_COLOUR}
        lines = [_text(cx, cy + 4, "unknown destination", 12, text_anchor="middle", fill=VIOLATION_COLOUR)]
    else:
        style = {"fill": "#ffffff", "stroke": "#455a64"}
        lines = [_text(cx, cy - 2 if city(name) else cy + 5, name, 13, font_weight="bold", text_anchor="middle",
                       fill="#263238")]
        if city(name):
            lines.append(_text(cx, cy + 14, city(name), 11, text_anchor="middle", fill="#607d8b"))
    frame = _element("rect", x=box.x, y=box.y, width=box.w, height=box.h, rx=6.0, stroke_width=1.2, **style, **dashed)
    return _element("g", frame + "".join(lines))


def _svg_edge(curve: _Curve) -> str:
    # Written as the equivalent cubic: CairoSVG points arrowheads on quadratic segments to the right, always.
    (x0, y0), (qx, qy), (x1, y1) = curve.start, curve.control, curve.end
    c0 = (x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0))
    c1 = (x1 + 2 / 3 * (qx - x1), y1 + 2 / 3 * (qy - y1))
    d = f"M{_num(x0)},{_num(y0)} C{_num(c0[0])},{_num(c0[1])} {_num(c1[0])},{_num(c1[1])} {_num(x1)},{_num(y1)}"
    return _element("path", d=d, fill="none", **_stroke(curve.edge))


def _svg_label(edge: Edge, box: _Rect) -> str:
    colour = VIOLATION_COLOUR if edge.violation else "#455a64"
    weight = "bold" if edge.violation else "normal"
    background = _element("rect", x=box.x, y=box.y, width=box.w, height=box.h, rx=3.0, fill="#ffffff",
                          fill_opacity=0.92)
    text = _text(box.centre[0], box.y + 12.5, edge.label, _LABEL_SIZE, text_anchor="middle", fill=colour,
                 font_weight=weight)
    return _element("g", background + text)


def _legend_entries(graph: DataMap) -> list[tuple[str, dict[str, str | float] | None]]:
    entries: list[tuple[str, dict[str, str | float] | None]] = [("fine path", {"stroke": FINE_COLOUR})]
    if graph.violation_count:
        entries.append(("✗ violation", {"stroke": VIOLATION_COLOUR}))
    else:
        entries.append(("✓ no violations", None))
    if graph.outside:
        entries.append(("region not in the configuration", {"stroke": "#455a64", "stroke_dasharray": "5 3"}))
    return entries


def _legend_width(graph: DataMap) -> float:
    return sum(46 + _text_width(text, 12) + 28 for text, _ in _legend_entries(graph))


def _svg_legend(graph: DataMap, y: float) -> list[str]:
    elements: list[str] = []
    x = _MARGIN
    for text, style in _legend_entries(graph):
        if style is None:
            elements.append(_text(x, y + 4, text, 12, fill="#2e7d32"))
            x += _text_width(text, 12) + 28
            continue
        elements.append(_legend_sample(x, y, style))
        elements.append(_text(x + 46, y + 4, text, 12, fill="#37474f"))
        x += 46 + _text_width(text, 12) + 28
    return elements


def _legend_sample(x: float, y: float, style: dict[str, str | float]) -> str:
    if "stroke_dasharray" in style:
        return _element("rect", x=x, y=y - 8, width=36.0, height=16.0, rx=4.0, fill="#ffffff", **style)
    violation = style["stroke"] == VIOLATION_COLOUR
    marker = "url(#arrow-violation)" if violation else "url(#arrow-fine)"
    return _element("path", d=f"M{_num(x)},{_num(y)} H{_num(x + 36)}", fill="none",
                    stroke_width=3.0 if violation else 1.5, marker_end=marker, **style)


def render_svg(regions: Mapping[str, str], paths: Sequence[DataPath], *, global_region: str, title: str) -> str:
    graph = build_map(regions, paths, global_region, title)
    layout = _layout(graph)
    curves = _curves(graph, layout)
    obstacles = [box.grow(3) for box in layout.nodes.values()]
    obstacles += [label for _, label in _cluster_labels(layout)]
    labels = _place_labels(curves, obstacles)
    lowest = max([layout.row.bottom] + [curve.at(0.5)[1] for curve in curves] + [b.bottom for b in labels.values()])
    legend_y = lowest + 30
    width, height = math.ceil(layout.width), math.ceil(legend_y + 12 + _MARGIN)
    body = [_element("rect", x=0.0, y=0.0, width=float(width), height=float(height), fill="#ffffff")]
    body += _svg_header(graph) + _svg_clusters(layout)
    body += [_svg_edge(curve) for curve in curves]
    body += [_svg_node(graph, name, box) for name, box in layout.nodes.items()]
    body += _svg_cluster_labels(layout)
    body += [_svg_label(curve.edge, labels[curve.edge]) for curve in curves]
    body += _svg_legend(graph, legend_y)
    root = _element(
        "svg", "\n" + _markers() + "\n" + "\n".join(body) + "\n", xmlns="http://www.w3.org/2000/svg",
        width=float(width), height=float(height), viewBox=f"0 0 {width} {height}", font_family=_FONT,
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + root + "\n"
