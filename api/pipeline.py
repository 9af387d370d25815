"""Orchestration: parse -> classify -> extract -> store, one file at a time, idempotent by content hash.

`Pipeline.process_file` is what the CLI's `jili ingest` and the service's workers call. Each document
(a zip yields several) ends with a recorded status: done, duplicate (already stored: the upload is
linked to the existing document) or failed (with the typed error's code and message).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from classify import classify_document, load_campaign, load_classifier
from extract import extract_document, extract_figures
from index.store import Store, now
from ingest import ParseOptions, ParseResult, parse_bytes
from ingest.errors import JiliError

log = logging.getLogger(__name__)


class FileStatus:
    QUEUED = "queued"
    PROCESSING = "processing"
    DONE = "done"
    DUPLICATE = "duplicate"
    FAILED = "failed"


@dataclass
class FileOutcome:
    name: str
    status: str
    document_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    pages: int = 0
    region: str | None = None
    measures: tuple[int, ...] = ()


class Pipeline:
    """Holds the loaded models and the store; process files one by one."""

    def __init__(self, store: Store, *, options: ParseOptions | None = None, classifier=None, campaign=None):
        self.store = store
        self.options = options or ParseOptions()
        self._classifier = classifier
        self._campaign = campaign

    def duplicate(self, name: str, document_id: str) -> FileOutcome:
        """The outcome of a file already stored: it links the existing document, with its region and measures."""
        row = self.store.document_row(document_id)
        measures = tuple(r["measure"] for r in self.store.db.query(
            "SELECT measure FROM document_measures WHERE document_id = ? ORDER BY score DESC", [document_id]))
        return FileOutcome(name, FileStatus.DUPLICATE, document_id=document_id, pages=row["pages"] or 0,
                           region=row["region"], measures=measures)

    @cached_property
    def campaign(self):
        campaign = self._campaign or load_campaign()
        self.store.ensure_campaign(campaign)
        return campaign

    @cached_property
    def classifier(self):
        return self._classifier or load_classifier()

    def warm(self) -> Pipeline:
        """Load everything the first file would: the model, the catalog, the tokenizers and the figure rules."""
        self.classifier  # noqa: B018
        self.campaign  # noqa: B018
        self.store.warm()
        extract_figures("预热")
        return self

    def process_file(self, data: bytes, filename: str, *, uploader: str | None = None, batch_id: str | None = None,
                     region_hint: str | None = None, file_id: int | None = None,
                     on_done: Callable | None = None) -> list[FileOutcome]:
        """Parse, classify, extract and store one uploaded file (an archive yields several outcomes).

        `file_id` is the queued row of this upload (the service's work queue); its final state is written in
        the same transaction as the document. Without one, a row is created per document.
        """
        self.campaign  # noqa: B018 - make sure the campaign and its measures are in the store
        sha = hashlib.sha256(data).hexdigest()
        self.store.put_original(data, sha)
        if self.store.has_document(sha):
            outcome = self.duplicate(filename, sha)
            self._record(outcome, sha, filename, None, len(data), uploader, batch_id, file_id)
            return [outcome]
        outcomes = []
        results = parse_bytes(data, filename, self.options)
        first = True
        for result in results:
            # the uploaded file's own row describes its first document; further zip members get rows of their own
            row_id = file_id if first else None
            first = False
            outcomes.append(self._store_result(result, uploader, batch_id, row_id))
        if on_done:
            on_done(outcomes)
        return outcomes

    def _store_result(self, result: ParseResult, uploader, batch_id, file_id) -> FileOutcome:
        size = len(result.data) if result.data is not None else 0
        if result.error is not None or result.document is None:
            err = result.error
            outcome = FileOutcome(result.name, FileStatus.FAILED, error_code=getattr(err, "code", "error"),
                                  error_message=str(err))
            self._record(outcome, result.sha256, result.filename, result.archive_path, size, uploader, batch_id,
                         file_id)
            return outcome
        doc = result.document
        if result.data is not None and result.archive_path:
            self.store.put_original(result.data, doc.id)
        if self.store.has_document(doc.id):
            outcome = self.duplicate(result.name, doc.id)
            self._record(outcome, doc.id, result.filename, result.archive_path, size, uploader, batch_id, file_id)
            return outcome
        try:
            labels = classify_document(doc, self.classifier)
            figures = extract_document(doc)
        except JiliError as exc:
            outcome = FileOutcome(result.name, FileStatus.FAILED, error_code=exc.code, error_message=str(exc))
            self._record(outcome, doc.id, result.filename, result.archive_path, size, uploader, batch_id, file_id)
            return outcome
        outcome = FileOutcome(result.name, FileStatus.DONE, document_id=doc.id, pages=doc.pages,
                              region=labels.region, measures=tuple(m.measure_id for m in labels.measures))

        def mark(db) -> None:
            self._record(outcome, doc.id, result.filename, result.archive_path, size, uploader, batch_id, file_id,
                         db=db)

        stored = self.store.save_document(doc, labels, figures, campaign_year=self.campaign.year, on_commit=mark)
        if not stored:  # a concurrent worker stored the same document first
            outcome.status = FileStatus.DUPLICATE
            self._record(outcome, doc.id, result.filename, result.archive_path, size, uploader, batch_id, file_id)
        return outcome

    def _record(self, outcome: FileOutcome, sha: str, filename: str, archive_path: str | None, size: int,
                uploader, batch_id, file_id, db=None) -> None:
        db = db or self.store.db
        row = {"status": outcome.status, "document_id": outcome.document_id, "error_code": outcome.error_code,
               "error_message": outcome.error_message, "updated_at": now(), "lease_until": None, "worker": None}
        if file_id is not None:
            db["files"].update(file_id, row)
            return
        db["files"].insert({
            **row, "batch_id": batch_id, "sha256": sha, "filename": filename, "archive_path": archive_path,
            "uploader": uploader, "size": size, "attempts": 1, "created_at": now(),
        })


# -- the service's work queue --------------------------------------------------------------------------

def settle_heap() -> None:
    """For a process that ingests many files, once its models are loaded (`Pipeline.warm`).

    What is loaded lives as long as the process: `gc.freeze` moves it out of the collector's scans. Each
    document then allocates tens of thousands of short-lived objects (segments, features, figures), so
    young collections are made less frequent. Together about 7% of ingest time (bench/bench_pipeline.py).
    Process entry points call this; a library caller's collector settings are left alone.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


def guess_kind(source: bytes | os.PathLike) -> str:
    """Which workers should take a file: archives are expanded, scans go to the OCR workers.

    Cheap by design (runs at upload): reads the head of the file, a zip's directory, or a PDF's first
    pages — never a whole large file into memory when given a path.
    """
    from index.queue import JobKind
    from ingest.model import InputFormat
    from ingest.sniff import sniff_format

    if isinstance(source, bytes):
        head = source
    else:
        with open(source, "rb") as fh:
            head = fh.read(64 * 1024)
    if head.startswith(b"PK\x03\x04") and not isinstance(source, bytes):
        import zipfile

        try:
            with zipfile.ZipFile(source) as zf:  # reads only the central directory
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            return JobKind.TEXT  # the worker reports the damage
        office = "word/document.xml" in names or "[Content_Types].xml" in names or "mimetype" in names
        return JobKind.TEXT if office else JobKind.ARCHIVE
    try:
        fmt = sniff_format(head)
    except JiliError:
        return JobKind.TEXT  # the worker will record the precise error
    if fmt is InputFormat.ZIP:
        return JobKind.ARCHIVE
    if fmt is InputFormat.IMAGE:
        return JobKind.OCR
    if fmt is InputFormat.PDF:
        try:
            import pypdfium2 as pdfium

            from ingest.pdf import PDFIUM_LOCK

            with PDFIUM_LOCK:
                pdf = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
                try:
                    chars = 0
                    for i in range(min(len(pdf), 3)):
                        page = pdf[i]
                        tp = page.get_textpage()
                        chars += len(tp.get_text_range().strip())
                        tp.close()
                        page.close()
                finally:
                    pdf.close()
            return JobKind.TEXT if chars >= 30 else JobKind.OCR
        except Exception:  # encrypted or damaged: the text worker reports it fast
            return JobKind.TEXT
    return JobKind.TEXT


def _needs_ocr(exc_or_doc) -> bool:
    text = str(exc_or_doc) if isinstance(exc_or_doc, Exception) else " ".join(exc_or_doc.warnings)
    return "OCR is off" in text


class JobRunner:
    """Runs queued jobs for a worker: expand archives, parse documents, store them with their final state."""

    def __init__(self, pipeline: Pipeline, worker: str):
        self.pipeline = pipeline
        self.store = pipeline.store
        self.worker = worker

    def run(self, job) -> str:
        from dataclasses import replace

        from index.queue import JobKind, requeue
        from ingest import parse_document
        from ingest.errors import IngestError
        from ingest.parse import _isolated

        self.pipeline.campaign  # noqa: B018
        try:
            data = self.store.original_path(job.sha256).read_bytes()
        except OSError as exc:
            return self._fail(job, "missing_original", f"{job.filename}: the stored original is missing ({exc})")
        if job.kind == JobKind.ARCHIVE:
            return self._expand(job, data)
        label = f"{job.filename}!{job.archive_path}" if job.archive_path else job.filename
        options = replace(self.pipeline.options, ocr=job.kind == JobKind.OCR)
        if self.store.has_document(job.sha256):
            return self._finish(job, self.pipeline.duplicate(label, job.sha256))
        try:
            doc = _isolated(parse_document, data, job.filename, options, None, job.archive_path)
        except IngestError as exc:
            if job.kind == JobKind.TEXT and _needs_ocr(exc) and self.pipeline.options.ocr:
                requeue(self.store, job.id, JobKind.OCR)
                return "requeued"
            return self._fail(job, exc.code, str(exc.with_filename(label)))
        if job.kind == JobKind.TEXT and _needs_ocr(doc) and self.pipeline.options.ocr:
            requeue(self.store, job.id, JobKind.OCR)
            return "requeued"
        try:
            labels = classify_document(doc, self.pipeline.classifier)
            figures = extract_document(doc)
        except JiliError as exc:
            return self._fail(job, exc.code, str(exc))
        outcome = FileOutcome(label, FileStatus.DONE, document_id=doc.id, pages=doc.pages)

        def mark(db) -> None:
            self._mark(db, job, outcome)

        if not self.store.save_document(doc, labels, figures, campaign_year=self.pipeline.campaign.year,
                                        on_commit=mark, owner_region=job.region):
            outcome.status = FileStatus.DUPLICATE
            self._finish(job, outcome)
        return outcome.status

    def _expand(self, job, data: bytes) -> str:
        from index.queue import JobKind
        from ingest.archive import iter_members
        from ingest.errors import IngestError, LimitExceededError

        options = self.pipeline.options
        label = f"{job.filename}!{job.archive_path}" if job.archive_path else job.filename
        if job.depth >= options.zip_max_depth:
            return self._fail(job, "limit_exceeded", str(LimitExceededError(
                f"archives nested more than {options.zip_max_depth} deep", filename=label)))
        members = []
        try:
            for m in iter_members(data, label, options):
                inner = f"{job.archive_path}/{m.path}" if job.archive_path else m.path
                if m.error is None:
                    sha = hashlib.sha256(m.data).hexdigest()
                    self.store.put_original(m.data, sha)
                    members.append((inner, sha, len(m.data), guess_kind(m.data), None))
                else:
                    members.append((inner, "", 0, JobKind.TEXT, m.error))
        except IngestError as exc:
            return self._fail(job, exc.code, str(exc))
        ts = now()
        with self.store.write() as db:
            if db["files"].get(job.id)["status"] != "processing":
                return "stale"  # another worker finished this archive after our lease ran out
            for inner, sha, size, kind, err in members:
                db["files"].insert({
                    "batch_id": job.batch_id, "sha256": sha, "filename": job.filename, "archive_path": inner,
                    "uploader": job.uploader, "region": job.region, "size": size, "kind": kind,
                    "status": "failed" if err else "queued", "error_code": err.code if err else None,
                    "error_message": str(err) if err else None, "attempts": 0, "parent_id": job.id,
                    "depth": job.depth + 1, "created_at": ts, "updated_at": ts,
                })
            db["files"].update(job.id, {"status": FileStatus.DONE, "updated_at": ts, "lease_until": None,
                                        "worker": None, "error_message": None,
                                        "error_code": None if members else "empty_archive"})
            if not members:
                db["files"].update(job.id, {"status": FileStatus.FAILED,
                                            "error_message": f"{label}: the archive holds no files"})
        return "expanded"

    def _mark(self, db, job, outcome: FileOutcome) -> None:
        db["files"].update(job.id, {"status": outcome.status, "document_id": outcome.document_id,
                                    "error_code": outcome.error_code, "error_message": outcome.error_message,
                                    "updated_at": now(), "lease_until": None, "worker": None})

    def _finish(self, job, outcome: FileOutcome) -> str:
        with self.store.write() as db:
            self._mark(db, job, outcome)
            if outcome.status == FileStatus.DUPLICATE and job.region:
                self.store.add_owner(outcome.document_id, job.region)
        return outcome.status

    def _fail(self, job, code: str, message: str) -> str:
        return self._finish(job, FileOutcome(job.filename, FileStatus.FAILED, error_code=code, error_message=message))
