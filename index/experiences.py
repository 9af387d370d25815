"""Typical experiences (典型经验做法): passages a publicity office would publish, best first.

Candidates for a measure are the passages labelled with it and every passage of a document that
declared it (a practice paragraph can score low for the measure and still be the declaration's best
practice); for theme words, the passages a search for them (with the thesaurus's related terms) finds.
The learned practice ranker (classify/practice.py) scores each one: named mechanisms, the steps taken
and their results above scoring sheets, notice wording, report formulas and signatures. A reviewer's
"exemplary" raises a passage and "not exemplary" removes it; without a region filter, regions already
shown are discounted so that the list spans regions. Every item gives its reasons in words.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from classify.boilerplate import notice_overlap
from classify.practice import Candidate, load_ranker, reasons
from index import tags
from index.phrases import citation, figure_line
from index.reviews import LATEST_CLEARANCE, LATEST_EXEMPLARY, is_cleared
from index.store import Store

REGION_DISCOUNT = 0.75
EXEMPLARY_BONUS = 0.5


def ranker_version() -> str:
    return load_ranker().version


@dataclass
class Experience:
    passage_id: int
    document_id: str
    region: str | None
    filename: str
    page: int
    end_page: int
    heading: str | None
    text: str
    measure: int | None
    measure_title: str | None
    score: float
    summary: str  # 具体做法+量化成效
    reasons: list[str]
    figures: list[dict] = field(default_factory=list)
    review: str | None = None
    archive_path: str | None = None
    cleared: bool = False
    county: str | None = None

    def citation(self) -> str:
        return citation(self.filename, self.archive_path, self.page, self.end_page)


_SELECT = (
    "SELECT p.id, p.document_id, p.text, p.heading, p.page, p.end_page, p.seq, p.source, p.scores, "
    "d.region, d.county, d.filename, d.archive_path, "
    "(SELECT MAX(q.seq) FROM passages q WHERE q.document_id = p.document_id) AS last_seq, "
    "{review} AS review, {clearance} AS clearance, "
    "(SELECT COUNT(*) FROM figures f WHERE f.passage_id = p.id AND f.suspect = 0) AS n_figures "
    "FROM passages p JOIN documents d ON d.id = p.document_id "
).format(review=LATEST_EXEMPLARY.format(pid="p.id"), clearance=LATEST_CLEARANCE.format(pid="p.id"))


def candidate(row: dict, measure: int | None) -> Candidate:
    """The ranker's view of a stored passage, scored for `measure` (its best measure when None)."""
    scores = json.loads(row["scores"] or "{}")
    score = scores.get(str(measure), 0.0) if measure is not None else max(scores.values(), default=0.0)
    last = row["last_seq"] or 0
    return Candidate(text=row["text"], heading=row["heading"], source=row["source"] or "paragraph",
                     figures=row["n_figures"] or 0, measure_score=float(score),
                     notice_overlap=notice_overlap(row["text"]),
                     position=(row["seq"] / last) if last else 0.0)


def document_candidates(store: Store, document_id: str, measure: int | None = None) -> list[tuple[dict, Candidate]]:
    """Every passage of a document with its ranker view (for training and for the ranker's own tests)."""
    rows = list(store.db.query(_SELECT + "WHERE p.document_id = ? ORDER BY p.seq", [document_id]))
    return [(r, candidate(r, measure)) for r in rows]


def _candidate_rows(store: Store, measure: int | None, region: str | None, passage_ids: list[int] | None,
                    limit: int) -> list[dict]:
    where, params = [], []
    if passage_ids is not None:
        if not passage_ids:
            return []
        where.append(f"p.id IN ({','.join('?' * len(passage_ids))})")
        params += passage_ids
    if measure is not None:
        where.append("(p.id IN (SELECT passage_id FROM passage_labels WHERE measure = ?) OR p.document_id IN "
                     "(SELECT document_id FROM document_measures WHERE measure = ? AND "
                     "COALESCE(level, 'declared') = 'declared'))")
        params += [measure, measure]
    elif passage_ids is None:
        where.append("p.id IN (SELECT passage_id FROM passage_labels)")
    if region:
        official = tags.official_region(region)
        where.append("(d.region = ? OR d.county = ?)")
        params += [official, official]
    sql = _SELECT + ("WHERE " + " AND ".join(where) if where else "") + " ORDER BY p.id LIMIT ?"
    return list(store.db.query(sql, params + [limit]))


THEME_CANDIDATES = 200  # the passages a theme search hands to the ranker
EXPANDED_WEIGHT = 0.85
MENTION_WEIGHT = 0.7  # a passage of a document that does not declare the measure  # a passage found only through a related term ranks a little below a typed match


def rank_experiences(store: Store, *, measure: int | None = None, region: str | None = None, limit: int = 20,
                     cleared_only: bool = False, theme: str | None = None, without: tuple[str, ...] = (),
                     expand: bool = True, candidates: int = 20000) -> list[Experience]:
    """The best practices for a measure and/or region and/or theme words, best first.

    A theme ("积分制", "农村污水") is searched with the thesaurus's related terms (index/expansion.py);
    its hits, whatever their measure scores, go to the ranker.
    """
    db = store.db
    passage_ids: list[int] | None = None
    weight: dict[int, float] = {}
    if theme and theme.strip():
        from index.search import SearchFilters, search

        found = search(store, theme, SearchFilters(exemplary_only=cleared_only), size=THEME_CANDIDATES,
                       expand=expand, without=without, facets=False)
        passage_ids = [h.passage_id for h in found.hits]
        weight = {h.passage_id: EXPANDED_WEIGHT if h.related_only else 1.0 for h in found.hits}
    rows = [r for r in _candidate_rows(store, measure, region, passage_ids, candidates)
            if r["review"] != "not_exemplary" and (not cleared_only or is_cleared(r["clearance"]))]
    if not rows:
        return []
    if measure is not None:
        # a practice for a measure comes from a declaration of it before a document that only mentions it
        docs = sorted({r["document_id"] for r in rows})
        declared = {r["document_id"] for r in db.query(
            f"SELECT document_id FROM document_measures WHERE measure = ? AND COALESCE(level, 'declared') = 'declared' "
            f"AND document_id IN ({','.join('?' * len(docs))})", [measure, *docs])}
        for r in rows:
            if r["document_id"] not in declared:
                weight[r["id"]] = weight.get(r["id"], 1.0) * MENTION_WEIGHT
    ranker = load_ranker()
    cands = [candidate(r, measure) for r in rows]
    from classify.practice import matrix

    x = matrix(cands)
    scores = ranker.scores_of(x)
    titles = {r["id"]: r["title"] for r in db.query(
        "SELECT id, title FROM measures WHERE campaign_id = (SELECT MAX(campaign_id) FROM measures)")}
    pool: list[Experience] = []
    for r, row_x, s in zip(rows, x, scores, strict=True):
        m = measure
        if m is None:
            parsed = json.loads(r["scores"] or "{}")
            labelled = [int(k) for k, _ in sorted(parsed.items(), key=lambda kv: -kv[1])]
            m = labelled[0] if labelled else None
        summary, why = reasons(row_x)
        score = float(s) * weight.get(r["id"], 1.0) + (EXEMPLARY_BONUS if r["review"] == "exemplary" else 0.0)
        if r["review"] == "exemplary":
            why = ["牵头单位标为典型", *why]
        pool.append(Experience(r["id"], r["document_id"], r["region"], r["filename"], r["page"], r["end_page"],
                               r["heading"], r["text"], m, titles.get(m), round(score, 4), summary, why,
                               review=r["review"], archive_path=r["archive_path"], cleared=is_cleared(r["clearance"]),
                               county=r["county"]))
    pool.sort(key=lambda e: (-e.score, e.passage_id))
    chosen: list[Experience] = []
    shown: dict[str | None, int] = {}
    while pool and len(chosen) < limit:
        if region:
            pick = pool.pop(0)
        else:  # spread across regions: each region already shown discounts its next passages
            pick = max(pool, key=lambda e: (e.score * (REGION_DISCOUNT ** shown.get(e.region, 0)), -e.passage_id))
            pool.remove(pick)
        shown[pick.region] = shown.get(pick.region, 0) + 1
        chosen.append(pick)
    for e in chosen:
        e.figures = [dict(r) for r in db.query(
            "SELECT raw, kind, value_num AS value, unit, metric, direction, period_text AS period, basis, page "
            "FROM figures WHERE passage_id = ? AND suspect = 0 ORDER BY start", [e.passage_id])]
    return chosen


def experiences_for(store: Store, who, *, measure: int | None = None, region: str | None = None, limit: int = 20,
                    chosen: list[int] | None = None, theme: str | None = None,
                    without: tuple[str, ...] = ()) -> tuple[list[Experience], list[dict]]:
    """The ranked experiences a principal may see (publicity: cleared only; a reviewer: its measures),
    optionally only the `chosen` passages. Returns the items and their JSON."""
    from index.access import Hidden, measures_of, require
    from index.auth import Role

    require(who, Role.REVIEWER, Role.PUBLICITY)
    items = rank_experiences(store, measure=measure, region=region, limit=100 if chosen else limit,
                             cleared_only=who.role is Role.PUBLICITY, theme=theme, without=without)
    led = measures_of(store, who)
    if led is not None:
        items = [e for e in items if e.measure in set(led)]
    if chosen:
        wanted = set(chosen)
        items = [e for e in items if e.passage_id in wanted]
        if not items:
            raise Hidden("experiences")
    return items, experiences_json(items)


def experiences_json(items: list[Experience]) -> list[dict]:
    version = ranker_version()
    return [asdict(e) | {"citation": e.citation(), "ranker_version": version} for e in items]


_CN_ORDINALS = "一二三四五六七八九十"
# lines a practice paragraph may drag along from the end of its document: 附件 lists, contact lines, the
# signing unit and the date
_TAIL = re.compile(r"(?:\n|^)\s*(?:附件[：:].*|（?联系人[：:].*|联系电话[：:].*|.{2,30}(?:人民政府|办事处|委员会|管委会|局|委|办公室)"
                   r"\s*(?:\d{4}年\d{1,2}月\d{1,2}日)?|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")


def practice_text(text: str) -> str:
    """A practice as it is published: without the 附件 list, contact line, signing unit or date that the
    passage carried from the end of its document."""
    out = text.strip()
    while True:
        cut = _TAIL.sub("", out).rstrip()
        if cut == out:
            return out
        out = cut


def _ordinal(i: int) -> str:
    """Chinese ordinal numerals as 公文 number headings: 1 -> 一, 11 -> 十一, 20 -> 二十, 35 -> 三十五."""
    if not 1 <= i <= 99:
        return str(i)
    tens, ones = divmod(i, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_ORDINALS[tens - 1] + "十")
    return head + (_CN_ORDINALS[ones - 1] if ones else "")


def briefing_docx(items: list[Experience], *, title: str = "督查激励典型经验做法汇编") -> bytes:
    """A 公文-style Word briefing on A4: practices grouped by measure, then by applicant, each cited once
    (file and page), with its results; no ranking internals."""
    from index.gongwen_docx import GongwenDocx

    doc = GongwenDocx(title)
    by_measure: dict[int | None, list[Experience]] = {}
    for e in items:
        by_measure.setdefault(e.measure, []).append(e)
    for i, (measure, group) in enumerate(by_measure.items(), start=1):
        name = group[0].measure_title or (f"措施{measure}" if measure else "其他")
        doc.heading(f"{_ordinal(i)}、{name}")
        regions = list(dict.fromkeys(e.region or "未识别地区" for e in group))
        doc.paragraph(f"本部分收录{'、'.join(regions)}的{len(group)}条经验做法。")
        group = sorted(group, key=lambda e: regions.index(e.region or "未识别地区"))
        cited: set[str] = set()
        for k, e in enumerate(group, start=1):
            doc.heading(f"（{_ordinal(k)}）{e.region or '未识别地区'}：{e.heading or name}", level=2)
            doc.paragraph(practice_text(e.text))
            results = list(dict.fromkeys(figure_line(f) for f in e.figures))
            if results:
                doc.paragraph("主要成效：" + "；".join(results) + "。")
            source = e.citation()
            if source not in cited:
                doc.note(f"来源：{source}")
                cited.add(source)
    if not items:
        doc.paragraph("（没有入选的经验做法）")
    return doc.to_bytes()
