"""Overviews across declarations: the region × measure matrix, deadlines and late declarations."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone

from index.access import Hidden, check_document, measures_of, require
from index.auth import Principal, Role
from index.store import Store

BEIJING = timezone(timedelta(hours=8))


_PDF_DATE = re.compile(r"D:(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?")


def file_created(metadata: dict) -> date | None:
    """The date (Beijing time) the file says it was created: DOCX ``created`` or PDF ``CreationDate``.

    >>> file_created({"creationdate": "D:20230201093000+08'00'"})
    datetime.date(2023, 2, 1)
    >>> file_created({"created": "2023-01-31T20:00:00+00:00"})  # already 1 February in Chongqing
    datetime.date(2023, 2, 1)
    """
    raw = metadata.get("created") or metadata.get("creationdate") or metadata.get("CreationDate")
    if not raw:
        return None
    m = _PDF_DATE.match(raw)
    try:
        if m:
            y, mo, d, h, mi, s, tz = m.groups()
            stamp = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
            if tz and tz not in "Zz":
                sign = 1 if tz[0] == "+" else -1
                digits = tz[1:].replace("'", "")
                stamp = stamp.replace(tzinfo=timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))))
            elif tz:
                stamp = stamp.replace(tzinfo=UTC)
        else:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone(BEIJING).date() if stamp.tzinfo else stamp.date()


def late_declarations(store: Store, deadline: date, year: int) -> list[dict]:
    """Documents of the campaign `year` whose file was created, or whose 成文日期 falls, after `deadline`."""
    out = []
    for row in store.db.query("SELECT id, filename, archive_path, region, doc_date, metadata, created_at "
                              "FROM documents WHERE campaign_year = ? OR campaign_year IS NULL ORDER BY region, filename",
                              [year]):
        created = file_created(json.loads(row["metadata"] or "{}"))
        try:
            written = date.fromisoformat(row["doc_date"]) if row["doc_date"] else None
        except ValueError:
            written = None
        reasons = []
        if written and written > deadline:
            reasons.append(f"成文日期 {written.isoformat()} 晚于截止日期")
        if created and created > deadline:
            reasons.append(f"文件创建于 {created.isoformat()}，晚于截止日期")
        if reasons:
            out.append({"document_id": row["id"], "filename": row["filename"], "archive_path": row["archive_path"],
                        "region": row["region"], "doc_date": row["doc_date"],
                        "created": created.isoformat() if created else None, "uploaded_at": row["created_at"],
                        "reasons": reasons})
    return out


def region_measure_matrix(store: Store, measures: list[int] | None) -> dict:
    """Per region and measure: declaring documents, labelled passages, best score, eligibility."""
    cells: dict[str, dict[int, dict]] = {}
    types: dict[str, str | None] = {}
    for r in store.db.query(
            "SELECT d.region, d.applicant_type, dm.measure, COUNT(DISTINCT d.id) AS documents, MAX(dm.score) AS score, "
            "MAX(dm.eligible) AS eligible FROM document_measures dm JOIN documents d ON d.id = dm.document_id "
            "GROUP BY d.region, dm.measure"):
        region = r["region"] or "未识别"
        types.setdefault(region, r["applicant_type"])
        cells.setdefault(region, {})[r["measure"]] = {
            "documents": r["documents"], "passages": 0, "score": round(r["score"] or 0.0, 4),
            "eligible": None if r["eligible"] is None else bool(r["eligible"])}
    for r in store.db.query(
            "SELECT d.region, d.applicant_type, pl.measure, COUNT(*) AS n FROM passage_labels pl "
            "JOIN passages p ON p.id = pl.passage_id JOIN documents d ON d.id = p.document_id "
            "GROUP BY d.region, pl.measure"):
        region = r["region"] or "未识别"
        types.setdefault(region, r["applicant_type"])
        cell = cells.setdefault(region, {}).setdefault(r["measure"], {"documents": 0, "passages": 0, "score": 0.0,
                                                                       "eligible": None})
        cell["passages"] = r["n"]
    titles = {r["id"]: r["title"] for r in store.db.query("SELECT id, title FROM measures ORDER BY campaign_id")}
    columns = sorted(titles) if measures is None else [m for m in measures if m in titles]
    wanted = set(columns)
    regions = []
    for region in sorted(cells):
        row = {str(m): c for m, c in cells[region].items() if m in wanted}
        if row:
            regions.append({"region": region, "applicant_type": types.get(region), "cells": row})
    return {"measures": [{"id": m, "title": titles[m]} for m in columns], "regions": regions}


def matrix_for(store: Store, who: Principal) -> dict:
    """The matrix of the measures the principal reviews (all of them for an admin)."""
    require(who, Role.REVIEWER)
    led = measures_of(store, who)
    return region_measure_matrix(store, list(led) if led is not None else None)


def deadlines_for(store: Store, who: Principal, campaign) -> dict:
    """The campaign's deadlines, days left, and the late declarations the principal may see."""
    require(who, Role.REVIEWER, Role.UPLOADER)
    today = datetime.now(BEIJING).date()
    rows = [{"name": d.name, "date": d.date.isoformat(), "kind": d.kind.value, "text": d.text,
             "days_left": (d.date - today).days} for d in sorted(campaign.deadlines, key=lambda d: d.date)]
    try:
        due = campaign.deadline("declaration").date
    except KeyError:
        return {"campaign": campaign.year, "title": campaign.title, "deadlines": rows, "declaration_deadline": None,
                "late": []}
    late = []
    for item in late_declarations(store, due, campaign.year):
        try:
            check_document(store, who, item["document_id"])
        except Hidden:
            continue
        item["measures"] = store.document_measure_ids(item["document_id"])
        late.append(item)
    return {"campaign": campaign.year, "title": campaign.title, "deadlines": rows,
            "declaration_deadline": due.isoformat(), "late": late}
