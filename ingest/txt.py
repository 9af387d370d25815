"""Plain text in UTF-8, UTF-16, GBK or GB18030: the encoding is detected, never assumed."""

from __future__ import annotations

import codecs
import re

from ingest.builder import ParsedContent, RawBlock
from ingest.errors import CorruptFileError
from ingest.model import SegmentKind
from ingest.sniff import utf16_without_bom

# Chinese office text is overwhelmingly one of these; trying them strictly, in order, is more reliable
# than statistical guessing on short files (a 30-byte GBK file is easily "detected" as something else).
_CANDIDATES = ("utf-8", "gb18030")


def decode_text(data: bytes, filename: str = "") -> tuple[str, str]:
    """Decode bytes of a text file, returning (text, encoding).

    >>> decode_text("督查激励".encode("gbk"))
    ('督查激励', 'gb18030')
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc), enc
    enc = utf16_without_bom(data[:8192])
    if enc:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            pass
    for enc in _CANDIDATES:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise CorruptFileError("the text file's encoding could not be determined", filename=filename)
    return str(best), best.encoding


# terminal colour and cursor codes (ESC [ … letter) in text saved from a console
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])?")


def parse_txt(data: bytes, filename: str, options) -> ParsedContent:
    text, encoding = decode_text(data, filename)
    text = _ANSI.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks: list[RawBlock] = []
    page = 1
    rows: list[list[str]] = []  # tab-separated lines in a row make a table (a form or a sheet pasted as text)

    def end_table() -> None:
        if len(rows) >= 1 and max(len(r) for r in rows) >= 2:
            width = max(len(r) for r in rows)
            blocks.append(RawBlock(kind=SegmentKind.TABLE, text="", page=page,
                                   rows=[r + [""] * (width - len(r)) for r in rows]))
        rows.clear()

    for line in text.split("\n"):
        if "\f" in line:  # form feed: a page break in text exported from Word or pdftotext
            end_table()
            page += line.count("\f")
            line = line.replace("\f", "")
        cells = [c.strip() for c in line.split("\t")]
        if len([c for c in cells if c]) >= 2:
            rows.append(cells)
            continue
        end_table()
        if line.strip():
            blocks.append(RawBlock(kind=SegmentKind.PARAGRAPH, text=line, page=page))
    end_table()
    return ParsedContent(blocks=blocks, pages=page, metadata={"encoding": encoding})
