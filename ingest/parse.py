"""Entry points: sniff the format, dispatch to one parser per format, isolate each file.

`parse_path` / `parse_bytes` never raise for a bad file: each document (a zip yields several) comes
back as a `ParseResult` holding either the `Document` or the typed error that names the file and the
reason. With a time limit set, each file is parsed in a forked child that is killed when it overruns,
so a file that hangs or crashes a parser stops alone.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.builder import ParsedContent, build_document
from ingest.errors import CorruptFileError, IngestError, LimitExceededError, NoTextError, ParseTimeoutError
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


PARSERS: dict[InputFormat, Callable[[bytes, str, ParseOptions], ParsedContent]] = {
    InputFormat.PDF: _pdf,
    InputFormat.DOCX: _docx,
    InputFormat.DOC: _doc,
    InputFormat.TXT: _txt,
    InputFormat.IMAGE: _image,
}


@dataclass
class ParseResult:
    """One document's outcome: exactly one of `document` and `error` is set."""

    filename: str
    sha256: str
    archive_path: str | None = None
    format: InputFormat | None = None
    document: Document | None = None
    error: IngestError | None = None
    data: bytes | None = field(default=None, repr=False)  # the document's own bytes (a zip member's, too)

    @property
    def name(self) -> str:
        return f"{self.filename}!{self.archive_path}" if self.archive_path else self.filename

    @property
    def ok(self) -> bool:
        return self.document is not None


def parse_document(data: bytes, filename: str, options: ParseOptions | None = None, *,
                   fmt: InputFormat | None = None, archive_path: str | None = None) -> Document:
    """Parse one non-archive file in this process. Raises a typed `IngestError`."""
    options = options or ParseOptions()
    label = f"{filename}!{archive_path}" if archive_path else filename
    if len(data) > options.max_bytes:
        raise LimitExceededError(f"the file is {len(data)} bytes, more than the limit of {options.max_bytes}",
                                 filename=label)
    fmt = fmt or sniff_format(data, label)
    if fmt is InputFormat.ZIP:
        raise IngestError("archives hold several documents; use parse_bytes", filename=label)
    try:
        content = PARSERS[fmt](data, label, options)
    except IngestError as exc:
        raise exc.with_filename(label) from None
    except (MemoryError, RecursionError) as exc:
        raise LimitExceededError(f"the file is too complex to parse ({type(exc).__name__})", filename=label) from exc
    except Exception as exc:  # a parser library failing on malformed input: the file is damaged
        raise CorruptFileError(f"the {fmt.value.upper()} file could not be parsed ({type(exc).__name__}: {exc})",
                               filename=label) from exc
    doc = build_document(content, data=data, filename=filename, fmt=fmt, options=options, archive_path=archive_path)
    named = _named_format(archive_path or filename)
    if named is not None and named is not fmt:
        doc.warnings.append(f"the file is named as {named.value.upper()} but its content is {fmt.value.upper()}; "
                            f"it was read as {fmt.value.upper()}")
    if not doc.text.strip():
        raise NoTextError("no readable text was found in the file" +
                          ("" if options.ocr else " (OCR is off)"), filename=label)
    return doc


_EXTENSIONS = {".pdf": InputFormat.PDF, ".docx": InputFormat.DOCX, ".doc": InputFormat.DOC, ".wps": InputFormat.DOC,
               ".txt": InputFormat.TXT, ".png": InputFormat.IMAGE, ".jpg": InputFormat.IMAGE,
               ".jpeg": InputFormat.IMAGE, ".zip": InputFormat.ZIP}


def _named_format(name: str) -> InputFormat | None:
    """The format a file's extension claims (a mislabelled file is read by content, with a warning)."""
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else None


def parse_bytes(data: bytes, filename: str, options: ParseOptions | None = None, *,
                archive_path: str | None = None, _depth: int = 0) -> list[ParseResult]:
    """Parse a file's bytes into one result per document (zip archives are expanded recursively)."""
    options = options or ParseOptions()
    label = f"{filename}!{archive_path}" if archive_path else filename
    sha = hashlib.sha256(data).hexdigest()
    try:
        fmt = sniff_format(data, label)
        if len(data) > options.max_bytes:
            raise LimitExceededError(f"the file is {len(data)} bytes, more than the limit of {options.max_bytes}",
                                     filename=label)
    except IngestError as exc:
        return [ParseResult(filename, sha, archive_path, None, error=exc, data=data)]
    if fmt is InputFormat.ZIP:
        return _parse_archive(data, filename, options, archive_path, sha, _depth)
    try:
        doc = _isolated(parse_document, data, filename, options, fmt, archive_path)
        return [ParseResult(filename, sha, archive_path, fmt, document=doc, data=data)]
    except IngestError as exc:
        return [ParseResult(filename, sha, archive_path, fmt, error=exc.with_filename(label), data=data)]


def _parse_archive(data, filename, options, archive_path, sha, depth) -> list[ParseResult]:
    from ingest.archive import iter_members

    label = f"{filename}!{archive_path}" if archive_path else filename
    if depth >= options.zip_max_depth:
        return [ParseResult(filename, sha, archive_path, InputFormat.ZIP, error=LimitExceededError(
            f"archives nested more than {options.zip_max_depth} deep", filename=label))]
    results: list[ParseResult] = []
    try:
        for member in iter_members(data, label, options):
            inner = f"{archive_path}/{member.path}" if archive_path else member.path
            if member.error is not None:
                results.append(ParseResult(filename, "", inner, None, error=member.error))
                continue
            results.extend(parse_bytes(member.data, filename, options, archive_path=inner, _depth=depth + 1))
    except IngestError as exc:
        results.append(ParseResult(filename, sha, archive_path, InputFormat.ZIP, error=exc))
    if not results:
        results.append(ParseResult(filename, sha, archive_path, InputFormat.ZIP, error=IngestError(
            "the archive holds no files", filename=label)))
    return results


def parse_path(path: str | os.PathLike, options: ParseOptions | None = None) -> list[ParseResult]:
    """Parse a file on disk (by content, whatever its extension)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        err = IngestError(f"the file could not be read ({exc.strerror or exc})", filename=path.name)
        return [ParseResult(path.name, "", None, None, error=err)]
    return parse_bytes(data, path.name, options)


# -- isolation ----------------------------------------------------------------------------------------

def _child(conn, fn, args) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except IngestError as exc:
        conn.send(("err", exc))
    except BaseException as exc:  # noqa: BLE001 - everything must reach the parent as a message
        conn.send(("err", CorruptFileError(f"the parser failed ({type(exc).__name__}: {exc})")))
        traceback.print_exc()
    finally:
        conn.close()


def _isolated(fn, data, filename, options: ParseOptions, fmt, archive_path):
    args = (data, filename, options)
    if not options.timeout_s:
        return fn(*args, fmt=fmt, archive_path=archive_path)
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send, _call, (fn, args, fmt, archive_path)), daemon=True)
    proc.start()
    send.close()
    label = f"{filename}!{archive_path}" if archive_path else filename
    try:
        if not recv.poll(options.timeout_s):
            proc.kill()
            raise ParseTimeoutError(f"parsing took longer than the {options.timeout_s:.0f} s limit and was stopped",
                                    filename=label)
        try:
            status, payload = recv.recv()
        except EOFError:
            proc.join(5)
            raise CorruptFileError(f"the parser crashed on this file (exit code {proc.exitcode})",
                                   filename=label) from None
    finally:
        recv.close()
        proc.join(5)
        if proc.is_alive():
            proc.kill()
    if status == "ok":
        return payload
    raise payload


def _call(fn, args, fmt, archive_path):
    return fn(*args, fmt=fmt, archive_path=archive_path)
