import os
import time

import pytest

from index import Store
from index.auth import Role, authenticate, create_token, revoke_token
from index.queue import (
    FileStatus,
    JobKind,
    Member,
    Upload,
    WorkerInfo,
    batch_files,
    batch_progress,
    claim,
    create_batch,
    expand,
    extend_lease,
    fail,
    finish,
    hand_over,
    reclaim_orphans,
    register_worker,
    release,
)
from index.store import StoreError

CLAIM = {"lease_s": 60, "max_attempts": 3}


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path)
    yield s
    s.close()


def _batch(store, names, batch="b1", uploader="u1", kind=JobKind.TEXT):
    return create_batch(store, batch_id=batch, uploader=uploader, region=None, note=None,
                        uploads=[Upload(n, "0" * 64, 10, kind) for n in names])


def test_a_batch_records_every_file_at_once_refusals_included(store):
    receipt = create_batch(store, batch_id="b1", uploader="u", region="璧山区", note=None, uploads=[
        Upload("a.pdf", "a" * 64, 10), Upload("big.pdf", "", 10**9, error_code="limit_exceeded", error_message="too big")])
    assert [f["status"] for f in receipt.files] == ["queued", "failed"]
    assert [r["status"] for r in batch_files(store, "b1")] == ["queued", "failed"]


def test_a_batch_that_cannot_be_recorded_leaves_nothing(store):
    _batch(store, ["a.pdf"])
    with pytest.raises(Exception):  # noqa: B017 - the same batch id twice: the whole second batch is refused
        _batch(store, ["b.pdf", "c.pdf"])
    assert [r["filename"] for r in batch_files(store, "b1")] == ["a.pdf"]


def test_jobs_are_claimed_once(store):
    _batch(store, ["1.pdf", "2.pdf"])
    a, b = claim(store, "w1", [JobKind.TEXT], **CLAIM), claim(store, "w2", [JobKind.TEXT], **CLAIM)
    assert (a.filename, b.filename) == ("1.pdf", "2.pdf")
    assert claim(store, "w3", [JobKind.TEXT], **CLAIM) is None


def test_a_new_batch_is_interleaved_with_a_long_one(store):
    _batch(store, [f"big-{i}.pdf" for i in range(10)], batch="big", uploader="district-a")
    first = claim(store, "w", [JobKind.TEXT], **CLAIM)
    _batch(store, ["small-0.pdf", "small-1.pdf"], batch="small", uploader="district-b")
    order = [first.filename] + [claim(store, "w", [JobKind.TEXT], **CLAIM).filename for _ in range(5)]
    # the small batch does not wait behind the nine queued files of the big one
    assert order.index("small-0.pdf") <= 2 and order.index("small-1.pdf") <= 4


def test_an_uploader_flooding_batches_does_not_starve_another(store):
    for i in range(6):
        _batch(store, [f"flood-{i}.pdf"], batch=f"flood{i}", uploader="busy")
    _batch(store, ["other.pdf"], batch="other", uploader="quiet")
    order = [claim(store, "w", [JobKind.TEXT], **CLAIM).filename for _ in range(7)]
    assert order.index("other.pdf") <= 1


def test_ocr_jobs_go_only_to_ocr_workers(store):
    _batch(store, ["scan.png"], kind=JobKind.OCR)
    assert claim(store, "text-worker", [JobKind.TEXT], **CLAIM) is None
    assert claim(store, "ocr-worker", [JobKind.OCR], **CLAIM).filename == "scan.png"


def test_an_expired_lease_is_claimed_again_then_given_up(store):
    _batch(store, ["a.pdf"])
    assert claim(store, "dead", [JobKind.TEXT], lease_s=0.01, max_attempts=2).attempts == 1
    time.sleep(0.05)
    again = claim(store, "alive", [JobKind.TEXT], lease_s=0.01, max_attempts=2)
    assert again.attempts == 2
    time.sleep(0.05)
    assert claim(store, "third", [JobKind.TEXT], lease_s=60, max_attempts=2) is None
    [row] = batch_files(store, "b1")
    assert row["status"] == "failed" and row["error_code"] == "gave_up"
    assert "a.pdf" in row["error_message"] and "2 attempts" in row["error_message"]


def test_a_live_lease_is_not_stolen(store):
    _batch(store, ["a.pdf"])
    job = claim(store, "w1", [JobKind.TEXT], lease_s=0.2, max_attempts=3)
    assert extend_lease(store, job, "w1", 60)
    time.sleep(0.3)
    assert claim(store, "w2", [JobKind.TEXT], **CLAIM) is None


def test_only_the_worker_holding_a_job_settles_it(store):
    _batch(store, ["a.pdf"])
    job = claim(store, "w1", [JobKind.TEXT], lease_s=0.01, max_attempts=3)
    time.sleep(0.05)
    taken = claim(store, "w2", [JobKind.TEXT], **CLAIM)
    assert not fail(store, job, "corrupt", "late")  # w1 lost its lease
    assert finish(store, taken, FileStatus.DONE, document_id="d" * 64)
    assert batch_files(store, "b1")[0]["status"] == "done"


def test_hand_over_gives_a_job_to_ocr_workers_without_using_an_attempt(store):
    _batch(store, ["a.pdf"])
    job = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    assert hand_over(store, job, JobKind.OCR)
    again = claim(store, "ocr", [JobKind.OCR], **CLAIM)
    assert again.id == job.id and again.attempts == 1 and again.turn == job.turn


def test_a_stopping_worker_releases_its_job_as_it_was(store):
    _batch(store, ["a.pdf"])
    job = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    assert release(store, job)
    assert claim(store, "w2", [JobKind.TEXT], **CLAIM).attempts == 1


def test_an_archive_becomes_member_jobs_and_failures_of_its_own(store):
    _batch(store, ["batch.zip"])
    job = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    assert expand(store, job, [Member("a.pdf", "a" * 64, 5), Member("b.png", "b" * 64, 5, JobKind.OCR),
                               Member("../evil.txt", error_code="unsafe_archive", error_message="slip")],
                  max_members=10)
    rows = batch_files(store, "b1")
    assert [(r["archive_path"], r["kind"], r["status"]) for r in rows] == [
        (None, "archive", "done"), ("a.pdf", "text", "queued"), ("b.png", "ocr", "queued"),
        ("../evil.txt", "text", "failed")]
    assert not batch_progress(store, "b1")["complete"]


def test_an_upload_may_not_unpack_to_more_files_than_the_cap(store):
    _batch(store, ["bomb.zip"])
    job = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    assert expand(store, job, [Member(f"{i}.zip", str(i) * 64, 5) for i in range(3)], max_members=5)
    inner = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    expand(store, inner, [Member(f"x{i}.pdf", "f" * 64, 5) for i in range(4)], max_members=5)
    row = next(r for r in batch_files(store, "b1") if r["id"] == inner.id)
    assert row["status"] == "failed" and row["error_code"] == "limit_exceeded" and "more than 5 files" in row["error_message"]


def test_an_empty_archive_fails_as_empty(store):
    _batch(store, ["empty.zip"])
    job = claim(store, "w1", [JobKind.TEXT], **CLAIM)
    expand(store, job, [], max_members=10)
    [row] = batch_files(store, "b1")
    assert row["status"] == "failed" and row["error_code"] == "empty_file"


def test_jobs_of_a_dead_worker_are_put_back_at_once(store):
    _batch(store, ["a.pdf", "b.pdf"])
    register_worker(store, WorkerInfo("gone", "host1", 999999, "123", "text"))
    register_worker(store, WorkerInfo("alive", "host1", os.getpid(), "456", "text"))
    claim(store, "gone", [JobKind.TEXT], **CLAIM)
    claim(store, "alive", [JobKind.TEXT], **CLAIM)
    n = reclaim_orphans(store, host="host1", alive=lambda pid, start: pid == os.getpid(), stale_s=300)
    assert n == 1
    assert [r["status"] for r in batch_files(store, "b1")] == ["queued", "processing"]


def test_a_silent_worker_on_another_host_is_taken_for_dead(store):
    _batch(store, ["a.pdf"])
    register_worker(store, WorkerInfo("far", "host2", 1, "1", "text"))
    claim(store, "far", [JobKind.TEXT], **CLAIM)
    assert reclaim_orphans(store, host="host1", alive=lambda *_: True, stale_s=300) == 0
    assert reclaim_orphans(store, host="host1", alive=lambda *_: True, stale_s=-1) == 1


def test_batch_progress_counts_final_states(store):
    _batch(store, [f"{i}.pdf" for i in range(4)])
    finish(store, claim(store, "w", [JobKind.TEXT], **CLAIM), FileStatus.DONE, document_id="d")
    fail(store, claim(store, "w", [JobKind.TEXT], **CLAIM), "corrupt", "bad")
    p = batch_progress(store, "b1")
    assert p["total"] == 4 and p["finished"] == 2 and p["progress"] == 0.5 and not p["complete"]


def test_tokens_are_stored_hashed_and_can_be_revoked(store):
    token, who = create_token(store, Role.UPLOADER, region="璧山区", name="璧山区政府办")
    assert token.startswith("jili_") and len(token) > 40
    assert token not in str(list(store.db.query("SELECT * FROM tokens")))
    assert authenticate(store, token) == who
    assert authenticate(store, token + "x") is None and authenticate(store, None) is None
    revoke_token(store, who.id)
    assert authenticate(store, token) is None


def test_role_bindings_are_required(store):
    with pytest.raises(StoreError, match="region"):
        create_token(store, Role.UPLOADER)
    with pytest.raises(StoreError, match="lead unit"):
        create_token(store, Role.REVIEWER)
