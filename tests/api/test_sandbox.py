"""The limited child process: every limit ends one task with a typed error, and the next task runs."""

from __future__ import annotations

import ctypes
import os
import threading
import time

import pytest

from api.sandbox import Aborted, Limits, Sandbox
from ingest import ParseOptions, parse_document
from ingest.errors import LimitExceededError, ParseTimeoutError

MiB = 1024 * 1024


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def _spin(seconds: float) -> int:
    end = time.process_time() + seconds
    n = 0
    while time.process_time() < end:
        n += 1
    return n


def _hog(megabytes: int) -> int:
    blocks = [bytearray(MiB) for _ in range(megabytes)]
    return len(blocks)


def _big(megabytes: int) -> bytes:
    return b"x" * (megabytes * MiB)


def _segfault() -> None:
    ctypes.string_at(0)


def _exit_now() -> None:
    os._exit(3)


def _pid() -> int:
    return os.getpid()


def _parse(text: str) -> str:
    return parse_document(text.encode(), "a.txt", ParseOptions()).to_json()


@pytest.fixture
def sandbox():
    box = Sandbox(Limits(wall_s=2, cpu_s=1, memory_bytes=200 * MiB, output_bytes=5 * MiB))
    yield box
    box.close()


def test_a_task_returns_what_it_returns_in_process(sandbox):
    text = "一、基本情况\n全年新增高新技术企业42家。"
    assert sandbox.run(_parse, text) == _parse(text)


def test_a_task_that_hangs_is_stopped_at_the_wall_time_limit_and_the_next_one_runs(sandbox):
    started = time.monotonic()
    with pytest.raises(ParseTimeoutError, match="2 s limit") as err:
        sandbox.run(_sleep, 30, label="hang.txt")
    assert "hang.txt" in str(err.value) and time.monotonic() - started < 10
    assert sandbox.run(_sleep, 0) == "woke"


def test_a_task_that_burns_cpu_is_stopped_at_the_cpu_limit(sandbox):
    sandbox.limits = Limits(wall_s=30, cpu_s=1, memory_bytes=200 * MiB)
    with pytest.raises(ParseTimeoutError, match="CPU"):
        sandbox.run(_spin, 20)
    assert sandbox.run(_spin, 0.1) > 0


def test_a_task_that_needs_too_much_memory_fails_as_limit_exceeded(sandbox):
    with pytest.raises(LimitExceededError, match="200 MB"):
        sandbox.run(_hog, 600, label="bomb.docx")
    assert sandbox.run(_hog, 10) == 10


def test_a_result_larger_than_the_output_limit_is_refused(sandbox):
    with pytest.raises(LimitExceededError, match="output limit"):
        sandbox.run(_big, 20)
    assert len(sandbox.run(_big, 1)) == MiB


def test_a_crashing_library_fails_the_file_alone(sandbox):
    with pytest.raises(LimitExceededError, match="signal 11"):
        sandbox.run(_segfault, label="crash.pdf")
    with pytest.raises(Exception, match="exit code 3"):
        sandbox.run(_exit_now)
    assert sandbox.run(_sleep, 0) == "woke"


def test_the_child_stays_warm_between_tasks_and_is_recycled_after_its_quota(sandbox):
    sandbox.limits = Limits(jobs_per_child=3)
    pids = [sandbox.run(_pid) for _ in range(5)]
    assert pids[0] == pids[1] == pids[2] != pids[3] == pids[4]
    assert os.getpid() not in pids


def test_stopping_abandons_a_running_task_without_judging_the_file(sandbox):
    sandbox.limits = Limits(wall_s=60)
    stop = threading.Event()
    sandbox.abort = stop
    threading.Timer(0.5, stop.set).start()
    with pytest.raises(Aborted):
        sandbox.run(_sleep, 30)
