"""The FastAPI application: routers per resource over the functions of `index`, one error type, the web UI.

Built by `create_app(settings)` (no import-time globals), so tests point it at a temporary data
directory. Every error is JSON ``{"error": {"code": ..., "message": ...}}`` with a stable code. No work
is done in a request: uploads are streamed into the store and queued, and workers (`jili serve` starts
them) process them; page images are rendered in a limited child process and cached.
"""

from __future__ import annotations

import time
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import errors
from api.deps import StorePool
from api.render import PageImages
from api.routes import batches, checks, documents, evidence, me, review, system
from api.settings import Settings
from api.web import mount_web
from index import Store
from index.recommendations import import_files

API_DESCRIPTION = """
jili 督查激励申报材料证据库 API — evidence from the declaration files of the Chongqing 督查激励 programme.

Authenticate with `Authorization: Bearer <token>` (tokens: `jili token create --role …`).
Roles: **admin**; **uploader** (一个区县: uploads, sees its own region's files); **reviewer** (牵头单位:
sees and reviews the measures it leads); **publicity** (宣传: search and typical experiences, cleared cases only).
Errors: `{"error": {"code", "message"}}` with a stable code.
"""

TAGS = [{"name": "batches", "description": "上传与进度 / uploads and progress"},
        {"name": "documents", "description": "申报文件 / declaration documents"},
        {"name": "evidence", "description": "检索与证据 / search and evidence"},
        {"name": "review", "description": "审核 / review"},
        {"name": "system", "description": "运行状态 / health and metrics"}]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        app.state.page_images.close()

    app = FastAPI(title="jili 激励", version="0.2.0", description=API_DESCRIPTION, openapi_tags=TAGS, lifespan=lifespan)
    app.state.settings = settings
    app.state.store_pool = StorePool(settings.data_dir)
    app.state.page_images = PageImages(settings)
    app.state.started = time.time()
    store = Store(settings.data_dir)
    try:
        import_files(store, settings.data_dir / "recommendations")  # lists kept as files by earlier versions
    finally:
        store.close()
    errors.install(app)
    for module in (system, batches, documents, evidence, checks, review, me):
        app.include_router(module.router)
    mount_web(app)
    return app
