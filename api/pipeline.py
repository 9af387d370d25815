"""Orchestration: parse -> classify -> extract -> store, one file at a time, idempotent by content hash.

`Pipeline.process_file` is what the CLI's `jili ingest` and the service's workers call. Each document
(a zip yields several) ends with a recorded status: done, duplicate (already stored: the upload is
linked to the existing document) or failed (with the typed error's code and message).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from classify import classify_document, load_campaign, load_classifier
from extract import extract_document
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

    @cached_property
    def campaign(self):
        campaign = self._campaign or load_campaign()
        self.store.ensure_campaign(campaign)
        return campaign

    @cached_property
    def classifier(self):
        return self._classifier or load_classifier()

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
            outcome = FileOutcome(filename, FileStatus.DUPLICATE, document_id=sha)
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
            outcome = FileOutcome(result.name, FileStatus.DUPLICATE, document_id=doc.id, pages=doc.pages)
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
                              region=labels.region.region if labels.region else None,
                              measures=tuple(m.measure for m in labels.measures))

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
