"""Workers: claim jobs from the store's queue and run them through the engine, until told to stop.

Text workers and OCR workers are separate processes serving separate job kinds, so a pile of scans
never holds up text files. Each worker registers itself (host, pid, process start time) and a
heartbeat thread keeps it and its running job's lease alive; jobs held by workers that are gone are put
back at once when a worker or the server starts, and by any worker once a silent worker's lease runs out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable

from api.engine import Engine, JobOutcome, escape_name
from api.sandbox import Aborted, StopFlag
from api.settings import Settings
from index import Store
from index.queue import (
    JobKind,
    WorkerInfo,
    beat,
    claim,
    reclaim_orphans,
    register_worker,
    release,
    worker_stopped,
)

log = logging.getLogger("jili.worker")

KINDS = {"text": [JobKind.TEXT], "ocr": [JobKind.OCR], "all": [JobKind.TEXT, JobKind.OCR]}
UPKEEP_EVERY_S = 2.0  # how often a worker keeps the full-text counts up (index.Store.upkeep_index)


def _upkeep(store: Store, last: float, *, busy: bool, now: bool = False) -> float:
    """Full-text upkeep if the last is UPKEEP_EVERY_S old (or `now`); returns when it last happened."""
    if not now and time.monotonic() - last < UPKEEP_EVERY_S:
        return last
    with contextlib.suppress(Exception):  # only upkeep (counts are exact without it): the next turn tries again
        store.upkeep_index(busy=busy)
    return time.monotonic()


def process_start(pid: int) -> str:
    """The start time of a process (clock ticks since boot, /proc/<pid>/stat), '' when it does not exist."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]


def process_alive(pid: int, start: str) -> bool:
    """The process `pid` is still the one that started at `start` (not gone, not a reused pid)."""
    return bool(start) and process_start(pid) == start


def reclaim(store: Store, settings: Settings) -> int:
    """Put back the jobs of workers that are gone (this host: at once; elsewhere: once silent)."""
    return reclaim_orphans(store, host=socket.gethostname(), alive=process_alive, stale_s=settings.worker_stale_s)


def run_worker(settings: Settings, kind: str = "all", *, name: str | None = None,
               stop: StopFlag | threading.Event | None = None,
               idle_sleep: float = 0.5, until_idle: bool = False, warm: bool = False,
               hand_over_ocr: bool | None = None, engine: Engine | None = None,
               on_outcome: Callable[[JobOutcome], None] | None = None) -> int:
    """Process jobs until `stop` is set (or, with `until_idle`, until none is left to claim). Returns jobs run.

    `warm`: this process exists to run jobs, so load the models first and settle the heap.
    `hand_over_ocr`: a text worker hands scans to the OCR workers (default: when the settings have any).
    """
    host, pid = socket.gethostname(), os.getpid()
    name = name or f"{host}:{pid}:{kind}"
    stop = stop or StopFlag()
    store = Store(settings.data_dir)
    if hand_over_ocr is None:
        hand_over_ocr = kind == "text" and settings.ocr_workers > 0
    engine = engine or Engine(store, settings, ocr=kind in ("ocr", "all"), hand_over_ocr=hand_over_ocr)
    if warm:
        engine.warm()
    register_worker(store, WorkerInfo(name, host, pid, process_start(pid), kind))
    reclaim(store, settings)
    life = _Heartbeat(settings, name)
    life.start()
    kinds = KINDS[kind]
    done = 0
    kept_up = time.monotonic()
    try:
        while not stop.is_set():
            job = claim(store, name, kinds, lease_s=settings.lease_s, max_attempts=settings.max_attempts)
            if job is None:
                kept_up = _upkeep(store, kept_up, busy=False, now=until_idle)
                if until_idle:
                    break
                stop.wait(idle_sleep)
                continue
            life.job = job
            engine.sandbox.abort = stop
            try:
                outcome = engine.process(job)
                log.info("%s: %s -> %s %s", name, escape_name(job.label), outcome.status, outcome.error_code or "")
                if on_outcome:
                    on_outcome(outcome)
            except Aborted:
                release(store, job)  # stopping: the job goes back to the queue as it was
                log.info("%s: stopped during %s; it is queued again", name, escape_name(job.label))
                break
            except Exception as exc:  # never let one file kill the worker; a store failure is retried by lease
                log.exception("%s: job %s failed unexpectedly", name, job.id)
                with contextlib.suppress(Exception):
                    engine._fail(job, "internal_error", f"{job.label}: processing failed ({type(exc).__name__})")
            finally:
                life.job = None
            done += 1
            kept_up = _upkeep(store, kept_up, busy=True)
    finally:
        life.stop()
        engine.close()
        with contextlib.suppress(Exception):
            worker_stopped(store, name)
        store.close()
    return done


class _Heartbeat(threading.Thread):
    """Every few seconds: the worker is alive, its running job's lease is extended, and now and then the
    jobs of silent workers elsewhere are put back."""

    def __init__(self, settings: Settings, worker: str):
        super().__init__(daemon=True, name="jili-heartbeat")
        self.settings, self.worker = settings, worker
        self.job = None
        self._stop_event = threading.Event()

    def run(self) -> None:
        store = Store(self.settings.data_dir)
        period = max(min(self.settings.lease_s / 3, 5.0), 0.2)
        last_reclaim = time.monotonic()
        try:
            while not self._stop_event.wait(period):
                with contextlib.suppress(Exception):  # a busy store: the next beat tries again
                    beat(store, self.worker, self.job, self.settings.lease_s)
                    if time.monotonic() - last_reclaim > self.settings.worker_stale_s / 2:
                        reclaim(store, self.settings)
                        last_reclaim = time.monotonic()
        finally:
            store.close()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(5)


def worker_main(settings_data: dict, kind: str, name: str) -> None:
    """Entry point of a worker process started by `jili serve` (it dies with the server)."""
    from api.sandbox import die_with_parent

    die_with_parent(signal.SIGTERM)
    settings = Settings(**settings_data)
    settings.confine()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = StopFlag().on_signals(signal.SIGTERM, signal.SIGINT)
    run_worker(settings, kind, name=name, stop=stop, warm=True)
