"""Full-text evidence search: exact-recall CJK bigram FTS5, jieba words as a boost, filters, facets.

Highlights and snippets are computed on the original passage text from the query pieces, never from
FTS5's tokens. In advanced mode a small, safe syntax is understood (OR between pieces, -piece to
exclude, "quoted pieces" with spaces); otherwise every character of the query is searched as text.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from index import fts as fulltext
from index import relevance, tags
from index.fts import MATCH_FROM
from index.fts import query as fts_q
from index.grams import (
    _escape_term,
    highlight_spans,
    match_expression,
    normalize,
    query_parts,
    snippet,
    terms,
)
from index.phrases import citation
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
    owner_region: str | None = None  # uploaders see documents their region uploaded
    measures_any: tuple[int, ...] | None = None  # reviewers see the measures they lead


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
    late: bool = False  # its document came in after the deadline
    related_only: bool = False  # found only through a thesaurus term (同时检索), not the query as typed

    def citation(self) -> str:
        return citation(self.filename, self.archive_path, self.page, self.end_page)


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    size: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    took_ms: float
    expansions: list[dict] = field(default_factory=list)  # [{"term", "related", "off"}]: 同时检索

    def to_dict(self) -> dict:
        out = asdict(self)
        for hit, h in zip(out["hits"], self.hits, strict=True):
            hit["citation"] = h.citation()
        return out


def _advanced_expression(query: str) -> str | None:
    """Turn a query with OR, -exclusions and quotes into a safe MATCH expression over bigram phrases."""
    pieces = re.findall(r'-?"[^"]*"|\S+', query)
    clauses: list[str] = []
    pending_or = pending_not = False
    for piece in pieces:
        word = piece.upper()
        if word == "OR":
            pending_or = bool(clauses)  # a leading or trailing OR joins nothing
            continue
        if word == "AND":
            continue  # pieces are ANDed anyway
        if word == "NOT":
            pending_not = True
            continue
        negate = (piece.startswith("-") and len(piece) > 1) or pending_not
        if pending_not:
            piece, pending_not = "-" + piece, False
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


RANK_ALL = 20_000  # rank every match by bm25 up to this many; beyond, rank the newest RANK_WINDOW
RANK_WINDOW = 2_000
EXACT_FACETS = 5_000  # facet counts over every match up to this many; beyond, over the newest RANK_WINDOW


def _filter_expression(store: Store, f: SearchFilters) -> str | None:
    """Filters as FTS5 tag clauses (see index.tags), so they intersect inside the index."""
    wanted = [
        tags.measure_tag(f.measure) if f.measure is not None else None,
        tags.region_filter_tag(f.region) if f.region else None,
        tags.applicant_tag(f.applicant_type) if f.applicant_type else None,
        tags.year_tag(f.year) if f.year is not None else None,
        tags.format_tag(f.format) if f.format else None,
        tags.document_tag(f.document_id) if f.document_id else None,
        tags.CLEARED_TAG if f.exemplary_only else None,
        tags.owner_tag(f.owner_region) if f.owner_region else None,
    ]
    clauses = [f'tags:"{t}"' for t in wanted if t]
    if f.measures_any is not None:
        if not f.measures_any:
            return 'tags:"mnone"'
        clauses.append("(" + " OR ".join(f'tags:"{tags.measure_tag(m)}"' for m in f.measures_any) + ")")
    if f.lead_unit:
        measures = [r["id"] for r in store.db.query(
            "SELECT DISTINCT id FROM measures WHERE lead_units LIKE ?", [f'%"{f.lead_unit}"%'])]
        if not measures:
            return 'tags:"mnone"'
        clauses.append("(" + " OR ".join(f'tags:"{tags.measure_tag(m)}"' for m in measures) + ")")
    return " AND ".join(clauses) if clauses else None


def search(store: Store, query: str, filters: SearchFilters | None = None, *, page: int = 1, size: int = 20,
           sort: str = "relevance", advanced: bool = False, facets: bool = True, expand: bool = False,
           without: tuple[str, ...] | list[str] = ()) -> SearchResults:
    """Search passages. An empty query browses the filtered passages, newest first.

    Broad queries (more than RANK_ALL matches) are ranked within the RANK_WINDOW newest matches and
    their facets counted there (`facets["exact"]` says which); totals are always exact.

    With `expand`, thesaurus terms in the query bring their related terms into the search
    (index/expansion.py): passages matching the query as typed rank first, then those found only
    through a related term; `without` switches related terms off. `expansions` says what was searched.
    """
    started = time.perf_counter()
    filters = filters or SearchFilters()
    page, size = max(1, page), max(1, min(size, 200))
    if expand and not advanced and query.strip():
        from index.expansion import load_thesaurus

        thesaurus = load_thesaurus()
        expansions = thesaurus.expand(query, tuple(without))
        if expansions:
            return _expanded(store, query, thesaurus.core(query) or query, expansions, filters, page, size,
                             facets, started)
    check = False
    text_expr = None
    scores: dict[int, float] = {}
    if query.strip():
        if advanced:
            text_expr = _advanced_expression(query)
        else:
            text_expr, check = match_expression(query)
        if text_expr is None:
            return SearchResults(query, 0, page, size, [], {"measure": {}, "region": {}}, 0.0)
    filter_expr = _filter_expression(store, filters)
    boosted = None
    if text_expr and not advanced and not check:
        words = _query_words(store, query)
        if words:
            # same matches, higher bm25 where the query is a whole dictionary word (高标准农田, not 农田 alone)
            boost = " OR ".join(f'words:"{w}"' for w in words)
            boosted = " AND ".join(f"({e})" for e in (f"({text_expr}) AND (({text_expr}) OR {boost})", filter_expr)
                                   if e)
    parts = [e for e in (text_expr, filter_expr) if e]
    db = store.db
    if not parts:  # browse everything
        total = fulltext.size(db)
        ids = [r["id"] for r in db.query("SELECT id FROM passages ORDER BY id DESC LIMIT ? OFFSET ?",
                                         [size, (page - 1) * size])]
        window = None
        exact = total <= EXACT_FACETS
    else:
        expr = " AND ".join(f"({e})" for e in parts)
        fts, match = MATCH_FROM, fts_q(db, expr)
        if check:
            # the FTS phrase was a superset: keep the rows that contain every literal piece
            cand = [r["rowid"] for r in db.query(f"SELECT rowid {fts} ORDER BY rowid DESC LIMIT 50000", [match])]
            pieces = query_parts(query)
            kept = _literal_filter(db, cand, pieces)
            total, window, exact = len(kept), kept, True
            ids = kept[(page - 1) * size: page * size]
        else:
            ranked = text_expr is not None and sort == "relevance"
            rank = "bm25(passages_fts, 1.0, 2.0, 0.0)"
            window = None
            first, last = (page - 1) * size, page * size
            newest: list[tuple[int, float, str | None]] | None = None
            total = fulltext.known_count(db, match)
            few = None
            if total is None:  # counting would visit every match (PostgreSQL): read them at once if few
                # (the boost finds the same passages, so its ranking can come from the same statement)
                few = fulltext.few(db, fts_q(db, boosted) if boosted else match, EXACT_FACETS,
                                   rank=rank if ranked else None, same_as=match)
                total = len(few) if few is not None else fulltext.count(db, match)
            exact = total <= EXACT_FACETS
            if few is not None:
                in_order = sorted(few, key=lambda n: (n[1], -n[0])) if ranked else sorted(few, key=lambda n: -n[0])
                ranked_rows = [(n[0], n[1]) for n in in_order[first:last]]
            elif ranked and total <= RANK_ALL:
                params = [fts_q(db, boosted) if boosted and exact else match, size, first]  # the boost doubles FTS work
                ranked_rows = [(r["rowid"], r["r"]) for r in db.query(
                    f"SELECT rowid, {rank} AS r {fts} ORDER BY r LIMIT ? OFFSET ?", params)]
            else:
                # ranked within the newest RANK_WINDOW matches, or simply newest first; one statement also
                # gives the window's tags for the facets
                want = RANK_WINDOW if ranked else max(last, RANK_WINDOW) if facets and not exact else last
                newest = fulltext.newest(db, match, want, rank=rank if ranked else None, total=total,
                                         with_tags=facets and not exact)
                in_order = sorted(newest[:RANK_WINDOW], key=lambda n: n[1]) if ranked else newest
                ranked_rows = [(n[0], n[1]) for n in in_order[first:last]]
            ids = [i for i, _ in ranked_rows]
            scores = {i: -r for i, r in ranked_rows}
            if facets and not exact and newest is None:
                newest = fulltext.newest(db, match, RANK_WINDOW, total=total, with_tags=True)
            if facets:
                # the passages' tags straight from the match, or from its newest RANK_WINDOW
                matched_tags = (" ".join(n[2] for n in few if n[2]) if few is not None else
                                fulltext.matched_tags(db, match) if exact else
                                " ".join(n[2] for n in (newest or [])[:RANK_WINDOW] if n[2]))
    hits = _hits(db, ids, query, {i: round(v, 4) for i, v in scores.items()})
    if not facets:
        facet_counts: dict = {"measure": {}, "region": {}}
    elif not parts:
        facet_counts = _facets(db, None)
    elif window is None:
        facet_counts = _count_tags([matched_tags], _region_names(db))
    else:
        facet_counts = _facets(db, window)
    facet_counts["exact"] = exact
    return SearchResults(query, total, page, size, hits, facet_counts,
                         round((time.perf_counter() - started) * 1000, 2))


def _expanded(store: Store, query: str, core: str, expansions, filters: SearchFilters, page: int, size: int,
              facets: bool, started: float) -> SearchResults:
    """The query as typed OR any expansion term, in two tiers: typed matches first (bm25), then the
    passages only a thesaurus term found (bm25 on the terms)."""
    db = store.db
    typed, _ = match_expression(core)
    words = [w for e in expansions for w in (e.term, *e.related)]
    alts = [e for e in (match_expression(w)[0] for w in words) if e]
    alt = " OR ".join(f"({e})" for e in alts)
    filter_expr = _filter_expression(store, filters)

    def with_filter(e: str) -> str:
        return f"({e}) AND ({filter_expr})" if filter_expr else e

    fts = MATCH_FROM
    rank = "bm25(passages_fts, 1.0, 2.0, 0.0)"
    full = with_filter(f"({typed}) OR {alt}" if typed else alt)
    total = fulltext.count(db, fts_q(db, full))
    first = [r["rowid"] for r in db.query(f"SELECT rowid, {rank} AS r {fts} ORDER BY r LIMIT ?",
                                          [fts_q(db, with_filter(typed)), RANK_ALL])] if typed else []
    second_expr = with_filter(f"({alt}) NOT ({typed})" if typed else alt)
    second = [r["rowid"] for r in db.query(f"SELECT rowid, {rank} AS r {fts} ORDER BY r LIMIT ?",
                                           [fts_q(db, second_expr), RANK_ALL])]
    ordered = first + second
    ids = ordered[(page - 1) * size: page * size]
    tier = {i: 2.0 for i in first} | {i: 1.0 for i in second}
    hits = _hits(db, ids, " ".join([core, *words]), tier, related=set(second))
    facet_counts: dict = _facets(db, ordered[:EXACT_FACETS]) if facets else {"measure": {}, "region": {}}
    facet_counts["exact"] = total <= EXACT_FACETS
    return SearchResults(query, total, page, size, hits, facet_counts,
                         round((time.perf_counter() - started) * 1000, 2), [e.to_dict() for e in expansions])


def _hits(db, ids: list[int], shown: str, scores: dict[int, float], related: set[int] = frozenset()) -> list[SearchHit]:
    """The hits for passage ids in order, highlighted where `shown` (the query and any expansion) occurs."""
    labels = _labels_for(db, ids)
    hits = []
    for r in _rows(db, ids):
        spans = highlight_spans(r["text"], shown) if shown.strip() else []
        snip, snip_spans = snippet(r["text"], spans)
        hits.append(SearchHit(
            passage_id=r["id"], document_id=r["document_id"], filename=r["filename"],
            archive_path=r["archive_path"], format=r["format"], region=r["region"],
            applicant_type=r["applicant_type"], title=r["title"], page=r["page"], end_page=r["end_page"],
            heading=r["heading"], text=r["text"], highlights=spans, snippet=snip, snippet_highlights=snip_spans,
            score=scores.get(r["id"], 0.0), measures=labels.get(r["id"], []), late=bool(r["late"]),
            related_only=r["id"] in related))
    return hits


def _literal_filter(db, ids: list[int], pieces: list[str]) -> list[int]:
    kept = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        texts = {r["id"]: normalize(f"{r['heading'] or ''}\n{r['text']}") for r in db.query(
            f"SELECT id, heading, text FROM passages WHERE id IN ({marks})", part)}
        kept += [i for i in part if all(pc in texts.get(i, "") for pc in pieces)]
    return kept


def _rows(db, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    by_id = {r["id"]: r for r in db.query(
        "SELECT p.id, p.document_id, p.text, p.heading, p.page, p.end_page, d.filename, d.archive_path, d.format, "
        f"d.region, d.applicant_type, d.title, d.late FROM passages p JOIN documents d ON d.id = p.document_id "
        f"WHERE p.id IN ({marks})", ids)}
    return [by_id[i] for i in ids if i in by_id]


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
    for r in db.query(f"SELECT pl.passage_id, pl.measure, pl.score, pl.eligible, pl.origin, p.explanations "
                      f"FROM passage_labels pl JOIN passages p ON p.id = pl.passage_id "
                      f"WHERE pl.passage_id IN ({marks}) ORDER BY pl.score DESC", ids):
        terms = relevance.terms_for(r["explanations"], r["measure"])
        out.setdefault(r["passage_id"], []).append(
            {"measure": r["measure"], "score": round(r["score"], 4), "eligible": bool(r["eligible"]),
             "origin": r["origin"], "strength": relevance.strength(r["score"], r["origin"]),
             "reason": relevance.reason(terms, r["origin"])})
    return out


def _facets(db, ids: list[int] | None) -> dict:
    """Counts by measure and by region over the given passages (None: every passage), from their tags."""
    if ids is None:
        measure_rows = db.query("SELECT measure AS k, COUNT(*) AS n FROM passage_labels GROUP BY measure")
        region_rows = db.query("SELECT d.region AS k, COUNT(*) AS n FROM passages p JOIN documents d "
                               "ON d.id = p.document_id GROUP BY d.region")
        return {"measure": _by_count((str(r["k"]), r["n"]) for r in measure_rows),
                "region": _by_count((str(r["k"] or "未识别"), r["n"]) for r in region_rows)}
    found: list[str | None] = []
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        found += [t for (t,) in db.execute(f"SELECT tags FROM passages WHERE id IN ({','.join('?' * len(part))})",
                                           part)]
    return _count_tags(found, _region_names(db))


def _region_names(db) -> dict[str, str]:
    """Region tag -> the applicant's name as shown (草堂镇奉节县 -> 草堂镇（奉节县）).

    A skip scan of the region index, one probe per applicant (tens), instead of a DISTINCT over every
    document (21-30 ms at 100k documents on PostgreSQL)."""
    return {tags.clean(r): r for (r,) in db.execute(
        "WITH RECURSIVE r(region) AS (SELECT MIN(region) FROM documents UNION ALL "
        "SELECT (SELECT MIN(region) FROM documents WHERE region > r.region) FROM r WHERE r.region IS NOT NULL) "
        "SELECT region FROM r WHERE region IS NOT NULL")}


def _count_tags(all_tags: Iterable[str | None], names: dict[str, str] | None = None) -> dict:
    """Counts by measure and by region from passages' tag strings (see index.tags).

    One regex pass per kind over the joined strings: the counting happens in C, not per tag in Python.
    `names` maps a region tag back to the applicant's name as shown (草堂镇奉节县 -> 草堂镇（奉节县）).
    """
    text = " ".join(t for t in all_tags if t)
    regions = Counter(_REGION_TAGS.findall(text))
    names = names or {}
    return {"measure": _by_count(Counter(_MEASURE_TAGS.findall(text)).items()),
            "region": _by_count((("未识别" if k == tags.NO_REGION else names.get(k, k)), n) for k, n in regions.items())}


def _by_count(counts: Iterable[tuple[str, int]]) -> dict[str, int]:
    """Facet counts largest first, ties by key: the same order whichever way the rows were read."""
    return dict(sorted(counts, key=lambda kv: (-kv[1], kv[0])))


_MEASURE_TAGS = re.compile(r"(?<!\S)m(\d+)(?!\S)")
_REGION_TAGS = re.compile(r"(?<!\S)r(\S+)")


def measure_scores(row_scores: str | None) -> dict[int, float]:
    return {int(k): v for k, v in json.loads(row_scores or "{}").items()}


MLT_TERMS = 10
MLT_CANDIDATES = 500
_MLT_STOP = re.compile(r"^(?:[\d.%]+|全区|全县|全镇|我区|我县|我镇|工作|开展|推进|推动|加强|进一步|相关|有关|实现|完成|其中|同比|"
                       r"增长|全年|年度|2022|以上|以下|通过|建立|实施|一是|二是|三是|方面|情况|问题|重点|全面|持续)$")


def more_like_this(store: Store, passage_id: int, filters: SearchFilters | None = None, *, size: int = 10) -> SearchResults:
    """Passages like this one: its most distinctive dictionary words (tf × idf over the store) searched
    with OR and ranked by bm25; the passage itself is left out."""
    started = time.perf_counter()
    db = store.db
    row = next(db.query("SELECT words FROM passages WHERE id = ?", [passage_id]), None)
    if row is None:
        from index.store import NotFoundError

        raise NotFoundError(f"no such passage {passage_id}")
    counts = Counter(w for w in (row["words"] or "").split() if len(w) >= 2 and '"' not in w and not _MLT_STOP.match(w))
    total = max(fulltext.size(db), 1)
    weighted = []
    for word, tf in counts.most_common(30):
        df = fulltext.count(db, fts_q(db, f'words:"{word}"'))  # one lexeme: a term count on PostgreSQL
        weighted.append((tf * math.log((total + 1) / (df + 1)), word))
    top = sorted(weighted, reverse=True)[:MLT_TERMS]
    chosen = [w for _, w in top]
    if not chosen:
        return SearchResults("", 0, 1, size, [], {"measure": {}, "region": {}}, 0.0)
    expr = " OR ".join(f'words:"{w}"' for w in chosen)
    filter_expr = _filter_expression(store, filters or SearchFilters())
    if filter_expr:
        expr = f"({expr}) AND ({filter_expr})"
    found = [r["rowid"] for r in db.query(
        f"SELECT rowid, bm25(passages_fts, 0.0, 1.0, 0.0) AS r {MATCH_FROM} ORDER BY r LIMIT ?",
        [fts_q(db, expr), MLT_CANDIDATES]) if r["rowid"] != passage_id]
    # the same order on both backends: the weight of the distinctive words a passage shares, then its id
    weight = {w: x for x, w in top}
    shared = {}
    for chunk in range(0, len(found), 900):
        part = found[chunk:chunk + 900]
        for r in db.query(f"SELECT id, words FROM passages WHERE id IN ({','.join('?' * len(part))})", part):
            have = set((r["words"] or "").split())
            shared[r["id"]] = sum(x for w, x in weight.items() if w in have)
    ids = sorted(shared, key=lambda i: (-shared[i], i))[:size]
    hits = _hits(db, ids, " ".join(chosen), {i: round(shared[i], 4) for i in ids})
    return SearchResults(" ".join(chosen), len(hits), 1, size, hits, {"measure": {}, "region": {}},
                         round((time.perf_counter() - started) * 1000, 2))
