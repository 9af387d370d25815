"""Evidence by measure: every declaring applicant side by side, and figure tables that rank them.

For a measure, a reviewer sees each applicant that **declared** it (a document of theirs labelled with it
as a whole): its documents, its strongest passages with page citations, and its key figures. Applicants
whose documents only **mention** it (stray passages, or a measure kept as possible) are listed apart,
never counted as declarations and never put on a 推荐名单 without an explicit override. `figure_table`
answers "all change figures on 社会消费品零售总额 for measure 2", best per applicant first, exportable.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field

from index import relevance, tags
from index.phrases import figure_line, metric_label
from index.store import Store

UNKNOWN_REGION = "未识别"


@dataclass
class EvidencePassage:
    passage_id: int
    document_id: str
    text: str
    heading: str | None
    page: int
    end_page: int
    score: float
    eligible: bool
    origin: str
    strength: str = "弱"  # 强 / 中 / 弱 (index/relevance.py)
    reason: str = ""  # the words behind it: 命中：高标准农田、粮食总产量
    late: bool = False  # its document came in after the deadline


@dataclass
class EvidenceFigure:
    figure_id: int
    document_id: str
    passage_id: int | None
    kind: str
    raw: str
    value: float
    unit: str | None
    metric: str | None
    direction: str | None
    period: str | None
    page: int | None
    suspect: bool
    basis: str | None = None


@dataclass
class RegionEvidence:
    region: str  # the applicant: 璧山区, 重庆两江新区, 草堂镇（奉节县）
    applicant_type: str | None
    eligible: bool | None  # None: the applicant type is unknown
    county: str | None = None
    documents: list[dict] = field(default_factory=list)
    passages: list[EvidencePassage] = field(default_factory=list)
    figures: list[EvidenceFigure] = field(default_factory=list)
    score: float = 0.0
    late: bool = False  # one of its declaring documents came in after the deadline


@dataclass
class Mention:
    """An applicant whose documents mention the measure without declaring it."""

    region: str
    applicant_type: str | None
    county: str | None
    passages: int
    documents: list[dict] = field(default_factory=list)
    best: EvidencePassage | None = None


@dataclass
class MeasureEvidence:
    measure: int
    title: str | None
    lead_units: list[str]
    regions: list[RegionEvidence]  # declared
    mentioned: list[Mention] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def evidence_for_measure(store: Store, measure: int, *, passages_per_region: int = 3,
                         figures_per_region: int = 12, regions: list[str] | None = None) -> MeasureEvidence:
    """Every applicant that declared `measure`, strongest first, and those that only mention it."""
    db = store.db
    mrow = next(db.query("SELECT title, lead_units FROM measures WHERE id = ? ORDER BY campaign_id DESC LIMIT 1",
                         [measure]), None)
    docs = list(db.query(
        "SELECT d.id, d.filename, d.archive_path, d.title, d.region, d.county, d.applicant_type, d.format, d.pages, "
        "d.doc_date, d.late, dm.score, dm.probability, dm.eligible, dm.level FROM documents d "
        "JOIN document_measures dm ON dm.document_id = d.id WHERE dm.measure = ? "
        "ORDER BY dm.probability DESC, dm.score DESC", [measure]))
    declared_docs = {d["id"] for d in docs if (d["level"] or "declared") == "declared"}
    passages = list(db.query(
        "SELECT p.id, p.document_id, p.text, p.heading, p.page, p.end_page, p.explanations, pl.score, pl.eligible, "
        "pl.origin, d.region, d.county, d.applicant_type, d.late FROM passage_labels pl JOIN passages p ON p.id = pl.passage_id "
        "JOIN documents d ON d.id = p.document_id WHERE pl.measure = ? ORDER BY pl.score DESC", [measure]))
    by_region: dict[str, RegionEvidence] = {}
    for d in docs:
        if d["id"] not in declared_docs:
            continue
        key = d["region"] or UNKNOWN_REGION
        e = by_region.get(key)
        if e is None:
            e = by_region[key] = RegionEvidence(region=key, applicant_type=d["applicant_type"], county=d["county"],
                                                eligible=None if d["eligible"] is None else bool(d["eligible"]))
        e.documents.append({k: d[k] for k in _DOCUMENT_KEYS} | {"late": bool(d["late"])})
        e.score = max(e.score, d["score"] or 0.0)
        e.late = e.late or bool(d["late"])
    mentions: dict[str, Mention] = {}
    for p in passages:
        key = p["region"] or UNKNOWN_REGION
        terms = relevance.terms_for(p["explanations"], measure)
        passage = EvidencePassage(p["id"], p["document_id"], p["text"], p["heading"], p["page"], p["end_page"],
                                  round(p["score"], 4), bool(p["eligible"]), p["origin"],
                                  relevance.strength(p["score"], p["origin"]), relevance.reason(terms, p["origin"]),
                                  bool(p["late"]))
        if p["document_id"] in declared_docs:
            e = by_region[key]
            if len(e.passages) < passages_per_region:
                e.passages.append(passage)
            continue
        if key in by_region:
            continue  # a declaring applicant's other documents: its declaration speaks for it
        m = mentions.get(key)
        if m is None:
            m = mentions[key] = Mention(key, p["applicant_type"], p["county"], 0, best=passage)
        m.passages += 1
    for d in docs:  # documents that keep the measure only as possible mention it too
        key = d["region"] or UNKNOWN_REGION
        if d["id"] in declared_docs or key in by_region:
            continue
        m = mentions.setdefault(key, Mention(key, d["applicant_type"], d["county"], 0))
        m.documents.append({k: d[k] for k in _DOCUMENT_KEYS} | {"level": d["level"]})
    for e in by_region.values():
        ids = sorted(d["id"] for d in e.documents)
        marks = ",".join("?" * len(ids))
        # the figures of the passages labelled with the measure; table cells (no passage) of the declaring
        # documents, which are about the measure as a whole
        rows = db.query(
            f"SELECT f.* FROM figures f LEFT JOIN passage_labels pl ON pl.passage_id = f.passage_id AND pl.measure = ? "
            f"WHERE f.document_id IN ({marks}) AND (pl.measure IS NOT NULL OR f.passage_id IS NULL) "
            f"ORDER BY f.suspect, f.id LIMIT ?", [measure, *ids, figures_per_region])
        e.figures = [_figure(r) for r in rows]
    ordered = sorted(by_region.values(), key=lambda e: (-e.score, e.region))
    mentioned = sorted(mentions.values(), key=lambda m: (-m.passages, m.region))
    if regions:
        wanted = {tags.official_region(r) for r in regions}
        ordered = [e for e in ordered if e.region in wanted or e.county in wanted]
        mentioned = [m for m in mentioned if m.region in wanted or m.county in wanted]
    return MeasureEvidence(measure=measure, title=mrow["title"] if mrow else None,
                           lead_units=json.loads(mrow["lead_units"]) if mrow else [], regions=ordered,
                           mentioned=mentioned)


_DOCUMENT_KEYS = ("id", "filename", "archive_path", "title", "format", "pages", "doc_date", "score", "probability")


def _xlsx_cell(column: str, value):
    if column in _XLSX_WORDS and value is not None:
        return _XLSX_WORDS[column].get(value, value)
    if column in _YES_NO and value is not None:
        return "是" if value else "否"
    return value


def _figure(r: dict) -> EvidenceFigure:
    return EvidenceFigure(r["id"], r["document_id"], r["passage_id"], r["kind"], r["raw"], r["value_num"], r["unit"],
                          metric_label(r["metric"]), r["direction"], r["period_text"], r["page"], bool(r["suspect"]),
                          r["basis"])


FIGURE_COLUMNS = ["rank", "region", "applicant_type", "metric", "figure", "kind", "value", "unit", "direction", "basis",
                  "raw", "period", "approx", "is_target", "suspect", "filename", "page", "sentence"]


def figure_table(store: Store, measure: int | None = None, *, metric: str | None = None, kind: str | None = None,
                 best_per_region: bool = True, descending: bool = True, regions: list[str] | None = None) -> list[dict]:
    """Figures (optionally of one measure, metric substring and kind) ranked across regions.

    With `best_per_region`, each region keeps its highest (or lowest) figure, so regions compare 1:1.
    """
    where, params = ["f.suspect = 0"], []
    if measure is not None:
        where.append("(EXISTS (SELECT 1 FROM passage_labels pl WHERE pl.passage_id = f.passage_id AND pl.measure = ?)"
                     " OR EXISTS (SELECT 1 FROM document_measures dm WHERE dm.document_id = f.document_id "
                     "AND dm.measure = ?))")
        params += [measure, measure]
    if metric:
        where.append("f.metric LIKE ?")
        params.append(f"%{metric}%")
    if kind:
        where.append("f.kind = ?")
        params.append(kind)
    if regions:
        where.append(f"d.region IN ({','.join('?' * len(regions))})")
        params += regions
    rows = list(store.db.query(
        "SELECT f.*, d.region, d.applicant_type, d.filename, p.text AS passage_text, p.start AS p_start "
        "FROM figures f JOIN documents d ON d.id = f.document_id LEFT JOIN passages p ON p.id = f.passage_id "
        f"WHERE {' AND '.join(where)} ORDER BY f.value_num {'DESC' if descending else 'ASC'}", params))
    out: list[dict] = []
    seen: set[tuple] = set()
    for r in rows:
        key = (r["region"], r["metric"], r["kind"], r["unit"])
        if best_per_region and key in seen:
            continue
        seen.add(key)
        sentence = r["passage_text"] or ""
        if r["p_start"] is not None and sentence:
            s, e = r["start"] - r["p_start"], r["end"] - r["p_start"]
            sentence = sentence[max(0, s - 40): e + 40]
        out.append({
            "rank": len(out) + 1, "region": r["region"] or UNKNOWN_REGION, "applicant_type": r["applicant_type"],
            "metric": metric_label(r["metric"]), "kind": r["kind"], "value": r["value_num"], "unit": r["unit"],
            "direction": r["direction"], "figure": figure_line({**r, "value": r["value_num"]}), "raw": r["raw"],
            "basis": r["basis"], "period": r["period_text"], "approx": bool(r["approx"]),
            "is_target": bool(r["is_target"]), "suspect": bool(r["suspect"]), "filename": r["filename"],
            "page": r["page"], "sentence": sentence,
        })
    return out


def to_csv(rows: list[dict], columns: list[str] = FIGURE_COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return "\ufeff" + buf.getvalue()  # BOM: Excel on Chinese Windows then opens UTF-8 correctly


# the spreadsheet is read by people: Chinese headers and words (the CSV keeps field names for tools)
XLSX_HEADERS = {"rank": "排名", "region": "申报单位", "applicant_type": "申报主体类型", "metric": "指标",
                "figure": "数据（含增减、比较基准、时期）", "kind": "类型", "value": "数值（基本单位）", "unit": "单位",
                "direction": "增减", "basis": "比较基准", "raw": "原文数字", "period": "时期",
                "approx": "约数", "is_target": "目标值", "suspect": "存疑", "filename": "文件", "page": "页码",
                "sentence": "原句"}
_XLSX_WORDS = {"kind": {"amount": "金额", "quantity": "数量", "percent": "比例", "change": "增减", "rank": "排名"},
               "direction": {"up": "增", "down": "减"}}
_YES_NO = ("approx", "is_target", "suspect")


def to_xlsx(rows: list[dict], columns: list[str] = FIGURE_COLUMNS, *, sheet: str = "关键数据") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([XLSX_HEADERS.get(c, c) for c in columns])
    for r in rows:
        ws.append([_xlsx_cell(c, r.get(c)) for c in columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def declared_region_count(store: Store, measure: int) -> int:
    """How many applicants declared the measure (a document of theirs labelled with it as a whole)."""
    return next(store.db.query(
        "SELECT COUNT(DISTINCT d.region) AS n FROM document_measures dm JOIN documents d ON d.id = dm.document_id "
        "WHERE dm.measure = ? AND COALESCE(dm.level, 'declared') = 'declared'", [measure]))["n"]
