"""The exception tree of jili's stages.

Every failure names the file (and, inside an archive, the member) and says why in words a clerk
understands. Only `api/` translates these into CLI messages or HTTP statuses, using `code`.
"""

from __future__ import annotations


class JiliError(Exception):
    """Base of all typed errors raised by jili's stages."""

    code = "error"

    def __init__(self, reason: str, *, filename: str | None = None, page: int | None = None):
        self.reason = reason
        self.filename = filename
        self.page = page
        super().__init__(self.message)

    @property
    def message(self) -> str:
        if not self.filename:  # not about a file (a token, a setting), or the reason names it already
            return self.reason if self.page is None else f"page {self.page}: {self.reason}"
        where = self.filename if self.page is None else f"{self.filename} (page {self.page})"
        return f"{where}: {self.reason}"

    def with_filename(self, filename: str) -> JiliError:
        if not self.filename:
            self.filename = filename
            self.args = (self.message,)
        return self


class IngestError(JiliError):
    """A file could not be turned into a document. Raised only as one of the subclasses below, whose
    codes are the documented set (README, "outcome codes")."""

    code = "corrupt"


class EmptyFileError(IngestError):
    code = "empty_file"


class UnsupportedFormatError(IngestError):
    code = "unsupported_format"


class EncryptedFileError(IngestError):
    code = "encrypted"


class CorruptFileError(IngestError):
    code = "corrupt"


class LimitExceededError(IngestError):
    """Too many pages or bytes, a zip bomb, nesting too deep: a configured limit was hit."""

    code = "limit_exceeded"


class UnsafeArchiveError(IngestError):
    """A zip member whose path escapes the archive (zip slip)."""

    code = "unsafe_archive"


class ParseTimeoutError(IngestError):
    code = "timeout"


class ConverterMissingError(IngestError):
    """A system converter (LibreOffice) that this format needs is not installed."""

    code = "converter_missing"


class NoTextError(IngestError):
    """The file parsed but holds no readable text, even after OCR."""

    code = "no_text"


class OcrRequiredError(NoTextError):
    """No readable text without OCR, and OCR was off: the service hands such a file to its OCR workers."""

    def __init__(self, reason: str, *, filename: str | None = None, page: int | None = None,
                 pages: list[int] | None = None):
        super().__init__(reason, filename=filename, page=page)
        self.pages = list(pages or [])
