#!/usr/bin/env python3
"""Render the declaration corpus: corpora/declarations/src/*.md -> OUT_DIR/<filename> + OUT_DIR/manifest.jsonl.

The 220 sources are written in the conventions of corpora/samples/src (see scripts/build_samples.py, whose
parser and PDF/DOCX writers this script reuses) plus a few more, all found in real 申报材料:

    front matter   id, region, county (townships), applicant_type, uploader, measures, ineligible,
                   doc_date (null when the document carries no date), date_style, format (pdf|docx|txt),
                   filename, practice, copies, conflicts; optional headings (docx: styles|plain)
    date_style     落款       signing unit, then the date line (as the samples)
                   落款同行   unit and date on one line, separated by full-width spaces
                   版头       the date line right after the issuer/发文字号 lines, before the "# title"
                   表格       the date inside a header table near the top (| 填报日期 | 2023年1月12日 |)
                   汉字       a 落款 date in Chinese numerals (二〇二三年一月十二日)
                   无         no date at all
    body           a pipe table right after the title (before any text but the addressee) is a header
                   form: label/value cells, ruled, no header row; "附件：1. …" + "2. …" is the 附件说明
                   (hanging indent, aligned on the first attachment name); "联系人…"/"（联系人…）" lines
                   are contact notes; "1." / "（1）" lines are list items; lines after the date are notes.
                   Without a date, a closing line that names a unit (…人民政府, …局, …办事处) is the signer.

Rendering: `pdf` and `docx` as the samples (STSong-Light, 公文 layout, "— N —" footer, running header on
pages >= 2; DOCX with Heading styles or typed headings, picked per file by a hash of the id unless the
front matter says); `txt` as plain text, one paragraph per line, table rows tab-separated, about a third
of them GBK-encoded (by a hash of the id). File metadata: PDF CreationDate / DOCX core `created` are the
doc_date at 09:30 Beijing time (2023-01-20 09:30 when doc_date is null). Rebuilding yields identical bytes.

Usage:
    .venv/bin/python scripts/build_declarations.py OUT_DIR              # all 220 + manifest.jsonl
    .venv/bin/python scripts/build_declarations.py OUT_DIR --only c1-005 c2-013
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_samples as bs  # noqa: E402
from build_samples import DATE_RE, DOCNO_RE, MEASURES, Block, Sample  # noqa: E402

ROOT = bs.ROOT
DECLARATIONS = ROOT / "corpora" / "declarations"
SRC = DECLARATIONS / "src"
JUDGMENTS = DECLARATIONS / "judgments"

GOLD_FIELDS = ("id", "region", "county", "applicant_type", "uploader", "measures", "ineligible", "doc_date",
               "date_style", "format", "filename", "practice", "copies", "conflicts")
FORMATS = ("pdf", "docx", "txt")
DATE_STYLES = ("落款", "落款同行", "版头", "表格", "汉字", "无")
APPLICANT_TYPES = ("区县", "乡镇(街道)", "国家级开发开放平台")
PLATFORMS = ("重庆两江新区", "西部科学城重庆高新区", "重庆万盛经济技术开发区")
TOWNSHIP_MEASURES = frozenset({13, 14, 16, 17, 21, 23})
PLATFORM_EXCLUDED = frozenset({2, 13, 15, 26, 27})
NO_DATE = dt.date(2023, 1, 20)  # file metadata date of an undated document

CN_DIGITS = "〇一二三四五六七八九"
CN_DATE_RE = re.compile(r"^[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日$")
INLINE_SIGN_RE = re.compile(r"^(?P<unit>[^\s　。，；：]{2,40}?)(?P<gap>[\s　]+)(?P<date>\d{4}年\d{1,2}月\d{1,2}日)$")
ANY_DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
ATTACH_RE = re.compile(r"^附件[：:]")
ITEM_RE = re.compile(r"^(\d{1,2}[.．、]|（\d{1,2}）)\s*")
CONTACT_RE = re.compile(r"^[（(]?(联系人|联系电话|填报人|联 系 人)")
UNIT_RE = re.compile(r"(人民政府|委员会|办事处|局|办公室|中心|委|党委|党工委|政府|公司)$")


def cn_date(d: dt.date) -> str:
    """2023-01-12 -> 二〇二三年一月十二日 (the way a 落款 date is written in Chinese numerals)."""

    def num(n: int) -> str:
        if n < 10:
            return CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")

    return "".join(CN_DIGITS[int(c)] for c in str(d.year)) + f"年{num(d.month)}月{num(d.day)}日"


def ar_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big")


@functools.lru_cache(maxsize=1)
def _gbk_ids() -> frozenset[str]:
    """A third of the TXT sources (rounded), those whose id hashes lowest: offices send GBK text."""
    ids = sorted((bs.read_source(p)[0] for p in SRC.glob("*.md")), key=lambda m: m["id"])
    txt = sorted((m["id"] for m in ids if m["format"] == "txt"), key=lambda i: (_hash(i + ":encoding"), i))
    return frozenset(txt[: round(len(txt) / 3)])


def txt_encoding(doc_id: str) -> str:
    """The encoding a TXT declaration is written in: "gbk" for a third of them, else "utf-8"."""
    return "gbk" if doc_id in _gbk_ids() else "utf-8"


def headings_of(meta: dict) -> str:
    """DOCX heading convention: the front matter's `headings`, else styles/plain by a hash of the id."""
    return meta.get("headings") or ("styles" if _hash(meta["id"] + ":headings") % 2 == 0 else "plain")


def eligible_measures(applicant_type: str) -> frozenset[int]:
    """Measures an applicant type may declare under (渝府办发〔2022〕74号 as the notice reads)."""
    if applicant_type == "乡镇(街道)":
        return TOWNSHIP_MEASURES
    if applicant_type == "国家级开发开放平台":
        return frozenset(MEASURES) - PLATFORM_EXCLUDED
    return frozenset(MEASURES)


# --------------------------------------------------------------------------- parsing


class Declaration(Sample):
    """A parsed source: front matter in `meta`, blocks with roles (the sample kinds plus those below).

    Extra block kinds: hdate (版头 date), signdate (落款同行 line), form (header table), attach / item
    (附件说明 and its further attachments), contact (联系人 line before the signature), li (list item).
    """

    @property
    def id(self) -> str:
        return self.meta["id"]

    @property
    def doc_date(self) -> dt.date | None:
        return self.meta["doc_date"]

    @property
    def date(self) -> dt.datetime:
        """Local (Beijing) time the file was written: doc_date at 09:30."""
        d = self.doc_date or NO_DATE
        return dt.datetime(d.year, d.month, d.day, 9, 30, 0)

    def docx_times(self) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
        # python-docx writes naive datetimes as UTC ("…Z"): 09:30 Beijing is 01:30Z the same day.
        created = self.date - dt.timedelta(hours=8)
        modified = created + dt.timedelta(minutes=47)
        return created, modified, modified

    def text(self) -> str:
        """The document as plain text: one paragraph per line, table rows tab-separated."""
        lines = []
        for b in self.blocks:
            if b.kind in ("table", "form"):
                lines.extend("\t".join(r) for r in b.rows)
            else:
                lines.append(b.text)
        return "\n".join(lines) + "\n"

    def found_dates(self) -> list[tuple[str, str]]:
        """(kind, text) of every date the document shows: hdate, date, signdate and dates in form tables."""
        out = []
        for b in self.blocks:
            if b.kind in ("hdate", "date", "signdate"):
                out.append((b.kind, ANY_DATE_RE.search(b.text)[0] if b.kind == "signdate" else b.text))
            elif b.kind == "form":
                out.extend(("form", c) for r in b.rows for c in r if DATE_RE.match(c))
        return out

    def found_date_style(self) -> str:
        """The date style the rendered text actually shows (compare with meta["date_style"])."""
        kinds = [k for k, _ in self.found_dates()]
        if not kinds:
            return "无"
        if len(kinds) > 1:
            return "+".join(kinds)
        k, text = self.found_dates()[0]
        if k == "date":
            return "汉字" if CN_DATE_RE.match(text) else "落款"
        return {"hdate": "版头", "signdate": "落款同行", "form": "表格"}[k]


def is_date_line(text: str) -> bool:
    return bool(DATE_RE.match(text) or CN_DATE_RE.match(text))


def is_unit_line(text: str) -> bool:
    return len(text) <= 40 and not re.search(r"[。，；：、！？]", text) and bool(UNIT_RE.search(text))


def parse_declaration(path: Path) -> Declaration:
    meta, body = bs.read_source(path)
    missing = [k for k in GOLD_FIELDS if k not in meta and k != "county"]
    if missing:
        raise SystemExit(f"{path}: front matter lacks {missing}")
    if meta["format"] not in FORMATS or not meta["filename"].endswith("." + meta["format"]):
        raise SystemExit(f"{path}: format/filename mismatch")
    meta = dict(meta)
    if meta["format"] == "docx":
        meta["headings"] = headings_of(meta)
    blocks = bs.tokenize(body)
    titles = [k for k, b in enumerate(blocks) if b.kind == "title"]
    if len(titles) != 1:
        raise SystemExit(f"{path}: {len(titles)} '# ' title lines")
    t = titles[0]

    # Front part: issuer line(s), 发文字号 and (版头) the date; a date there is not a 发文字号.
    for b in blocks[:t]:
        if b.kind == "p":
            b.kind = "hdate" if is_date_line(b.text) else "docno" if DOCNO_RE.search(b.text) else "issuer"

    # Addressee, and header form tables: tables right after the title with only the addressee between.
    for b in blocks[t + 1 :]:
        if b.kind == "p":
            if b.text.endswith("："):
                b.kind = "addressee"
            break
    for b in blocks[t + 1 :]:
        if b.kind == "table":
            b.kind = "form"
        elif b.kind != "addressee":
            break

    # Signature: the last date line (Arabic or Chinese numerals) or 落款同行 line after the title.
    end = len(blocks)
    for k in range(len(blocks) - 1, t, -1):
        b = blocks[k]
        if b.kind != "p":
            continue
        if is_date_line(b.text):
            b.kind = "date"
            if blocks[k - 1].kind == "p" and not CONTACT_RE.match(blocks[k - 1].text) \
                    and not ATTACH_RE.match(blocks[k - 1].text) and not ITEM_RE.match(blocks[k - 1].text):
                blocks[k - 1].kind = "signer"
            end = k
            break
        m = INLINE_SIGN_RE.match(b.text)
        if m and is_unit_line(m["unit"]):
            b.kind = "signdate"
            end = k
            break
    else:
        # No date: a closing unit line (possibly followed by contact lines) is the signer.
        k = len(blocks) - 1
        while k > t and blocks[k].kind == "p" and CONTACT_RE.match(blocks[k].text):
            k -= 1
        if k > t and blocks[k].kind == "p" and is_unit_line(blocks[k].text):
            blocks[k].kind = "signer"

    # 附件说明, contact lines and list items (after the date they are notes, as in the samples).
    prev = None
    for k, b in enumerate(blocks):
        if b.kind == "p":
            if ATTACH_RE.match(b.text):
                b.kind = "attach"
            elif ITEM_RE.match(b.text) and prev in ("attach", "item"):
                b.kind = "item"
            elif CONTACT_RE.match(b.text):
                b.kind = "contact" if k < end else "note"
            elif k > end:
                b.kind = "note"
            elif ITEM_RE.match(b.text):
                b.kind = "li"
        prev = b.kind
    return Declaration(path, meta, blocks)


def load_all(src: Path = SRC) -> list[Declaration]:
    decls = [parse_declaration(p) for p in sorted(src.glob("*.md"))]
    ids = [d.id for d in decls]
    names = [d.filename for d in decls]
    if len(set(ids)) != len(ids) or len(set(names)) != len(names):
        raise SystemExit("duplicate ids or output filenames")
    return decls


def problems(d: Declaration, known: set[str] | None = None) -> list[str]:
    """What is inconsistent between the front matter and the body (empty when the source is sound)."""
    m, out = d.meta, []
    if not d.src.name.startswith(m["id"] + "-"):
        out.append(f"id {m['id']} does not prefix the source name")
    if m["applicant_type"] not in APPLICANT_TYPES:
        out.append(f"applicant_type {m['applicant_type']!r}")
    if (m["applicant_type"] == "国家级开发开放平台") != (m["region"] in PLATFORMS):
        out.append(f"region {m['region']} vs applicant_type {m['applicant_type']}")
    if (m["applicant_type"] == "乡镇(街道)") != bool(m.get("county")):
        out.append("county is given for exactly the townships")
    if m["uploader"] != (m.get("county") or m["region"]):
        out.append(f"uploader {m['uploader']} is neither the county nor the region")
    ms = m["measures"]
    if not ms or len(set(ms)) != len(ms) or any(type(x) is not int or not 1 <= x <= 30 for x in ms):
        out.append(f"measures {ms}")
    else:
        want = [x for x in ms if x not in eligible_measures(m["applicant_type"])]
        if sorted(m["ineligible"]) != sorted(want):
            out.append(f"ineligible {m['ineligible']} != {want}")
    if m["date_style"] not in DATE_STYLES:
        out.append(f"date_style {m['date_style']!r}")
    dd = m["doc_date"]
    if dd is not None and not isinstance(dd, dt.date):
        out.append(f"doc_date {dd!r}")
    found = d.found_date_style()
    if found != m["date_style"]:
        out.append(f"date_style {m['date_style']} but the body shows {found}")
    dates = [text for _, text in d.found_dates()]
    if isinstance(dd, dt.date) and dates and dates[0] not in (ar_date(dd), cn_date(dd)):
        out.append(f"doc_date {dd} but the body says {dates[0]}")
    if (dd is None) != (m["date_style"] == "无"):
        out.append(f"doc_date {dd} with date_style {m['date_style']}")
    for b in d.blocks:
        if b.kind == "signdate" and "　" not in INLINE_SIGN_RE.match(b.text)["gap"]:
            out.append("落款同行 line without full-width spaces")
    body = d.text()
    if not m["practice"] or m["practice"] not in body:
        out.append(f"practice {m['practice']!r} not in the body")
    for c in m["copies"]:
        if set(c) != {"from", "kind", "start"} or not c["start"] or c["start"] not in body:
            out.append(f"copies entry {c}")
        elif known is not None and c["from"] != "notice" and c["from"] not in known:
            out.append(f"copies from unknown {c['from']}")
    for c in m["conflicts"]:
        if set(c) != {"with", "metric", "values"} or len(c["values"]) != 2:
            out.append(f"conflicts entry {c}")
        elif known is not None and c["with"] not in known:
            out.append(f"conflicts with unknown {c['with']}")
        elif c["values"][0] not in body:
            out.append(f"conflict {c['metric']}: own value {c['values'][0]} not in the body")
    if m["format"] == "txt" and txt_encoding(d.id) == "gbk":
        try:
            body.encode("gbk")
        except UnicodeEncodeError as exc:
            out.append(f"not GBK-encodable: {exc}")
    return out


# --------------------------------------------------------------------------- rendering


def _prefix_width(prefix: str, size: float) -> float:
    """Width of an attachment prefix such as "附件：1. ": CJK characters are one em, the rest Times."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return sum(size if ord(c) >= 0x3000 else stringWidth(c, "Times-Roman", size) for c in prefix)


def _attach_prefix(b: Block) -> tuple[str, str]:
    """(the part before the attachment name, the part that aligns the name) of an attach/item line."""
    lead = ATTACH_RE.match(b.text)[0] if b.kind == "attach" else ""
    m = ITEM_RE.match(b.text[len(lead) :])
    return lead, (m[0] if m else "")


def pdf_render(d: Declaration):
    """The render hook for build_samples.build_pdf: the block kinds the samples do not have."""
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.pdfbase.pdfmetrics import stringWidth

    cache: dict[str, object] = {}
    # 公文 never leave the signature alone on a page: the block before it keeps with it.
    sig = next((k for k, b in enumerate(d.blocks) if b.kind in ("signer", "date", "signdate")), None)
    keep = d.blocks[sig - 1] if sig and d.blocks[sig - 1].kind in ("p", "contact", "attach", "item", "li") \
        else None

    def text(b: Block) -> str:
        return b.text.replace("\u3000", "&#12288;")  # Paragraph would collapse full-width spaces

    def render(b: Block, kit):
        size, lead = kit.size, kit.lead
        st = kit.st

        def style(name, **kw):
            if name not in cache:
                cache[name] = kit.style(name, **kw)
            return cache[name]

        if b is keep and b.kind == "p":
            return [kit.Paragraph(b.text, style("p-keep", firstLineIndent=2 * size, keepWithNext=1))]
        if b.kind == "signer":
            nxt = d.blocks.index(b) + 1
            follows = nxt < len(d.blocks) and d.blocks[nxt].kind == "date"
            return [kit.Paragraph(b.text, style("signer-keep" if follows else "signer", alignment=TA_RIGHT,
                                                rightIndent=2 * size, spaceBefore=lead,
                                                keepWithNext=int(follows)))]
        if b.kind == "hdate":
            return [kit.Paragraph(b.text, style("hdate", alignment=TA_RIGHT, rightIndent=size,
                                                     spaceBefore=2, spaceAfter=4))]
        if b.kind == "signdate":
            return [kit.Paragraph(text(b), style("signdate", alignment=TA_RIGHT, rightIndent=2 * size,
                                                  spaceBefore=lead))]
        if b.kind in ("attach", "item"):
            first, number = _attach_prefix(b)
            font = st["p"].fontName
            w_first = sum(size if ord(c) >= 0x3000 else stringWidth(c, font, size) for c in first)
            w_num = sum(size if ord(c) >= 0x3000 else stringWidth(c, font, size) for c in number)
            w_attach = 3 * size  # "附件：" — items align under the first attachment's name
            ps = kit.style(f"{b.kind}-{len(number)}", alignment=TA_LEFT,
                           leftIndent=2 * size + w_attach + w_num,
                           firstLineIndent=-(w_first + w_num) if b.kind == "attach" else -w_num,
                           spaceBefore=lead if b.kind == "attach" else 0, keepWithNext=int(b is keep))
            return [kit.Paragraph(b.text, ps)]
        if b.kind in ("contact", "li"):
            ps = style("p-keep", firstLineIndent=2 * size, keepWithNext=1) if b is keep else st["p"]
            return [kit.Paragraph(text(b), ps)]
        if b.kind == "note":
            return [kit.Paragraph(text(b), st["note"])]
        if b.kind == "form":
            label = style("form-label", fontSize=size - 4, leading=(size - 4) * 1.35, alignment=TA_CENTER)
            value = style("form-value", fontSize=size - 4, leading=(size - 4) * 1.35, alignment=TA_LEFT)
            ncol = max(len(r) for r in b.rows)
            rows = [[(kit.LightBold(txt, label) if c % 2 == 0 else kit.Paragraph(txt, value))
                     for c, txt in enumerate(r + [""] * (ncol - len(r)))] for r in b.rows]
            widths = _form_widths(ncol, kit.width)
            tbl = kit.Table(rows, colWidths=widths, hAlign="CENTER")
            tbl.setStyle(kit.TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.6, kit.colors.black),
                ("BOX", (0, 0), (-1, -1), 1.0, kit.colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]))
            return [tbl, kit.Spacer(1, size * 0.8)]
        return None

    return render


def _form_widths(ncol: int, width: float) -> list[float]:
    """Label columns narrow, value columns wide: 4 columns 20/30/20/30 %, 2 columns 40/60 %."""
    if ncol % 2 == 0:
        return [width * (0.4 if c % 2 == 0 else 0.6) / (ncol // 2) for c in range(ncol)]
    return [width / ncol] * ncol


def docx_render(d: Declaration):
    """The render hook for build_samples.build_docx."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    def render(b: Block, kit) -> bool:
        para = kit.para
        if b.kind == "hdate":
            p = para(b.text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)  # flush right: the rule spans
            p.paragraph_format.space_after = Pt(6)
            if b is kit.rule_block:
                bs._bottom_border(p)
            return True
        if b.kind == "signdate":
            para()
            para()
            p = para(b.text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(32)
            return True
        if b.kind in ("attach", "item"):
            first, number = _attach_prefix(b)
            if b.kind == "attach":
                para()  # 附件说明: one blank line after the body
            w_first, w_num = _prefix_width(first, 16), _prefix_width(number, 16)
            p = para(b.text, indent=False)
            pf = p.paragraph_format
            pf.left_indent = Pt(round(32 + 48 + w_num, 1))
            pf.first_line_indent = Pt(-round(w_first + w_num, 1) if b.kind == "attach" else -round(w_num, 1))
            return True
        if b.kind in ("contact", "li"):
            para(b.text)
            return True
        if b.kind == "form":
            ncol = max(len(r) for r in b.rows)
            tbl = kit.doc.add_table(rows=len(b.rows), cols=ncol)
            tbl.style = kit.doc.styles["Table Grid"]
            tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
            tbl.autofit = False
            widths = _form_widths(ncol, 442)
            for c, col in enumerate(tbl.columns):
                col.width = Pt(widths[c])
            for r, row in enumerate(b.rows):
                for c in range(ncol):
                    txt = row[c] if c < len(row) else ""
                    cell = tbl.cell(r, c)
                    cell.width = Pt(widths[c])
                    cp = cell.paragraphs[0]
                    cpf = cp.paragraph_format
                    cpf.first_line_indent = Pt(0)
                    cpf.line_spacing_rule = WD_LINE_SPACING.SINGLE
                    cpf.space_before = cpf.space_after = Pt(3)
                    if c % 2 == 0:
                        cpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    bs._run(cp, txt, bs.HEITI if c % 2 == 0 else bs.FANGSONG, 12)
            para()
            return True
        return False

    return render


def build_txt(d: Declaration, out: Path) -> None:
    out.write_bytes(d.text().encode(txt_encoding(d.id)))


def render(d: Declaration, out_dir: Path) -> dict:
    """Render one declaration and return its manifest entry."""
    out = out_dir / d.filename
    if d.fmt == "pdf":
        bs.build_pdf(d, out, render=pdf_render(d), creator="jili scripts/build_declarations.py")
        pages = bs.pdf_pages(out)
    elif d.fmt == "docx":
        bs.build_docx(d, out, render=docx_render(d))
        pages = None
    else:
        build_txt(d, out)
        pages = None
    entry = {k: d.meta.get(k) for k in GOLD_FIELDS}
    if entry["doc_date"] is not None:
        entry["doc_date"] = entry["doc_date"].isoformat()
    entry["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()
    entry["pages"] = pages
    return entry


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--only", nargs="+", metavar="ID", help="render only these ids (the manifest is updated)")
    args = ap.parse_args(argv)

    decls = load_all()
    known = {d.id for d in decls}
    for d in decls:
        for msg in problems(d, known):
            print(f"warning: {d.id}: {msg}", file=sys.stderr)
    if args.only:
        unknown = sorted(set(args.only) - known)
        if unknown:
            raise SystemExit(f"unknown ids: {unknown}")
        decls = [d for d in decls if d.id in set(args.only)]

    args.out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out_dir / "manifest.jsonl"
    entries: dict[str, dict] = {}
    if args.only and manifest_path.exists():
        for line in manifest_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                e = json.loads(line)
                entries[e["id"]] = e
    t0 = time.perf_counter()
    for d in decls:
        entries[d.id] = render(d, args.out_dir)
    elapsed = time.perf_counter() - t0
    manifest_path.write_text("".join(json.dumps(entries[k], ensure_ascii=False) + "\n" for k in sorted(entries)),
                             encoding="utf-8")
    print(f"rendered {len(decls)} files into {args.out_dir} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
