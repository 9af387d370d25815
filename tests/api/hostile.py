"""A hostile and broken upload corpus, generated: what offices really send, and what an attacker would.

`hostile_corpus()` gives (file name, bytes, expected outcome) for more than 100 files. The expected
outcome is "done", a typed error code, or a set of codes where the precise outcome is the parser
library's to decide (a flate bomb may stop PDFium for memory or leave a page unreadable); every file
must end final with a typed reason either way.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib

import docx

from tests.conftest import make_pdf

PAGE = [("body", "全年新增高新技术企业42家，同比增长12.5%。")]
DONE = "done"
PDF_BOMB_MB = 900  # the hostile tests run the parser with a smaller memory budget than this


def _zip(members, *, compress=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _docx(text="正文内容。") -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _rezip(data: bytes, change) -> bytes:
    """A copy of a zip package with `change(name, bytes) -> bytes | None` applied to each part (None drops it)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = []
    for info in src.infolist():
        body = change(info.filename, src.read(info))
        if body is not None:
            out.append((info.filename, body))
    return _zip(out)


def _broken_xml_docx() -> bytes:
    return _rezip(_docx(), lambda n, b: b[: len(b) // 2] if n == "word/document.xml" else b)


def _deflate_stream(total: int, chunk: bytes = b" " * (1 << 20)) -> bytes:
    """A raw zlib stream that inflates to `total` bytes of `chunk` (a decompression bomb), built in pieces."""
    z = zlib.compressobj(9)
    parts = []
    for _ in range(total // len(chunk)):
        parts.append(z.compress(chunk))
    parts.append(z.flush())
    return b"".join(parts)


def _zip_raw(name: str, payload: bytes, size: int, crc: int) -> bytes:
    """A one-member zip whose member is `payload` deflated already (for bombs built without the bytes)."""
    # by hand: local header, data, central directory, end record
    raw = payload[2:-4]  # zlib header and adler32 off: zip holds raw deflate
    fname = name.encode()
    local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(raw), size, len(fname), 0) + fname
    central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(raw), size, len(fname), 0, 0, 0,
                          0, 0, 0) + fname
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(raw), 0)
    return local + raw + central + end


def _docx_bomb() -> bytes:
    """A DOCX whose document.xml inflates to 300 MiB: it must fail on its declared size, unread."""
    size = 300 << 20
    crc = 0
    block = b" " * (1 << 20)
    for _ in range(size // len(block)):
        crc = zlib.crc32(block, crc)
    bomb = _zip_raw("word/document.xml", _deflate_stream(size, block), size, crc)
    # a real package around it: content types and relationships from a normal DOCX
    normal = zipfile.ZipFile(io.BytesIO(_docx()))
    members = [(i.filename, normal.read(i)) for i in normal.infolist() if i.filename != "word/document.xml"]
    buf = io.BytesIO(bomb)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members:
            zf.writestr(name, body)
    return buf.getvalue()


def _png(width: int, height: int, rows: bytes | None = None) -> bytes:
    """A 1-bit grayscale PNG of the given size (all white unless `rows` is given), written by hand."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    stride = (width + 7) // 8
    z = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * stride
    data = b"".join(z.compress(row) for _ in range(height)) + z.flush() if rows is None else zlib.compress(rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)) +
            chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _pdf_with_stream(content: bytes, *, media_box: str = "[0 0 595 842]", filters: str = "") -> bytes:
    """A one-page PDF whose page content stream is `content` (already encoded for `filters`)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box.encode() +
        b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(content)).encode() + (b" /Filter " + filters.encode() if filters else b"") +
        b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _flate_bomb_pdf() -> bytes:
    return _pdf_with_stream(_deflate_stream(PDF_BOMB_MB << 20), filters="/FlateDecode")


def _slow_operators_pdf() -> bytes:
    """A page drawn with 300,000 tiny path operators and a line of text."""
    body = b"BT /F1 12 Tf 72 720 Td (slow page 42) Tj ET\n" + b"0 0 m 1 1 l S\n" * 300_000
    return _pdf_with_stream(zlib.compress(body), filters="/FlateDecode")


def _text_pdf(text: str, media_box: str) -> bytes:
    return _pdf_with_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode(), media_box=media_box)


def _gbk_name_with_utf8_flag_zip() -> bytes:
    """A member whose name is GBK bytes while the entry claims UTF-8 (bit 0x800): zipfile cannot decode it."""
    data = _zip([("XXXX.txt", "说明文字，新增就业岗位1200个。".encode())])
    gbk = "说明.txt".encode("gbk")
    assert len(gbk) == 8
    data = data.replace(b"XXXX.txt", gbk)
    i = data.find(b"PK\x01\x02")
    flags = int.from_bytes(data[i + 8:i + 10], "little") | 0x800
    return data[: i + 8] + flags.to_bytes(2, "little") + data[i + 10:]


def _corrupt_central_directory_zip() -> bytes:
    data = _zip([("a.txt", "正文。".encode()), ("b.txt", "正文。".encode())])
    i = data.find(b"PK\x01\x02")
    return data[:i] + b"PK\x01\x02" + bytes(range(40)) + data[i + 44:]


def _unsupported_method_zip() -> bytes:
    data = _zip([("a.txt", "正文内容，新增企业42家。".encode())])
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = data.find(sig)
        data = data[: i + off] + struct.pack("<H", 99) + data[i + off + 2:]
    return data


def _symlink_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("passwd.txt")
        info.create_system = 3
        info.external_attr = (0o120777 << 16)
        zf.writestr(info, "../../etc/passwd")
        zf.writestr("ok.txt", "正常的说明文件。".encode())
    return buf.getvalue()


def _encrypted_member_zip() -> bytes:
    data = _zip([("secret.txt", "机密".encode())])
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        flags = int.from_bytes(data[i + off:i + off + 2], "little") | 0x1
        data = data[: i + off] + flags.to_bytes(2, "little") + data[i + off + 2:]
    return data


def _fanout_zip(levels: int = 2, width: int = 12, leaves: int = 20) -> bytes:
    """Zips of zips: 12 x 12 x 20 = 2,880 files, over the 2,000-file cap of one upload."""
    leaf = _zip([(f"f{i}.txt", f"第{i}号文件。".encode()) for i in range(leaves)])
    level = leaf
    for _ in range(levels):
        level = _zip([(f"z{i}.zip", level) for i in range(width)], compress=zipfile.ZIP_STORED)
    return level


def _docm() -> bytes:
    macro = b"application/vnd.ms-word.document.macroEnabled.main+xml"
    plain = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    body = _rezip(_docx("宏文档里的申报正文：新增就业岗位1200个。"),
                  lambda n, b: b.replace(plain, macro) if n == "[Content_Types].xml" else b)
    return body


def _ole_garbage_word() -> bytes:
    """An OLE2 file with a WordDocument stream that is not a Word document."""
    import olefile  # noqa: F401 - olefile cannot write; build a minimal compound file by hand

    sector = 512
    header = bytearray(sector)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<L", header, 0x2C, 1)  # one FAT sector
    struct.pack_into("<L", header, 0x30, 1)  # directory at sector 1
    struct.pack_into("<L", header, 0x38, 4096)
    struct.pack_into("<L", header, 0x3C, 0xFFFFFFFE)
    struct.pack_into("<L", header, 0x44, 0xFFFFFFFE)
    struct.pack_into("<L", header, 0x4C, 0)  # DIFAT[0] = FAT at sector 0
    for k in range(1, 109):
        struct.pack_into("<L", header, 0x4C + 4 * k, 0xFFFFFFFF)
    fat = bytearray(b"\xff" * sector)
    struct.pack_into("<LLLLLLLLLL", fat, 0, 0xFFFFFFFD, 0xFFFFFFFE, 3, 4, 5, 6, 7, 8, 9, 0xFFFFFFFE)
    directory = bytearray(sector)

    def entry(i: int, name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> None:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        base = i * 128
        directory[base:base + len(raw)] = raw
        struct.pack_into("<HBB", directory, base + 64, len(raw), kind, 1)
        struct.pack_into("<LLL", directory, base + 68, 0xFFFFFFFF, 0xFFFFFFFF, child)
        struct.pack_into("<LL", directory, base + 116, start, size)

    entry(0, "Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    entry(1, "WordDocument", 2, 2, 4096)
    garbage = bytes(random.Random(3).randrange(256) for _ in range(8 * sector))
    return bytes(header) + bytes(fat) + bytes(directory) + garbage


def _drawing_only_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for i in range(40):
        c.line(10 * i, 10, 10 * i + 50, 500)
    c.showPage()
    c.save()
    return buf.getvalue()


def _docx_with_document(xml: bytes) -> bytes:
    return _rezip(_docx(), lambda n, b: xml if n == "word/document.xml" else b)


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _xxe_docx() -> bytes:
    """document.xml declaring an external entity that points at /etc/passwd: it must never be read."""
    return _docx_with_document(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                               b'<w:document ' + _W + b'><w:body><w:p><w:r><w:t>&x;\xe6\xad\xa3\xe6\x96\x87</w:t>'
                               b'</w:r></w:p></w:body></w:document>')


def _laughs_docx() -> bytes:
    """The billion-laughs entity expansion inside document.xml."""
    ents = b'<!ENTITY a0 "lol">' + b"".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">'.encode() for i in range(1, 10))
    return _docx_with_document(b'<?xml version="1.0"?><!DOCTYPE d [' + ents + b']><w:document ' + _W +
                               b'><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>')


def _deep_docx(depth: int = 200_000) -> bytes:
    inner = b"<w:sdt><w:sdtContent>" * depth + b"</w:sdtContent></w:sdt>" * depth
    return _docx_with_document(b'<w:document ' + _W + b'><w:body>' + inner + b'</w:body></w:document>')


def _jpeg_bomb() -> bytes:
    """A JPEG header claiming 60000 x 60000 pixels."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (16, 16), 255).save(buf, format="JPEG")
    data = bytearray(buf.getvalue())
    i = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, i + 5, 60000, 60000)
    return bytes(data)


def _repaired_pdfs() -> list[tuple[str, bytes, object]]:
    """PDFs PDFium opens only by repairing them, and encryption it cannot open: see tests/ingest/test_pdf_outcomes.py."""
    import re

    from tests.conftest import rebuild_xref

    pages = [[("body", "第一页：全区新建高标准农田3.2万亩。")], [("body", "第二页：建立县乡村三级管护机制。")]]
    two = make_pdf(pages, page_numbers=False)
    kids = b"/Count 2 /Kids [ 4 0 R 5 0 R ]"
    locked = make_pdf(pages, encrypt="secret")
    return [
        ("page-tree-loop.pdf", rebuild_xref(two.replace(kids, b"/Count 3 /Kids [ 4 0 R 8 0 R 5 0 R ]")), DONE),
        ("page-listed-thrice.pdf", rebuild_xref(two.replace(kids, b"/Count 4 /Kids [ 4 0 R 5 0 R 4 0 R 4 0 R ]")), DONE),
        ("count-lies.pdf", rebuild_xref(two.replace(kids, b"/Count 100000 /Kids [ 4 0 R 5 0 R ]")), DONE),
        ("startxref-nowhere.pdf", re.sub(rb"startxref\s+\d+", b"startxref\n99999", two), DONE),
        ("no-xref.pdf", two[: two.rfind(b"xref")] + b"%%EOF", DONE),
        ("unknown-security-handler.pdf", rebuild_xref(locked.replace(b"/Filter /Standard", b"/Filter /FOOBAR")),
         "encrypted"),
        ("public-key-handler.pdf", rebuild_xref(locked.replace(b"/Filter /Standard", b"/Filter /Adobe.PubSec")),
         "encrypted"),
    ]


def _ofd_files() -> list[tuple[str, bytes, object]]:
    from tests.ingest.test_ofd import BODY, make_ofd, paragraph

    good = make_ofd([paragraph(BODY, 20, 60)])
    missing_document = _rezip(good, lambda n, b: None if n.lower().endswith("document.xml") else b)
    return [("申报.ofd", good, DONE), ("inner-ofd.zip", _zip([("附件/申报.ofd", good)]), DONE),
            ("no-document.ofd", missing_document, "corrupt")]


def hostile_corpus() -> list[tuple[str, bytes, object]]:
    """(file name, bytes, expected: "done", a code, or a set of acceptable codes). More than 100 files."""
    rng = random.Random(11)
    good_pdf = make_pdf([PAGE, PAGE])
    files: list[tuple[str, bytes, object]] = [("good.pdf", good_pdf, DONE), ("good.docx", _docx("有效的申报材料正文。"), DONE)]
    files.append(("encrypted.pdf", make_pdf([PAGE], encrypt="pw"), "encrypted"))
    for i, cut in enumerate((10, 100, 400, len(good_pdf) // 2, len(good_pdf) - 50)):
        files.append((f"truncated-{i}.pdf", good_pdf[:cut], {"corrupt", DONE} if i >= 3 else "corrupt"))
    for ext in ("pdf", "docx", "doc", "txt", "zip", "wps"):
        files.append((f"empty.{ext}", b"", "empty_file"))
    files.append(("whitespace.txt", b"  \n\t \n", "empty_file"))
    files.append(("pdf-named.docx", make_pdf([[("body", "扩展名是docx的PDF文件。")]]), DONE))
    files.append(("docx-named.pdf", _docx("扩展名是pdf的Word文件。"), DONE))
    files.append(("text-named.doc", "扩展名是doc的文本。".encode("gbk"), DONE))
    files.append(("zip-bomb.zip", _zip([("bomb.txt", b"0" * 30_000_000)]), "limit_exceeded"))
    files.append(("zip-slip.zip", _zip([("../../evil.txt", "越界".encode())]), "unsafe_archive"))
    nested = _zip([("deep.txt", "最深处的文件。".encode())])
    for _ in range(6):
        nested = _zip([("inner.zip", nested)])
    files.append(("deeply-nested.zip", nested, "limit_exceeded"))
    files.append(("too-many-pages.pdf", make_pdf([PAGE] * 30, page_numbers=False), "limit_exceeded"))
    files.append(("broken-xml.docx", _broken_xml_docx(), "corrupt"))
    files.append(("broken-xml-2.docx", _zip([("word/document.xml", b"<w:document><w:body>"), ("[Content_Types].xml", b"<x")]),
                  "corrupt"))
    for i in range(8):
        files.append((f"garbage-{i}.bin", bytes(rng.randrange(256) for _ in range(2000 + i * 100)), "unsupported_format"))
    files.append(("gbk-text-utf8-名字.txt", "这是GBK编码的申报说明，新增就业岗位1200个。".encode("gbk"), DONE))
    files.append(("gb18030.txt", "䶮字与申报材料正文。".encode("gb18030"), DONE))
    files.append(("utf16.txt", "UTF-16编码的申报材料。".encode("utf-16"), DONE))
    files.append(("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "corrupt"))
    files.append(("fake.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 10, "corrupt"))
    for i in range(3):
        d = _docx(f"第{i}份文件")
        files.append((f"truncated-{i}.docx", d[: len(d) // (i + 2)], "corrupt"))
    files.append(("fake.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "corrupt"))
    files.append(("fake2.wps", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4, "corrupt"))
    files.append(("empty.zip", _zip([]), "empty_file"))
    files.append(("spreadsheet.xlsx", _zip([("[Content_Types].xml", b"<x/>"), ("xl/workbook.xml", b"<x/>")]),
                  "unsupported_format"))
    files.append(("letter.rtf", b"{\\rtf1\\ansi hello}", "unsupported_format"))
    files.append(("drawing-only.pdf", _drawing_only_pdf(), "no_text"))
    files.append(("long-line.txt", ("很长的一行文字" * 20000).encode(), DONE))
    files.append(("nul-bytes.txt", b"\x00\x01\x02" * 500, "unsupported_format"))
    for i in range(8):
        files.append((f"random-pdf-header-{i}.pdf", b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(500)),
                      "corrupt"))
    # -- what offices send by accident, and what an attacker sends on purpose ---------------------------
    files += [
        ("utf8-flag-over-gbk.zip", _gbk_name_with_utf8_flag_zip(), DONE),
        ("corrupt-central-directory.zip", _corrupt_central_directory_zip(), "corrupt"),
        ("unsupported-method.zip", _unsupported_method_zip(), "corrupt"),
        ("symlink-members.zip", _symlink_zip(), {"unsafe_archive", DONE}),
        ("encrypted-member.zip", _encrypted_member_zip(), "encrypted"),
        ("fan-out.zip", _fanout_zip(), "limit_exceeded"),
        ("only-folders.zip", _zip([("a/", b""), ("b/c/", b"")]), "empty_file"),
        ("mac-junk-only.zip", _zip([("__MACOSX/._a.pdf", b"junk"), (".DS_Store", b"junk")]), "empty_file"),
        ("size-lie.zip", _zip([("a.txt", "正文。".encode() * 50)]).replace(b"\x96\x00\x00\x00", b"\x05\x00\x00\x00"),
         {"corrupt", DONE}),
        ("document-xml-bomb.docx", _docx_bomb(), "limit_exceeded"),
        ("too-many-parts.docx", _zip([("word/document.xml", b"<x/>")] + [(f"p/{i}.xml", b"<x/>") for i in range(2100)]),
         "limit_exceeded"),
        ("macro-enabled-renamed.docx", _docm(), DONE),
        ("empty-body.docx", _docx(""), "no_text"),
        ("page.html.pdf", b"<!DOCTYPE html><html><body><h1>\xe7\x94\xb3\xe6\x8a\xa5</h1><script>alert(1)</script>",
         "unsupported_format"),
        ("image.svg.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>',
         "unsupported_format"),
        ("script.txt", "说明<script>fetch('//evil')</script>".encode(), "unsupported_format"),
        ("zero-width-only.txt", "\u200b\u2060\u200d\ufeff\u2063".encode() * 30, "no_text"),
        ("esc-first.txt", b"\x1b[1m" + "申报材料标题".encode() + b"\x1b[0m\n" + "全年新增企业42家。".encode(), DONE),
        ("bom-and-space.txt", b"\xef\xbb\xbf   \n\n", "empty_file"),
        ("unconvertible.doc", _ole_garbage_word(), "corrupt"),
        ("png-bomb.png", _png(30000, 30000), "limit_exceeded"),
        ("tiny-blank.png", _png(60, 40), "no_text"),
        ("archive.rar", b"Rar!\x1a\x07\x00" + bytes(rng.randrange(256) for _ in range(300)), "unsupported_format"),
        ("archive.7z", b"7z\xbc\xaf\x27\x1c" + bytes(rng.randrange(256) for _ in range(300)), "unsupported_format"),
        ("program.exe", b"MZ\x90\x00" + bytes(rng.randrange(256) for _ in range(600)), "unsupported_format"),
        ("program.elf", b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(600)), "unsupported_format"),
        ("flate-bomb.pdf", _flate_bomb_pdf(), {"limit_exceeded", "no_text", "corrupt"}),
        ("slow-operators.pdf", _slow_operators_pdf(), {DONE, "timeout"}),
        ("absurd-mediabox.pdf", _text_pdf("huge page 42", "[0 0 1000000000 1000000000]"), DONE),
        ("zero-mediabox.pdf", _text_pdf("flat page 42", "[0 0 0 0]"), {DONE, "no_text"}),
        ("stored-zip-with-pdf.zip", _zip([("a.pdf", good_pdf), ("b.txt", "说明。".encode())], compress=zipfile.ZIP_STORED),
         DONE),
    ]
    files += [
        ("external-entity.docx", _xxe_docx(), {DONE, "corrupt", "no_text"}),
        ("billion-laughs.docx", _laughs_docx(), {"corrupt", "limit_exceeded", "no_text"}),
        ("deeply-nested.docx", _deep_docx(), {"corrupt", "limit_exceeded", "no_text"}),
        ("jpeg-bomb.jpg", _jpeg_bomb(), "limit_exceeded"),
        ("presentation.pptx", _zip([("[Content_Types].xml", b"<x/>"), ("ppt/presentation.xml", b"<x/>")]),
         "unsupported_format"),
        ("text.odt", _zip([("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")]),
         "unsupported_format"),
        ("latin1.txt", "Déclaration: 42 entreprises, croissance 12,5 %.".encode("cp1252"), DONE),
        ("javascript-action.pdf", make_pdf([PAGE]).replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S "
                                                           b"/JavaScript /JS (app.alert(1)) >>", 1), DONE),
        ("utf16-no-bom.txt", "无BOM的UTF-16文本，新增就业岗位1200个。".encode("utf-16-le"), DONE),
    ]
    files.append(("archive.gz", b"\x1f\x8b\x08\x00" + bytes(rng.randrange(256) for _ in range(300)),
                  "unsupported_format"))
    files += _repaired_pdfs()
    files += _ofd_files()
    return files
