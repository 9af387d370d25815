"""Recognise a file's format from its bytes (magic numbers and container contents), never its name.

A `.wps` saved by WPS Office is a Word 97 binary in OLE2 and sniffs as DOC; a `.docx` that is really a
zip of other files sniffs as ZIP; a password-protected DOCX is an OLE2 container with an
`EncryptedPackage` stream and is reported as encrypted.
"""

from __future__ import annotations

import io
import zipfile

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
    if not data or not data.strip(b" \t\r\n\x00"):
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
    if head.startswith(b"{\\rtf"):
        raise UnsupportedFormatError("RTF files are not supported; save the document as DOCX or PDF",
                                     filename=filename)
    if _looks_like_text(data):
        return InputFormat.TXT
    raise UnsupportedFormatError(
        f"unrecognised binary content (first bytes {data[:8].hex(' ')}); jili reads PDF, DOCX, DOC/WPS, "
        "TXT, PNG/JPEG and ZIP", filename=filename,
    )


def _sniff_zip(data: bytes, filename: str) -> InputFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        from ingest.errors import CorruptFileError

        raise CorruptFileError(f"the zip container is damaged or truncated ({exc})", filename=filename) from exc
    if "word/document.xml" in names:
        return InputFormat.DOCX
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


def _looks_like_text(data: bytes) -> bool:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 with BOM
    if b"\x00" in sample:
        # UTF-16 without BOM: every other byte zero for ASCII-heavy text
        zeros = sample.count(b"\x00")
        return zeros > len(sample) * 0.3 and _decodes_utf16(sample)
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl <= len(sample) * 0.01


def _decodes_utf16(sample: bytes) -> bool:
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(enc)
        except UnicodeDecodeError:
            continue
        printable = sum(1 for c in text if c.isprintable() or c in "\r\n\t")
        if printable > len(text) * 0.95:
            return True
    return False
