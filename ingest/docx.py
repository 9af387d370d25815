"""DOCX: body order of paragraphs and tables, read from the XML that python-docx loads.

What python-docx alone gets wrong on real WPS/Word files, and what this module does instead:
- merged cells: python-docx repeats a merged cell's text in every grid position; we read each `w:tc`
  once and pad spanned columns with "" so columns stay aligned;
- text boxes: invisible to `Document.paragraphs`, and stored twice in the XML (DrawingML plus a VML
  fallback inside `mc:AlternateContent`); we read `w:txbxContent` once, skipping `mc:Fallback`;
- automatic numbering ("一、" generated from numbering.xml is absent from the run text): we render it;
- headings in custom styles (章标题, 一级条标题): we resolve `w:outlineLvl` through the style chain;
- headers and footers are per section and kept apart from the body as furniture.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

from lxml import etree

from ingest.builder import ParsedContent, RawBlock
from ingest.errors import CorruptFileError, LimitExceededError
from ingest.model import Furniture, SegmentKind, Source
from ingest.options import ParseOptions

log = logging.getLogger(__name__)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


T_P, T_R, T_T, T_TAB, T_BR, T_CR, T_TBL, T_TR, T_TC, T_SDT, T_SDTCONTENT = (
    _w("p"), _w("r"), _w("t"), _w("tab"), _w("br"), _w("cr"), _w("tbl"), _w("tr"), _w("tc"), _w("sdt"),
    _w("sdtContent"),
)
T_TXBX = _w("txbxContent")
T_FALLBACK = f"{{{MC}}}Fallback"
T_LRPB = _w("lastRenderedPageBreak")
_SKIP_TEXT = {_w("delText"), _w("instrText"), T_FALLBACK, T_TXBX, _w("footnoteReference"), _w("commentReference")}
_VAL = _w("val")

_HEADING_NAME = re.compile(r"^(heading|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_NAME = re.compile(r"^(title|标题)$", re.IGNORECASE)
_CAPTION_NAME = re.compile(r"caption|题注|表标题|图标题", re.IGNORECASE)
_LIST_NAME = re.compile(r"list|列表", re.IGNORECASE)


_MACRO_MAIN = b"application/vnd.ms-word.document.macroEnabled.main+xml"
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def check_parts(data: bytes, filename: str, options: ParseOptions) -> zipfile.ZipFile:
    """The package's directory, after checking every part against the size and ratio limits (zip bombs)."""
    from ingest.archive import open_zip

    zf = open_zip(data, filename)
    infos = zf.infolist()
    if len(infos) > options.zip_max_members:
        raise LimitExceededError(f"the package holds {len(infos)} parts, more than the limit of {options.zip_max_members}",
                                 filename=filename)
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > options.part_max_bytes or (info.file_size > 10 * 1024 * 1024 and ratio > options.part_max_ratio):
            raise LimitExceededError(f"the part {info.filename} unpacks to {info.file_size // 2**20} MiB "
                                     f"(ratio {ratio:.0f}:1), over the limit (a decompression bomb?)", filename=filename)
    return zf


def _unmacro(zf: zipfile.ZipFile) -> bytes | None:
    """A macro-enabled document (.docm) as a plain DOCX package: its macros are never run, only its text read."""
    try:
        types = zf.read("[Content_Types].xml")
    except KeyError:
        return None
    if _MACRO_MAIN not in types:
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            if info.filename.lower().endswith("vbaproject.bin") or info.filename.lower().endswith("vbadata.xml"):
                continue
            body = zf.read(info)
            if info.filename == "[Content_Types].xml":
                body = body.replace(_MACRO_MAIN, _DOCX_MAIN)
            dst.writestr(info, body)
    return out.getvalue()


def parse_docx(data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    warnings = []
    with check_parts(data, filename, options) as zf:
        plain = _unmacro(zf)
    if plain is not None:
        data = plain
        warnings.append("macro-enabled Word document (.docm): its text was read; its macros were removed, never run")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError) as exc:
        raise CorruptFileError(f"the DOCX package is damaged ({type(exc).__name__}: {exc})",
                               filename=filename) from exc
    reader = _DocxReader(document, options)
    blocks = reader.read_body()
    furniture = reader.read_headers_footers()
    meta = reader.metadata()
    pages = max(reader.page, int(meta.get("pages", "0") or 0), 1)
    return ParsedContent(blocks=blocks, pages=pages, metadata=meta, warnings=warnings + reader.warnings,
                         ocr_pages=sorted(reader.ocr_pages), ocr_needed=sorted(reader.ocr_needed),
                         furniture=furniture)


class _DocxReader:
    def __init__(self, document, options: ParseOptions):
        self.document = document
        self.options = options
        self.part = document.part
        self.page = 1
        self.warnings: list[str] = []
        self.ocr_pages: set[int] = set()
        self.ocr_needed: set[int] = set()  # pages with pasted images not OCR'd (OCR off)
        self._styles = self._load_styles()
        self._numbering = _Numbering(self.part)
        self._uses_rendered_breaks = self.part.element.find(f".//{T_LRPB}") is not None
        self._images_ocrd = 0

    # -- styles --------------------------------------------------------------------------------------
    def _load_styles(self) -> dict[str, dict]:
        styles: dict[str, dict] = {}
        try:
            root = self.part.styles.element
        except (KeyError, NotImplementedError):
            return styles
        for st in root.iter(_w("style")):
            sid = st.get(_w("styleId"))
            name_el = st.find(_w("name"))
            based = st.find(_w("basedOn"))
            ppr = st.find(_w("pPr"))
            outline = ppr.find(_w("outlineLvl")) if ppr is not None else None
            numpr = ppr.find(_w("numPr")) if ppr is not None else None
            styles[sid] = {
                "name": name_el.get(_VAL) if name_el is not None else "",
                "based": based.get(_VAL) if based is not None else None,
                "outline": int(outline.get(_VAL)) if outline is not None and outline.get(_VAL, "").isdigit() else None,
                "numpr": numpr,
            }
        return styles

    def _style_chain(self, sid: str | None):
        seen = set()
        while sid and sid in self._styles and sid not in seen:
            seen.add(sid)
            yield self._styles[sid]
            sid = self._styles[sid]["based"]

    def _classify(self, p, sid: str | None) -> tuple[SegmentKind, int | None]:
        ppr = p.find(_w("pPr"))
        if ppr is not None:
            ol = ppr.find(_w("outlineLvl"))
            if ol is not None and ol.get(_VAL, "").isdigit() and int(ol.get(_VAL)) < 9:
                return SegmentKind.HEADING, int(ol.get(_VAL)) + 1
        for st in self._style_chain(sid):
            name = st["name"] or ""
            if _TITLE_NAME.match(name):
                return SegmentKind.HEADING, 0
            m = _HEADING_NAME.match(name)
            if m:
                return SegmentKind.HEADING, int(m.group(2))
            if st["outline"] is not None:
                if st["outline"] < 9:
                    return SegmentKind.HEADING, st["outline"] + 1
                break  # explicitly body text
            if _CAPTION_NAME.search(name):
                return SegmentKind.CAPTION, None
            if _LIST_NAME.search(name):
                return SegmentKind.LIST_ITEM, None
        return SegmentKind.PARAGRAPH, None

    # -- body ----------------------------------------------------------------------------------------
    def read_body(self) -> list[RawBlock]:
        blocks: list[RawBlock] = []
        self._walk(self.document.element.body, blocks)
        return blocks

    def _walk(self, container, blocks: list[RawBlock]) -> None:
        for child in container:
            tag = child.tag
            if tag == T_P:
                self._paragraph(child, blocks)
            elif tag == T_TBL:
                rows = self._table(child)
                if rows:
                    blocks.append(RawBlock(kind=SegmentKind.TABLE, text="", page=self.page, rows=rows,
                                           source=Source.TABLE))
            elif tag == T_SDT:
                content = child.find(T_SDTCONTENT)
                if content is not None:
                    self._walk(content, blocks)
            elif tag == f"{{{MC}}}AlternateContent":
                choice = child.find(f"{{{MC}}}Choice")
                if choice is not None:
                    self._walk(choice, blocks)

    def _paragraph(self, p, blocks: list[RawBlock]) -> None:
        text, breaks_after, rendered_breaks = _paragraph_text(p)
        if self._uses_rendered_breaks:
            self.page += rendered_breaks
        ppr = p.find(_w("pPr"))
        sid = None
        if ppr is not None:
            ps = ppr.find(_w("pStyle"))
            sid = ps.get(_VAL) if ps is not None else None
        kind, level = self._classify(p, sid)
        label, is_bullet = self._numbering.label(ppr, self._style_chain(sid))
        if label and text.strip():
            text = label + text.lstrip() if label[-1] in "、.．)）" or not label[-1].isalnum() else f"{label} {text.lstrip()}"
        if is_bullet and kind is SegmentKind.PARAGRAPH:
            kind = SegmentKind.LIST_ITEM
        if text.strip():
            blocks.append(RawBlock(kind=kind, text=text, page=self.page, level=level))
        # text boxes anchored in this paragraph: read once (the DrawingML copy, never the VML fallback)
        for box in _text_boxes(p):
            self._walk(box, blocks)
        if self.options.ocr:
            self._ocr_images(p, blocks)
        elif self.page not in self.ocr_needed and self._has_large_image(p):
            self.ocr_needed.add(self.page)
        if not self._uses_rendered_breaks:
            self.page += breaks_after
        if ppr is not None and ppr.find(_w("sectPr")) is not None and not self._uses_rendered_breaks:
            st = ppr.find(_w("sectPr")).find(_w("type"))
            if st is None or st.get(_VAL) in (None, "nextPage", "oddPage", "evenPage"):
                self.page += 1

    def _table(self, tbl) -> list[list[str]]:
        rows: list[list[str]] = []
        for tr in tbl.iter(T_TR):
            if _nearest(tr, T_TBL) is not tbl:
                continue  # a row of a nested table: its text is read inside the outer cell
            row: list[str] = []
            for tc in tr.findall(T_TC):
                tcpr = tc.find(_w("tcPr"))
                span = 1
                vmerge_continue = False
                if tcpr is not None:
                    gs = tcpr.find(_w("gridSpan"))
                    if gs is not None and gs.get(_VAL, "1").isdigit():
                        span = max(1, int(gs.get(_VAL)))
                    vm = tcpr.find(_w("vMerge"))
                    vmerge_continue = vm is not None and vm.get(_VAL) in (None, "continue")
                cell_blocks: list[RawBlock] = []
                self._walk(tc, cell_blocks)
                cell = "" if vmerge_continue else "\n".join(
                    b.text if b.kind is not SegmentKind.TABLE else "\n".join("\t".join(r) for r in b.rows or [])
                    for b in cell_blocks
                )
                row.append(cell)
                row.extend([""] * (span - 1))
            rows.append(row)
        return rows

    def _has_large_image(self, p) -> bool:
        """A pasted scan or photo (both sides 400 px or more): its text needs OCR."""
        for blip in p.findall(f".//{{{A}}}blip"):
            rid = blip.get(f"{{{R}}}embed")
            if not rid or _inside(blip, T_FALLBACK):
                continue
            try:
                from PIL import Image

                with Image.open(io.BytesIO(self.part.related_parts[rid].blob)) as image:  # the header only
                    if image.width >= 400 and image.height >= 400:
                        return True
            except Exception:  # noqa: BLE001 - an unreadable image is noted when it is OCR'd
                continue
        return False

    def _ocr_images(self, p, blocks: list[RawBlock]) -> None:
        blips = p.findall(f".//{{{A}}}blip")
        for blip in blips:
            if _inside(blip, T_FALLBACK) or self._images_ocrd >= 20:
                continue
            rid = blip.get(f"{{{R}}}embed")
            if not rid:
                continue
            try:
                blob = self.part.related_parts[rid].blob
                from PIL import Image

                image = Image.open(io.BytesIO(blob))
                if image.width < 120 or image.height < 40:
                    continue
                from ingest.ocr import ocr_image

                lines = ocr_image(image)
            except Exception as exc:  # an unreadable embedded image must not lose the document
                self.warnings.append(f"embedded image {rid}: not OCR'd ({type(exc).__name__})")
                continue
            self._images_ocrd += 1
            text = "\n".join(ln.text for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)))
            if text.strip():
                blocks.append(RawBlock(kind=SegmentKind.PARAGRAPH, text=text, page=self.page, source=Source.OCR))
                self.ocr_pages.add(self.page)

    # -- headers, footers, metadata -----------------------------------------------------------------
    def read_headers_footers(self) -> list[Furniture]:
        out: list[Furniture] = []
        seen: set[tuple[str, str]] = set()
        for section in self.document.sections:
            for kind, attrs in (("header", ("header", "first_page_header", "even_page_header")),
                                ("footer", ("footer", "first_page_footer", "even_page_footer"))):
                for attr in attrs:
                    try:
                        part = getattr(section, attr)
                        if part.is_linked_to_previous:
                            continue
                        element = part._element
                    except Exception:  # a broken header part loses the header, not the document
                        continue
                    lines = []
                    for p in element.iter(T_P):
                        if _inside(p, T_FALLBACK):
                            continue
                        t = _paragraph_text(p)[0].strip()
                        if t:
                            lines.append(t)
                    text = " ".join(lines)
                    if text and (kind, text) not in seen:
                        seen.add((kind, text))
                        out.append(Furniture(kind=kind, text=text))
        return out

    def metadata(self) -> dict[str, str]:
        meta: dict[str, str] = {}
        try:
            cp = self.document.core_properties
            for key in ("title", "author", "subject", "last_modified_by"):
                value = getattr(cp, key, None)
                if value:
                    meta[key] = str(value)
            for key in ("created", "modified"):
                value = getattr(cp, key, None)
                if value:
                    meta[key] = value.isoformat()
        except Exception:  # docProps are optional and often malformed in WPS output
            pass
        try:
            app = self.part.package.part_related_by(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties")
            root = etree.fromstring(app.blob)
            for el in root:
                name = etree.QName(el).localname
                if name in ("Pages", "Application", "AppVersion") and el.text:
                    meta[name.lower()] = el.text
        except Exception:
            pass
        return meta


def _nearest(el, tag):
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _inside(el, tag) -> bool:
    return _nearest(el, tag) is not None


def _paragraph_text(p) -> tuple[str, int, int]:
    """(text, page breaks, rendered page breaks) of a paragraph, skipping text boxes and fallbacks."""
    parts: list[str] = []
    breaks = rendered = 0
    stack = list(reversed(p))
    while stack:
        el = stack.pop()
        tag = el.tag
        if tag in _SKIP_TEXT:
            continue
        if tag == T_T:
            if el.text:
                parts.append(el.text)
        elif tag == T_TAB:
            parts.append("\t")
        elif tag == T_BR:
            if el.get(_w("type")) == "page":
                breaks += 1
            else:
                parts.append("\n")
        elif tag == T_CR:
            parts.append("\n")
        elif tag == T_LRPB:
            rendered += 1
        elif tag == T_P:
            continue  # paragraphs nested via text boxes are handled separately
        else:
            stack.extend(reversed(el))
    return "".join(parts), breaks, rendered


def _text_boxes(p) -> list:
    boxes = []
    for box in p.iter(T_TXBX):
        if _inside(box, T_FALLBACK):
            continue
        parent = box.getparent()
        nested = False
        while parent is not None and parent is not p:
            if parent.tag == T_TXBX:
                nested = True
                break
            parent = parent.getparent()
        if not nested:
            boxes.append(box)
    return boxes


# -- automatic numbering ----------------------------------------------------------------------------
_CN = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n % 10] if n % 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def _roman(n: int) -> str:
    vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
            (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for v, s in vals:
        while n >= v:
            out, n = out + s, n - v
    return out


def format_number(n: int, fmt: str) -> str:
    """Render a list counter in a Word numbering format.

    >>> format_number(3, "chineseCounting"), format_number(12, "chineseCountingThousand"), format_number(2, "decimal")
    ('三', '十二', '2')
    """
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
               "taiwaneseCounting", "chineseLegalSimplified"):
        return _chinese(n)
    if fmt == "ideographDigital":
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("upperLetter", "lowerLetter"):
        s = chr(ord("A") + (n - 1) % 26)
        return s if fmt == "upperLetter" else s.lower()
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("none", "bullet"):
        return ""
    return str(n)


class _Numbering:
    def __init__(self, part):
        self.nums: dict[str, str] = {}
        self.overrides: dict[tuple[str, int], int] = {}
        self.levels: dict[tuple[str, int], dict] = {}
        self.counters: dict[str, list[int]] = {}
        try:
            root = part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for an in root.iter(_w("abstractNum")):
            aid = an.get(_w("abstractNumId"))
            for lvl in an.iter(_w("lvl")):
                ilvl = int(lvl.get(_w("ilvl"), "0"))
                fmt = lvl.find(_w("numFmt"))
                text = lvl.find(_w("lvlText"))
                start = lvl.find(_w("start"))
                self.levels[(aid, ilvl)] = {
                    "fmt": fmt.get(_VAL) if fmt is not None else "decimal",
                    "text": text.get(_VAL) if text is not None else "",
                    "start": int(start.get(_VAL)) if start is not None and start.get(_VAL, "").isdigit() else 1,
                }
        for num in root.iter(_w("num")):
            nid = num.get(_w("numId"))
            an = num.find(_w("abstractNumId"))
            if an is not None:
                self.nums[nid] = an.get(_VAL)
            for ov in num.iter(_w("lvlOverride")):
                so = ov.find(_w("startOverride"))
                if so is not None and so.get(_VAL, "").isdigit():
                    self.overrides[(nid, int(ov.get(_w("ilvl"), "0")))] = int(so.get(_VAL))

    def label(self, ppr, style_chain) -> tuple[str, bool]:
        """The generated label ("一、", "（二）", "1.") for a numbered paragraph, and whether it is a bullet."""
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        if numpr is None:
            for st in style_chain:
                if st["numpr"] is not None:
                    numpr = st["numpr"]
                    break
        if numpr is None:
            return "", False
        nid_el, ilvl_el = numpr.find(_w("numId")), numpr.find(_w("ilvl"))
        nid = nid_el.get(_VAL) if nid_el is not None else None
        ilvl = int(ilvl_el.get(_VAL)) if ilvl_el is not None and ilvl_el.get(_VAL, "").isdigit() else 0
        if not nid or nid == "0" or nid not in self.nums:
            return "", False
        aid = self.nums[nid]
        lvl = self.levels.get((aid, ilvl))
        if lvl is None:
            return "", False
        if lvl["fmt"] == "bullet":
            return "", True
        counters = self.counters.setdefault(aid, [0] * 9)
        if counters[ilvl] == 0:
            counters[ilvl] = self.overrides.get((nid, ilvl), lvl["start"])
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = 0
        text = lvl["text"]

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            level = self.levels.get((aid, k), lvl)
            value = counters[k] if counters[k] else level["start"]
            return format_number(value, level["fmt"] if k != ilvl else lvl["fmt"])

        return re.sub(r"%(\d)", sub, text), False
