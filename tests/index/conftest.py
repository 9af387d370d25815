"""A temporary store holding the sample declaration corpus, ingested once for the module."""

from __future__ import annotations

import pytest

from corpora import CORPORA_DIR
from index import Store
from tests.conftest import ingest_into

SAMPLES = sorted(p for p in (CORPORA_DIR / "samples").iterdir() if p.suffix in (".pdf", ".docx"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("store")
    rows = ingest_into(data_dir, SAMPLES)
    assert [r["status"] for r in rows] == ["done"] * len(SAMPLES), rows
    store = Store(data_dir)
    yield store
    store.close()
