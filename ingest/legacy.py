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


_FIB_MAGIC = 0xA5EC  # wIdent of a Word 97-2003 file information block


def word97_facts(data: bytes, filename: str) -> dict[str, str]:
    """Facts from the OLE2 container: producing application, main-text length, and whether it is encrypted.

    Raises CorruptFileError when the WordDocument stream is not a Word 97 file information block.
    """
    facts: dict[str, str] = {}
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise CorruptFileError(f"the OLE2 container is damaged ({exc})", filename=filename) from exc
    try:
        try:
            word = ole.openstream("WordDocument").read(128)
        except (OSError, KeyError) as exc:
            raise CorruptFileError("the Word document stream cannot be read", filename=filename) from exc
        if len(word) < 80 or int.from_bytes(word[0:2], "little") != _FIB_MAGIC:
            raise CorruptFileError("the Word document stream is not a Word 97-2003 document", filename=filename)
        flags = int.from_bytes(word[10:12], "little")
        if flags & 0x0100:  # FIB.fEncrypted
            raise EncryptedFileError("the Word document is password-protected; a password is needed",
                                     filename=filename)
        facts["text_chars"] = str(int.from_bytes(word[0x4C:0x50], "little"))  # FibRgLw97.ccpText
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


def _soffice_binary(soffice: str) -> str:
    """soffice.bin itself when it is there: the `soffice` launcher forks it, and the fork would outlive us."""
    real = os.path.realpath(soffice)
    candidate = os.path.join(os.path.dirname(real), "soffice.bin")
    return candidate if os.access(candidate, os.X_OK) else soffice


def _die_with_parent() -> None:  # runs in the converter process before exec
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG = 1, SIGKILL = 9
    except (OSError, AttributeError):
        pass


def convert_to_docx(data: bytes, filename: str, timeout_s: float) -> bytes:
    """Word 97 bytes -> DOCX bytes, by headless LibreOffice with a profile of this process's own.

    The profile and scratch files live under the temporary folder (inside jili's data directory in the
    service), are reused between conversions, and the converter dies with the process that started it.
    """
    soffice = find_soffice()
    if not soffice:
        raise ConverterMissingError(
            "reading .doc/.wps files needs LibreOffice, which is not installed "
            "(Debian: apt-get install libreoffice-writer-nogui)", filename=filename)
    # one profile per worker: its parser children run one at a time, so they can share it
    profile = os.path.join(tempfile.gettempdir(), f"jili-lo-profile-{os.getppid()}")
    with tempfile.TemporaryDirectory(prefix="jili-lo-") as tmp:
        src = os.path.join(tmp, "input.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [_soffice_binary(soffice), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
               "--nolockcheck", "--nologo", "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, src]
        env = dict(os.environ, HOME=os.environ.get("HOME", tmp), SAL_USE_VCLPLUGIN="svp")
        try:
            for _ in range(2):  # 81: a new profile was set up and LibreOffice asks to be started again
                proc = subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False, env=env,
                                      preexec_fn=_die_with_parent)  # noqa: PLW1509 - only a prctl call
                if proc.returncode != 81:
                    break
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
    if int(facts.get("text_chars", "0")) > 20 and not any(b.text.strip() for b in content.blocks):
        raise CorruptFileError("LibreOffice could not read the text of this Word 97 file "
                               f"(it declares {facts['text_chars']} characters)", filename=filename)
    content.metadata.update(facts)
    content.metadata["converted_by"] = "libreoffice"
    if facts.get("pages", "").isdigit():
        content.pages = max(content.pages, int(facts["pages"]))
    return content
