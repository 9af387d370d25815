"""Entry points: sniff the format, dispatch to one parser per format, unpack archives.

- `parse_document(data, filename, options)` parses one non-archive file in this process and raises a
  typed `IngestError`. Untrusted uploads are parsed by the service inside a limited child process
  (`api.sandbox`), which calls `read_file`.
- `read_file(path, …)` is that child's task: one stored file becomes a `ReadDocument` (the document as
  JSON), an `Unpacked` archive (its members written to a staging folder), or a typed error. A document
  whose pages need OCR while OCR is off says so with `OcrRequiredError` or `Document.ocr_needed`.
- `parse_bytes` / `parse_path` are the library conveniences: every document of a file (a zip yields
  several) as a `ParseResult` holding the `Document` or the typed error; they never raise for a bad file.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.builder import ParsedContent, build_document
from ingest.errors import (
    CorruptFileError,
    IngestError,
    LimitExceededError,
    NoTextError,
    OcrRequiredError,
)
from ingest.model import Document, InputFormat
from ingest.options import ParseOptions
from ingest.sniff import sniff_format


def _pdf(data, filename, options):
    from ingest.pdf import parse_pdf

    return parse_pdf(data, filename, options)


def _docx(data, filename, options):
    from ingest.docx import parse_docx

    return parse_docx(data, filename, options)


def _doc(data, filename, options):
    from ingest.legacy import parse_doc

    return parse_doc(data, filename, options)


def _txt(data, filename, options):
    from ingest.txt import parse_txt

    return parse_txt(data, filename, options)


def _image(data, filename, options):
    from ingest.image import parse_image

    return parse_image(data, filename, options)


def _ofd(data, filename, options):
    from ingest.ofd import parse_ofd

    return parse_ofd(data, filename, options)


PARSERS: dict[InputFormat, Callable[[bytes, str, ParseOptions], ParsedContent]] = {
    InputFormat.PDF: _pdf,
    InputFormat.DOCX: _docx,
    InputFormat.DOC: _doc,
    InputFormat.TXT: _txt,
    InputFormat.IMAGE: _image,
    InputFormat.OFD: _ofd,
}


def warm_parsers() -> None:
    """Import every parser's libraries now, so that a process forked afterwards starts warm."""
    import ingest.docx  # noqa: F401
    import ingest.image  # noqa: F401
    import ingest.legacy  # noqa: F401
    import ingest.ofd  # noqa: F401
    import ingest.pdf  # noqa: F401
    import ingest.txt  # noqa: F401


@dataclass
class ParseResult:
    """One document's outcome: exactly one of `document` and `error` is set."""

    filename: str
    sha256: str
    archive_path: str | None = None
    format: InputFormat | None = None
    document: Document | None = None
    error: IngestError | None = None

    @property
    def name(self) -> str:
        return f"{self.filename}!{self.archive_path}" if self.archive_path else self.filename

    @property
    def ok(self) -> bool:
        return self.document is not None


def _label(filename: str, archive_path: str | None) -> str:
    return f"{filename}!{archive_path}" if archive_path else filename


def parse_document(data: bytes, filename: str, options: ParseOptions | None = None, *,
                   fmt: InputFormat | None = None, archive_path: str | None = None) -> Document:
    """Parse one non-archive file in this process. Raises a typed `IngestError`."""
    options = options or ParseOptions()
    label = _label(filename, archive_path)
    if len(data) > options.max_bytes:
        raise LimitExceededError(f"the file is {len(data)} bytes, more than the limit of {options.max_bytes}",
                                 filename=label)
    fmt = fmt or sniff_format(data, label)
    if fmt is InputFormat.ZIP:
        raise CorruptFileError("an archive holds several documents; it is unpacked, not parsed", filename=label)
    try:
        content = PARSERS[fmt](data, label, options)
    except IngestError as exc:
        raise exc.with_filename(label) from None
    except (MemoryError, RecursionError) as exc:
        raise LimitExceededError(f"the file is too complex to parse ({type(exc).__name__})", filename=label) from exc
    except Exception as exc:  # a parser library failing on malformed input: the file is damaged
        if _is_pixel_bomb(exc):
            raise LimitExceededError(f"an image in the file is too large to decode ({exc})", filename=label) from exc
        raise CorruptFileError(f"the {fmt.value.upper()} file could not be parsed ({type(exc).__name__}: {exc})",
                               filename=label) from exc
    doc = build_document(content, data=data, filename=filename, fmt=fmt, options=options, archive_path=archive_path)
    named = _named_format(archive_path or filename)
    if named is not None and named is not fmt:
        doc.warnings.append(f"the file is named as {named.value.upper()} but its content is {fmt.value.upper()}; "
                            f"it was read as {fmt.value.upper()}")
    if not _visible(doc.text):
        if doc.ocr_needed and not options.ocr:
            raise OcrRequiredError("no readable text without OCR (OCR is off)", filename=label,
                                   pages=doc.ocr_needed)
        raise NoTextError("no readable text was found in the file", filename=label)
    return doc


def _is_pixel_bomb(exc: Exception) -> bool:
    """Pillow refusing an image whose size says it would take gigabytes to decode (a decompression bomb)."""
    from PIL import Image

    return isinstance(exc, Image.DecompressionBombError)


def _visible(text: str) -> bool:
    """Whether a text has a character a reader can see (not only spaces and zero-width or format marks)."""
    return any(not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cn", "Zs") for c in text)


_EXTENSIONS = {".pdf": InputFormat.PDF, ".docx": InputFormat.DOCX, ".doc": InputFormat.DOC, ".wps": InputFormat.DOC,
               ".txt": InputFormat.TXT, ".png": InputFormat.IMAGE, ".jpg": InputFormat.IMAGE,
               ".jpeg": InputFormat.IMAGE, ".zip": InputFormat.ZIP, ".ofd": InputFormat.OFD}


def _named_format(name: str) -> InputFormat | None:
    """The format a file's extension claims (a mislabelled file is read by content, with a warning)."""
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else None


# -- archives ------------------------------------------------------------------------------------------

class _TooManyMembers(LimitExceededError):
    """The whole upload unpacks to too many files: it fails as one, not member by member."""


@dataclass
class Entry:
    """A file found in an archive (nested archives flattened): its bytes, or the error that stops it alone."""

    path: str
    data: bytes | None
    error: IngestError | None = None


def unpack(data: bytes, filename: str, options: ParseOptions, *, archive_path: str | None = None,
           depth: int = 0, budget: list[int] | None = None) -> list[Entry]:
    """Every file inside a zip, nested zips unpacked in place up to `zip_max_depth`.

    `budget` counts the files one upload may unpack to across all levels (`zip_max_members`); past it
    the upload fails as a whole with `LimitExceededError`.
    """
    from ingest.archive import iter_members

    budget = budget if budget is not None else [options.zip_max_members]
    label = _label(filename, archive_path)
    if depth >= options.zip_max_depth:
        return [Entry(archive_path or filename, None, LimitExceededError(
            f"archives nested more than {options.zip_max_depth} deep", filename=label))]
    out: list[Entry] = []
    for member in iter_members(data, label, options):
        inner = f"{archive_path}/{member.path}" if archive_path else member.path
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooManyMembers(f"the upload unpacks to more than {options.zip_max_members} files "
                                     "across its nested archives", filename=_label(filename, None))
        if member.error is not None or member.data is None:
            out.append(Entry(inner, None, member.error))
            continue
        try:
            fmt = sniff_format(member.data, _label(filename, inner))
        except IngestError as exc:
            out.append(Entry(inner, None, exc))
            continue
        if fmt is InputFormat.ZIP:
            try:
                out.extend(unpack(member.data, filename, options, archive_path=inner, depth=depth + 1, budget=budget))
            except _TooManyMembers:
                raise
            except IngestError as exc:
                out.append(Entry(inner, None, exc))
            continue
        out.append(Entry(inner, member.data))
    return out


# -- the service's task: one stored file -------------------------------------------------------------

@dataclass
class ReadDocument:
    document_json: str
    ocr_needed: list[int] = field(default_factory=list)


@dataclass
class StagedMember:
    path: str
    staged: str | None  # file name in the staging folder
    sha256: str = ""
    size: int = 0
    image: bool = False  # goes straight to the OCR workers
    error_code: str | None = None
    error_message: str | None = None


@dataclass
class Unpacked:
    members: list[StagedMember]


def read_file(path: str, filename: str, options: ParseOptions, archive_path: str | None,
              staging: str) -> ReadDocument | Unpacked:
    """Read one stored file: a document, or (a zip) its members staged as files under `staging`.

    Runs in the limited child. Raises a typed IngestError naming the file.
    """
    label = _label(filename, archive_path)
    size = os.path.getsize(path)
    if size > options.max_bytes:
        raise LimitExceededError(f"the file is {size} bytes, more than the limit of {options.max_bytes}",
                                 filename=label)
    with open(path, "rb") as fh:
        data = fh.read()
    fmt = sniff_format(data, label)
    if fmt is not InputFormat.ZIP:
        doc = parse_document(data, filename, options, fmt=fmt, archive_path=archive_path)
        return ReadDocument(doc.to_json(), list(doc.ocr_needed))
    members = []
    os.makedirs(staging, exist_ok=True)
    for k, entry in enumerate(unpack(data, filename, options, archive_path=None)):
        if entry.error is not None or entry.data is None:
            err = entry.error or CorruptFileError("the member could not be read")
            members.append(StagedMember(entry.path, None, error_code=err.code,
                                        error_message=str(err.with_filename(_label(filename, entry.path)))))
            continue
        name = f"{k:05d}"
        with open(os.path.join(staging, name), "wb") as out:
            out.write(entry.data)
        members.append(StagedMember(entry.path, name, hashlib.sha256(entry.data).hexdigest(), len(entry.data),
                                    image=_is_image(entry.data)))
    return Unpacked(members)


def _is_image(data: bytes) -> bool:
    try:
        return sniff_format(data[:64] if len(data) > 64 else data) is InputFormat.IMAGE
    except IngestError:
        return False


# -- library conveniences ----------------------------------------------------------------------------------

def parse_bytes(data: bytes, filename: str, options: ParseOptions | None = None) -> list[ParseResult]:
    """Parse a file's bytes in this process into one result per document (zips are unpacked)."""
    options = options or ParseOptions()
    sha = hashlib.sha256(data).hexdigest()
    try:
        fmt = sniff_format(data, filename)
        if len(data) > options.max_bytes:
            raise LimitExceededError(f"the file is {len(data)} bytes, more than the limit of {options.max_bytes}",
                                     filename=filename)
    except IngestError as exc:
        return [ParseResult(filename, sha, None, None, error=exc)]
    if fmt is not InputFormat.ZIP:
        return [_one(data, filename, options, fmt, None, sha)]
    try:
        entries = unpack(data, filename, options)
    except IngestError as exc:
        return [ParseResult(filename, sha, None, InputFormat.ZIP, error=exc.with_filename(filename))]
    if not entries:
        return [ParseResult(filename, sha, None, InputFormat.ZIP, error=_empty_archive(filename))]
    out = []
    for e in entries:
        if e.error is not None or e.data is None:
            err = e.error or CorruptFileError("the member could not be read")
            out.append(ParseResult(filename, "", e.path, None, error=err.with_filename(_label(filename, e.path))))
        else:
            out.append(_one(e.data, filename, options, None, e.path, hashlib.sha256(e.data).hexdigest()))
    return out


def _empty_archive(filename: str) -> IngestError:
    from ingest.errors import EmptyFileError

    return EmptyFileError("the archive holds no files", filename=filename)


def _one(data, filename, options, fmt, archive_path, sha) -> ParseResult:
    try:
        doc = parse_document(data, filename, options, fmt=fmt, archive_path=archive_path)
        return ParseResult(filename, sha, archive_path, doc.format, document=doc)
    except IngestError as exc:
        return ParseResult(filename, sha, archive_path, fmt, error=exc.with_filename(_label(filename, archive_path)))


def parse_path(path: str | os.PathLike, options: ParseOptions | None = None) -> list[ParseResult]:
    """Parse a file on disk in this process (by content, whatever its extension)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        err = CorruptFileError(f"the file could not be read ({exc.strerror or exc})", filename=path.name)
        return [ParseResult(path.name, "", None, None, error=err)]
    return parse_bytes(data, path.name, options)
