"""A temporary store holding the sample declaration corpus, ingested once for the module."""

from __future__ import annotations

import pytest

from api.pipeline import Pipeline
from corpora import CORPORA_DIR
from index import Store
from ingest import ParseOptions

SAMPLES = sorted(p for p in (CORPORA_DIR / "samples").iterdir() if p.suffix in (".pdf", ".docx"))


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("store"))
    pipeline = Pipeline(store, options=ParseOptions(timeout_s=None, ocr=False))
    for path in SAMPLES:
        [outcome] = pipeline.process_file(path.read_bytes(), path.name, uploader="test")
        assert outcome.status == "done", outcome
    yield store
    store.close()
