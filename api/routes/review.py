"""Review: relabel, mark exemplary, clear for publicity, review states, and the 推荐名单 per measure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import StoreDep, Who
from api.schemas import ERRORS, RecommendationsIn, RecommendationsOut, ReviewIn, ReviewOut, ReviewStatesOut
from index.access import check_measure
from index.recommendations import (
    candidates,
    load_list,
    recommendation_rows,
    recommendations_docx,
    recommendations_xlsx,
    save_list,
)
from index.reviews import review_passage, review_states

router = APIRouter(tags=["review"])
PassageId = Annotated[int, Field(ge=1, le=2**62)]
BEIJING = timezone(timedelta(hours=8))


def beijing(stamp: str | None) -> str | None:
    """A stored UTC time as Beijing time for people: "2026-11-27 12:31（北京时间）"."""
    if not stamp:
        return None
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + "（北京时间）"


@router.post("/api/passages/{passage_id}/review", summary="审核：改标/标记典型/准予宣传 / review a passage",
             response_model=ReviewOut, responses=ERRORS)
def review(body: ReviewIn, store: StoreDep, who: Who, passage_id: int = Path(ge=1, le=2**62)):
    result = review_passage(store, who, passage_id, body.action, measures=body.measures, note=body.note)
    return result.__dict__


@router.get("/api/reviews", summary="段落审核状态 / the latest review state of passages", response_model=ReviewStatesOut,
            responses=ERRORS)
def reviews(store: StoreDep, who: Who, passage: list[PassageId] = Query(default=[], max_length=200)):
    return {"passages": review_states(store, who, passage)}


@router.get("/api/recommendations/{measure}", summary="推荐名单 / the recommendation list of a measure",
            response_model=RecommendationsOut, responses=ERRORS)
def get_recommendations(store: StoreDep, who: Who, measure: int = Path(ge=1, le=99)):
    row = check_measure(store, who, measure)
    return load_list(store, measure) | {"title": row["title"], "lead_units": row["lead_units"],
                                        "candidates": candidates(store, measure)}


@router.put("/api/recommendations/{measure}", summary="保存推荐名单 / replace the recommendation list",
            response_model=RecommendationsOut, responses=ERRORS)
def put_recommendations(body: RecommendationsIn, store: StoreDep, who: Who, measure: int = Path(ge=1, le=99)):
    row = check_measure(store, who, measure)
    saved = save_list(store, who, measure, [item.model_dump() for item in body.items])
    return saved | {"title": row["title"]}


@router.get("/api/recommendations/{measure}/export", summary="导出推荐名单 / the list as XLSX or DOCX",
            responses=ERRORS, response_class=Response)
def export_recommendations(store: StoreDep, who: Who, measure: int = Path(ge=1, le=99),
                           format: str = Query("xlsx", pattern="^(xlsx|docx)$")):
    row = check_measure(store, who, measure)
    record = load_list(store, measure)
    rows = recommendation_rows(store, measure, record["items"])
    title = f"{row['campaign_id']}年度督查激励推荐名单 — 措施{measure}：{row['title']}"
    footer = (f"牵头单位：{'、'.join(row['lead_units'])}；报送：市政府督查办；"
              f"更新：{beijing(record['updated_at']) or '未保存'}（{record['updated_by'] or who.name}）")
    if format == "xlsx":
        content = recommendations_xlsx(title, rows, footer)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = recommendations_docx(title, rows, footer)
        media = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    name = f"推荐名单-措施{measure}.{format}"
    return Response(content, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
