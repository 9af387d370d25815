#!/usr/bin/env python3
"""Render the sample declaration corpus: corpora/samples/src/*.md -> corpora/samples/<filename>.

Each source file is a 督查激励 declaration (申报材料) written as light Markdown with a YAML front matter:

    ---
    region: 璧山区
    measures: [7, 8]            # measure numbers 1-30 of 渝府办发〔2022〕74号
    format: pdf                 # pdf | docx
    filename: 璧山区-...-申报材料.pdf
    headings: styles            # docx only: "styles" (Heading 1/2) or "plain" (typed 一、/（一） in Normal)
    body_size: 16               # pdf only, optional: body font size in pt (default 16 = 三号)
    ---

Body conventions (one paragraph per line):
    first line(s) before "# "      issuing unit (发文机关), then an optional 发文字号 (…〔2023〕5号)
    "# 标题"                        the title
    first line ending with "："    addressee (主送机关)
    "## 一、…" / "### （一）…"      level-1 / level-2 headings
    "表1 …" + "单位：…" + "| … |"  table caption, unit line and a pipe table
    "<unit>" + "YYYY年M月D日"       signing unit and date (the last date line); lines after it are notes

PDFs are drawn with reportlab and the built-in CID font STSong-Light (not embedded), with a 公文-style
"— N —" page number footer and a running header on pages >= 2. DOCX files are written with python-docx
and re-zipped with fixed timestamps. Rebuilding yields byte-identical files.

Usage:
    .venv/bin/python scripts/build_samples.py            # build all + README.md
    .venv/bin/python scripts/build_samples.py --no-docx-pages   # skip LibreOffice page counting
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "corpora" / "samples"
SRC = SAMPLES / "src"

# The 30 measures of 渝府办发〔2022〕74号, for validation and the README.
MEASURES = {
    1: "扩大有效投资",
    2: "促进消费提质扩容",
    3: "持续抓好招商引资工作",
    4: "培育壮大创新主体",
    5: "深化科技体制改革",
    6: "推动战略性新兴产业集群发展",
    7: "推动制造业高质量绿色发展",
    8: "激发市场主体活力",
    9: "推进质量强市建设",
    10: "加快推进数字化发展",
    11: "推动企业上市",
    12: "营造市场化法治化国际化营商环境",
    13: "巩固拓展脱贫攻坚成果",
    14: "推动农业高质量发展",
    15: "推进高标准农田建设和稳定粮食生产",
    16: "深入开展乡村治理",
    17: "推进“河长制”“林长制”",
    18: "推进公路和水网建设",
    19: "实施城市更新行动",
    20: "深化城市综合管理",
    21: "持续抓好生态环境保护",
    22: "加强就业保障",
    23: "深化养老服务领域改革",
    24: "推动教育公平发展和质量提升",
    25: "推动卫生健康高质量发展",
    26: "优化医保领域便民服务",
    27: "推动文化和旅游产业高质量发展",
    28: "防范化解安全生产重大风险",
    29: "持续推进新冠肺炎疫情防控",
    30: "获得通报表彰和肯定性批示情况",
}

DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
DOCNO_RE = re.compile(r"〔\d{4}〕\d+号$")
CAPTION_RE = re.compile(r"^表\d+")
UNIT_RE = re.compile(r"^单位：")
NUMERIC_RE = re.compile(r"^[-+]?[\d.,]+%?$|^—$")


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # issuer docno title addressee h1 h2 p caption unit table signer date note
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Sample:
    src: Path
    meta: dict
    blocks: list[Block]

    @property
    def region(self) -> str:
        return self.meta["region"]

    @property
    def fmt(self) -> str:
        return self.meta["format"]

    @property
    def filename(self) -> str:
        return self.meta["filename"]

    def first(self, kind: str) -> str:
        return next((b.text for b in self.blocks if b.kind == kind), "")

    @property
    def date(self) -> dt.datetime:
        m = DATE_RE.match(self.first("date"))
        if not m:
            return dt.datetime(2023, 1, 1, 9, 0, 0)
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]), 9, 30, 0)

    def docx_times(self) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        """DOCX core properties (created, modified, last printed), written by python-docx as UTC ("…Z")."""
        return self.date - dt.timedelta(days=3), self.date, self.date

    def body_chars(self) -> int:
        text = "".join(b.text + "".join("".join(r) for r in b.rows) for b in self.blocks)
        return len(re.sub(r"\s", "", text))


def read_source(path: Path) -> tuple[dict, str]:
    """Split a source file into its YAML front matter (a dict) and its Markdown body."""
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---\n"):
        raise SystemExit(f"{path}: missing YAML front matter")
    fm, body = raw[4:].split("\n---\n", 1)
    return yaml.safe_load(fm), body


def tokenize(body: str) -> list[Block]:
    """One block per non-empty line (a pipe table is one block); roles are assigned by the caller."""
    blocks: list[Block] = []
    lines = [ln.rstrip() for ln in body.splitlines()]
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        i += 1
        if not ln:
            continue
        if ln.startswith("|"):
            rows = []
            i -= 1
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            blocks.append(Block("table", rows=rows))
        elif ln.startswith("### "):
            blocks.append(Block("h2", ln[4:].strip()))
        elif ln.startswith("## "):
            blocks.append(Block("h1", ln[3:].strip()))
        elif ln.startswith("# "):
            blocks.append(Block("title", ln[2:].strip()))
        elif CAPTION_RE.match(ln):
            blocks.append(Block("caption", ln))
        elif UNIT_RE.match(ln):
            blocks.append(Block("unit", ln))
        else:
            blocks.append(Block("p", ln))
    return blocks


def parse(path: Path) -> Sample:
    meta, body = read_source(path)
    for key in ("region", "measures", "format", "filename"):
        if key not in meta:
            raise SystemExit(f"{path}: front matter lacks {key!r}")
    if meta["format"] not in ("pdf", "docx") or not meta["filename"].endswith("." + meta["format"]):
        raise SystemExit(f"{path}: format/filename mismatch")
    bad = [m for m in meta["measures"] if m not in MEASURES]
    if bad:
        raise SystemExit(f"{path}: unknown measures {bad}")

    blocks = tokenize(body)

    # Front part: issuer and 发文字号 before the title.
    t = next(k for k, b in enumerate(blocks) if b.kind == "title")
    for k in range(t):
        blocks[k].kind = "docno" if DOCNO_RE.search(blocks[k].text) else "issuer"
    # Addressee: first paragraph after the title that ends with a full-width colon.
    for b in blocks[t + 1 :]:
        if b.kind == "p":
            if b.text.endswith("："):
                b.kind = "addressee"
            break
    # Signature: the last date line and the paragraph before it; anything after is a note.
    dates = [k for k, b in enumerate(blocks) if b.kind == "p" and DATE_RE.match(b.text)]
    if dates:
        d = dates[-1]
        blocks[d].kind = "date"
        if d > 0 and blocks[d - 1].kind == "p":
            blocks[d - 1].kind = "signer"
        for b in blocks[d + 1 :]:
            if b.kind == "p":
                b.kind = "note"
    return Sample(path, meta, blocks)


# --------------------------------------------------------------------------- PDF (reportlab)

# Chinese line-breaking rules (避头尾): reportlab's CJK splitter knows the Japanese "cannot start a line"
# set but not full-width Chinese punctuation, and ignores "cannot end a line" characters entirely.
CANNOT_START = "，。、；：？！”’）》〕】」』…—%‰·!),.:;?]}" + "\u3005\u309b\u309c\u30fc\u2103\uff05"
CANNOT_END = "“‘（《〔【「『([{"


def _cjk_breaks(chars, widths, max_widths, fuzz, hard=None):
    """Greedy CJK line breaking with 避头尾 rules.

    Adapted from reportlab.lib.textsplit.dumbSplit (BSD licence): lines are filled character by
    character; a run of Latin letters/digits is not cut in the middle; a character that cannot start
    a line hangs in the margin; a character that cannot end a line is pushed down to the next one.
    Returns (start, end, extra_space, hard_break) tuples.
    """
    out = []
    i = used = start = 0
    max_w = max_widths[0]
    n = len(chars)
    while i < n:
        c, w = chars[i], widths[i]
        i += 1
        used += w
        is_hard = bool(hard and hard[i - 1])
        if (used > max_w + fuzz and used > 0) or is_hard:
            extra = max_w - used
            if not is_hard:
                if ord(c) < 0x3000:  # inside Latin/digits: back up to a space or a CJK character
                    for j in range(i - 1, (start + i) >> 1, -1):
                        cj = chars[j]
                        if unicodedata.category(cj) == "Zs" or ord(cj) >= 0x3000:
                            k = j + 1
                            if k < i:
                                extra += sum(widths[k + 1 : i])
                                w, c, i = widths[k], chars[k], k + 1
                            break
                if c not in CANNOT_START and i > start + 1:
                    i -= 1
                    extra += w
                while i > start + 2 and chars[i - 1] in CANNOT_END:
                    i -= 1
                    extra += widths[i]
            out.append((start, i, extra, is_hard))
            max_w = max_widths[min(len(out), len(max_widths) - 1)]
            start, used = i, 0
    if used > 0 or start < n:
        out.append((start, n, max_w - sum(widths[start:n]), False))
    return out


def _install_cjk_linebreaking() -> None:
    """Route reportlab's two CJK splitters (single- and multi-fragment paragraphs) through _cjk_breaks."""
    import reportlab.platypus.paragraph as rlp
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if getattr(rlp.cjkFragSplit, "_jili", False):
        return

    def word_split(word, maxWidths, fontName, fontSize, encoding="utf8"):
        if isinstance(word, bytes):
            word = word.decode(encoding)
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        widths = [stringWidth(ch, fontName, fontSize) for ch in word]
        breaks = _cjk_breaks(word, widths, maxWidths, rlp._FUZZ)
        return [[extra, word[a:b].strip() if b < len(word) else word[a:b]] for a, b, extra, _ in breaks]

    def cjk_frag_split(frags, maxWidths, calcBounds, encoding="utf8"):
        U = []
        for f in frags:
            text = f.text.decode(encoding) if isinstance(f.text, bytes) else f.text
            U.extend([rlp.cjkU(t, f, encoding) for t in text] if text else [rlp.cjkU(text, f, encoding)])
        widths = []
        for u in U:
            w = u.width
            if hasattr(w, "normalizedValue"):
                w._normalizer = maxWidths[0]
                w = w.normalizedValue(maxWidths[0])
            widths.append(w)
        hard = [hasattr(u.frag, "lineBreak") for u in U]
        chars = [u if u else "\0" for u in U]
        lines = []
        for a, b, extra, is_hard in _cjk_breaks(chars, widths, maxWidths, rlp._FUZZ, hard):
            mw = maxWidths[min(len(lines), len(maxWidths) - 1)]
            lines.append(rlp.makeCJKParaLine(U[a:b], mw, mw - extra, extra, is_hard, calcBounds))
        return rlp.ParaLines(kind=1, lines=lines)

    cjk_frag_split._jili = True
    rlp.cjkFragSplit = cjk_frag_split
    rlp.wordSplit = word_split


def build_pdf(s: Sample, out: Path, render=None, creator: str = "jili scripts/build_samples.py") -> None:
    """Draw `s` as a 公文-style PDF.

    `render(block, kit)`, when given, is asked first for every block: it returns a list of flowables to
    use instead of the default ones, or None. `kit` holds the styles (`st`), the style factory, the page
    geometry and the (fake-)bold paragraph classes, so a caller can render kinds this script does not know.
    """
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        HRFlowable,
        PageTemplate,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    _install_cjk_linebreaking()
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))

    class BoldParagraph(Paragraph):
        """Fake bold (fill + stroke), the usual trick when only a regular CJK face is available."""

        stroke_width = 0.45

        def draw(self):
            c = self.canv
            c.saveState()
            c.setStrokeColor(self.style.textColor)
            c.setLineWidth(self.stroke_width)
            c._code.append("2 Tr")
            super().draw()
            c.restoreState()

    class LightBoldParagraph(BoldParagraph):
        stroke_width = 0.22

    size = float(s.meta.get("body_size", 16))
    lead = round(size * 1.75, 1)  # 16pt / 28pt: the 公文 "22 lines x 28 chars" grid
    red = colors.HexColor("#D40000")
    page_w, page_h = A4
    left, right, top, bottom = 28 * mm, 26 * mm, 37 * mm, 35 * mm
    width = page_w - left - right

    def style(name, **kw):
        base = dict(fontName=font, fontSize=size, leading=lead, wordWrap="CJK", alignment=TA_JUSTIFY)
        base.update(kw)
        return ParagraphStyle(name, **base)

    issuer_text = s.first("issuer")
    issuer_size = min(30.0, width / max(len(issuer_text), 1) * 0.92)
    st = {
        "issuer": style("issuer", fontSize=issuer_size, leading=issuer_size * 1.3, alignment=TA_CENTER,
                        textColor=red, spaceBefore=6, spaceAfter=size * 0.8),
        "docno": style("docno", alignment=TA_CENTER, spaceAfter=4),
        "title": style("title", fontSize=size + 4, leading=(size + 4) * 1.5, alignment=TA_CENTER,
                       spaceBefore=size, spaceAfter=size),
        "addressee": style("addressee", alignment=TA_LEFT),
        "h1": style("h1", firstLineIndent=2 * size, spaceBefore=2, keepWithNext=1),
        "h2": style("h2", firstLineIndent=2 * size, keepWithNext=1),
        "p": style("p", firstLineIndent=2 * size),
        "caption": style("caption", fontSize=size - 2, leading=(size - 2) * 1.6, alignment=TA_CENTER,
                         spaceBefore=6, keepWithNext=1),
        "unit": style("unit", fontSize=size - 4, leading=(size - 4) * 1.6, alignment=TA_RIGHT,
                      keepWithNext=1),
        "signer": style("signer", alignment=TA_RIGHT, rightIndent=2 * size, spaceBefore=lead),
        "date": style("date", alignment=TA_RIGHT, rightIndent=2 * size + size),
        "note": style("note", fontSize=size - 2, leading=(size - 2) * 1.6, firstLineIndent=2 * (size - 2),
                      spaceBefore=size),
        "cell": style("cell", fontSize=size - 4, leading=(size - 4) * 1.35, alignment=TA_LEFT),
        "cellnum": style("cellnum", fontSize=size - 4, leading=(size - 4) * 1.35, alignment=TA_CENTER),
    }
    bold_kinds = {"issuer": BoldParagraph, "title": BoldParagraph, "h1": BoldParagraph,
                  "h2": LightBoldParagraph, "caption": LightBoldParagraph}

    kit = SimpleNamespace(st=st, style=style, size=size, lead=lead, width=width, red=red, colors=colors,
                          Paragraph=Paragraph, Bold=BoldParagraph, LightBold=LightBoldParagraph,
                          Table=Table, TableStyle=TableStyle, Spacer=Spacer)
    story = []
    rule_done = False
    for b in s.blocks:
        if render is not None:
            flow = render(b, kit)
            if flow is not None:
                story.extend(flow)
                continue
        if b.kind == "table":
            rows = []
            for r, row in enumerate(b.rows):
                cells = []
                for c, txt in enumerate(row):
                    cls = LightBoldParagraph if r == 0 else Paragraph
                    cst = st["cellnum"] if (r == 0 or (c > 0 and NUMERIC_RE.match(txt))) else st["cell"]
                    cells.append(cls(txt, cst))
                rows.append(cells)
            ncol = max(len(r) for r in rows)
            first = width * (0.40 if ncol > 2 else 0.5)
            widths = [first] + [(width - first) / (ncol - 1)] * (ncol - 1)
            tbl = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
            tbl.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                ("BOX", (0, 0), (-1, -1), 1.0, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            story.append(tbl)
            story.append(Spacer(1, size * 0.6))
            continue
        if b.kind in ("title", "addressee") and not rule_done and s.first("issuer"):
            story.append(HRFlowable(width="100%", thickness=1.6, color=red, spaceBefore=2, spaceAfter=size))
            rule_done = True
        cls = bold_kinds.get(b.kind, Paragraph)
        story.append(cls(b.text, st[b.kind]))

    header_text = f"{s.region}督查激励申报材料"

    stamp = s.date.strftime("D:%Y%m%d%H%M%S+08'00'")

    def decorate(canvas, doc):
        canvas.setDateFormatter(lambda *_: stamp)  # fixed, realistic CreationDate/ModDate (invariant=1)
        canvas.saveState()
        canvas.setFont(font, 14)
        canvas.drawCentredString(page_w / 2, bottom - 7 * mm - 14, f"— {doc.page} —")
        if doc.page >= 2:
            canvas.setFont(font, 10.5)
            y = page_h - 20 * mm
            canvas.drawCentredString(page_w / 2, y, header_text)
            canvas.setLineWidth(0.5)
            canvas.line(left, y - 4, page_w - right, y - 4)
        canvas.restoreState()

    doc = BaseDocTemplate(
        str(out),
        pagesize=A4,
        leftMargin=left,
        rightMargin=right,
        topMargin=top,
        bottomMargin=bottom,
        title=s.first("title"),
        author=issuer_text or s.first("signer"),
        subject="2022年度督查激励申报材料",
        keywords="督查激励, 申报材料, " + ", ".join(MEASURES[m] for m in s.meta["measures"]),
        creator=creator,
        invariant=1,
    )
    frame = Frame(left, bottom, width, page_h - top - bottom, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=decorate)])
    doc.build(story)


# --------------------------------------------------------------------------- DOCX (python-docx)

FANGSONG, HEITI, KAITI, XBS, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"


def _set_fonts(rpr_owner, east_asia: str, ascii_font: str = "Times New Roman") -> None:
    """Set w:rFonts on a run or style (ascii/hAnsi/eastAsia) and drop theme-font overrides."""
    from docx.oxml.ns import qn

    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), ascii_font)
    rfonts.set(qn("w:hAnsi"), ascii_font)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), ascii_font)


def _style_text(style, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.shared import Pt, RGBColor

    _set_fonts(style.element, east_asia)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    # drop themeColor/themeShade so the explicit black wins
    color = style.element.rPr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}color")
    if color is not None:
        for k in list(color.attrib):
            if "theme" in k:
                del color.attrib[k]


def _run(par, text: str, east_asia: str = FANGSONG, size: float | None = None, bold: bool | None = None,
         color: tuple[int, int, int] | None = None):
    from docx.shared import Pt, RGBColor

    r = par.add_run(text)
    _set_fonts(r._r, east_asia)
    if size is not None:
        r.font.size = Pt(size)
    if bold is not None:
        r.font.bold = bold
    if color is not None:
        r.font.color.rgb = RGBColor(*color)
    return r


def _bottom_border(par, color: str = "FF0000", sz: int = 18) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", str(sz)), ("w:space", "8"), ("w:color", color)):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def _page_field(par) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld(kind):
        r = _run(par, "", SONG, 14)
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r._r.append(el)

    _run(par, "— ", SONG, 14)
    fld("begin")
    r = _run(par, "", SONG, 14)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    r._r.append(instr)
    fld("separate")
    _run(par, "1", SONG, 14)
    fld("end")
    _run(par, " —", SONG, 14)


def build_docx(s: Sample, out: Path, render=None) -> None:
    """Write `s` as a DOCX; the red rule goes under the last line before the title.

    `render(block, kit)`, when given, is asked first for every block and returns True when it has added
    the block to `kit.doc` itself (`kit.para` adds a Normal paragraph, `kit.rule_block` is the block that
    carries the red rule).
    """
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    use_styles = s.meta.get("headings", "styles") == "styles"
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(25)

    normal = doc.styles["Normal"]
    _style_text(normal, FANGSONG, 16)
    npf = normal.paragraph_format
    npf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    npf.line_spacing = Pt(28)
    npf.space_before = npf.space_after = Pt(0)

    title_style = doc.styles["Title"]
    ppr = title_style.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):
        ppr.remove(el)
    _style_text(title_style, XBS, 22)
    tpf = title_style.paragraph_format
    tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tpf.line_spacing = Pt(36)
    tpf.space_before, tpf.space_after = Pt(16), Pt(16)
    for name, face in (("Heading 1", HEITI), ("Heading 2", KAITI)):
        hs = doc.styles[name]
        _style_text(hs, face, 16, bold=False)
        hpf = hs.paragraph_format
        hpf.first_line_indent = Pt(32)
        hpf.space_before = hpf.space_after = Pt(0)
        hpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        hpf.line_spacing = Pt(28)

    def para(text="", indent=True, align=None, style=None):
        p = doc.add_paragraph(style=style)
        pf = p.paragraph_format
        pf.first_line_indent = Pt(32) if indent else Pt(0)
        if align is not None:
            pf.alignment = align
        if text:
            _run(p, text)
        return p

    issuer = s.first("issuer")
    t = next((k for k, b in enumerate(s.blocks) if b.kind == "title"), 0)
    rule_block = s.blocks[t - 1] if t else None
    kit = SimpleNamespace(doc=doc, para=para, rule_block=rule_block, use_styles=use_styles)
    for b in s.blocks:
        if render is not None and render(b, kit):
            continue
        k = b.kind
        if k == "issuer":
            p = para(indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            p.paragraph_format.space_before = Pt(12)
            p.paragraph_format.space_after = Pt(12)
            _run(p, b.text, XBS, min(30.0, 442 / max(len(b.text), 1) * 0.9), True, (0xFF, 0, 0))
            if b is rule_block:
                _bottom_border(p)
        elif k == "docno":
            p = para(b.text, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.space_after = Pt(6)
            if b is rule_block:
                _bottom_border(p)
        elif k == "title":
            doc.add_paragraph(b.text, style="Title")
        elif k == "addressee":
            para(b.text, indent=False)
        elif k in ("h1", "h2"):
            if use_styles:
                doc.add_paragraph(b.text, style="Heading 1" if k == "h1" else "Heading 2")
            else:
                p = para()
                _run(p, b.text, HEITI if k == "h1" else KAITI, bold=(k == "h2"))
        elif k == "caption":
            p = para(indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            p.paragraph_format.keep_with_next = True
            _run(p, b.text, HEITI, 14)
        elif k == "unit":
            p = para(indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.keep_with_next = True
            _run(p, b.text, FANGSONG, 12)
        elif k == "table":
            ncol = max(len(r) for r in b.rows)
            tbl = doc.add_table(rows=len(b.rows), cols=ncol)
            tbl.style = doc.styles["Table Grid"]
            tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
            first = 442 * (0.40 if ncol > 2 else 0.5)
            widths = [Pt(first)] + [Pt((442 - first) / (ncol - 1))] * (ncol - 1)
            for r, row in enumerate(b.rows):
                for c, txt in enumerate(row):
                    cell = tbl.cell(r, c)
                    cell.width = widths[c]
                    cp = cell.paragraphs[0]
                    cpf = cp.paragraph_format
                    cpf.first_line_indent = Pt(0)
                    cpf.line_spacing_rule = WD_LINE_SPACING.SINGLE
                    if r == 0 or (c > 0 and NUMERIC_RE.match(txt)):
                        cpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _run(cp, txt, HEITI if r == 0 else FANGSONG, 12)
            para()  # the blank line Word users leave after a table
        elif k == "signer":
            para()
            para()
            p = para(b.text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(32)
        elif k == "date":
            p = para(b.text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(48)
        elif k == "note":
            p = para()
            _run(p, b.text, FANGSONG, 14)
        else:
            para(b.text)

    fp = sec.footer.paragraphs[0]
    fp.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.paragraph_format.first_line_indent = Pt(0)
    _page_field(fp)

    cp = doc.core_properties
    cp.title = s.first("title")
    cp.subject = "2022年度督查激励申报材料"
    cp.author = issuer or s.first("signer")
    cp.last_modified_by = cp.author
    cp.keywords = "督查激励；申报材料"
    cp.comments = ""
    cp.category = "申报材料"
    cp.revision = 3
    cp.created, cp.modified, cp.last_printed = s.docx_times()

    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(_normalise_zip(buf.getvalue(), s.date))


def _normalise_zip(data: bytes, when: dt.datetime) -> bytes:
    """Rewrite a DOCX zip with fixed timestamps/attributes (deterministic) and without the template thumbnail."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            payload = src.read(info.filename)
            if info.filename == "_rels/.rels":
                payload = re.sub(rb"<Relationship [^>]*docProps/thumbnail\.jpeg\"/>", b"", payload)
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, payload)
    return out.getvalue()


# --------------------------------------------------------------------------- pages + README


def pdf_pages(path: Path) -> int:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def docx_pages(paths: list[Path]) -> dict[Path, int]:
    """Page counts as laid out by LibreOffice (font substitution makes them approximate)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not paths:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
               "--outdir", tmp, *map(str, paths)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=300)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"warning: LibreOffice page count failed: {exc}", file=sys.stderr)
            return {}
        return {p: pdf_pages(Path(tmp, p.stem + ".pdf")) for p in paths if Path(tmp, p.stem + ".pdf").exists()}


def write_readme(samples: list[Sample], pages: dict[str, str]) -> None:
    covered = sorted({m for s in samples for m in s.meta["measures"]})
    lines = [
        "# Sample declaration corpus (督查激励申报材料样例)",
        "",
        "Invented 2022年度督查激励 declaration documents (渝府办发〔2022〕74号), one per region, used by",
        "`make run` (demo ingest) and by tests. All names of people, figures and document numbers are",
        "fictitious; the figures are only meant to be plausible for a Chongqing 区县/平台/乡镇.",
        "",
        "- Sources: `src/*.md` (YAML front matter: `region`, `measures`, `format`, `filename`).",
        "- Rebuild: `.venv/bin/python scripts/build_samples.py` (deterministic: identical bytes on rebuild).",
        "- PDFs: reportlab, A4, CID font STSong-Light (not embedded), 公文 layout, footer `— N —`,",
        "  running header `<region>督查激励申报材料` on pages ≥ 2.",
        "- DOCX: python-docx; `headings=styles` files use Title + Heading 1/2 styles, `plain` files use",
        "  Title + Normal paragraphs with typed 一、/（一） numbering; footer with a PAGE field.",
        "  DOCX page counts are as laid out by LibreOffice with substituted fonts (approximate).",
        "- Chars: non-whitespace characters of the source text, table cells included.",
        "",
        f"{len(samples)} files; {len(covered)} distinct measures covered: {', '.join(map(str, covered))}.",
        "",
        "| File | Region | Measures | Format | Pages | Table | Chars |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in samples:
        ms = "; ".join(f"{m} {MEASURES[m]}" for m in s.meta["measures"])
        fmt = s.fmt + (f" ({s.meta.get('headings', 'styles')})" if s.fmt == "docx" else "")
        has_table = "yes" if any(b.kind == "table" for b in s.blocks) else ""
        lines.append(f"| {s.filename} | {s.region} | {ms} | {fmt} | {pages.get(s.filename, '—')} | "
                     f"{has_table} | {s.body_chars()} |")
    lines.append("")
    (SAMPLES / "README.md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-docx-pages", action="store_true", help="do not count DOCX pages with LibreOffice")
    args = ap.parse_args(argv)

    samples = [parse(p) for p in sorted(SRC.glob("*.md"))]
    names = [s.filename for s in samples]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate output filenames")
    for s in samples:
        n = s.body_chars()
        if not 800 <= n <= 2500:
            print(f"warning: {s.src.name}: {n} characters (expected 800-2500)", file=sys.stderr)

    # Drop outputs whose source was renamed or removed.
    for old in list(SAMPLES.glob("*.pdf")) + list(SAMPLES.glob("*.docx")):
        if old.name not in names:
            old.unlink()

    pages: dict[str, str] = {}
    docx_out = []
    for s in samples:
        out = SAMPLES / s.filename
        if s.fmt == "pdf":
            build_pdf(s, out)
            pages[s.filename] = str(pdf_pages(out))
        else:
            build_docx(s, out)
            docx_out.append(out)
        print(f"built {out.relative_to(ROOT)}")
    if not args.no_docx_pages:
        for p, n in docx_pages(docx_out).items():
            pages[p.name] = f"≈{n}"
    write_readme(samples, pages)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
