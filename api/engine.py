"""The one ingestion path: a queued job (a stored file, who uploaded it, its batch) -> a stored document
and its file's final state.

`Engine.process(job)` is what every entry point runs: the service's workers, `jili ingest`, `jili
demo` and the benchmarks (they enqueue their files as a batch and run a worker loop). The untrusted
bytes are read in a limited child (`api.sandbox`); classification, figure extraction and storing run in
the worker itself, where the models are loaded once. Outcomes:

- a document: classified, figures extracted, stored with the file marked done in one transaction;
- the same bytes already stored: `duplicate`, linked to the stored document;
- an archive: its members stored and queued as jobs of their own (one transaction);
- pages that need OCR on a worker that does not OCR: handed over to the OCR workers;
- anything else: `failed` with the typed error's code and a message naming the file and the reason.
"""

from __future__ import annotations

import gc
import logging
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from api.sandbox import Limits, Sandbox
from api.settings import Settings
from classify import classify_document, load_campaign, load_classifier
from classify.lateness import lateness
from extract import extract_document, extract_figures
from index.queue import FileStatus, Job, JobKind, Member, expand, fail, finish, hand_over
from index.store import Store
from ingest import Document, ParseOptions
from ingest.errors import JiliError, OcrRequiredError
from ingest.parse import ReadDocument, Unpacked, read_file, warm_parsers

log = logging.getLogger("jili.engine")


@dataclass(frozen=True)
class JobOutcome:
    """What became of a job (for logs, progress and the CLI summary)."""

    status: str  # done | duplicate | failed | expanded | handed_over | lost
    document_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    pages: int = 0
    region: str | None = None
    measures: tuple[int, ...] = ()


def parse_options(settings: Settings, *, ocr: bool) -> ParseOptions:
    return ParseOptions(ocr=ocr, max_pages=settings.max_pages, max_bytes=settings.max_upload_bytes,
                        zip_max_members=settings.max_members_per_upload)


def sandbox_limits(settings: Settings) -> Limits:
    return Limits(wall_s=settings.parse_timeout_s, cpu_s=settings.parse_cpu_s,
                  memory_bytes=settings.parse_memory_mb * 1024 * 1024,
                  output_bytes=settings.parse_output_mb * 1024 * 1024)


class Engine:
    """Holds the loaded models, the store and a warm limited child; processes jobs one by one.

    `ocr`: this engine OCRs pages itself (an OCR worker, or a local ingest with OCR on); otherwise a
    job that needs OCR is handed over to the OCR workers when there are any (`hand_over_ocr`).
    """

    def __init__(self, store: Store, settings: Settings, *, ocr: bool, hand_over_ocr: bool = False,
                 classifier=None, campaign=None, sandbox: Sandbox | None = None):
        self.store = store
        self.settings = settings
        self.ocr = ocr and settings.ocr
        self.hand_over_ocr = hand_over_ocr and settings.ocr and not self.ocr
        self._classifier = classifier
        self._campaign = campaign
        self.sandbox = sandbox or Sandbox(sandbox_limits(settings), env=settings.child_env())
        self.staging = Path(settings.data_dir) / "tmp"

    @cached_property
    def campaign(self):
        campaign = self._campaign or load_campaign()
        self.store.ensure_campaign(campaign)
        return campaign

    @cached_property
    def deadline(self):
        """The campaign's declaration deadline (区县申报), or None."""
        try:
            return self.campaign.deadline("declaration").date
        except KeyError:
            return None

    @cached_property
    def classifier(self):
        return self._classifier or load_classifier()

    def warm(self) -> Engine:
        """Load everything the first file would, then settle the heap (see `settle_heap`)."""
        self.classifier  # noqa: B018
        self.campaign  # noqa: B018
        self.store.warm()
        extract_figures("预热")
        warm_parsers()
        settle_heap()
        return self

    def close(self) -> None:
        self.sandbox.close()

    # -- the path ----------------------------------------------------------------------------------
    def process(self, job: Job) -> JobOutcome:
        """Take one claimed job to its final state. Never raises for a bad file."""
        self.campaign  # noqa: B018 - the campaign and its measures are in the store before any document
        path = self.store.original_path(job.sha256) if job.sha256 else None
        if path is None or not path.exists():
            return self._fail(job, "corrupt", f"{job.label}: the stored original is missing; upload the file again")
        key = self.store.declaration_key(job.sha256, job.region)
        if job.kind is not JobKind.ARCHIVE and self.store.has_document(key):
            return self._duplicate(job, key)
        options = parse_options(self.settings, ocr=self.ocr or job.kind is JobKind.OCR)
        staging = self.staging / f"job-{job.id}"
        shutil.rmtree(staging, ignore_errors=True)  # left by a worker that was killed on this job
        try:
            result = self.sandbox.run(read_file, str(path), job.filename, options, job.archive_path, str(staging),
                                      label=job.label)
        except OcrRequiredError as exc:
            if self.hand_over_ocr and job.kind is JobKind.TEXT:
                return self._hand_over(job)
            return self._fail(job, exc.code, str(exc.with_filename(job.label)))
        except JiliError as exc:
            return self._fail(job, exc.code, str(exc.with_filename(job.label)))
        try:
            if isinstance(result, Unpacked):
                return self._expand(job, result, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        assert isinstance(result, ReadDocument)
        if result.ocr_needed and self.hand_over_ocr and job.kind is JobKind.TEXT:
            return self._hand_over(job)
        doc = Document.from_json(result.document_json)
        return self._store(job, doc.model_copy(update={"id": key}))

    def _store(self, job: Job, doc: Document) -> JobOutcome:
        try:
            labels = classify_document(doc, self.classifier, campaign=self.campaign, uploader_region=job.region)
            figures = extract_document(doc)
        except JiliError as exc:
            return self._fail(job, exc.code, str(exc.with_filename(job.label)))
        late = lateness(self.deadline, doc_date=doc.gongwen.date, metadata=doc.metadata, uploaded_at=job.created_at)
        outcome = JobOutcome(FileStatus.DONE.value, document_id=doc.id, pages=doc.pages, region=labels.region,
                             measures=tuple(m.measure_id for m in labels.measures))
        settled = []

        def mark(db) -> None:
            settled.append(finish(self.store, job, FileStatus.DONE, document_id=doc.id))

        if not self.store.save_document(doc, labels, figures, campaign_year=self.campaign.year, on_commit=mark,
                                        owner_region=job.region, late=late, sha256=job.sha256):
            return self._duplicate(job, doc.id)  # a concurrent worker stored the same bytes first
        if not settled or not settled[0]:
            log.warning("job %s: the lease was lost before the document was stored", job.id)
        return outcome

    def _duplicate(self, job: Job, document_id: str) -> JobOutcome:
        row = self.store.document_row(document_id)
        if not finish(self.store, job, FileStatus.DUPLICATE, document_id=document_id):
            return JobOutcome("lost")
        return JobOutcome(FileStatus.DUPLICATE.value, document_id=document_id, pages=row["pages"] or 0,
                          region=row["region"], measures=tuple(self.store.document_measure_ids(document_id)))

    def _expand(self, job: Job, result: Unpacked, staging: Path) -> JobOutcome:
        members = []
        for m in result.members:
            if m.staged is None:
                members.append(Member(m.path, error_code=m.error_code, error_message=m.error_message))
                continue
            self.store.put_original_file(staging / m.staged, m.sha256)
            members.append(Member(m.path, m.sha256, m.size, JobKind.OCR if m.image else JobKind.TEXT))
        if not expand(self.store, job, members, max_members=self.settings.max_members_per_upload):
            return JobOutcome("lost")
        return JobOutcome("expanded")

    def _hand_over(self, job: Job) -> JobOutcome:
        return JobOutcome("handed_over" if hand_over(self.store, job, JobKind.OCR) else "lost")

    def _fail(self, job: Job, code: str, message: str) -> JobOutcome:
        ok = fail(self.store, job, code, message)
        return JobOutcome(FileStatus.FAILED.value if ok else "lost", error_code=code, error_message=message)


def settle_heap() -> None:
    """For a process that ingests many files, once its models are loaded.

    What is loaded lives as long as the process: `gc.freeze` moves it out of the collector's scans. Each
    document then allocates tens of thousands of short-lived objects (segments, features, figures), so
    young collections are made less frequent. A child forked afterwards shares the frozen pages.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)


def escape_name(name: str) -> str:
    """A file name as it may appear in a log line: control characters (CR, LF, NUL …) escaped."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}" for c in name)
