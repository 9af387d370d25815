"""Legacy Word 97 binaries (.doc, and the .wps files WPS Office writes in the same format).

Converted headless by LibreOffice to DOCX, then read by the DOCX parser, so headings, tables and
numbering come out the same as for the twin DOCX. Each conversion uses its own LibreOffice profile so
that concurrent workers do not block one another.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile

import olefile

from ingest.builder import ParsedContent
from ingest.docx import parse_docx
from ingest.errors import ConverterMissingError, CorruptFileError, EncryptedFileError, ParseTimeoutError
from ingest.options import ParseOptions


def find_soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def word97_facts(data: bytes, filename: str) -> dict[str, str]:
    """Facts from the OLE2 container: producing application, and whether the document is encrypted."""
    facts: dict[str, str] = {}
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFileError(f"the OLE2 container is damaged ({exc})", filename=filename) from exc
    try:
        word = ole.openstream("WordDocument").read(64)
        if len(word) >= 12:
            flags = int.from_bytes(word[10:12], "little")
            if flags & 0x0100:  # FIB.fEncrypted
                raise EncryptedFileError("the Word document is password-protected; a password is needed",
                                         filename=filename)
        if ole.exists("WpsCustomData"):
            facts["application"] = "WPS Office"
        try:
            meta = ole.get_metadata()
            if meta.creating_application:
                facts.setdefault("application", meta.creating_application.decode("utf-8", "replace"))
            if meta.title:
                facts["title"] = meta.title.decode("gbk", "replace")
            if meta.num_pages:
                facts["pages"] = str(meta.num_pages)
        except Exception:  # summary information is optional
            pass
    finally:
        ole.close()
    return facts


def convert_to_docx(data: bytes, filename: str, timeout_s: float) -> bytes:
    soffice = find_soffice()
    if not soffice:
        raise ConverterMissingError(
            "reading .doc/.wps files needs LibreOffice, which is not installed "
            "(Debian: apt-get install libreoffice-writer-nogui)", filename=filename)
    with tempfile.TemporaryDirectory(prefix="jili-lo-") as tmp:
        src = os.path.join(tmp, "input.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        profile = f"file://{tmp}/profile"
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, src]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ParseTimeoutError(f"LibreOffice did not finish converting within {timeout_s:.0f} s",
                                    filename=filename) from exc
        out = os.path.join(tmp, "input.docx")
        if proc.returncode != 0 or not os.path.exists(out):
            detail = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()[-300:]
            raise CorruptFileError(f"LibreOffice could not convert the Word 97 file ({detail or 'no output'})",
                                   filename=filename)
        with open(out, "rb") as fh:
            return fh.read()


def parse_doc(data: bytes, filename: str, options: ParseOptions) -> ParsedContent:
    facts = word97_facts(data, filename)
    converted = convert_to_docx(data, filename, options.libreoffice_timeout_s)
    content = parse_docx(converted, filename, options)
    content.metadata.update(facts)
    content.metadata["converted_by"] = "libreoffice"
    if facts.get("pages", "").isdigit():
        content.pages = max(content.pages, int(facts["pages"]))
    return content
