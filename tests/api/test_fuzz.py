"""OpenAPI-driven fuzzing (schemathesis): no input the schema allows may produce a 5xx (marker: heavy)."""

from __future__ import annotations

import tempfile

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from api.settings import Settings
from corpora import CORPORA_DIR
from index import Store
from index.auth import Role, create_token
from tests.conftest import ingest_into

_DATA = tempfile.mkdtemp(prefix="jili-fuzz-")
ingest_into(_DATA, sorted((CORPORA_DIR / "samples").glob("*.pdf"))[:3])
_store = Store(_DATA)
TOKEN = create_token(_store, Role.ADMIN)[0]
app = create_app(Settings(data_dir=_DATA, ocr=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)

pytestmark = pytest.mark.heavy


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_the_schema_allows_causes_a_server_error(case):
    response = case.call(headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
