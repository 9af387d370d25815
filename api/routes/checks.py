"""Cross-declaration checks: copied passages and contradicting figures (index/checks.py)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import StoreDep, Who
from api.routes.evidence import XLSX, attachment
from api.schemas import ERRORS, ChecksOut, DocumentMarksOut
from index.checks import checks_for, document_marks, to_csv, to_xlsx

router = APIRouter(tags=["checks"])


@router.get("/api/checks", summary="核查：段落雷同与数据矛盾 / copied passages and contradicting figures",
            response_model=ChecksOut, responses=ERRORS)
def checks(store: StoreDep, who: Who, measure: int | None = Query(None, ge=1, le=99),
           region: str | None = Query(None, max_length=60),
           format: str = Query("json", pattern="^(json|csv|xlsx)$"),
           boilerplate: bool = Query(False, description="also list copies of the notice's own wording")):
    """Findings for the applicants that declared `measure` (or `region`, or all a principal may see).
    Uploaders see findings on their own documents only, without the other applicant's file."""
    found = checks_for(store, who, measure=measure, region=region, boilerplate=boilerplate)
    stem = "核查结果" + (f"-措施{measure}" if measure else "") + (f"-{region}" if region else "")
    if format == "csv":
        return Response(to_csv(found), media_type="text/csv; charset=utf-8", headers=attachment(f"{stem}.csv"))
    if format == "xlsx":
        return Response(to_xlsx(found), media_type=XLSX, headers=attachment(f"{stem}.xlsx"))
    return found


@router.get("/api/documents/{document_id}/checks", summary="文件的核查标注 / margin marks for a document",
            response_model=DocumentMarksOut, responses=ERRORS)
def document_checks(document_id: str, store: StoreDep, who: Who):
    """Per passage id, the passages elsewhere it copies or is copied by; per figure id, the figures it
    contradicts."""
    return document_marks(store, who, document_id)
