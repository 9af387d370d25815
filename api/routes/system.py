"""Health and metrics."""

from __future__ import annotations

import os
import time

from fastapi import APIRouter, Request

from api.deps import StoreDep, Who
from api.schemas import ERRORS, HealthOut, MetricsOut
from index.access import require
from index.auth import Role
from index.queue import files_by_status, finished_since, live_workers, queue_length
from index.store import now

router = APIRouter(tags=["system"])


@router.get("/api/health", summary="健康检查 / health", response_model=HealthOut)
def health(store: StoreDep):
    store.ping()
    return {"status": "ok", "time": now()}


@router.get("/api/metrics", summary="运行指标 / counts, queue, workers, processing rate", response_model=MetricsOut,
            responses=ERRORS)
def metrics(request: Request, store: StoreDep, who: Who):
    require(who, Role.ADMIN)
    hour_ago = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 3600))
    return {"counts": store.counts(), "files_by_status": files_by_status(store), "queue": queue_length(store),
            "files_finished_last_hour": finished_since(store, hour_ago), "workers": live_workers(store),
            "uptime_s": round(time.time() - request.app.state.started, 1), "api_pid": os.getpid()}
