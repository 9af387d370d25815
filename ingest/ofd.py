"""OFD (GB/T 33190-2016), the Chinese fixed-layout format of 公文 and e-invoices: text read from what each
page draws, then laid out like a PDF text layer.

An OFD is a zip: `OFD.xml` (DocBody: DocInfo, DocRoot, Signatures) -> `Document.xml` (page area,
templates, resources, pages, annotations) -> each page's `Content.xml`, whose Layers hold TextObject,
PathObject, ImageObject, CompositeObject and PageBlock. A page draws its Background templates, its own
layers and its Foreground templates; a CompositeObject draws a CompositeGraphicUnit of the resources.
Every glyph is placed through the nested Boundary and CTM transforms (millimetres, converted to PDF
points with a top-left origin), glyphs are assembled into lines, and the lines go through the same
reading order, paragraphs and furniture flags as PDF text (`ingest.layout.page_blocks`). Pages that draw
only images are OCR'd from the embedded images. Signatures and annotations (stamps) are noted, never read
as text: a seal is not part of the body.
"""

from __future__ import annotations

import io
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from ingest.archive import decode_member_name
from ingest.builder import ParsedContent, RawBlock
from ingest.errors import CorruptFileError, EncryptedFileError, LimitExceededError
from ingest.layout import Line, mark_headings, page_blocks
from ingest.model import Source
from ingest.options import ParseOptions

MM = 72 / 25.4  # PDF points per millimetre
A4 = (0.0, 0.0, 210.0, 297.0)  # page box when neither the page nor the document gives one
MAX_NESTING = 32  # PageBlock / CompositeObject depth followed (a unit that draws itself stops here)
ASCENT, DESCENT = 0.86, 0.14  # shares of the font size above and below the baseline: the glyph box
OFF_PAGE = 6.0  # points: a glyph whose centre lies further outside the page box is not drawn on it

# An affine matrix (a, b, c, d, e, f): x' = a*x + c*y + e, y' = b*x + d*y + f (the OFD CTM order).
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def parse_ofd(data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    """Read an OFD package into positioned blocks in reading order.

    Raises:
        CorruptFileError: a damaged zip, a missing OFD.xml, DocBody or Document.xml, unreadable XML.
        EncryptedFileError: encrypted zip entries, or a GM/T 0099 `Encryptions.xml`.
        LimitExceededError: too many parts, pages, or bytes (the zip limits of `ParseOptions`).
    """
    package = _Package(data, filename, options)
    try:
        return _Reader(package, filename, options).read()
    finally:
        package.close()


# -- the container ------------------------------------------------------------------------------------

def _norm(name: str) -> str:
    name = name.replace("\\", "/")
    while name.startswith(("/", "./")):
        name = name[1:] if name[0] == "/" else name[2:]
    return name


class _Package:
    """The zip container: bounded reads under the archive limits, and part paths resolved the way the
    standard says (relative to the referencing part, `/`-rooted from the package root), matched without
    case when a producer spelled a folder differently (`DOC_0/Res` for `Doc_0/Res`)."""

    def __init__(self, data: bytes, filename: str, options: ParseOptions):
        self.filename, self.options = filename, options
        try:
            self.zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, EOFError) as exc:
            raise CorruptFileError(f"the OFD package is damaged or truncated ({exc})", filename=filename) from exc
        infos = [i for i in self.zf.infolist() if not i.is_dir()]
        if len(infos) > options.zip_max_members:
            raise LimitExceededError(f"the OFD package holds {len(infos)} parts, more than the limit of "
                                     f"{options.zip_max_members}", filename=filename)
        declared = sum(i.file_size for i in infos)
        if declared > options.zip_max_total_bytes:
            raise LimitExceededError(f"the OFD package would unpack to {declared / 2**20:.0f} MiB, more than the "
                                     f"limit of {options.zip_max_total_bytes / 2**20:.0f} MiB (zip bomb?)",
                                     filename=filename)
        if any(i.flag_bits & 0x1 for i in infos):
            raise EncryptedFileError("the OFD package is password-protected (encrypted zip entries)", filename=filename)
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.folded: dict[str, str] = {}
        for info in infos:
            name = _norm(decode_member_name(info))
            self.infos.setdefault(name, info)
            self.folded.setdefault(name.casefold(), name)
        self.read_bytes = 0
        self.warnings: list[str] = []
        # one parser per package: lxml parsers must not be shared between threads
        secure = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False,
                  "remove_comments": True, "remove_pis": True}
        self.parser = etree.XMLParser(**secure)
        self.lenient = etree.XMLParser(recover=True, **secure)

    def close(self) -> None:
        self.zf.close()

    def find(self, path: str) -> str | None:
        path = _norm(path)
        return path if path in self.infos else self.folded.get(path.casefold())

    def resolve(self, ref: str | None, *bases: str) -> str | None:
        """The part a reference names: `/`-rooted from the root, else relative to each base folder in turn,
        then (a common producer error) from the root; None when no part matches. For example MediaFile
        "Image_4.JPEG" of "Doc_0/DocumentRes.xml" (BaseLoc "Res") is the part "DOC_0/Res/Image_4.JPEG".
        """
        ref = (ref or "").strip().replace("\\", "/")
        if not ref:
            return None
        candidates = [ref] if ref.startswith("/") else [posixpath.join(b, ref) for b in bases] + [ref]
        for candidate in candidates:
            candidate = posixpath.normpath(_norm(candidate))
            if candidate == ".." or candidate.startswith("../"):
                continue  # never outside the package
            found = self.find(candidate)
            if found is not None:
                return found
        return None

    def read(self, name: str) -> bytes:
        info = self.infos[name]
        options = self.options
        if info.file_size > options.max_bytes:
            raise LimitExceededError(f"the OFD part {name} is {info.file_size} bytes, more than the limit of "
                                     f"{options.max_bytes}", filename=self.filename)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > options.zip_max_ratio:
            raise LimitExceededError(f"the OFD part {name} has a compression ratio of {ratio:.0f}:1, more than "
                                     f"{options.zip_max_ratio:.0f}:1 (zip bomb?)", filename=self.filename)
        try:
            # at most the declared size + 1 byte: a lying header cannot inflate us further
            with self.zf.open(info) as fh:
                payload = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as exc:
            raise CorruptFileError(f"the OFD part {name} could not be extracted ({exc})", filename=self.filename) from exc
        if len(payload) > info.file_size:
            raise CorruptFileError(f"the OFD part {name} is larger than its header declares", filename=self.filename)
        self.read_bytes += len(payload)
        if self.read_bytes > options.zip_max_total_bytes:
            raise LimitExceededError("the OFD package unpacks to more than the total-size limit (zip bomb?)",
                                     filename=self.filename)
        return payload

    def xml(self, name: str) -> etree._Element:
        data = self.read(name)
        try:
            return etree.fromstring(data, self.parser)
        except etree.XMLSyntaxError as exc:
            root = etree.fromstring(data, self.lenient) if data.strip() else None
            if root is None:
                raise CorruptFileError(f"the OFD part {name} is not readable XML ({exc})",
                                       filename=self.filename) from exc
            self.warnings.append(f"OFD: {name} is malformed XML ({exc}); what could be recovered was read")
            return root


# -- XML helpers: OFD files use several namespaces (or none, or a stray prefix), so match local names --

def _local(tag) -> str:
    if not isinstance(tag, str):
        return ""
    tag = tag[tag.rfind("}") + 1:]
    return tag[tag.rfind(":") + 1:]


def _kids(el, name: str) -> list:
    return [] if el is None else [k for k in el if _local(k.tag) == name]


def _kid(el, name: str):
    if el is None:
        return None
    for k in el:
        if _local(k.tag) == name:
            return k
    return None


def _text(el, name: str) -> str | None:
    k = _kid(el, name)
    text = (k.text or "").strip() if k is not None else ""
    return text or None


def _float(value: str | None, default: float) -> float:
    try:
        number = float(value) if value is not None else default
    except ValueError:
        return default
    return number if number == number and abs(number) != float("inf") else default


def _numbers(value: str | None, count: int) -> tuple[float, ...] | None:
    try:
        numbers = tuple(float(v) for v in (value or "").replace(",", " ").split())
    except ValueError:
        return None
    return numbers[:count] if len(numbers) >= count else None


def _box(value: str | None) -> tuple[float, float, float, float] | None:
    box = _numbers(value, 4)
    return (box[0], box[1], box[2], box[3]) if box and box[2] > 0 and box[3] > 0 else None


def expand_deltas(value: str | None, limit: int) -> list[float]:
    """A DeltaX/DeltaY list with the `g N value` shorthand expanded, at most `limit` values (so a huge
    repeat count costs nothing).

    >>> expand_deltas("g 3 4.2 2.1 g 2 1", 10)
    [4.2, 4.2, 4.2, 2.1, 1.0, 1.0]
    """
    out: list[float] = []
    tokens = (value or "").split()
    i = 0
    while i < len(tokens) and len(out) < limit:
        token = tokens[i]
        try:
            if token == "g" and i + 2 < len(tokens):
                count, delta = int(float(tokens[i + 1])), float(tokens[i + 2])
                out.extend([delta] * max(0, min(count, limit - len(out))))
                i += 3
                continue
            out.append(float(token))
        except (ValueError, OverflowError):
            pass  # a stray token: skip it, keep the rest of the list
        i += 1
    return out


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """Apply `inner` first, then `outer`."""
    A, B, C, D, E, F = outer
    a, b, c, d, e, f = inner
    return (A * a + C * b, B * a + D * b, A * c + C * d, B * c + D * d, A * e + C * f + E, B * e + D * f + F)


def _object_matrix(el) -> Matrix:
    """Object space -> parent space: the object's CTM, then a move to its Boundary's origin."""
    box = _numbers(el.get("Boundary"), 4) or (0.0, 0.0)
    ctm = _numbers(el.get("CTM"), 6) or IDENTITY
    a, b, c, d, e, f = ctm
    return (a, b, c, d, e + box[0], f + box[1])


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


_PDF_DATE = re.compile(r"^D:(\d{4})(\d{2})?(\d{2})?")
_LOOSE_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(.*)$")


def _iso_date(value: str) -> str:
    """A DocInfo date as ISO: "2023-7-12" -> "2023-07-12"; "D:20220708103442+02'34'" -> "2022-07-08"."""
    value = value.strip()
    m = _PDF_DATE.match(value)
    if m:
        return "-".join(p for p in m.groups() if p)
    m = _LOOSE_DATE.match(value)
    if m:
        y, mo, d, rest = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}{rest}"
    return value


# -- resources and drawing ----------------------------------------------------------------------------

@dataclass
class _Resources:
    """What TextObjects, ImageObjects and CompositeObjects refer to by ID."""

    fonts: dict[str, str] = field(default_factory=dict)  # ID -> font name
    media: dict[str, str] = field(default_factory=dict)  # ID -> package path of the image
    units: dict[str, object] = field(default_factory=dict)  # ID -> CompositeGraphicUnit element

    def load(self, package: _Package, path: str) -> None:
        root = package.xml(path)
        folder = posixpath.dirname(path)
        media_folder = posixpath.join(folder, (root.get("BaseLoc") or "").strip().replace("\\", "/"))
        for group in root:
            kind = _local(group.tag)
            for item in group:
                rid = (item.get("ID") or "").strip()
                if not rid:
                    continue
                if kind == "Fonts":
                    self.fonts.setdefault(rid, (item.get("FontName") or item.get("FamilyName") or "").strip())
                elif kind == "MultiMedias":
                    found = package.resolve(_text(item, "MediaFile"), media_folder, folder)
                    if found is not None:
                        self.media.setdefault(rid, found)
                elif kind == "CompositeGraphicUnits":
                    self.units.setdefault(rid, item)

    def overlay(self) -> _Resources:
        return _Resources(dict(self.fonts), dict(self.media), dict(self.units))


@dataclass(slots=True)
class _Glyph:
    ch: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float
    size: float  # font size on the page, in points
    space: bool  # whitespace came before it in its text run
    run: int  # the TextCode it belongs to: spacing inside a run is the producer's, not a word gap


@dataclass
class _Canvas:
    """What one page draws: glyphs on horizontal baselines, other text runs as whole lines, images."""

    # each horizontal run's glyphs, left to right, and whether they sit side by side (no glyph overprinted)
    runs_drawn: list[tuple[list[_Glyph], bool]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)  # rotated or vertical runs, one line each
    images: list[tuple[str, Matrix]] = field(default_factory=list)  # (ResourceID, unit square -> page)
    fonts: Counter = field(default_factory=Counter)
    runs: int = 0
    bounds: tuple[float, float, float, float] = (-1e9, 1e9, -1e9, 1e9)  # the page box (points) + OFF_PAGE


@lru_cache(maxsize=8192)
def _wide(ch: str) -> bool:
    # ambiguous-width characters (“ ” … — ①) are full-width in the Chinese fonts OFD files use
    return unicodedata.east_asian_width(ch) in ("W", "F", "A")


def _drawn(ch: str) -> bool:
    """A character that leaves a mark: not whitespace, not a control character."""
    return ch > " " and not "\x7f" <= ch < "\xa0" and not ch.isspace()


def draw_text_object(el, m: Matrix, fonts: dict[str, str], canvas: _Canvas) -> None:
    """Place each glyph of a TextObject: TextCode X/Y (X or Y missing: the previous TextCode's), DeltaX and
    DeltaY between glyphs (a missing DeltaX entry: the glyph's nominal width, unless the run moves along
    y), the object's CTM and Boundary, then the parent matrix `m`.

    A glyph's box is its advance (at most its nominal width, so that wide DeltaX gaps stay gaps) by
    ASCENT + DESCENT of the font size around the baseline. Runs on a horizontal baseline become glyphs
    to be assembled into lines; rotated or vertical runs become one line each.
    """
    mat = _compose(m, _object_matrix(el))
    a, b, c, d, e, f = mat
    size = _float(el.get("Size"), 0.0) or 3.5
    hscale = _float(el.get("HScale"), 1.0) or 1.0
    full, half = size * hscale, 0.5 * size * hscale
    font = fonts.get((el.get("Font") or "").strip(), "")
    horizontal = abs(b) <= 1e-3 * abs(a) and abs(c) <= 1e-3 * abs(d) and a > 0 and d > 0
    x = y = 0.0
    for code in el:
        if _local(code.tag) != "TextCode":
            continue
        x, y = _float(code.get("X"), x), _float(code.get("Y"), y)
        text = code.text or ""
        last = len(text) - 1
        if last < 0:
            continue
        dxs = expand_deltas(code.get("DeltaX"), last)
        has_dy = code.get("DeltaY") is not None
        dys = expand_deltas(code.get("DeltaY"), last) if has_dy else []
        canvas.runs += 1
        run_id, drawn = canvas.runs, 0
        if horizontal and not any(dys):
            # one baseline for the whole run: its box edges are computed once
            top, bottom, base, psize = d * (y - ASCENT * size) + f, d * (y + DESCENT * size) + f, d * y + f, d * size
            lo_x, hi_x, lo_y, hi_y = canvas.bounds
            on_page = lo_y <= (top + bottom) / 2 <= hi_y  # glyphs off the page are not drawn on it
            gx, space, glyphs, apart = x, False, [], True
            for i, ch in enumerate(text):
                nominal = full if _wide(ch) else half
                advance = nominal if i == last else dxs[i] if i < len(dxs) else 0.0 if has_dy else nominal
                if _drawn(ch):
                    x0 = a * gx + e
                    x1 = x0 + a * (advance if 0 < advance < nominal else nominal)
                    if on_page and lo_x <= (x0 + x1) / 2 <= hi_x:
                        glyphs.append(_Glyph(ch, x0, x1, top, bottom, base, psize, space, run_id))
                        drawn += 1
                    space = False
                elif ch.isspace():
                    space = True
                if advance <= 0 and i < last:
                    apart = False  # the next glyph overprints this one or moves left
                gx += advance
            if glyphs:
                canvas.runs_drawn.append((glyphs if apart else sorted(glyphs, key=lambda g: g.x0), apart))
        else:
            gx, gy = x, y
            corners = []
            chars = []
            for i, ch in enumerate(text):
                nominal = full if _wide(ch) else half
                advance = nominal if i == last else dxs[i] if i < len(dxs) else 0.0 if has_dy else nominal
                if _drawn(ch):
                    w = advance if 0 < advance < nominal else nominal
                    corners += [_apply(mat, gx, gy - ASCENT * size), _apply(mat, gx + w, gy + DESCENT * size)]
                    chars.append(ch)
                elif ch.isspace() and chars and chars[-1] != " ":
                    chars.append(" ")
                gx += advance
                gy += dys[i] if i < len(dys) else 0.0
            text = "".join(chars).strip()
            lo_x, hi_x, lo_y, hi_y = canvas.bounds
            if text:
                xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                if lo_x <= (min(xs) + max(xs)) / 2 <= hi_x and lo_y <= (min(ys) + max(ys)) / 2 <= hi_y:
                    canvas.lines.append(Line(text, min(xs), min(ys), max(xs), max(ys)))
                    drawn = len(text)
        if drawn:
            canvas.fonts[font] += drawn


def glyph_lines(runs: list[tuple[list[_Glyph], bool]]) -> list[Line]:
    """Assemble horizontal runs of glyphs into text lines: one baseline makes a row, a row is split at
    gaps wider than 2.5 line heights (columns, form fields) as the PDF reader does, and a glyph drawn twice
    at one place (fake bold) is read once.
    """
    lines: list[Line] = []
    row: list[tuple[list[_Glyph], bool]] = []
    for run in sorted(runs, key=lambda r: r[0][0].baseline):
        g, first = run[0][0], row[0][0][0] if row else None
        if first is not None and g.baseline - first.baseline > 0.25 * min(g.size, first.size):
            _row_lines(row, lines)
            row = []
        row.append(run)
    if row:
        _row_lines(row, lines)
    return lines


def _row_lines(runs: list[tuple[list[_Glyph], bool]], out: list[Line]) -> None:
    """One baseline's glyphs as lines. Text drawn over other text on the same baseline (a white
    placeholder under a filled-in field) is kept apart in its own track instead of interleaving."""
    if len(runs) == 1 and runs[0][1]:
        _track_lines(runs[0][0], out)  # the common case: a line drawn by one TextCode
        return
    row = sorted((g for run, _apart in runs for g in run), key=lambda g: g.x0)
    tracks: list[list[_Glyph]] = []
    for g in row:
        home = None
        for t in tracks:
            prev = t[-1]
            if g.ch == prev.ch and abs(g.x0 - prev.x0) < 0.3 * g.size:
                break  # drawn twice at one place: fake bold or a fill + stroke pair
            if home is None and g.x0 >= prev.x1 - 0.25 * min(g.size, prev.size):
                home = t
        else:
            if home is None:
                tracks.append([g])
            else:
                home.append(g)
    for track in tracks:
        _track_lines(track, out)


def _track_lines(track: list[_Glyph], out: list[Line]) -> None:
    parts: list[str] = []
    first = last = track[0]
    top, bottom = first.top, first.bottom

    def flush() -> None:
        text = "".join(parts).strip()
        if text:
            out.append(Line(text, first.x0, top, last.x1, bottom))

    parts.append(first.ch)
    for g in track[1:]:
        gap = g.x0 - last.x1
        h = g.size if g.size > last.size else last.size
        if gap > 2.5 * max(h, 6.0):
            flush()
            parts, first, top, bottom = [], g, g.top, g.bottom
        elif g.space or (g.run != last.run and _word_gap(last.ch, g.ch, gap, h)):
            parts.append(" ")
        parts.append(g.ch)
        if g.top < top:
            top = g.top
        if g.bottom > bottom:
            bottom = g.bottom
        last = g
    flush()


def _word_gap(left: str, right: str, gap: float, h: float) -> bool:
    """Whether the gap between two separately drawn pieces of text stands for a space: a fifth of an em
    between Latin letters or digits ("Page" "12"), a full em otherwise (Chinese needs no spaces, and
    "126" ".4" must stay one number).
    """
    if left.isascii() and left.isalnum() and right.isascii() and right.isalnum():
        return gap > 0.2 * h
    return gap > h


# -- the reader -----------------------------------------------------------------------------------------

@dataclass
class _Body:
    """One document of the package (a DocBody) resolved to its parts."""

    path: str
    page_box: tuple[float, float, float, float]
    resources: _Resources
    templates: dict[str, tuple[str | None, str]]  # ID -> (part, ZOrder)
    pages: list[tuple[str, str | None]]  # (BaseLoc as written, part)


class _Reader:
    def __init__(self, package: _Package, filename: str, options: ParseOptions):
        self.package, self.filename, self.options = package, filename, options
        self.warnings: list[str] = []
        self.templates: dict[str, object] = {}  # parsed template parts, drawn again on every page using them
        self.fonts: Counter = Counter()
        self.ocr_needed: list[int] = []  # image-only pages left unread because OCR is off

    def read(self) -> ParsedContent:
        package, filename = self.package, self.filename
        entry = package.find("OFD.xml")
        if entry is None:
            raise CorruptFileError("the OFD package has no OFD.xml at its root", filename=filename)
        if package.find("Encryptions.xml") is not None:
            raise EncryptedFileError("the OFD is encrypted (GM/T 0099 Encryptions.xml); a password or key is needed "
                                     "to open it", filename=filename)
        root = package.xml(entry)
        if _local(root.tag) != "OFD":
            raise CorruptFileError(f"OFD.xml is not an OFD entry file (its root is <{_local(root.tag)}>)",
                                   filename=filename)
        docbodies = _kids(root, "DocBody")
        if not docbodies:
            raise CorruptFileError("OFD.xml has no DocBody: the package names no document", filename=filename)
        metadata = _doc_info(_kid(docbodies[0], "DocInfo"))
        signatures = 0
        annotations: Counter = Counter()
        bodies: list[_Body] = []
        for i, docbody in enumerate(docbodies):
            root_ref = _text(docbody, "DocRoot")
            path = package.resolve(root_ref, "")
            if path is None:
                if i == 0:
                    raise CorruptFileError(f"the OFD package has no Document.xml: the DocRoot "
                                           f"{root_ref or '(empty)'} named by OFD.xml is missing", filename=filename)
                self.warnings.append(f"OFD: document {i + 1} skipped: its DocRoot {root_ref} is missing")
                continue
            body, doc = self._body(path)
            bodies.append(body)
            signatures += self._count_signatures(_text(docbody, "Signatures"))
            annotations += self._count_annotations(path, _text(doc, "Annotations"))
        pages = sum(len(b.pages) for b in bodies)
        if pages > self.options.max_pages:
            raise LimitExceededError(f"the OFD has {pages} pages, more than the limit of {self.options.max_pages}",
                                     filename=filename)
        if pages == 0:
            raise CorruptFileError("the OFD has no pages", filename=filename)

        blocks: list[RawBlock] = []
        ocr_pages: list[int] = []
        number = 0
        for body in bodies:
            for written, part in body.pages:
                number += 1
                blocks.extend(self._page(body, number, written, part, ocr_pages))
        mark_headings(blocks)

        if self.fonts:
            metadata["ofd_fonts"] = ", ".join(name for name, _n in self.fonts.most_common() if name)
        stamps = annotations.pop("Stamp", 0)
        others = sum(annotations.values())
        noted = [f"{n} {what}" for n, what in ((signatures, "electronic signature(s)"),
                                                (stamps, "stamp annotation(s)"), (others, "other annotation(s)")) if n]
        if noted:
            self.warnings.append(f"OFD: {' / '.join(noted)} noted, not read as text")
        for key, n in (("ofd_signatures", signatures), ("ofd_stamp_annotations", stamps), ("ofd_annotations", others)):
            if n:
                metadata[key] = str(n)
        return ParsedContent(blocks=blocks, pages=number, metadata=metadata,
                             warnings=package.warnings + self.warnings, ocr_pages=ocr_pages,
                             ocr_needed=self.ocr_needed)

    def _body(self, path: str) -> tuple[_Body, object]:
        package = self.package
        doc = package.xml(path)
        folder = posixpath.dirname(path)
        common = _kid(doc, "CommonData")
        page_box = _box(_text(_kid(common, "PageArea"), "PhysicalBox")) or A4
        resources = _Resources()
        templates: dict[str, tuple[str | None, str]] = {}
        for el in [] if common is None else common:
            kind = _local(el.tag)
            if kind in ("PublicRes", "DocumentRes"):
                found = package.resolve(el.text, folder)
                if found is None:
                    self.warnings.append(f"OFD: resource part {(el.text or '').strip()} is missing")
                else:
                    resources.load(package, found)
            elif kind == "TemplatePage":
                tid = (el.get("ID") or "").strip()
                found = package.resolve(el.get("BaseLoc"), folder)
                if found is None:
                    self.warnings.append(f"OFD: template {tid} ({el.get('BaseLoc')}) is missing")
                templates[tid] = (found, (el.get("ZOrder") or "Background").strip())
        pages = [((p.get("BaseLoc") or "").strip(), package.resolve(p.get("BaseLoc"), folder))
                 for p in _kids(_kid(doc, "Pages"), "Page")]
        return _Body(path, page_box, resources, templates, pages), doc

    def _page(self, body: _Body, number: int, written: str, part: str | None, ocr_pages: list[int]) -> list[RawBlock]:
        package = self.package
        if part is None:
            self.warnings.append(f"page {number}: its content part {written or '(none)'} is missing")
            return []
        root = package.xml(part)
        x, y, w, h = _box(_text(_kid(root, "Area"), "PhysicalBox")) or body.page_box
        resources = body.resources
        page_res = [package.resolve(el.text, posixpath.dirname(part)) for el in _kids(root, "PageRes")]
        if any(page_res):
            resources = resources.overlay()
            for found in page_res:
                if found is not None:
                    resources.load(package, found)
        # page space (mm, page box origin) -> PDF points from the page's top-left corner
        m: Matrix = (MM, 0.0, 0.0, MM, -x * MM, -y * MM)
        width, height = w * MM, h * MM
        canvas = _Canvas(bounds=(-OFF_PAGE, width + OFF_PAGE, -OFF_PAGE, height + OFF_PAGE))
        background, foreground = [], []
        for ref in _kids(root, "Template"):
            tpart, zorder = body.templates.get((ref.get("TemplateID") or "").strip(), (None, "Background"))
            if tpart is None:
                self.warnings.append(f"page {number}: template {ref.get('TemplateID')} is not defined")
                continue
            zorder = (ref.get("ZOrder") or zorder).strip()
            (foreground if zorder.lower() == "foreground" else background).append(tpart)
        for tpart in background:
            self._draw_layers(self._template(tpart), m, resources, canvas)
        self._draw_layers(root, m, resources, canvas)
        for tpart in foreground:
            self._draw_layers(self._template(tpart), m, resources, canvas)
        self.fonts.update(canvas.fonts)

        lines = glyph_lines(canvas.runs_drawn) + canvas.lines
        if lines or not canvas.images:
            return page_blocks(number, height, lines, [], Source.TEXT)
        if not self.options.ocr:
            self.warnings.append(f"page {number}: image-only page not read; OCR is off")
            self.ocr_needed.append(number)
            return []
        if len(ocr_pages) >= self.options.max_ocr_pages:
            self.warnings.append(f"page {number}: image-only page not read; the OCR page limit "
                                 f"({self.options.max_ocr_pages}) was reached")
            return []
        ocr_pages.append(number)
        self.warnings.append(f"page {number}: OCR (image-only page)")
        return page_blocks(number, height, self._ocr(canvas.images, resources, number), [], Source.OCR)

    def _template(self, part: str):
        if part not in self.templates:
            self.templates[part] = self.package.xml(part)
        return self.templates[part]

    def _draw_layers(self, root, m: Matrix, resources: _Resources, canvas: _Canvas) -> None:
        for layer in _kids(_kid(root, "Content"), "Layer"):
            self._draw(layer, m, resources, canvas, 0)

    def _draw(self, container, m: Matrix, resources: _Resources, canvas: _Canvas, depth: int) -> None:
        for el in container:
            kind = _local(el.tag)
            if kind == "PathObject" or el.get("Visible") == "false":
                continue
            if kind == "TextObject":
                draw_text_object(el, m, resources.fonts, canvas)
            elif kind == "ImageObject":
                canvas.images.append(((el.get("ResourceID") or "").strip(), _compose(m, _object_matrix(el))))
            elif depth >= MAX_NESTING:
                continue
            elif kind == "PageBlock":
                self._draw(el, m, resources, canvas, depth + 1)
            elif kind == "CompositeObject":
                content = _kid(resources.units.get((el.get("ResourceID") or "").strip()), "Content")
                if content is not None:
                    self._draw(content, _compose(m, _object_matrix(el)), resources, canvas, depth + 1)

    def _ocr(self, images: list[tuple[str, Matrix]], resources: _Resources, number: int) -> list[Line]:
        """OCR each image the page draws and place its lines through the image's matrix (an image fills
        the unit square of its object space, so pixel (px, py) of a W x H image sits at (px/W, py/H))."""
        from PIL import Image, UnidentifiedImageError

        from ingest.image import MAX_PIXELS
        from ingest.ocr import ocr_image

        lines: list[Line] = []
        for rid, mat in images:
            part = resources.media.get(rid)
            if part is None:
                self.warnings.append(f"page {number}: image {rid} is not in the resources")
                continue
            try:
                image = Image.open(io.BytesIO(self.package.read(part)))
                if image.width * image.height > MAX_PIXELS:
                    self.warnings.append(f"page {number}: image {part} is {image.width}x{image.height} pixels, "
                                         "over the limit; not OCR'd")
                    continue
                image.load()
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                self.warnings.append(f"page {number}: image {part} could not be decoded ({exc})")
                continue
            if min(image.width, image.height) < 16:
                continue  # a rule or a dot, not text
            scale = min(1.0, 2400 / max(image.width, image.height))
            if scale < 1.0:
                image = image.resize((int(image.width * scale), int(image.height * scale)))
            iw, ih = image.width, image.height
            for ln in ocr_image(image):
                corners = [_apply(mat, px / iw, py / ih) for px in (ln.x0, ln.x1) for py in (ln.top, ln.bottom)]
                xs, ys = [p[0] for p in corners], [p[1] for p in corners]
                lines.append(Line(ln.text, min(xs), min(ys), max(xs), max(ys)))
        return lines

    def _count_signatures(self, ref: str | None) -> int:
        part = self.package.resolve(ref, "")
        if part is None:
            return 0
        try:
            return len(_kids(self.package.xml(part), "Signature"))
        except CorruptFileError as exc:
            self.warnings.append(f"OFD: the signature list could not be read ({exc.reason})")
            return 0

    def _count_annotations(self, document: str, ref: str | None) -> Counter:
        """Annotations by Type (Stamp, Watermark, Highlight …) from the Annotations index and its page files."""
        package = self.package
        counts: Counter = Counter()
        try:
            index = package.resolve(ref, posixpath.dirname(document))
            if index is None:
                return counts
            for page in _kids(package.xml(index), "Page"):
                part = package.resolve(_text(page, "FileLoc"), posixpath.dirname(index))
                if part is not None:
                    for annot in _kids(package.xml(part), "Annot"):
                        counts[(annot.get("Type") or "Annot").strip()] += 1
        except CorruptFileError as exc:
            self.warnings.append(f"OFD: annotations could not be read ({exc.reason})")
        return counts


def _doc_info(info) -> dict[str, str]:
    """DocInfo under the keys the other parsers use (title, author, subject, keywords, created, modified)."""
    meta: dict[str, str] = {}
    for key, tag in (("title", "Title"), ("author", "Author"), ("subject", "Subject"), ("created", "CreationDate"),
                     ("modified", "ModDate"), ("creator", "Creator"), ("ofd_doc_id", "DocID")):
        value = _text(info, tag)
        if value:
            meta[key] = _iso_date(value) if key in ("created", "modified") else value
    keywords = [k.text.strip() for k in _kids(_kid(info, "Keywords"), "Keyword") if k.text and k.text.strip()]
    if keywords:
        meta["keywords"] = ", ".join(keywords)
    return meta

