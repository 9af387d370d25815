"""推荐名单: each lead unit's recommendation list per measure, kept in the store, and its exports.

A list is replaced whole in one transaction (a reader never sees half a list). Only regions that
declared the measure may be listed; the exports add what the supervision office needs beside each
reason: the applicant type, the evidence cited (file and page) and the key figures.
"""

from __future__ import annotations

import io
import json
from dataclasses import asdict

from index.access import check_passage
from index.auth import Principal
from index.evidence import evidence_for_measure
from index.phrases import citation, figure_line
from index.store import Store, StoreError, now


class InvalidList(StoreError):
    code = "invalid_request"

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code


def load_list(store: Store, measure: int) -> dict:
    meta = next(store.db.query("SELECT updated_at, updated_by FROM recommendation_lists WHERE measure = ?", [measure]),
                None)
    items = [{"region": r["region"], "justification": r["justification"],
              "passage_ids": json.loads(r["passage_ids"] or "[]")} | ({"override": True} if r["override"] else {})
             for r in store.db.query("SELECT region, justification, passage_ids, override FROM recommendations "
                                     "WHERE measure = ? ORDER BY position", [measure])]
    return {"measure": measure, "items": items, "updated_at": meta["updated_at"] if meta else None,
            "updated_by": meta["updated_by"] if meta else None}


def candidates(store: Store, measure: int) -> list[dict]:
    """The applicants that declared the measure (strongest evidence first), then those that only mention
    it (`declared: false`: listed only with an explicit override)."""
    evidence = evidence_for_measure(store, measure, passages_per_region=1, figures_per_region=0)
    return [{"region": r.region, "county": r.county, "applicant_type": r.applicant_type, "eligible": r.eligible,
             "score": r.score, "late": r.late, "declared": True} for r in evidence.regions] + \
           [{"region": m.region, "county": m.county, "applicant_type": m.applicant_type, "eligible": None,
             "score": m.best.score if m.best else 0.0, "late": False, "declared": False} for m in evidence.mentioned]


def save_list(store: Store, who: Principal, measure: int, items: list[dict]) -> dict:
    """Replace the measure's list. Each item: region (declared the measure), justification, passage ids."""
    known = {c["region"]: c for c in candidates(store, measure)}
    seen: set[str] = set()
    clean = []
    for item in items:
        region, reason = item["region"].strip(), item["justification"].strip()
        override = bool(item.get("override"))
        if not (region in known and (known[region]["declared"] or override)):
            raise InvalidList("region_not_declared", f"{region}未申报措施{measure}。只有申报了该措施的地区可列入推荐名单；"
                                                     "如确需列入，请勾选“经审核确认列入”并在推荐理由中说明。")
        if region in seen:
            raise InvalidList("duplicate_region", f"{region}在名单中出现了两次，请删去重复的一项。")
        if not reason:
            raise InvalidList("justification_required", f"请填写{region}的推荐理由。")
        for pid in item.get("passage_ids") or []:
            check_passage(store, who, pid)
        seen.add(region)
        clean.append({"region": region, "justification": reason, "passage_ids": list(item.get("passage_ids") or []),
                      "override": override and not known[region]["declared"]})
    with store.write() as db:
        db.execute("DELETE FROM recommendations WHERE measure = ?", [measure])
        db.conn.executemany("INSERT INTO recommendations (measure, campaign_id, position, region, justification, "
                            "passage_ids, override) VALUES (?, (SELECT MAX(campaign_id) FROM measures WHERE id = ?), "
                            "?, ?, ?, ?, ?)",
                            [(measure, measure, i, it["region"], it["justification"], json.dumps(it["passage_ids"]),
                              int(it["override"])) for i, it in enumerate(clean)])
        db.execute("INSERT OR REPLACE INTO recommendation_lists (measure, updated_at, updated_by) VALUES (?, ?, ?)",
                   [measure, now(), who.name])
    return load_list(store, measure)


def import_files(store: Store, directory) -> int:
    """Lists kept as JSON files beside the store by earlier versions: read into the store once."""
    from pathlib import Path

    directory = Path(directory)
    if not directory.is_dir():
        return 0
    n = 0
    for path in sorted(directory.glob("measure-*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        measure = int(record["measure"])
        if store.db.execute("SELECT 1 FROM recommendation_lists WHERE measure = ?", [measure]).fetchone():
            continue
        with store.write() as db:
            db.conn.executemany("INSERT INTO recommendations (measure, campaign_id, position, region, justification, "
                           "passage_ids) VALUES (?, NULL, ?, ?, ?, ?)",
                           [(measure, i, it["region"], it["justification"], json.dumps(it.get("passage_ids") or []))
                            for i, it in enumerate(record.get("items") or [])])
            db.execute("INSERT INTO recommendation_lists (measure, updated_at, updated_by) VALUES (?, ?, ?)",
                       [measure, record.get("updated_at"), record.get("updated_by")])
        n += 1
    directory.rename(directory.with_name(directory.name + ".imported"))
    return n


def recommendation_rows(store: Store, measure: int, items: list[dict]) -> list[dict]:
    """The list's items with what the supervision office needs beside the reason: type, evidence, figures."""
    evidence = {r.region: r for r in evidence_for_measure(store, measure, passages_per_region=2,
                                                          figures_per_region=6).regions}
    rows = []
    for i, item in enumerate(items, start=1):
        ev = evidence.get(item["region"])
        cited: list[str] = []
        if item.get("passage_ids"):
            marks = ",".join("?" * len(item["passage_ids"]))
            cited = [citation(r["filename"], r["archive_path"], r["page"], r["end_page"]) for r in store.db.query(
                "SELECT p.page, p.end_page, d.filename, d.archive_path FROM passages p JOIN documents d "
                f"ON d.id = p.document_id WHERE p.id IN ({marks}) ORDER BY p.id", item["passage_ids"])]
        elif ev is not None and ev.passages:
            docs = {d["id"]: d for d in ev.documents}
            for p in ev.passages[:2]:
                d = docs.get(p.document_id) or next(store.db.query(
                    "SELECT filename, archive_path FROM documents WHERE id = ?", [p.document_id]))
                cited.append(citation(d["filename"], d.get("archive_path"), p.page, p.end_page))
        figures = "；".join(dict.fromkeys(figure_line(asdict(f)) for f in (ev.figures if ev else []) if not f.suspect))
        justification = item["justification"] + ("（未申报该措施，经审核确认列入）" if item.get("override") else "")
        rows.append({"rank": i, "region": item["region"], "applicant_type": ev.applicant_type if ev else None,
                     "justification": justification, "evidence": "；".join(dict.fromkeys(cited)), "figures": figures})
    return rows


REC_COLUMNS = [("rank", "序号", 6), ("region", "地区", 16), ("applicant_type", "申报主体类型", 14),
               ("justification", "推荐理由", 50), ("evidence", "主要依据（文件、页码）", 44),
               ("figures", "关键数据", 44)]


def recommendations_xlsx(title: str, rows: list[dict], footer: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "推荐名单"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REC_COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([label for _, label, _ in REC_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.get(key) for key, _, _ in REC_COLUMNS])
    for i, (_, _, width) in enumerate(REC_COLUMNS):
        ws.column_dimensions[chr(ord("A") + i)].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.append([])
    ws.append([footer])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def recommendations_docx(title: str, rows: list[dict], footer: str) -> bytes:
    """The list as a 公文-style Word table on A4 (index.gongwen_docx): columns sized to their content."""
    from index.gongwen_docx import GongwenDocx

    doc = GongwenDocx(title)
    if rows:
        doc.table([label for _, label, _ in REC_COLUMNS],
                  [["" if r.get(key) is None else str(r[key]) for key, _, _ in REC_COLUMNS] for r in rows],
                  min_widths=[2.5, 6, 6, 14, 12, 12])
    else:
        doc.paragraph("（名单为空）")
    doc.note(footer)
    return doc.to_bytes()
