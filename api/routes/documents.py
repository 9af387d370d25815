"""Declaration documents: details, the original file, rendered pages, and where a passage sits."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.deps import StoreDep, Who
from api.messages import warning_text
from api.schemas import ERRORS, BoxesOut, DocumentOut
from index.documents import document_detail, original_file, page_source, passage_boxes

router = APIRouter(tags=["documents"])


@router.get("/api/documents/{document_id}", summary="申报文件详情 / a document", response_model=DocumentOut,
            responses=ERRORS)
def document(document_id: str, store: StoreDep, who: Who):
    detail = document_detail(store, who, document_id)
    return detail | {"warnings": [warning_text(w) for w in detail["warnings"]], "warnings_detail": detail["warnings"]}


@router.get("/api/documents/{document_id}/file", summary="原始文件 / the original file", responses=ERRORS,
            response_class=Response)
def document_file(document_id: str, store: StoreDep, who: Who):
    original = original_file(store, who, document_id)
    return Response(original.path.read_bytes(), media_type=original.media_type,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(original.name)}"})


@router.get("/api/documents/{document_id}/pages/{number}.png", summary="PDF页面图像（引用证据） / a rendered PDF page",
            responses=ERRORS, response_class=Response)
def document_page(request: Request, document_id: str, store: StoreDep, who: Who, number: int = Path(ge=1, le=100_000),
                  scale: float = Query(1.5, ge=0.5, le=3.0)):
    original, row = page_source(store, who, document_id, number)
    png = request.app.state.page_images.png(row["sha256"] or row["id"], original, number, scale)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/api/documents/{document_id}/passages/{passage_id}/boxes", response_model=BoxesOut, responses=ERRORS,
            summary="段落在页面上的位置 / where a passage sits on its pages (PDF points)")
def boxes(document_id: str, store: StoreDep, who: Who, passage_id: int = Path(ge=1, le=2**62)):
    return passage_boxes(store, who, document_id, passage_id)
