"""A service on a temporary data directory, with one token per role and the sample corpus uploaded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.worker import run_worker
from corpora import CORPORA_DIR
from index import Store
from index.auth import Role, create_token

SAMPLES = CORPORA_DIR / "samples"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("service")
    settings = Settings(data_dir=data_dir, parse_timeout_s=120, lease_s=30, ocr=False)
    store = Store(data_dir)
    tokens = {
        "admin": create_token(store, Role.ADMIN, name="admin")[0],
        "hechuan": create_token(store, Role.UPLOADER, region="合川区", name="合川区政府办")[0],
        "bishan": create_token(store, Role.UPLOADER, region="璧山区", name="璧山区政府办")[0],
        "agri": create_token(store, Role.REVIEWER, lead_units=["市农业农村委"], name="市农业农村委")[0],
        "sci": create_token(store, Role.REVIEWER, lead_units=["市科技局"], name="市科技局")[0],
        "pub": create_token(store, Role.PUBLICITY, name="宣传处")[0],
    }
    client = TestClient(create_app(settings))
    uploads = {}
    for who, pattern in (("hechuan", "合川区*"), ("bishan", "璧山区*")):
        path = next(SAMPLES.glob(pattern))
        r = client.post("/api/batches", headers=auth(tokens[who]), files=[("files", (path.name, path.read_bytes()))])
        assert r.status_code == 202, r.text
        uploads[who] = r.json()
    others = [p for p in sorted(SAMPLES.glob("*")) if p.suffix in (".pdf", ".docx") and not p.name.startswith(("合川", "璧山"))]
    r = client.post("/api/batches", headers=auth(tokens["admin"]),
                    files=[("files", (p.name, p.read_bytes())) for p in others])
    assert r.status_code == 202
    run_worker(settings, "all", until_idle=True)
    yield {"client": client, "tokens": tokens, "settings": settings, "store": store, "uploads": uploads}
    store.close()


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def document_of(service, who: str) -> str:
    batch = service["uploads"][who]["batch_id"]
    c = service["client"]
    files = c.get(f"/api/batches/{batch}", headers=auth(service["tokens"]["admin"])).json()["files"]
    return files[0]["document_id"]
