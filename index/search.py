"""Full-text evidence search: exact-recall CJK bigram FTS5, jieba words as a boost, filters, facets.

Highlights and snippets are computed on the original passage text from the query pieces, never from
FTS5's tokens. In advanced mode a small, safe syntax is understood (OR between pieces, -piece to
exclude, "quoted pieces" with spaces); otherwise every character of the query is searched as text.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field

from index.grams import (
    _escape_term,
    highlight_spans,
    match_expression,
    normalize,
    query_parts,
    snippet,
    terms,
)
from index.store import Store


@dataclass
class SearchFilters:
    measure: int | None = None
    region: str | None = None
    applicant_type: str | None = None
    lead_unit: str | None = None
    year: int | None = None
    document_id: str | None = None
    format: str | None = None
    exemplary_only: bool = False  # publicity staff see only cleared cases


@dataclass
class SearchHit:
    passage_id: int
    document_id: str
    filename: str
    archive_path: str | None
    format: str
    region: str | None
    applicant_type: str | None
    title: str | None
    page: int
    end_page: int
    heading: str | None
    text: str
    highlights: list[tuple[int, int]]
    snippet: str
    snippet_highlights: list[tuple[int, int]]
    score: float
    measures: list[dict] = field(default_factory=list)

    def citation(self) -> str:
        pages = f"第{self.page}页" if self.page == self.end_page else f"第{self.page}–{self.end_page}页"
        name = f"{self.filename}!{self.archive_path}" if self.archive_path else self.filename
        return f"{name}，{pages}"


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    size: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    took_ms: float

    def to_dict(self) -> dict:
        out = asdict(self)
        for hit, h in zip(out["hits"], self.hits, strict=True):
            hit["citation"] = h.citation()
        return out


def _advanced_expression(query: str) -> str | None:
    """Turn a query with OR, -exclusions and quotes into a safe MATCH expression over bigram phrases."""
    pieces = re.findall(r'-?"[^"]*"|\S+', query)
    clauses: list[str] = []
    pending_or = False
    for piece in pieces:
        if piece.upper() == "OR" and clauses:
            pending_or = True
            continue
        negate = piece.startswith("-") and len(piece) > 1
        text = piece[1:] if negate else piece
        text = text.strip('"')
        tokens = [_escape_term(t) for t in terms(text)]
        if not tokens:
            continue
        phrase = 'grams:"' + " ".join(tokens) + '"'
        if negate:
            if clauses:
                clauses[-1] = f"({clauses[-1]}) NOT {phrase}"
            continue
        if pending_or and clauses:
            clauses[-1] = f"({clauses[-1]}) OR {phrase}"
            pending_or = False
        else:
            clauses.append(phrase)
    return " AND ".join(f"({c})" for c in clauses) if clauses else None


def _filters_sql(f: SearchFilters) -> tuple[list[str], list]:
    where, params = [], []
    if f.measure is not None:
        where.append("EXISTS (SELECT 1 FROM passage_labels pl WHERE pl.passage_id = p.id AND pl.measure = ?)")
        params.append(f.measure)
    if f.region:
        where.append("d.region = ?")
        params.append(f.region)
    if f.applicant_type:
        where.append("d.applicant_type = ?")
        params.append(f.applicant_type)
    if f.lead_unit:
        where.append("EXISTS (SELECT 1 FROM passage_labels pl JOIN measures ms ON ms.id = pl.measure "
                     "AND ms.campaign_id = d.campaign_year WHERE pl.passage_id = p.id AND ms.lead_units LIKE ?)")
        params.append(f'%"{f.lead_unit}"%')
    if f.year is not None:
        where.append("d.campaign_year = ?")
        params.append(f.year)
    if f.document_id:
        where.append("p.document_id = ?")
        params.append(f.document_id)
    if f.format:
        where.append("d.format = ?")
        params.append(f.format)
    if f.exemplary_only:
        where.append("(SELECT r.action FROM reviews r WHERE r.passage_id = p.id AND r.action IN "
                     "('exemplary','not_exemplary','cleared','uncleared') ORDER BY r.id DESC LIMIT 1) "
                     "IN ('exemplary','cleared')")
    return where, params


def search(store: Store, query: str, filters: SearchFilters | None = None, *, page: int = 1, size: int = 20,
           sort: str = "relevance", advanced: bool = False, facets: bool = True) -> SearchResults:
    """Search passages. An empty query browses the filtered passages (strongest labels first)."""
    started = time.perf_counter()
    filters = filters or SearchFilters()
    page, size = max(1, page), max(1, min(size, 200))
    where, params = _filters_sql(filters)
    check = False
    if query.strip():
        if advanced:
            expr = _advanced_expression(query)
        else:
            expr, check = match_expression(query)
        if expr is None:
            return SearchResults(query, 0, page, size, [], {"measure": {}, "region": {}}, 0.0)
        words = _query_words(store, query) if not advanced else []
        if words:
            boost = " OR ".join(f'words:"{w}"' for w in words)
            expr = f"({expr}) AND (({expr}) OR {boost})"
        source = ("(SELECT rowid AS pid, bm25(passages_fts, 1.0, 2.0) AS rank FROM passages_fts "
                  "WHERE passages_fts MATCH ?) m JOIN passages p ON p.id = m.pid")
        source_params: list = [expr]
        order = "m.rank" if sort == "relevance" else "d.doc_date DESC, m.rank"
        rank_col = "m.rank"
    else:
        source = "passages p"
        source_params = []
        order = "p.top_score DESC, p.id" if sort == "relevance" else "d.doc_date DESC, p.id"
        rank_col = "-COALESCE(p.top_score, 0)"
    base = f"FROM {source} JOIN documents d ON d.id = p.document_id"
    where_sql = (" WHERE " + " AND ".join(where)) if where else ""
    all_params = source_params + params
    db = store.db

    cols = ("p.id, p.document_id, p.text, p.heading, p.page, p.end_page, p.scores, d.filename, d.archive_path, "
            f"d.format, d.region, d.applicant_type, d.title, {rank_col} AS rank")
    if check:
        # the FTS phrase was a superset; keep rows that contain every literal piece
        rows = list(db.query(f"SELECT {cols} {base}{where_sql} ORDER BY {order} LIMIT 50000", all_params))
        pieces = query_parts(query)
        rows = [r for r in rows if all(pc in normalize(f"{r['heading'] or ''}\n{r['text']}") for pc in pieces)]
        total = len(rows)
        page_rows = rows[(page - 1) * size: page * size]
        ids = [r["id"] for r in rows]
    else:
        total = next(db.query(f"SELECT COUNT(*) AS n {base}{where_sql}", all_params))["n"]
        page_rows = list(db.query(f"SELECT {cols} {base}{where_sql} ORDER BY {order} LIMIT ? OFFSET ?",
                                  all_params + [size, (page - 1) * size]))
        ids = None

    labels = _labels_for(db, [r["id"] for r in page_rows])
    hits = []
    for r in page_rows:
        spans = highlight_spans(r["text"], query) if query.strip() else []
        snip, snip_spans = snippet(r["text"], spans)
        hits.append(SearchHit(
            passage_id=r["id"], document_id=r["document_id"], filename=r["filename"],
            archive_path=r["archive_path"], format=r["format"], region=r["region"],
            applicant_type=r["applicant_type"], title=r["title"], page=r["page"], end_page=r["end_page"],
            heading=r["heading"], text=r["text"], highlights=spans, snippet=snip, snippet_highlights=snip_spans,
            score=round(-(r["rank"] or 0.0), 4), measures=labels.get(r["id"], []),
        ))
    facet_counts = _facets(db, base, where_sql, all_params, ids) if facets else {"measure": {}, "region": {}}
    return SearchResults(query, total, page, size, hits, facet_counts,
                         round((time.perf_counter() - started) * 1000, 2))


def _query_words(store: Store, query: str) -> list[str]:
    words = []
    for w in store._word_text(query).split():
        if len(w) >= 2 and '"' not in w:
            words.append(w.lower())
    return words[:8]


def _labels_for(db, ids: list[int]) -> dict[int, list[dict]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    out: dict[int, list[dict]] = {}
    for r in db.query(f"SELECT passage_id, measure, score, eligible, origin FROM passage_labels "
                      f"WHERE passage_id IN ({marks}) ORDER BY score DESC", ids):
        out.setdefault(r["passage_id"], []).append(
            {"measure": r["measure"], "score": round(r["score"], 4), "eligible": bool(r["eligible"]),
             "origin": r["origin"]})
    return out


def _facets(db, base: str, where_sql: str, params: list, ids: list[int] | None) -> dict[str, dict[str, int]]:
    if ids is not None:  # literal-checked results: count exactly those rows
        if not ids:
            return {"measure": {}, "region": {}}
        marks = ",".join("?" * len(ids))
        measure_rows = db.query(f"SELECT measure AS k, COUNT(*) AS n FROM passage_labels WHERE passage_id IN "
                                f"({marks}) GROUP BY measure", ids)
        region_rows = db.query(f"SELECT d.region AS k, COUNT(*) AS n FROM passages p JOIN documents d ON "
                               f"d.id = p.document_id WHERE p.id IN ({marks}) GROUP BY d.region", ids)
    else:
        measure_rows = db.query(f"SELECT pl.measure AS k, COUNT(*) AS n {base} JOIN passage_labels pl ON "
                                f"pl.passage_id = p.id{where_sql} GROUP BY pl.measure", params)
        region_rows = db.query(f"SELECT d.region AS k, COUNT(*) AS n {base}{where_sql} GROUP BY d.region", params)
    return {
        "measure": {str(r["k"]): r["n"] for r in measure_rows},
        "region": {str(r["k"] or "未识别"): r["n"] for r in region_rows},
    }


def measure_scores(row_scores: str | None) -> dict[int, float]:
    return {int(k): v for k, v in json.loads(row_scores or "{}").items()}
