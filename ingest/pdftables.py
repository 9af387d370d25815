"""Ruled tables from PDFium's drawing: cell grids from the page's line and rectangle paths, cell text
from PDFium's text page.

The same idea as pdfplumber's "lines" strategy (edges -> snap and join -> intersections -> cells ->
tables), on the path objects PDFium has already parsed, so a table page costs milliseconds instead of
pdfminer's layout pass (90-300 ms a page here). pdfplumber stays the reference: the tests compare the
two on the sample declarations and the real corpus.

Coordinates are PDF points with a top-left origin, like every box in `ingest`.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2.raw as pdfium_c

from ingest.pdfgeom import compose, matrix, walk_objects

SNAP = 3.0  # edges this close are one line (pdfplumber's snap_tolerance)
JOIN = 3.0  # collinear pieces with a gap this small are one edge (join_tolerance)
MIN_EDGE = 3.0  # shorter strokes are glyph details, not rules
TOUCH = 3.0  # how far an edge may stop short of a crossing line and still meet it (intersection_tolerance)


@dataclass
class Edge:
    pos: float  # y of a horizontal edge, x of a vertical one
    a: float  # start along the edge (x0 or top)
    b: float  # end along the edge (x1 or bottom)


@dataclass
class Table:
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]


def path_edges(page, display) -> tuple[list[Edge], list[Edge]]:
    """Horizontal and vertical straight segments of the page's stroked or filled paths (forms included),
    on the displayed page (`display` maps a user-space box there, `ingest.pdfgeom.to_display`).

    Walks PDFium's object lists directly: a table page holds hundreds of path objects.
    """
    hs: list[Edge] = []
    vs: list[Edge] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    get_segment = pdfium_c.FPDFPath_GetPathSegment
    seg_point, seg_type, seg_close = pdfium_c.FPDFPathSegment_GetPoint, pdfium_c.FPDFPathSegment_GetType, \
        pdfium_c.FPDFPathSegment_GetClose
    moveto, lineto = pdfium_c.FPDF_SEGMENT_MOVETO, pdfium_c.FPDF_SEGMENT_LINETO
    for obj, kind, outer in walk_objects(page, max_depth=4):
        if kind != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        if pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke) and not stroke.value and fill.value == 0:
            continue  # neither stroked nor filled: a clip or an invisible path
        n = pdfium_c.FPDFPath_CountSegments(obj)
        if n <= 0 or n > 5000:
            continue
        a, b, c, d, e, f = compose(matrix(obj), outer)
        start = prev = None
        for k in range(n):
            seg = get_segment(obj, k)
            if not seg or not seg_point(seg, x, y):
                continue
            ux, uy = a * x.value + c * y.value + e, b * x.value + d * y.value + f
            point = display(ux, uy, ux, uy)[:2]
            kind_seg = seg_type(seg)
            if kind_seg == moveto:
                start = prev = point
                continue
            if prev is not None and kind_seg == lineto:
                _add(prev, point, hs, vs)
            prev = point
            if seg_close(seg) and start is not None:
                _add(point, start, hs, vs)
                prev = start
    return hs, vs


def _add(p, q, hs: list[Edge], vs: list[Edge]) -> None:
    (x0, y0), (x1, y1) = p, q
    if abs(y0 - y1) <= 0.5 and abs(x1 - x0) >= MIN_EDGE:
        hs.append(Edge((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif abs(x0 - x1) <= 0.5 and abs(y1 - y0) >= MIN_EDGE:
        vs.append(Edge((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _merge(edges: list[Edge]) -> list[Edge]:
    """Snap edges at nearly the same position to one line, then join collinear pieces that touch."""
    if not edges:
        return []
    edges = sorted(edges, key=lambda e: e.pos)
    clusters: list[list[Edge]] = [[edges[0]]]
    for e in edges[1:]:
        if e.pos - clusters[-1][-1].pos <= SNAP:
            clusters[-1].append(e)
        else:
            clusters.append([e])
    out: list[Edge] = []
    for cluster in clusters:
        pos = sum(e.pos for e in cluster) / len(cluster)
        pieces = sorted(cluster, key=lambda e: e.a)
        cur = Edge(pos, pieces[0].a, pieces[0].b)
        for e in pieces[1:]:
            if e.a <= cur.b + JOIN:
                cur.b = max(cur.b, e.b)
            else:
                out.append(cur)
                cur = Edge(pos, e.a, e.b)
        out.append(cur)
    return out


def find_tables(page, textpage, display) -> list[Table]:
    """The ruled tables of a page, each with its cell texts by row (a merged cell's text appears once)."""
    hs, vs = path_edges(page, display)
    hs, vs = _merge(hs), _merge(vs)
    if len(hs) < 2 or len(vs) < 2:
        return []
    # intersections: (x, y) -> the indices of the horizontal and vertical edges through it
    points: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    for vi, v in enumerate(vs):
        for hi, h in enumerate(hs):
            if h.a - TOUCH <= v.pos <= h.b + TOUCH and v.a - TOUCH <= h.pos <= v.b + TOUCH:
                key = (round(v.pos, 2), round(h.pos, 2))
                entry = points.setdefault(key, (set(), set()))
                entry[0].add(hi)
                entry[1].add(vi)
    cells = _cells(points)
    if not cells:
        return []
    chars = _Chars(textpage, display)
    tables = [t for t in (_table(group, chars) for group in _groups(cells)) if t is not None]
    return sorted(tables, key=lambda t: (t.top, t.x0))


def _cells(points: dict[tuple[float, float], tuple[set[int], set[int]]]) -> list[tuple[float, float, float, float]]:
    """The smallest rectangles whose four corners are intersections joined by edges."""
    by_x: dict[float, list[float]] = {}
    by_y: dict[float, list[float]] = {}
    for x, y in points:
        by_x.setdefault(x, []).append(y)
        by_y.setdefault(y, []).append(x)
    for lst in (*by_x.values(), *by_y.values()):
        lst.sort()
    cells = []
    for (x, y), (h_here, v_here) in points.items():
        below = [yy for yy in by_x[x] if yy > y]
        right = [xx for xx in by_y[y] if xx > x]
        found = None
        for yy in below:
            if not (v_here & points[(x, yy)][1]):
                break  # no vertical edge joins them: nothing further down is a cell of this corner
            for xx in right:
                if not (h_here & points[(xx, y)][0]):
                    break
                corner = points.get((xx, yy))
                if corner is None:
                    continue
                if corner[0] & points[(x, yy)][0] and corner[1] & points[(xx, y)][1]:
                    found = (x, y, xx, yy)
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def _groups(cells):
    """Cells that share a corner belong to one table."""
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    corners: dict[tuple[float, float], int] = {}
    for i, (x0, y0, x1, y1) in enumerate(cells):
        for corner in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            j = corners.setdefault(corner, i)
            if j != i:
                parent[root(i)] = root(j)
    groups: dict[int, list] = {}
    for i, cell in enumerate(cells):
        groups.setdefault(root(i), []).append(cell)
    return list(groups.values())


# how text runs across the displayed page -> coordinates in which it runs left to right, lines going down
_READING = {
    "right": lambda x, y: (x, y),
    "down": lambda x, y: (y, -x),  # a page turned a quarter clockwise: lines stack from right to left
    "left": lambda x, y: (-x, -y),
    "up": lambda x, y: (-y, x),
}


class _Chars:
    """The page's characters with their boxes on the displayed page, binned by row for cell lookups.

    A cell's characters are put in the order their text runs: left to right on most pages, top to bottom
    on a page turned a quarter whose text was not turned with it. The direction comes from the order in
    which the text was drawn.
    """

    BIN = 8.0
    GAP = 3.0  # a wider gap between two characters of a line reads as a space (pdfplumber's x_tolerance)

    def __init__(self, textpage, display):
        raw = textpage.raw
        rect = pdfium_c.FS_RECTF()
        # row bin -> (index, x0, top, x1, bottom, char) on the displayed page
        self.bins: dict[int, list[tuple[int, float, float, float, float, str]]] = {}
        for i in range(pdfium_c.FPDFText_CountChars(raw)):
            code = pdfium_c.FPDFText_GetUnicode(raw, i)
            if code in (0, 10, 13) or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
                continue  # a space PDFium inferred is put back below only where the gap is wide
            # the loose box spans the glyph's advance and the font's height, as a layout engine places it
            if not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
                continue
            x0, top, x1, bottom = display(rect.left, rect.bottom, rect.right, rect.top)
            x0, x1, top, bottom = min(x0, x1), max(x0, x1), min(top, bottom), max(top, bottom)
            self.bins.setdefault(int((top + bottom) / 2 // self.BIN), []).append((i, x0, top, x1, bottom, chr(code)))

    def text(self, x0: float, top: float, x1: float, bottom: float) -> str:
        """The text whose characters' centres lie in the box, line by line in its own reading order."""
        inside = [c for b in range(int(top // self.BIN), int(bottom // self.BIN) + 1) for c in self.bins.get(b, ())
                  if x0 <= (c[1] + c[3]) / 2 <= x1 and top <= (c[2] + c[4]) / 2 <= bottom]
        if not inside:
            return ""
        to_reading = _READING[_direction(sorted(inside))]
        boxes = []
        for _, cx0, ctop, cx1, cbottom, ch in inside:
            (ax, ay), (bx, by) = to_reading(cx0, ctop), to_reading(cx1, cbottom)
            boxes.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), ch))
        # a line: characters whose middles fall within the vertical extent of the line so far
        # (a full stop or comma sits low in its line, but inside it)
        boxes.sort(key=lambda c: (c[1] + c[3]) / 2)
        lines: list[list] = []
        low = high = 0.0
        for c in boxes:
            mid = (c[1] + c[3]) / 2
            if lines and low - 0.5 <= mid <= high + 0.5:
                lines[-1].append(c)
                low, high = min(low, c[1]), max(high, c[3])
            else:
                lines.append([c])
                low, high = c[1], c[3]
        out = []
        for line in lines:
            line.sort(key=lambda c: c[0])
            parts = [line[0][4]]
            for prev, c in zip(line, line[1:], strict=False):
                if c[0] - prev[2] > self.GAP:
                    parts.append(" ")
                parts.append(c[4])
            out.append(" ".join("".join(parts).split()))
        return "\n".join(s for s in out if s)


def _direction(chars) -> str:
    """Which way text runs on the displayed page: the usual step from one drawn character to the next."""
    votes = {"right": 0, "down": 0, "left": 0, "up": 0}
    for a, b in zip(chars, chars[1:], strict=False):
        dx = (b[1] + b[3] - a[1] - a[3]) / 2
        dy = (b[2] + b[4] - a[2] - a[4]) / 2
        if abs(dx) >= abs(dy):
            votes["right" if dx >= 0 else "left"] += 1
        else:
            votes["down" if dy > 0 else "up"] += 1
    return max(votes, key=lambda k: (votes[k], k == "right"))


def _table(cells, chars: _Chars) -> Table | None:
    if len(cells) < 2:
        return None
    xs = sorted({c[0] for c in cells})
    ys = sorted({c[1] for c in cells})
    if len(xs) < 2 and len(ys) < 2:
        return None
    at = {(c[1], c[0]): c for c in cells}
    rows = []
    for y in ys:
        row = []
        for x in xs:
            cell = at.get((y, x))
            row.append(chars.text(*cell) if cell else "")
        rows.append(row)
    return Table(min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells),
                 max(c[3] for c in cells), rows)
