"""Overviews across declarations: the region × measure matrix, deadlines and late declarations."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from classify.lateness import Lateness
from index.access import Hidden, check_document, measures_of, require
from index.auth import Principal, Role
from index.store import Store

BEIJING = timezone(timedelta(hours=8))


def late_declarations(store: Store, deadline: date, year: int) -> list[dict]:
    """The documents of campaign `year` judged late at ingest, each with the date that decided it and
    where that date came from (成文日期, the file's creation date, or the upload time); archive members
    are named as members (批量.zip!合川区报告.pdf)."""
    out = []
    for row in store.db.query(
            "SELECT id, filename, archive_path, region, county, doc_date, late_source, late_date, created_at "
            "FROM documents WHERE late = 1 AND (campaign_year = ? OR campaign_year IS NULL) "
            "ORDER BY region, filename, archive_path", [year]):
        judged = Lateness(True, row["late_source"], row["late_date"], deadline.isoformat())
        out.append({"document_id": row["id"], "filename": row["filename"], "archive_path": row["archive_path"],
                    "name": f"{row['filename']}!{row['archive_path']}" if row["archive_path"] else row["filename"],
                    "region": row["region"], "county": row["county"], "doc_date": row["doc_date"],
                    "late_source": row["late_source"], "late_date": row["late_date"], "uploaded_at": row["created_at"],
                    "reasons": [judged.reason()]})
    return out


def region_measure_matrix(store: Store, measures: list[int] | None) -> dict:
    """Per applicant and measure: documents declaring it, documents where it is only possible, passages
    that mention it in documents not declaring it, best score and eligibility. Declared and mentioned
    are never added together."""
    cells: dict[str, dict[int, dict]] = {}
    facts: dict[str, dict] = {}

    def cell(r: dict) -> dict:
        region = r["region"] or "未识别"
        facts.setdefault(region, {"applicant_type": r["applicant_type"], "county": r["county"]})
        return cells.setdefault(region, {}).setdefault(
            r["measure"], {"documents": 0, "possible": 0, "mentions": 0, "score": 0.0, "eligible": None})

    for r in store.db.query(
            "SELECT d.region, MAX(d.county) AS county, MAX(d.applicant_type) AS applicant_type, dm.measure, dm.level, "
            "COUNT(DISTINCT d.id) AS n, "
            "MAX(dm.score) AS score, MIN(dm.eligible) AS eligible FROM document_measures dm "
            "JOIN documents d ON d.id = dm.document_id GROUP BY d.region, dm.measure, dm.level"):
        c = cell(r)
        if (r["level"] or "declared") == "declared":
            c["documents"] += r["n"]
            c["score"] = round(max(c["score"], r["score"] or 0.0), 4)
            c["eligible"] = None if r["eligible"] is None else bool(r["eligible"])
        else:
            c["possible"] += r["n"]
    for r in store.db.query(
            "SELECT d.region, MAX(d.county) AS county, MAX(d.applicant_type) AS applicant_type, pl.measure, COUNT(*) AS n "
            "FROM passage_labels pl "
            "JOIN passages p ON p.id = pl.passage_id JOIN documents d ON d.id = p.document_id "
            "WHERE NOT EXISTS (SELECT 1 FROM document_measures dm WHERE dm.document_id = d.id "
            "AND dm.measure = pl.measure AND dm.level = 'declared') GROUP BY d.region, pl.measure"):
        cell(r)["mentions"] = r["n"]
    titles = {r["id"]: r["title"] for r in store.db.query("SELECT id, title FROM measures ORDER BY campaign_id")}
    columns = sorted(titles) if measures is None else [m for m in measures if m in titles]
    wanted = set(columns)
    regions = []
    for region in sorted(cells):
        row = {str(m): c for m, c in cells[region].items() if m in wanted}
        if row:
            regions.append({"region": region, **facts[region], "cells": row,
                            "declared": sum(1 for c in row.values() if c["documents"])})
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
