"""`jili serve` as one supervisor: the API process and the workers are its children, and it owns them.

The supervisor starts one API process (uvicorn) and the text and OCR workers, restarts a worker that
dies, and on SIGTERM or SIGINT stops every child (workers abandon their job, which goes back to the
queue) and exits. Every child asks the kernel to signal it when the supervisor dies (PR_SET_PDEATHSIG),
so even `kill -9` of the supervisor leaves no process behind; each worker's limited parser child dies
with its worker the same way. Jobs that were in flight when anything died are put back at start-up.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import socket
import time

from api.sandbox import StopFlag
from api.settings import Settings
from api.worker import worker_main

log = logging.getLogger("jili.serve")


def api_main(settings_data: dict) -> None:
    """Entry point of the API process."""
    import uvicorn

    from api.app import create_app
    from api.sandbox import die_with_parent

    die_with_parent(signal.SIGTERM)
    settings = Settings(**settings_data)
    settings.confine()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


class Supervisor:
    def __init__(self, settings: Settings, *, text_workers: int, ocr_workers: int):
        self.settings = settings
        self.text_workers, self.ocr_workers = text_workers, ocr_workers
        self.ctx = multiprocessing.get_context("spawn")  # clean interpreters: no threads, no inherited locks
        self.stop = StopFlag()
        self.children: dict[str, multiprocessing.Process] = {}
        self._restarts: list[float] = []

    def start(self, name: str) -> None:
        """Start the child `name`: "api", or a worker named by its kind and number ("text0", "ocr1", "all0")."""
        data = self.settings.model_dump(mode="json")
        if name == "api":
            proc = self.ctx.Process(target=api_main, args=(data,), name="jili-api", daemon=False)
        else:
            kind = name.rstrip("0123456789")
            proc = self.ctx.Process(target=worker_main, name=f"jili-{name}", daemon=False,
                                    args=(data, kind, f"{socket.gethostname()}:{name}:{time.time():.0f}"))
        proc.start()
        self.children[name] = proc

    def run(self) -> int:
        """Start everything and wait for a stop signal. Returns the exit status."""
        self.stop.on_signals(signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
        self.start("api")
        for i in range(self.text_workers):
            self.start(f"text{i}")
        for i in range(self.ocr_workers if self.settings.ocr else 0):
            self.start(f"ocr{i}")
        status = 0
        try:
            while not self.stop.wait(1.0):
                for name, proc in list(self.children.items()):
                    if proc.is_alive():
                        continue
                    if name == "api":
                        log.error("the API process exited (code %s); stopping", proc.exitcode)
                        status = 1
                        self.stop.set()
                        break
                    self._restart(name, proc)
        finally:
            self.shutdown()
        return status

    def _restart(self, name: str, proc) -> None:
        now = time.monotonic()
        self._restarts = [t for t in self._restarts if now - t < 60] + [now]
        if len(self._restarts) > 10:
            log.error("workers keep dying (%d restarts in a minute); stopping", len(self._restarts))
            self.stop.set()
            return
        log.warning("worker %s exited (code %s); starting a new one", name, proc.exitcode)
        self.start(name)

    def shutdown(self, grace_s: float = 15.0) -> None:
        """SIGTERM every child, wait for them, SIGKILL what is left."""
        for proc in self.children.values():
            if proc.is_alive():
                with contextlib.suppress(OSError):
                    proc.terminate()
        deadline = time.monotonic() + grace_s
        for proc in self.children.values():
            proc.join(max(0.1, deadline - time.monotonic()))
        for proc in self.children.values():
            if proc.is_alive():
                proc.kill()
                proc.join(5)
