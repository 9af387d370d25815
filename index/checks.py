"""Cross-declaration checks as reviewers read them: copied passages and contradicting figures.

`checks_for` answers `GET /api/checks` and `jili checks`: for the declarations in scope (a measure: the
applicants that declared it; a region; or everything a principal may see) the copied passages found by
`index/copies.py` and the figure contradictions found by `index/consistency.py`, as

    {"copies": [{"a": SIDE, "b": SIDE, "similarity": 0.94, "first": "a"|"b", "boilerplate": false}, …],
     "figure_conflicts": [{"region", "metric", "period", "kind": "disagree"|"impossible", "figures": [
         {"document_id", "filename", "page", "raw", "value", "unit"}, …]}, …]}

with SIDE = {"document_id", "filename", "region", "page", "passage_id", "text"}. A copy is a finding only
across applicants (or across campaign years of one applicant) and never when the text is the notice's
own wording. An uploader sees the findings on its own documents only; of the other side it learns the
region, the page and the similarity, never the file, the document or its text.
"""

from __future__ import annotations

import csv
import io

from index import copies
from index.access import Forbidden, check_document, check_measure, measures_of
from index.auth import Principal, Role
from index.consistency import region_conflicts
from index.store import Store

SIDE_KEYS = ("document_id", "filename", "region", "page", "passage_id", "text")


def _scope(store: Store, who: Principal, measure: int | None, region: str | None) -> list[dict] | None:
    """The documents in scope (None: every document), as rows with id, region, created_at, campaign_year."""
    if who.role is Role.PUBLICITY:
        raise Forbidden("publicity staff do not review declarations")
    if measure is not None:
        check_measure(store, who, measure, Role.REVIEWER, Role.UPLOADER)
    where, params = [], []
    if measure is not None:
        where.append("d.id IN (SELECT document_id FROM document_measures WHERE measure = ? AND "
                     "COALESCE(level, 'declared') = 'declared')")
        params.append(measure)
    if who.role is Role.REVIEWER:
        led = measures_of(store, who) or (0,)
        where.append(f"d.id IN (SELECT document_id FROM document_measures WHERE measure IN ({','.join('?' * len(led))}) "
                     f"AND COALESCE(level, 'declared') = 'declared')")
        params += list(led)
    if who.role is Role.UPLOADER:
        where.append("d.owner_regions LIKE ?")
        params.append(f'%"{who.region}"%')
    if region:
        from index import tags

        official = tags.official_region(region)
        where.append("(d.region = ? OR d.county = ?)")
        params += [official, official]
    if not where:
        return None
    return list(store.db.query(f"SELECT d.id, d.region FROM documents d WHERE {' AND '.join(where)}", params))


def checks_for(store: Store, who: Principal, *, measure: int | None = None, region: str | None = None,
               boilerplate: bool = False) -> dict:
    """The findings in scope, as the stable JSON above (fields may be added, never removed)."""
    docs = _scope(store, who, measure, region)
    ids = None if docs is None else {d["id"] for d in docs}
    return {"copies": _copies(store, who, ids, boilerplate), "figure_conflicts": _conflicts(store, docs),
            "versions": {"copies": copies.VERSION, "figures": _figures_version()}}


def _figures_version() -> str:
    from index.consistency import VERSION

    return VERSION


_COPY_SQL = (
    "SELECT c.a, c.b, c.similarity, c.boilerplate, "
    "pa.document_id AS a_doc, pa.page AS a_page, pa.text AS a_text, da.filename AS a_file, da.region AS a_region, "
    "da.created_at AS a_at, da.campaign_year AS a_year, da.owner_regions AS a_owners, "
    "pb.document_id AS b_doc, pb.page AS b_page, pb.text AS b_text, db.filename AS b_file, db.region AS b_region, "
    "db.created_at AS b_at, db.campaign_year AS b_year, db.owner_regions AS b_owners "
    "FROM passage_copies c JOIN passages pa ON pa.id = c.a JOIN passages pb ON pb.id = c.b "
    "JOIN documents da ON da.id = pa.document_id JOIN documents db ON db.id = pb.document_id "
)


def _copies(store: Store, who: Principal, ids: set[str] | None, boilerplate: bool) -> list[dict]:
    where = [] if boilerplate else ["c.boilerplate = 0"]
    params: list = []
    if ids is not None:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        where.append(f"(pa.document_id IN ({marks}) OR pb.document_id IN ({marks}))")
        params += sorted(ids) * 2
    sql = _COPY_SQL + (f"WHERE {' AND '.join(where)} " if where else "") + "ORDER BY c.similarity DESC, c.a, c.b"
    out = []
    for r in store.db.query(sql, params):
        if r["a_region"] == r["b_region"] and r["a_year"] == r["b_year"]:
            continue  # one applicant repeating itself within a year's declaration: not a finding
        a = {"document_id": r["a_doc"], "filename": r["a_file"], "region": r["a_region"], "page": r["a_page"],
             "passage_id": r["a"], "text": r["a_text"]}
        b = {"document_id": r["b_doc"], "filename": r["b_file"], "region": r["b_region"], "page": r["b_page"],
             "passage_id": r["b"], "text": r["b_text"]}
        if who.role is Role.UPLOADER:
            mine_a, mine_b = (who.region in (r[f"{s}_owners"] or "") for s in ("a", "b"))
            if not mine_a:
                a = _redacted(a)
            if not mine_b:
                b = _redacted(b)
        first = "a" if (r["a_at"] or "", r["a"]) <= (r["b_at"] or "", r["b"]) else "b"
        out.append({"a": a, "b": b, "similarity": r["similarity"], "first": first,
                    "boilerplate": bool(r["boilerplate"])})
    return out


def _redacted(side: dict) -> dict:
    """The other applicant's side as an uploader sees it: where, not what."""
    return {"document_id": None, "filename": None, "region": side["region"], "page": side["page"],
            "passage_id": None, "text": None}


def _conflicts(store: Store, docs: list[dict] | None) -> list[dict]:
    if docs is None:
        regions = {r["region"]: None for r in store.db.query(
            "SELECT DISTINCT region FROM documents WHERE region IS NOT NULL ORDER BY region")}
    else:
        regions = {}
        for d in docs:
            if d["region"]:
                regions.setdefault(d["region"], []).append(d["id"])
    out = []
    for region, document_ids in sorted(regions.items()):
        out += [c.to_dict() for c in region_conflicts(store, region, document_ids)]
    return out


def document_marks(store: Store, who: Principal, document_id: str) -> dict:
    """Margin marks for one document's view: its copied passages and its contradicting figures."""
    check_document(store, who, document_id)
    found = checks_for(store, who) if who.role is Role.UPLOADER else None
    region = next(store.db.query("SELECT region FROM documents WHERE id = ?", [document_id]))["region"]
    if found is None:
        docs = [{"id": document_id, "region": region}]
        found = {"copies": _copies(store, who, {document_id}, False), "figure_conflicts": _conflicts(store, docs)}
    passages: dict[int, list[dict]] = {}
    for c in found["copies"]:
        for own, other in (("a", "b"), ("b", "a")):
            side = c[own]
            if side["document_id"] == document_id:
                passages.setdefault(side["passage_id"], []).append(
                    {"similarity": c["similarity"], "first": c["first"] == own, "other": c[other]})
    figures: dict[int, list[dict]] = {}
    for k in found["figure_conflicts"]:
        if not any(f["document_id"] == document_id for f in k["figures"]):
            continue
        for f in k["figures"]:
            if f["document_id"] == document_id:
                others = [g for g in k["figures"] if g is not f]
                figures.setdefault(f["figure_id"], []).append(
                    {"kind": k["kind"], "reason": k["reason"], "metric": k["metric"], "others": others})
    return {"passages": passages, "figures": figures}


# ------------------------------------------------------------------------------------------- exports
HEADERS = ("类别", "申报单位", "指标或段落", "时期", "相似度", "说明", "材料一", "页码一", "内容一", "材料二", "页码二", "内容二")


def rows(found: dict) -> list[list]:
    """One row per finding with Chinese headers (`HEADERS`), for CSV and XLSX."""
    out: list[list] = []
    for c in found["copies"]:
        a, b = c["a"], c["b"]
        first, later = (a, b) if c["first"] == "a" else (b, a)
        out.append(["段落雷同", f"{later['region']}／{first['region']}", _short(later["text"]), "",
                    f"{round(c['similarity'] * 100)}%", f"{first['region']}材料在先",
                    later["filename"] or "（其他地区材料）", later["page"], later["text"] or "",
                    first["filename"] or "（其他地区材料）", first["page"], first["text"] or ""])
    for k in found["figure_conflicts"]:
        figs = k["figures"]
        one, two = figs[0], figs[1] if len(figs) > 1 else None
        out.append(["数据矛盾" if k["kind"] == "disagree" else "数据异常", k["region"], k["metric"], k["period"] or "",
                    "", k.get("reason", ""), one["filename"], one["page"], one["raw"],
                    two["filename"] if two else "", two["page"] if two else "", two["raw"] if two else ""])
    return out


def _short(text: str | None, n: int = 40) -> str:
    if not text:
        return ""
    return text if len(text) <= n else text[:n] + "…"


def to_csv(found: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerows(rows(found))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8


def to_xlsx(found: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "核查结果"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows(found):
        ws.append(row)
    widths = (10, 22, 30, 10, 8, 26, 30, 6, 50, 30, 6, 50)
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rebuild_copies(store: Store) -> int:
    """Recompute every sketch and copied pair, oldest document first. Returns the pairs found."""
    with store.write():
        conn = store.db.conn
        docs = [r["id"] for r in store.db.query("SELECT id FROM documents ORDER BY created_at, id")]

        def passages(doc_id: str) -> list[tuple[int, str, str | None]]:
            return [(r["id"], r["text"], r["source"]) for r in store.db.query(
                "SELECT id, text, source FROM passages WHERE document_id = ? ORDER BY seq", [doc_id])]

        return copies.rebuild(conn, ((d, passages(d)) for d in docs))
