"""Limited child processes for untrusted bytes: parsing, OCR and page rendering never run in a server.

A `Sandbox` is one long-lived child that runs tasks one at a time (module-level functions, sent with
their arguments over a pipe). The child is forked from a warm parent (models, parsers and tables already
imported), so it starts in milliseconds and stays warm from task to task. Every task runs under limits:

- wall time: the parent waits at most `wall_s` and kills the child when it overruns (`timeout`);
- CPU time: RLIMIT_CPU, reset before each task (`timeout`);
- address space: RLIMIT_AS at the child's baseline plus `memory_bytes` (`limit_exceeded`);
- output size: a result larger than `output_bytes` is refused in the child (`limit_exceeded`).

A child that overruns, crashes or has run `jobs_per_child` tasks is replaced by a fresh fork on the next
task; the task that broke it fails alone with a typed error and the caller goes on.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import time
from dataclasses import dataclass

from ingest.errors import CorruptFileError, IngestError, LimitExceededError, ParseTimeoutError

MiB = 1024 * 1024


class StopFlag:
    """A stop request that a signal handler may set.

    `threading.Event.set()` inside a signal handler can deadlock: the handler runs in the main thread,
    which may be inside `Event.wait()` holding the event's lock. This flag takes no lock.
    """

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while not self._set and time.monotonic() < end:
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))
        return self._set

    def on_signals(self, *signals: int) -> StopFlag:
        for sig in signals:
            signal.signal(sig, lambda *_: self.set())
        return self


class Aborted(Exception):  # noqa: N818 - not an error of the file: the caller asked to stop
    """The caller stopped the task (shutting down); the file was not judged."""


@dataclass(frozen=True)
class Limits:
    wall_s: float = 300.0
    cpu_s: float = 300.0
    memory_bytes: int = 1536 * MiB
    output_bytes: int = 256 * MiB
    jobs_per_child: int = 500


class Sandbox:
    """One limited child process; `run(fn, *args)` returns fn's result or raises a typed IngestError.

    Not for concurrent use from several threads without the caller's own lock (the API holds one).
    `start_method="fork"` (workers: the child inherits the warm parent) or "spawn" (a threaded server,
    which must not fork).
    """

    def __init__(self, limits: Limits | None = None, *, start_method: str = "fork", env: dict | None = None):
        self.limits = limits or Limits()
        self.start_method = start_method
        self.env = env or {}
        self._proc = None
        self._conn = None
        self._jobs = 0
        self._lock = threading.Lock()
        self.abort: StopFlag | threading.Event | None = None  # set: a running task is abandoned (Aborted)
        self.peak_rss_kb = 0  # the largest child seen (ru_maxrss of reaped children)

    # -- lifecycle ----------------------------------------------------------------------------------
    def _start(self) -> None:
        ctx = multiprocessing.get_context(self.start_method)
        parent, child = ctx.Pipe(duplex=True)
        proc = ctx.Process(target=_child_main, args=(child, self.limits, self.env), daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn, self._jobs = proc, parent, 0

    def close(self) -> None:
        """Stop the child (it exits between tasks; a busy one is killed)."""
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError, BrokenPipeError):
            conn.send(None)
        proc.join(2)
        if proc.is_alive():
            proc.kill()
            proc.join(5)
        self._reap(proc)
        with contextlib.suppress(OSError):
            conn.close()

    def _kill(self) -> int | None:
        proc = self._proc
        self._proc = None
        if proc is None:
            return None
        if proc.is_alive():
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)  # the child leads its group: converters it started go too
            proc.kill()
        proc.join(5)
        self._reap(proc)
        with contextlib.suppress(OSError):
            self._conn.close()
        self._conn = None
        return proc.exitcode

    def _reap(self, proc) -> None:
        # multiprocessing has reaped it already; its peak memory is in the children's rusage
        self.peak_rss_kb = max(self.peak_rss_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    # -- tasks --------------------------------------------------------------------------------------
    def run(self, fn, *args, label: str = ""):
        """Run `fn(*args)` in the child under the limits. Raises IngestError (timeout, limit_exceeded, …)."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive() or self._jobs >= self.limits.jobs_per_child:
                if self._proc is not None:
                    self.close()
                self._start()
            self._jobs += 1
            try:
                self._conn.send((fn, args))
            except (BrokenPipeError, OSError):
                self._kill()
                raise CorruptFileError("the parser process could not take the file", filename=label or None) from None
            deadline = time.monotonic() + self.limits.wall_s
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not self._conn.poll(min(left, 0.25)):
                    if self.abort is not None and self.abort.is_set():
                        self._kill()
                        raise Aborted(label)
                    if left <= 0:
                        self._kill()
                        raise ParseTimeoutError(f"processing took longer than the {self.limits.wall_s:.0f} s limit "
                                                "and was stopped", filename=label or None)
                    if not self._proc.is_alive() and not self._conn.poll(0):
                        break
                    continue
                break
            try:
                status, payload = self._conn.recv()
            except (EOFError, OSError):
                code = self._kill()
                raise _death(code, self.limits, label) from None
            except Exception as exc:  # a result that cannot be unpickled
                self._kill()
                raise CorruptFileError(f"the parser returned an unreadable result ({type(exc).__name__})",
                                       filename=label or None) from None
        if status == "ok":
            return payload
        code, cls_name, reason, filename, page = payload
        raise _rebuild(code, reason, filename or label or None, page, cls_name)


def _death(exitcode: int | None, limits: Limits, label: str) -> IngestError:
    """The typed error for a child that died during a task."""
    sig = -exitcode if exitcode is not None and exitcode < 0 else None
    if sig == signal.SIGXCPU:
        return ParseTimeoutError(f"processing used more than the {limits.cpu_s:.0f} s CPU-time limit and was stopped",
                                 filename=label or None)
    if sig in (signal.SIGKILL, signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS):
        # the kernel's OOM killer, or a C library aborting when an allocation past RLIMIT_AS failed
        return LimitExceededError(f"the parser stopped (signal {sig}): the file needs more than the "
                                  f"{limits.memory_bytes // MiB} MB memory limit or is malformed",
                                  filename=label or None)
    return CorruptFileError(f"the parser crashed on this file (exit code {exitcode})", filename=label or None)


def _rebuild(code: str, reason: str, filename: str | None, page: int | None, cls_name: str = "") -> IngestError:
    """The parent's copy of a typed error raised in the child: the same class (by name, else by code)."""
    classes = _error_classes()
    cls = classes.get(cls_name) or next((c for c in classes.values() if c.code == code), CorruptFileError)
    err = cls(reason, filename=filename, page=page)
    err.code = code
    return err


def _error_classes() -> dict[str, type[IngestError]]:
    """Every IngestError class loaded in this process, by name, parents before their subclasses."""
    found: dict[str, type[IngestError]] = {}
    todo = [IngestError]
    while todo:
        cls = todo.pop(0)
        found.setdefault(cls.__name__, cls)
        todo.extend(cls.__subclasses__())
    return found


# -- the child -------------------------------------------------------------------------------------------

def _child_main(conn, limits: Limits, env: dict) -> None:
    import faulthandler

    faulthandler.disable()  # a crash is reported as the file's typed error, not as a traceback in the log
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        os.setsid()  # lead a process group, so that a converter this child starts is killed with it
    die_with_parent(signal.SIGKILL)
    _limit_memory(limits.memory_bytes)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        fn, args = task
        _limit_cpu(limits.cpu_s)
        try:
            result = ("ok", fn(*args))
        except IngestError as exc:
            result = ("err", (exc.code, type(exc).__name__, exc.reason, exc.filename, exc.page))
        except (MemoryError, RecursionError) as exc:
            result = ("err", ("limit_exceeded", "LimitExceededError",
                              f"the file needs more than the {limits.memory_bytes // MiB} MB memory limit"
                              if isinstance(exc, MemoryError) else "the file is nested too deeply to process",
                              None, None))
        except Exception as exc:  # noqa: BLE001 - a parser library failing on malformed input
            result = ("err", ("corrupt", "CorruptFileError",
                              f"the file could not be processed ({type(exc).__name__}: {str(exc)[:200]})", None, None))
        try:
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > limits.output_bytes:
                data = pickle.dumps(("err", ("limit_exceeded", "LimitExceededError",
                                             f"the result is {len(data) // MiB} MB, more than the "
                                             f"{limits.output_bytes // MiB} MB output limit", None, None)))
        except MemoryError:
            data = pickle.dumps(("err", ("limit_exceeded", "LimitExceededError",
                                         "the result is too large to hand back", None, None)))
        del result
        try:
            conn.send_bytes(data)
        except (BrokenPipeError, OSError):
            return


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass


def _vm_size() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _limit_memory(budget: int) -> None:
    """Address space: what the (forked, warm) child already maps, plus the budget."""
    limit = _vm_size() + budget
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_cpu(seconds: float) -> None:
    """SIGXCPU once this task has used `seconds` of CPU (the hard limit stays, so it can be reset)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    soft = int(spent + seconds) + 1
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
