"""Recognise a file's format from its bytes (magic numbers and container contents), never its name.

A `.wps` saved by WPS Office is a Word 97 binary in OLE2 and sniffs as DOC; a `.docx` that is really a
zip of other files sniffs as ZIP; a password-protected DOCX is an OLE2 container with an
`EncryptedPackage` stream and is reported as encrypted.
"""

from __future__ import annotations

import io
import re

from ingest.errors import EmptyFileError, EncryptedFileError, UnsupportedFormatError
from ingest.model import InputFormat

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes, filename: str = "") -> InputFormat:
    """The format of `data`.

    Raises:
        EmptyFileError: zero bytes or only whitespace.
        EncryptedFileError: an OLE2-wrapped encrypted Office file.
        UnsupportedFormatError: anything jili does not read (spreadsheets, slides, executables …).
    """
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise EmptyFileError("the file is empty (0 bytes of content)", filename=filename)
    head = data[:8]
    # a container's magic at offset 0 wins: a stored (uncompressed) zip whose first member is a PDF has
    # "%PDF-" in its first kilobyte too, and must still be read as the batch it is
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data, filename)
    if data[:1024].lstrip(b"\x00\t\r\n \xef\xbb\xbf").startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return InputFormat.PDF
    if head == OLE2_MAGIC:
        return _sniff_ole(data, filename)
    if head.startswith(b"\x89PNG\r\n\x1a\n") or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"II*\x00", b"MM\x00*") \
            or head[:6] in (b"GIF87a", b"GIF89a") or head[:2] == b"BM":
        return InputFormat.IMAGE
    markup = _markup(data)
    if markup:
        raise UnsupportedFormatError(f"{markup}, not a document; save it as PDF or DOCX and upload that",
                                     filename=filename)
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormatError("RTF files are not supported; save the document as DOCX or PDF",
                                     filename=filename)
    if _looks_like_text(data):
        return InputFormat.TXT
    for magic, what in _KNOWN_BINARIES:
        if data.startswith(magic):
            raise UnsupportedFormatError(what, filename=filename)
    raise UnsupportedFormatError(
        f"unrecognised binary content (first bytes {data[:8].hex(' ')}); jili reads PDF, DOCX, DOC/WPS, OFD, "
        "TXT, PNG/JPEG and ZIP", filename=filename,
    )


def _sniff_zip(data: bytes, filename: str) -> InputFormat:
    from ingest.archive import open_zip

    with open_zip(data, filename) as zf:
        names = set(zf.namelist())
    if "word/document.xml" in names:
        return InputFormat.DOCX
    if any(n.lower() == "ofd.xml" for n in names):  # an OFD package, never a batch of its XML parts
        return InputFormat.OFD
    if "[Content_Types].xml" in names and any(n.startswith(("xl/", "ppt/")) for n in names):
        kind = "spreadsheet (XLSX)" if any(n.startswith("xl/") for n in names) else "presentation (PPTX)"
        raise UnsupportedFormatError(f"{kind} files are not supported", filename=filename)
    if "mimetype" in names and any(n.endswith("content.xml") for n in names):
        raise UnsupportedFormatError("OpenDocument files are not supported; save as DOCX", filename=filename)
    return InputFormat.ZIP


def _sniff_ole(data: bytes, filename: str) -> InputFormat:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises plain OSError / various on damage
        from ingest.errors import CorruptFileError

        raise CorruptFileError(f"the OLE2 container is damaged or truncated ({exc})", filename=filename) from exc
    try:
        streams = {"/".join(s) for s in ole.listdir()}
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise EncryptedFileError("the Office file is password-protected; a password is needed to open it",
                                     filename=filename)
        if "WordDocument" in streams:
            return InputFormat.DOC
        if "Workbook" in streams or "Book" in streams:
            raise UnsupportedFormatError("Excel (XLS) files are not supported", filename=filename)
        if "PowerPoint Document" in streams:
            raise UnsupportedFormatError("PowerPoint (PPT) files are not supported", filename=filename)
        raise UnsupportedFormatError("an OLE2 file that is not a Word document", filename=filename)
    finally:
        ole.close()


_KNOWN_BINARIES = (
    (b"Rar!\x1a\x07", "a RAR archive: jili unpacks ZIP archives; repack the files as ZIP"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive: jili unpacks ZIP archives; repack the files as ZIP"),
    (b"\x1f\x8b", "a gzip file: jili unpacks ZIP archives; repack the files as ZIP"),
    (b"MZ", "a Windows program, not a document"),
    (b"\x7fELF", "a Linux program, not a document"),
)
_MARKUP = (
    (re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.I | re.S), "an SVG image"),
    (re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I | re.S), "a web page (HTML)"),
    (re.compile(rb"<script[\s>]", re.I), "a web page with a script"),
)


def _markup(data: bytes) -> str | None:
    """What a markup file is (a web page, an SVG image), judged from its first kilobytes; None otherwise."""
    sample = data[:4096]
    for bom in (b"\xef\xbb\xbf",):
        if sample.startswith(bom):
            sample = sample[len(bom):]
    if b"<" not in sample:
        return None
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample = sample.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return None
    for pattern, what in _MARKUP:
        if pattern.search(sample):
            return what
    return None


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with BOM
    if utf16_without_bom(sample):
        return True
    if b"\x00" in sample:
        return False
    # ESC starts terminal colour codes in text saved from a console: text, not binary
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return ctrl <= len(sample) * 0.01


def _plain(c: str) -> bool:
    """A character of Chinese or English prose: CJK, ASCII, CJK punctuation, full-width forms, line breaks."""
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x20 <= o < 0x7F or c in "\r\n\t" or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2010 <= o <= 0x206F)


def utf16_without_bom(sample: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when the bytes read as prose in that encoding, else None.

    Chinese UTF-16 has few zero bytes, so zeros alone cannot tell. Random bytes, GBK or UTF-8 read as
    UTF-16 land all over the code space (Hangul, Yi, private use, surrogates); real text stays within
    CJK, ASCII and punctuation.

    >>> utf16_without_bom("无BOM的UTF-16文本，新增就业岗位1200个。".encode("utf-16-le"))
    'utf-16-le'
    >>> utf16_without_bom("督查激励申报材料，新增就业岗位".encode("gbk")) is None
    True
    """
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 16:
        return None
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        if sum(1 for c in text if _plain(c)) >= len(text) * 0.97:
            return enc
    return None


def is_image_head(head: bytes) -> bool:
    """Whether the first bytes of a file are an image's signature (PNG, JPEG, TIFF, GIF, BMP).

    Only magic bytes: this runs where untrusted files are received and must not parse them.
    """
    return (head.startswith(b"\x89PNG\r\n\x1a\n") or head[:3] == b"\xff\xd8\xff" or head[:4] in (b"II*\x00", b"MM\x00*")
            or head[:6] in (b"GIF87a", b"GIF89a") or head[:2] == b"BM")
