"""Word exports a supervision office can send on: A4 laid out after GB/T 9704 (党政机关公文格式).

- page A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; page number "— 1 —" at the foot;
- title 方正小标宋简体 二号 (22 pt) centred; first-level headings 黑体 三号; body 仿宋_GB2312 三号 (16 pt),
  first-line indent of two characters, 28 pt line spacing; tables 仿宋 小四, header row 黑体;
- every font is named for East Asian text with a standard fallback for Latin text (Times New Roman), so
  Word substitutes an installed 仿宋/黑体/宋体 where the 公文 font is missing;
- tables are sized to their content (column widths from the text they hold), never equal columns.

`GongwenDocx` is the one builder: the 推荐名单 and the typical-experience briefing both use it.
"""

from __future__ import annotations

import io
import unicodedata

TITLE_FONT, HEADING_FONT, BODY_FONT, TABLE_FONT = "方正小标宋简体", "黑体", "仿宋_GB2312", "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 28 - 26


def _width(text: str) -> float:
    """Display width in characters: a CJK or full-width character is one, a Latin character half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


class GongwenDocx:
    def __init__(self, title: str, *, subtitle: str | None = None):
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.shared import Mm

        self.doc = docx.Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        self._page_number(section)
        self._style_normal()
        self.paragraph(title, font=TITLE_FONT, size=22, align="center", indent=False, space_after=12)
        if subtitle:
            self.paragraph(subtitle, font=BODY_FONT, size=14, align="center", indent=False, space_after=12)

    # -- text ------------------------------------------------------------------------------------------
    def _style_normal(self) -> None:
        from docx.shared import Pt

        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(16)
        self._fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        pf = normal.paragraph_format
        pf.line_spacing = Pt(28)
        pf.space_after = Pt(0)

    @staticmethod
    def _fonts(rpr, east_asian: str) -> None:
        from docx.oxml.ns import qn

        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr, value in (("w:ascii", LATIN_FONT), ("w:hAnsi", LATIN_FONT), ("w:eastAsia", east_asian),
                            ("w:cs", LATIN_FONT)):
            fonts.set(qn(attr), value)

    def paragraph(self, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
                  align: str | None = None, indent: bool = True, space_after: float = 0):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        if align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if indent:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.space_after = Pt(space_after)
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        self._fonts(run._element.get_or_add_rPr(), font)
        return p

    def heading(self, text: str, level: int = 1):
        """一级标题 黑体, 二级标题 楷体 (as GB/T 9704 numbers them: 一、 （一）)."""
        return self.paragraph(text, font=HEADING_FONT if level == 1 else "楷体_GB2312", size=16, indent=True,
                              space_after=0)

    def note(self, text: str):
        return self.paragraph(text, size=12, indent=False)

    # -- tables ----------------------------------------------------------------------------------------
    def table(self, header: list[str], rows: list[list[str]], *, min_widths: list[float] | None = None):
        """A ruled table, columns as wide as their content needs (within the text width), header in 黑体."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt

        ncol = len(header)
        # the width each column wants: its longest cell (capped at 40 characters: longer text wraps)
        wants = [max([_width(header[c])] + [min(_width(str(r[c] or "")), 40.0) for r in rows]) + 1.0
                 for c in range(ncol)]
        floors = min_widths or [3.0] * ncol
        wants = [max(w, f) for w, f in zip(wants, floors, strict=True)]
        total = sum(wants)
        widths = [TEXT_WIDTH_MM * w / total for w in wants]
        table = self.doc.add_table(rows=1, cols=ncol)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        grid = table._tbl.tblGrid
        for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(int(w * 56.7)))  # mm -> twentieths of a point
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        for row_cells, values, is_header in [(table.rows[0].cells, header, True)] + \
                [(table.add_row().cells, r, False) for r in rows]:
            for cell, value, w in zip(row_cells, values, widths, strict=True):
                cell.width = Mm(w)
                cell.text = ""
                run = cell.paragraphs[0].add_run("" if value is None else str(value))
                run.font.size = Pt(12)
                run.bold = is_header
                self._fonts(run._element.get_or_add_rPr(), HEADING_FONT if is_header else TABLE_FONT)
        # the header row repeats on every page
        trpr = table.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        trpr.append(repeat)
        return table

    # -- page ------------------------------------------------------------------------------------------
    def _page_number(self, section) -> None:
        """"— 1 —" centred in the footer (a PAGE field between two em dashes)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

        def run(text: str | None = None, field: str | None = None):
            r = p.add_run(text or "")
            r.font.size = Pt(14)
            if field:
                begin, instr, end = OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar")
                begin.set(qn("w:fldCharType"), "begin")
                instr.set(qn("xml:space"), "preserve")
                instr.text = field
                end.set(qn("w:fldCharType"), "end")
                r._r.append(begin)
                r._r.append(instr)
                r._r.append(end)

        run("— ")
        run(field="PAGE")
        run(" —")

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
