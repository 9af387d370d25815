"""Workers: claim jobs from the store's queue and run them, until told to stop.

Text workers and OCR workers are separate processes serving separate job kinds, so a pile of scans
never holds up text files. A worker keeps its lease alive while a long job runs; if the worker dies, the
lease runs out and another worker retries the job (at most `max_attempts` times).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time

from api.pipeline import JobRunner, Pipeline, settle_heap
from api.settings import Settings
from index import Store
from index.queue import JobKind, claim, extend_lease
from ingest import ParseOptions

log = logging.getLogger("jili.worker")

KINDS = {"text": [JobKind.ARCHIVE, JobKind.TEXT], "ocr": [JobKind.OCR], "all": [JobKind.ARCHIVE, JobKind.TEXT, JobKind.OCR]}


def run_worker(settings: Settings, kind: str = "all", *, name: str | None = None, stop: threading.Event | None = None,
               idle_sleep: float = 0.5, until_idle: bool = False, settle: bool = False) -> int:
    """Process jobs until `stop` is set (or, with `until_idle`, until the queue is empty). Returns jobs run.

    `settle`: this process exists to run jobs, so tune its garbage collector once loaded (`settle_heap`).
    """
    name = name or f"{socket.gethostname()}:{os.getpid()}:{kind}"
    stop = stop or threading.Event()
    store = Store(settings.data_dir)
    pipeline = Pipeline(store, options=ParseOptions(timeout_s=settings.parse_timeout_s or None,
                                                    max_pages=settings.max_pages, ocr=settings.ocr))
    runner = JobRunner(pipeline, name)
    if settle:
        pipeline.warm()
        settle_heap()
    kinds = KINDS[kind]
    done = 0
    try:
        while not stop.is_set():
            job = claim(store, name, kinds, lease_s=settings.lease_s, max_attempts=settings.max_attempts)
            if job is None:
                if until_idle:
                    break
                stop.wait(idle_sleep)
                continue
            beat = _Heartbeat(settings, job.id, name)
            beat.start()
            try:
                status = runner.run(job)
                log.info("%s: %s -> %s", name, job.filename, status)
            except Exception as exc:  # never let one file kill the worker; the lease brings it back later
                log.exception("%s: job %s failed unexpectedly", name, job.id)
                with contextlib.suppress(Exception):  # the store itself failing: the lease retries the job later
                    runner._fail(job, "internal_error", f"{job.filename}: processing failed ({type(exc).__name__}: {exc})")
            finally:
                beat.stop()
            done += 1
    finally:
        store.close()
    return done


class _Heartbeat(threading.Thread):
    def __init__(self, settings: Settings, job_id: int, worker: str):
        super().__init__(daemon=True)
        self.settings, self.job_id, self.worker = settings, job_id, worker
        self._stop_event = threading.Event()

    def run(self) -> None:
        store = Store(self.settings.data_dir)
        try:
            while not self._stop_event.wait(max(self.settings.lease_s / 3, 0.5)):
                extend_lease(store, self.job_id, self.worker, self.settings.lease_s)
        finally:
            store.close()

    def stop(self) -> None:
        self._stop_event.set()


def worker_process(settings_data: dict, kind: str, name: str) -> None:
    """Entry point of a worker process (spawned by `jili serve`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_worker(Settings(**settings_data), kind, name=name, stop=stop, settle=True)


def start_worker_processes(settings: Settings, text_workers: int, ocr_workers: int) -> list:
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = []
    data = settings.model_dump(mode="json")
    for kind, n in (("text", text_workers), ("ocr", ocr_workers)):
        for i in range(n):
            p = ctx.Process(target=worker_process, args=(data, kind, f"{socket.gethostname()}:{kind}{i}:{time.time():.0f}"),
                            daemon=False)  # workers fork a child per file for the time limit
            p.start()
            procs.append(p)
    return procs
