import time

import pytest

from index import Store
from index.auth import Role, authenticate, create_token, revoke_token
from index.queue import JobKind, batch_progress, claim, enqueue, extend_lease, requeue
from index.store import StoreError


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path)
    yield s
    s.close()


def _job(store, name="a.pdf", kind=JobKind.TEXT, batch="b1"):
    return enqueue(store, batch_id=batch, sha256="0" * 64, filename=name, size=10, kind=kind)


def test_jobs_are_claimed_oldest_first_and_only_once(store):
    first, second = _job(store, "1.pdf"), _job(store, "2.pdf")
    a = claim(store, "w1", [JobKind.TEXT], lease_s=60, max_attempts=3)
    b = claim(store, "w2", [JobKind.TEXT], lease_s=60, max_attempts=3)
    assert (a.id, b.id) == (first, second)
    assert claim(store, "w3", [JobKind.TEXT], lease_s=60, max_attempts=3) is None


def test_ocr_jobs_go_only_to_ocr_workers(store):
    _job(store, "scan.pdf", JobKind.OCR)
    assert claim(store, "text-worker", [JobKind.ARCHIVE, JobKind.TEXT], lease_s=60, max_attempts=3) is None
    assert claim(store, "ocr-worker", [JobKind.OCR], lease_s=60, max_attempts=3).filename == "scan.pdf"


def test_an_expired_lease_is_claimed_again_then_given_up(store):
    _job(store)
    assert claim(store, "dead", [JobKind.TEXT], lease_s=0.01, max_attempts=2).attempts == 1
    time.sleep(0.05)
    again = claim(store, "alive", [JobKind.TEXT], lease_s=0.01, max_attempts=2)
    assert again.attempts == 2
    time.sleep(0.05)
    assert claim(store, "third", [JobKind.TEXT], lease_s=60, max_attempts=2) is None
    row = store.db["files"].get(again.id)
    assert row["status"] == "failed" and row["error_code"] == "gave_up"
    assert "a.pdf" in row["error_message"] and "2 attempts" in row["error_message"]


def test_a_live_lease_is_not_stolen(store):
    _job(store)
    job = claim(store, "w1", [JobKind.TEXT], lease_s=0.2, max_attempts=3)
    assert extend_lease(store, job.id, "w1", 60)
    time.sleep(0.3)
    assert claim(store, "w2", [JobKind.TEXT], lease_s=60, max_attempts=3) is None


def test_requeue_hands_a_job_to_other_workers_without_using_an_attempt(store):
    _job(store)
    job = claim(store, "w1", [JobKind.TEXT], lease_s=60, max_attempts=3)
    requeue(store, job.id, JobKind.OCR)
    again = claim(store, "ocr", [JobKind.OCR], lease_s=60, max_attempts=3)
    assert again.id == job.id and again.attempts == 1


def test_batch_progress_counts_final_states(store):
    ids = [_job(store, f"{i}.pdf") for i in range(4)]
    store.db["files"].update(ids[0], {"status": "done"})
    store.db["files"].update(ids[1], {"status": "failed"})
    p = batch_progress(store, "b1")
    assert p["total"] == 4 and p["finished"] == 2 and p["progress"] == 0.5 and not p["complete"]


def test_tokens_are_stored_hashed_and_can_be_revoked(store):
    token, who = create_token(store, Role.UPLOADER, region="璧山区", name="璧山区政府办")
    assert token.startswith("jili_") and len(token) > 40
    assert token not in str(list(store.db["tokens"].rows))
    assert authenticate(store, token) == who
    assert authenticate(store, token + "x") is None and authenticate(store, None) is None
    revoke_token(store, who.id)
    assert authenticate(store, token) is None


def test_role_bindings_are_required(store):
    with pytest.raises(StoreError, match="region"):
        create_token(store, Role.UPLOADER)
    with pytest.raises(StoreError, match="lead unit"):
        create_token(store, Role.REVIEWER)
