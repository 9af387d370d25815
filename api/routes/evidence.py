"""Search, the measures, evidence by measure, figure tables and typical experiences."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import Field

from api.deps import StoreDep, Who
from api.schemas import ERRORS, EvidenceOut, ExperiencesOut, MeasuresOut, RecordsOut, SearchOut
from index import SearchFilters, briefing_docx, evidence_for_measure, figure_table, search, to_csv, to_xlsx
from index.access import check_measure, check_passage, measure_list, scope_filters
from index.auth import Role
from index.expansion import load_thesaurus
from index.experiences import experiences_for
from index.search import more_like_this

router = APIRouter(tags=["evidence"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get("/api/search", summary="全文检索 / full-text search", response_model=SearchOut, responses=ERRORS)
def search_api(store: StoreDep, who: Who, q: str = Query("", max_length=200), measure: int | None = Query(None, ge=1, le=99),
               region: str | None = Query(None, max_length=60), applicant_type: str | None = Query(None, max_length=20),
               lead_unit: str | None = Query(None, max_length=60), year: int | None = Query(None, ge=2000, le=2100),
               format: str | None = Query(None, max_length=10), document: str | None = Query(None, max_length=64),
               page: int = Query(1, ge=1, le=10000), size: int = Query(20, ge=1, le=100),
               sort: str = Query("relevance", pattern="^(relevance|date)$"), advanced: bool = False,
               expand: bool = Query(True, description="同时检索 the thesaurus's related terms (typed matches rank first)"),
               without: list[Annotated[str, Field(max_length=40)]] = Query(default=[], max_length=50,
                                                                           description="related terms switched off")):
    if measure is not None:
        store.require_measure(measure)
    filters = scope_filters(store, who, SearchFilters(measure=measure, region=region, applicant_type=applicant_type,
                                                      lead_unit=lead_unit, year=year, format=format,
                                                      document_id=document))
    return search(store, q, filters, page=page, size=size, sort=sort, advanced=advanced, expand=expand,
                  without=without).to_dict()


@router.get("/api/passages/{passage_id}/similar", summary="相似段落 / more like this", response_model=SearchOut,
            responses=ERRORS)
def similar(store: StoreDep, who: Who, passage_id: int = Path(ge=1, le=2**62), size: int = Query(10, ge=1, le=50)):
    """Passages like this one (its most distinctive words, searched together), within what the principal may see."""
    check_passage(store, who, passage_id)
    return more_like_this(store, passage_id, scope_filters(store, who, SearchFilters()), size=size).to_dict()


@router.get("/api/measures", summary="激励措施及申报情况 / the measures with counts", response_model=MeasuresOut,
            responses=ERRORS)
def measures(store: StoreDep, who: Who):
    return {"measures": measure_list(store, who)}


@router.get("/api/measures/{measure}/evidence", summary="按措施查看各地证据 / evidence by measure",
            response_model=EvidenceOut, responses=ERRORS)
def measure_evidence(store: StoreDep, who: Who, measure: int = Path(ge=1, le=99)):
    check_measure(store, who, measure)
    return evidence_for_measure(store, measure).to_dict()


@router.get("/api/records", summary="关键数据比较表 / figures ranked across regions", response_model=RecordsOut,
            responses=ERRORS)
def records(store: StoreDep, who: Who, measure: int = Query(..., ge=1, le=99), metric: str | None = Query(None, max_length=60),
            kind: str | None = Query(None, pattern="^(amount|quantity|percent|change|rank)$"),
            format: str = Query("json", pattern="^(json|csv|xlsx)$"), best_per_region: bool = True):
    check_measure(store, who, measure)
    rows = figure_table(store, measure, metric=metric, kind=kind, best_per_region=best_per_region)
    if format == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8", headers=attachment(f"措施{measure}-关键数据.csv"))
    if format == "xlsx":
        return Response(to_xlsx(rows), media_type=XLSX, headers=attachment(f"措施{measure}-关键数据.xlsx"))
    return {"measure": measure, "records": rows}


@router.get("/api/experiences", summary="典型经验做法 / typical experiences", response_model=ExperiencesOut,
            responses=ERRORS)
def experiences(store: StoreDep, who: Who, measure: int | None = Query(None, ge=1, le=99),
                region: str | None = Query(None, max_length=60), limit: int = Query(20, ge=1, le=100),
                format: str = Query("json", pattern="^(json|docx)$"),
                id: list[Annotated[int, Field(ge=1, le=2**62)]] = Query(default=[], max_length=100),
                q: str | None = Query(None, max_length=100, description="theme words, e.g. 积分制 (同时检索 related terms)"),
                without: list[Annotated[str, Field(max_length=40)]] = Query(default=[], max_length=50)):
    """Ranked, best first. `format=docx` gives the briefing; `id` keeps only the chosen passages; `q`
    finds practices by theme words (and the thesaurus's related terms), whatever their measure scores."""
    if measure is not None:
        check_measure(store, who, measure, Role.REVIEWER, Role.PUBLICITY)
    items, payload = experiences_for(store, who, measure=measure, region=region, limit=limit, chosen=id, theme=q,
                                     without=tuple(without))
    if format == "docx":
        return Response(briefing_docx(items), media_type=DOCX, headers=attachment("典型经验简报.docx"))
    expansions = [e.to_dict() for e in load_thesaurus().expand(q, tuple(without))] if q and q.strip() else []
    return {"experiences": payload, "expansions": expansions}
