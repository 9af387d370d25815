"""The signed-in principal and the overviews the web UI shows: matrix and deadlines."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep, Who
from api.pages import ROLE_NAMES, pages_for
from api.schemas import ERRORS, DeadlinesOut, MatrixOut, MeOut
from classify import load_campaign
from index.access import measures_of
from index.overview import deadlines_for, matrix_for

router = APIRouter(tags=["review"])


@router.get("/api/me", summary="当前用户 / who is signed in", response_model=MeOut, responses=ERRORS)
def me(store: StoreDep, who: Who):
    led = measures_of(store, who)
    return {"id": who.id, "name": who.name, "role": who.role.value, "role_name": ROLE_NAMES[who.role],
            "region": who.region, "lead_units": list(who.lead_units),
            "measures": list(led) if led is not None else None, "pages": pages_for(who)}


@router.get("/api/matrix", summary="地区×措施申报矩阵 / region × measure matrix", response_model=MatrixOut,
            responses=ERRORS)
def matrix(store: StoreDep, who: Who):
    return matrix_for(store, who)


@router.get("/api/deadlines", summary="时间节点与逾期申报 / deadlines and late declarations",
            response_model=DeadlinesOut, responses=ERRORS)
def deadlines(store: StoreDep, who: Who):
    return deadlines_for(store, who, load_campaign())
