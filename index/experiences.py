"""Typical experiences (典型经验做法): passages that describe a concrete practice and its results.

A passage ranks high when it names a practice (做法, 机制, 模式, 创新, 首创, 率先, 探索 …), lays it out
("一是…二是…"), sits under a heading such as 主要做法 / 典型经验 / 特色亮点, and reports results
(figures). Reviewer marks raise ("exemplary") or drop ("not exemplary") a passage; regions already
shown are discounted so that the list spans regions. Every item says why it was ranked.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from index import tags
from index.phrases import citation, figure_line
from index.reviews import LATEST_CLEARANCE, LATEST_EXEMPLARY, is_cleared
from index.store import Store

RANKER_VERSION = "experiences.v2"

_PRACTICE = re.compile(r"做法|机制|模式|创新|首创|率先|探索|试点|示范|经验|品牌|平台|改革|闭环|清单|一站式|全覆盖")
_ENUM = re.compile(r"一是.{2,}?二是")
_HEADING = re.compile(r"主要做法|典型经验|经验做法|特色亮点|工作亮点|创新做法|亮点|经验|做法|成效")
# the formal frame of a declaration (cover letter, closing formula, contact line): no practice to promote
_BOILERPLATE = re.compile(r"现将.{0,40}?(?:报告|汇报|说明|申报)如下|特此(?:报告|申请|说明)|妥否，?请|请予(?:审定|审核|支持)|"
                          r"联系人[:：]|联系电话[:：]")
_WEIGHTS = {"practice_terms": 0.6, "enumeration": 1.0, "practice_heading": 1.2, "results": 0.5,
            "measure_score": 1.5, "length": 0.5, "reviewer": 3.0, "boilerplate": 3.0}
REGION_DISCOUNT = 0.6


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
    features: dict[str, float]
    reasons: list[str]
    figures: list[dict] = field(default_factory=list)
    review: str | None = None
    archive_path: str | None = None
    cleared: bool = False

    def citation(self) -> str:
        return citation(self.filename, self.archive_path, self.page, self.end_page)


def _features(row: dict, n_figures: int, review: str | None) -> tuple[dict[str, float], list[str]]:
    text = row["text"]
    heading = row["heading"] or ""
    practice = len(_PRACTICE.findall(text))
    f = {
        "practice_terms": min(practice, 5) / 5,
        "enumeration": 1.0 if _ENUM.search(text) else 0.0,
        "practice_heading": 1.0 if _HEADING.search(heading) else 0.0,
        "results": min(n_figures, 5) / 5,
        "measure_score": float(row["score"] or 0.0),
        "length": 1.0 if 80 <= len(text) <= 600 else 0.4 if len(text) >= 40 else 0.0,
        "reviewer": {"exemplary": 1.0, "not_exemplary": -1.0}.get(review or "", 0.0),
        "boilerplate": -1.0 if _BOILERPLATE.search(text) else 0.0,
    }
    reasons = []
    if practice:
        reasons.append(f"点明具体做法（{practice}处做法用语）")
    if f["enumeration"]:
        reasons.append("以“一是……二是……”分条列举做法")
    if f["practice_heading"]:
        reasons.append(f"位于小标题「{heading}」下")
    if n_figures:
        reasons.append(f"列有{n_figures}项成效数据")
    if f["boilerplate"]:
        reasons.append("含报告套语（“现将……报告如下”“特此报告”或联系人），降权")
    if review == "exemplary":
        reasons.append("牵头单位标为典型")
    return f, reasons


def rank_experiences(store: Store, *, measure: int | None = None, region: str | None = None, limit: int = 20,
                     cleared_only: bool = False, candidates: int = 2000) -> list[Experience]:
    db = store.db
    where, params = ["1 = 1"], []
    if measure is not None:
        where.append("pl.measure = ?")
        params.append(measure)
    if region:
        where.append("d.region = ?")
        params.append(tags.official_region(region))
    rows = list(db.query(
        "SELECT p.id, p.document_id, p.text, p.heading, p.page, p.end_page, pl.measure, pl.score, d.region, "
        "d.filename, d.archive_path, m.title AS measure_title, "
        f"{LATEST_EXEMPLARY.format(pid='p.id')} AS review, {LATEST_CLEARANCE.format(pid='p.id')} AS clearance, "
        "(SELECT COUNT(*) FROM figures f WHERE f.passage_id = p.id AND f.suspect = 0) AS n_figures "
        "FROM passages p JOIN passage_labels pl ON pl.passage_id = p.id "
        "JOIN documents d ON d.id = p.document_id "
        "LEFT JOIN measures m ON m.id = pl.measure AND m.campaign_id = d.campaign_year "
        f"WHERE {' AND '.join(where)} ORDER BY pl.score DESC LIMIT ?", params + [candidates]))
    best: dict[int, Experience] = {}
    for r in rows:
        if r["review"] == "not_exemplary":
            continue
        if cleared_only and not is_cleared(r["clearance"]):
            continue
        feats, reasons = _features(r, r["n_figures"], r["review"])
        score = sum(_WEIGHTS[k] * v for k, v in feats.items())
        exp = Experience(r["id"], r["document_id"], r["region"], r["filename"], r["page"], r["end_page"], r["heading"],
                         r["text"], r["measure"], r["measure_title"], round(score, 4), feats, reasons,
                         review=r["review"], archive_path=r["archive_path"], cleared=is_cleared(r["clearance"]))
        if r["id"] not in best or best[r["id"]].score < exp.score:
            best[r["id"]] = exp
    pool = sorted(best.values(), key=lambda e: -e.score)
    chosen: list[Experience] = []
    shown: dict[str | None, int] = {}
    while pool and len(chosen) < limit:
        # diversity: each region already shown discounts its next passages
        pick = max(pool, key=lambda e: e.score * (REGION_DISCOUNT ** shown.get(e.region, 0)))
        pool.remove(pick)
        if shown.get(pick.region):
            pick.reasons.append(f"本地区已入选{shown[pick.region]}条，为兼顾各地降权排序")
        shown[pick.region] = shown.get(pick.region, 0) + 1
        chosen.append(pick)
    for e in chosen:
        e.figures = [dict(r) for r in db.query(
            "SELECT raw, kind, value_num AS value, unit, metric, direction, page FROM figures "
            "WHERE passage_id = ? AND suspect = 0 ORDER BY start", [e.passage_id])]
    return chosen


def experiences_for(store: Store, who, *, measure: int | None = None, region: str | None = None, limit: int = 20,
                    chosen: list[int] | None = None) -> tuple[list[Experience], list[dict]]:
    """The ranked experiences a principal may see (publicity: cleared only; a reviewer: its measures),
    optionally only the `chosen` passages. Returns the items and their JSON."""
    from index.access import Hidden, measures_of, require
    from index.auth import Role

    require(who, Role.REVIEWER, Role.PUBLICITY)
    items = rank_experiences(store, measure=measure, region=region, limit=100 if chosen else limit,
                             cleared_only=who.role is Role.PUBLICITY)
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
    return [asdict(e) | {"citation": e.citation(), "ranker_version": RANKER_VERSION} for e in items]


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
    return _CN_ORDINALS[i - 1] if 1 <= i <= 10 else str(i)


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
