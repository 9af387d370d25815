"""A stored document as its readers see it: metadata, measures, passages with labels, figures, the
original file and where each passage sits on its pages. Every function checks what the principal may see.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from index import relevance
from index.access import Forbidden, Hidden, check_document, check_passage, visible_passage_ids
from index.auth import Principal, Role
from index.phrases import citation
from index.store import NotFoundError, Store

__all__ = ["citation", "document_detail", "original_file", "page_source", "passage_boxes"]

MEDIA_TYPES = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               "doc": "application/msword", "txt": "text/plain; charset=utf-8", "ofd": "application/ofd",
               "image": "application/octet-stream"}
_META = ("id", "filename", "archive_path", "format", "pages", "chars", "title", "doc_number", "issuer", "signer",
         "doc_date", "region", "county", "applicant_type", "township", "region_source", "region_warning",
         "late_source", "late_date", "campaign_year", "classifier_version", "rules_version", "created_at")


def document_detail(store: Store, who: Principal, document_id: str) -> dict:
    """The document with its measures, the passages the principal may read (with labels) and their figures."""
    row = check_document(store, who, document_id)
    allowed = visible_passage_ids(store, who, document_id)
    measures = [m | {"lead_units": json.loads(m["lead_units"]), "co_units": json.loads(m["co_units"]),
                     "eligible": None if m["eligible"] is None else bool(m["eligible"])}
                for m in store.db.query("SELECT dm.measure, dm.score, dm.level, dm.probability, dm.eligible, dm.lead_units, "
                                        "dm.co_units, dm.model_version, m.title "
                                        "FROM document_measures dm LEFT JOIN measures m ON m.id = dm.measure "
                                        "AND m.campaign_id = (SELECT MAX(campaign_id) FROM measures) "
                                        "WHERE dm.document_id = ? ORDER BY dm.level, dm.probability DESC", [document_id])]
    labels: dict[int, list[dict]] = {}
    for r in store.db.query("SELECT pl.passage_id, pl.measure, pl.score, pl.eligible, pl.origin, p.explanations "
                            "FROM passage_labels pl JOIN passages p ON p.id = pl.passage_id WHERE p.document_id = ? "
                            "ORDER BY pl.score DESC", [document_id]):
        terms = relevance.terms_for(r.pop("explanations"), r["measure"])
        r["strength"] = relevance.strength(r["score"], r["origin"])
        r["reason"] = relevance.reason(terms, r["origin"])
        labels.setdefault(r.pop("passage_id"), []).append(r)
    passages = [p | {"labels": labels.get(p["id"], [])}
                for p in store.db.query("SELECT id, seq, text, heading, page, end_page, start, \"end\", source, "
                                        "model_version FROM passages WHERE document_id = ? ORDER BY seq", [document_id])
                if allowed is None or p["id"] in allowed]
    figures = list(store.db.query("SELECT id, passage_id, kind, raw, value_num AS value, unit, metric, direction, "
                                  "approx, is_target, period_text AS period, page, suspect, suspect_reason, rule_id "
                                  "FROM figures WHERE document_id = ? ORDER BY start", [document_id]))
    if allowed is not None:
        shown = {p["id"] for p in passages}
        figures = [f for f in figures if f["passage_id"] in shown]
    return {k: row[k] for k in _META} | {"late": None if row["late"] is None else bool(row["late"]),
                                         "ocr_pages": json.loads(row["ocr_pages"]), "warnings": json.loads(row["warnings"]),
                                         "measures": measures, "passages": passages, "figures": figures}


@dataclass(frozen=True)
class Original:
    path: Path
    name: str
    media_type: str


def original_file(store: Store, who: Principal, document_id: str) -> Original:
    """The stored original of a document the principal may see (publicity staff see cleared passages only)."""
    row = check_document(store, who, document_id)
    if who.role is Role.PUBLICITY:
        raise Forbidden("publicity staff see cleared passages, not original files")
    path = store.original_path(row["sha256"] or document_id)
    if not path.exists():
        raise Hidden(document_id)
    return Original(path, os.path.basename(row["archive_path"] or row["filename"]),
                    MEDIA_TYPES.get(row["format"], "application/octet-stream"))


def page_source(store: Store, who: Principal, document_id: str, number: int) -> tuple[Path, dict]:
    """The original PDF to render page `number` of, and the document row. Raises Hidden/Forbidden/PageError."""
    row = check_document(store, who, document_id)
    if who.role is Role.PUBLICITY:
        raise Forbidden("publicity staff see cleared passages, not page images")
    if row["format"] != "pdf":
        raise NoPageImage("page images exist for PDF documents only")
    if not 1 <= number <= (row["pages"] or 0):
        raise NoSuchPage(f"the document has {row['pages']} pages")
    return store.original_path(row["sha256"] or document_id), row


class NoPageImage(NotFoundError):
    code = "no_page_image"


class NoSuchPage(NotFoundError):
    code = "no_such_page"


def passage_boxes(store: Store, who: Principal, document_id: str, passage_id: int) -> dict:
    """The boxes (PDF points, top-left origin) of a passage's segments, page by page."""
    if who.role is Role.PUBLICITY:
        raise Forbidden("publicity staff see cleared passages, not page images")
    passage = check_passage(store, who, passage_id)
    if passage["document_id"] != document_id:
        raise Hidden(str(passage_id))
    doc = store.document(document_id)
    span = next((s for s in doc.passages if s.id == passage["span_id"]), None)
    boxes = []
    if span is not None:
        wanted = set(span.segment_ids)
        boxes = [{"page": seg.page, "x0": seg.bbox.x0, "top": seg.bbox.top, "x1": seg.bbox.x1, "bottom": seg.bbox.bottom}
                 for seg in doc.segments if seg.id in wanted and seg.bbox is not None]
    return {"passage_id": passage_id, "page": passage["page"], "boxes": boxes}
