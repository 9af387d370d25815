"""Taking files in: stream each into the content-addressed store, look only at its magic bytes, and
record the batch in one transaction. Used by the HTTP upload and by `jili ingest` / `jili demo`.

Nothing here parses a file: the API process never opens an untrusted file's structure (no PDF engine,
no zip directory). A file refused at the door (empty, too large) is recorded as failed with its reason
in the same batch, so a batch always accounts for every file it was given.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from api.engine import Engine
from api.settings import Settings
from index import Store
from index.queue import JobKind, Receipt, Upload, batch_progress, create_batch
from ingest.errors import EmptyFileError, LimitExceededError
from ingest.sniff import is_image_head

log = logging.getLogger("jili.intake")


def accept(store: Store, settings: Settings, name: str, stream: BinaryIO) -> Upload:
    """Store one file's bytes and say how it will be processed (or why it is refused)."""
    sha, size, head = store.put_original_stream(stream, settings.max_upload_bytes)
    if not sha:
        err = LimitExceededError(f"the file is larger than the {settings.max_upload_bytes}-byte limit", filename=name)
        return Upload(name, "", size, error_code=err.code, error_message=str(err))
    if size == 0:
        err = EmptyFileError("the file is empty (0 bytes)", filename=name)
        return Upload(name, sha, 0, error_code=err.code, error_message=str(err))
    return Upload(name, sha, size, JobKind.OCR if is_image_head(head) and settings.ocr else JobKind.TEXT)


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def record(store: Store, uploads: Iterable[Upload], *, uploader: str | None, region: str | None,
           note: str | None = None) -> Receipt:
    return create_batch(store, batch_id=new_batch_id(), uploader=uploader, region=region, note=note,
                        uploads=list(uploads))


@dataclass
class LocalFile:
    path: Path
    name: str


def ingest_local(settings: Settings, files: list[LocalFile], *, uploader: str | None, region: str | None,
                 workers: int = 1, on_progress: Callable[[dict], None] | None = None,
                 engine: Engine | None = None) -> Receipt:
    """Queue local files as one batch and run it to the end through the service's own path.

    With `workers=1` the worker loop runs in this process (its parser in a limited child); more start
    worker processes as `jili serve` does. Returns the batch receipt once every file is final. Parser
    children get their HOME and temp folders in the data dir (`Settings.child_env`); a command that owns its
    process calls `Settings.confine` first so that this process writes nothing outside it either.
    """
    store = Store(settings.data_dir)
    try:
        uploads = []
        for f in files:
            with open(f.path, "rb") as fh:
                uploads.append(accept(store, settings, f.name, fh))
        receipt = record(store, uploads, uploader=uploader, region=region)
        if workers <= 1:
            _run_here(settings, store, receipt.batch_id, on_progress, engine)
        else:
            _run_processes(settings, store, receipt.batch_id, workers, on_progress)
        return receipt
    finally:
        store.close()


def _run_here(settings, store, batch_id, on_progress, engine) -> None:
    from api.worker import run_worker

    done = threading.Event()

    def watch(_outcome) -> None:
        progress = batch_progress(store, batch_id)
        if on_progress:
            on_progress(progress)
        if progress["complete"]:
            done.set()

    run_worker(settings, "all", stop=done, until_idle=True, warm=True, engine=engine, on_outcome=watch)
    if on_progress:
        on_progress(batch_progress(store, batch_id))


def _run_processes(settings, store, batch_id, workers, on_progress) -> None:
    from api.supervisor import Supervisor

    sup = Supervisor(settings, text_workers=0, ocr_workers=0)
    for i in range(workers):
        sup.start(f"all{i}")
    try:
        while True:
            progress = batch_progress(store, batch_id)
            if on_progress:
                on_progress(progress)
            if progress["complete"]:
                return
            time.sleep(0.3)
    finally:
        sup.shutdown()
