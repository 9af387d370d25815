"""Figures that contradict each other or cannot be true, per applicant.

* **disagree**: the same applicant states the same indicator (normalised metric name, kind, unit, basis,
  scope, actual not target) for the same period with values that differ beyond the rounding of the
  less precise one (6.8% vs 6.78% agree; 6.8% vs 8.6% do not), across its documents or within one.
* **impossible**: a share above 100% where the metric is a share (覆盖率, 占比 … per
  `corpora/lexicon/indicators.yaml`; 完成年度任务的118.4% is not a share); a negative count; a
  year-on-year change that contradicts the base and current values stated beside it
  ("由480亿元增长到520亿元，同比增长15.2%": the values give 8.3%).

Each finding cites every figure it rests on (document, file, page, raw text, value, unit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import yaml

from corpora import CORPORA_DIR
from index.phrases import generic_metrics

VERSION = "consistency.v1"
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_LEADING = re.compile(r"^(?:全区|全县|全镇|全乡|全街道|全市|我区|我县|我镇|本区|本县|区|县|镇)(?=.{2,})")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(20\d\d)\s*年")
_PART = re.compile(r"\d{1,2}\s*[-—～~至到]\s*\d{1,2}\s*月|[一二三四上下]\s*(?:季度|半年)|前三季度|上半年|下半年")
# "由480亿元增长到520亿元，同比增长15.2%": the stated change in the same clause or the next one, which
# may only say 同比/比上年 before it (a new subject starts a new statement)
_CHANGE = re.compile(
    r"(?:由|从)\s*(?P<x>\d+(?:\.\d+)?)\s*(?P<ux>万|亿)?(?P<xu>[^\d，。；,;]{0,8}?)(?:增长|增加|提高|上升|下降|减少|降低|增至|降至)?"
    r"\s*(?:到|至)\s*(?P<y>\d+(?:\.\d+)?)\s*(?P<uy>万|亿)?(?P<yu>[^\d，。；,;]{0,4}?)"
    r"(?:[，,]\s*(?:同比|较上年|比上年|年均)?\s*)?"
    r"(?P<dir>增长|增加|提高|上升|下降|减少|降低)(?:了)?\s*(?P<z>\d+(?:\.\d+)?)\s*[%％]")


@lru_cache(maxsize=1)
def _indicators() -> tuple[tuple[str, ...], tuple[str, ...]]:
    data = yaml.safe_load((CORPORA_DIR / "lexicon" / "indicators.yaml").read_text(encoding="utf-8"))
    return tuple(data["bounded"]), tuple(data["unbounded"])


def normalize_metric(metric: str | None) -> str | None:
    """The indicator's name for comparing: no spaces, quotes or leading 全区/我区; None when generic."""
    if not metric:
        return None
    m = _SPACES.sub("", metric).replace("“", "").replace("”", "").strip("的和及与、，,")
    m = _LEADING.sub("", m)
    # three characters name an indicator only as a rate or total (参保率, 出口额); shorter ones never do
    if len(m) < 3 or (len(m) == 3 and not m.endswith(("率", "额", "量", "值"))) or m in generic_metrics():
        return None
    return m


def is_share(metric: str | None) -> bool:
    """A part of a whole, which cannot exceed 100%: 城乡社区养老服务设施覆盖率, 工业项目合同投资额占比."""
    if not metric:
        return False
    bounded, unbounded = _indicators()
    if any(w in metric for w in unbounded):
        return False
    return any(metric.endswith(w) or (w == "占" and "占" in metric) for w in bounded)


def precision(raw: str, value: float) -> float:
    """Half the step of the raw figure's last printed digit, in the unit of `value` (5.8万 -> 500)."""
    found = _NUMBER.search(raw.replace(",", ""))
    if not found:
        return 0.0
    text = found.group()
    try:
        printed = Decimal(text)
    except InvalidOperation:
        return 0.0
    decimals = len(text.split(".")[1]) if "." in text else 0
    scale = abs(value / float(printed)) if printed else 1.0
    return 0.5 * (10 ** -decimals) * scale


def period_key(period: str | None, year: int | None) -> tuple[int | None, str]:
    """(year, part): "2022年" -> (2022, ""), "全年"/None -> (the campaign year, ""), "1-9月" -> (…, "1-9月")."""
    text = period or ""
    years = _YEAR.findall(text)
    found_year = int(years[-1]) if years else year
    part = _PART.search(text)
    return found_year, part.group() if part else ""


@dataclass
class FigureRef:
    figure_id: int
    document_id: str
    filename: str
    archive_path: str | None
    page: int | None
    raw: str
    value: float
    unit: str | None
    metric: str | None
    period: str | None
    passage_id: int | None

    def to_dict(self) -> dict:
        return {"document_id": self.document_id, "filename": self.filename, "page": self.page, "raw": self.raw,
                "value": self.value, "unit": self.unit, "figure_id": self.figure_id, "passage_id": self.passage_id,
                "archive_path": self.archive_path, "metric": self.metric, "period": self.period}


@dataclass
class Conflict:
    region: str
    metric: str
    period: str | None
    kind: str  # disagree | impossible
    reason: str  # 同一指标数值不一致 / 占比超过100% / …
    figures: list[FigureRef] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"region": self.region, "metric": self.metric, "period": self.period, "kind": self.kind,
                "reason": self.reason, "figures": [f.to_dict() for f in self.figures], "version": VERSION}


def _ref(r: dict) -> FigureRef:
    return FigureRef(r["id"], r["document_id"], r["filename"], r["archive_path"], r["page"], r["raw"],
                     float(r["value_num"]), r["unit"], r["metric"], r["period_text"], r["passage_id"])


def region_conflicts(store, region: str, document_ids: list[str] | None = None) -> list[Conflict]:
    """Every contradiction among one applicant's figures (optionally only those involving `document_ids`)."""
    rows = list(store.db.query(
        "SELECT f.id, f.document_id, f.passage_id, f.kind, f.raw, f.value_num, f.unit, f.metric, f.basis, f.scope, "
        "f.period_text, f.is_target, f.approx, f.page, f.start, f.suspect, d.filename, d.archive_path, d.campaign_year, "
        "p.text AS passage_text, p.start AS passage_start "
        "FROM figures f JOIN documents d ON d.id = f.document_id LEFT JOIN passages p ON p.id = f.passage_id "
        "WHERE d.region = ? AND f.value_num IS NOT NULL ORDER BY d.created_at, f.id", [region]))
    found: list[Conflict] = []
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        stated = stated_name(_before(r), region, r["metric"])
        metric = normalize_metric(r["metric"]) or (stated if stated and normalize_metric(stated) else None)
        if metric is None:
            continue
        if r["kind"] == "percent" and float(r["value_num"]) > 100 and is_share(metric) and not r["is_target"]:
            found.append(Conflict(region, metric, r["period_text"], "impossible", "占比或比率超过100%", [_ref(r)]))
        if r["kind"] in ("quantity", "amount") and float(r["value_num"]) < 0:
            found.append(Conflict(region, metric, r["period_text"], "impossible", "数量为负数", [_ref(r)]))
        if r["is_target"] or r["approx"] or r["unit"] is None or r["suspect"]:
            continue  # a suspect figure (the extractor doubts it) is checked for impossibility only
        before = _before(r)
        if _BASE.search(before):
            continue  # the base of a change ("由52%提高到86%"): another period's value
        if not (metric.endswith("率") or is_share(metric) or _region_wide(r, region, metric)):
            continue  # a practice's own tally (全年服务企业960家) counts one programme, not the applicant
        key = (stated or metric, r["kind"], r["unit"], r["basis"] or "", r["scope"] or "",
               period_key(r["period_text"], r["campaign_year"]), _qualifier(before, _segment(r)))
        groups.setdefault(key, []).append(r | {"_metric": metric})
    for (_, *_rest), members in groups.items():
        metric = members[0]["_metric"]
        distinct: list[dict] = []
        for r in members:
            if not any(_agree(r, d) for d in distinct):
                distinct.append(r)
        # values that differ within one passage are different things (新增96家、总数386家): a contradiction
        # needs two passages
        if len({d["passage_id"] for d in distinct}) > 1 or len({d["document_id"] for d in distinct}) > 1:
            period = next((r["period_text"] for r in members if r["period_text"]), None)
            # cite one figure per distinct value, plus the rest that repeat one of them
            cited = distinct + [r for r in members if r not in distinct]
            found.append(Conflict(region, metric, period, "disagree", "同一指标、同一时期数值不一致",
                                  [_ref(r) for r in cited]))
    found += _change_contradictions(store, region, rows)
    found += _negative_counts(store, region)
    if document_ids is not None:
        wanted = set(document_ids)
        found = [c for c in found if any(f.document_id in wanted for f in c.figures)]
    return found


_BASE = re.compile(r"(?:由|从)[^，。；,;]{0,12}$")
_QUALIFIERS = (("累计", "累计"), ("总数", "累计"), ("总量", "累计"), ("总计", "累计"), ("新增", "新增"), ("新建", "新增"),
               ("新签", "新增"), ("其中", "其中"), ("平均", "平均"), ("最高", "最高"), ("每", "每"))


def _before(r: dict) -> str:
    """The clause before the figure in its passage (where 由/从, 新增, 累计 … are said)."""
    text, start = r["passage_text"], r["passage_start"]
    if not text or start is None or r["start"] is None:
        return ""
    at = max(0, min(len(text), r["start"] - start))
    clause = re.split(r"[，。；,;：:、]", text[max(0, at - 24):at])[-1]
    return clause


_SCOPED = re.compile(r"(?:在|通过|依托|借助|围绕|针对|对|其中|聚焦|利用|以|为|经|按照|结合|面向|向)")
_WHOLE = re.compile(r"全区|全县|全镇|全乡|全街道|全域|全新区|我区|我县|我镇|我乡|我街道|本区|本县|本镇|辖区|区域内|县域")


# statistical heads: an indicator of the whole applicant wherever it is stated
_STATISTIC = re.compile(r"(?:产值|增加值|营业收入|收入|成交额|总额|生产总值|就业|人口|零售总额|总量|进出口|出口额|税收|"
                        r"财政收入|GDP|营收|播种面积|总产量)$")


def _forms(region: str) -> set[str]:
    """How a sentence names the applicant: 重庆两江新区 -> 两江新区; 草堂镇（奉节县） -> 草堂镇 (never a bare
    stem: "在外铜梁籍企业家" is not 铜梁区 speaking)."""
    base = re.sub(r"（.*?）", "", region)
    return {f for f in (base, re.sub(r"^重庆(?:市)?", "", base)) if len(f) >= 2}


def _region_wide(r: dict, region: str, metric: str) -> bool:
    """The figure speaks for the whole applicant ("2022年，全区规上工业增加值…", "两江新区全年…", a statistic
    such as 营业收入 or 就业), not for one programme (全年服务企业960家)."""
    if _STATISTIC.search(metric):
        return True
    text, start = r["passage_text"], r["passage_start"]
    if not text or start is None or r["start"] is None:
        return True  # a table cell of the document: its own statement
    at = max(0, min(len(text), r["start"] - start))
    sentence = re.split(r"[。！？\n]", text[:at])[-1]
    if _WHOLE.search(sentence) or any(f in sentence for f in _forms(region)):
        return True
    # a paragraph that opens with the figure's clause ("全年新签约项目112个，其中…") states it for the
    # applicant; after a practice's steps ("依托检测平台，全年服务企业860家" or a sentence later) it
    # tallies that practice
    if re.search(r"[。！？]", text[:at]):
        return False
    if _SCOPED.match(_LEAD.sub("", re.sub(r"^20\d\d年(?:度)?[，,]?", "", sentence.strip()))):
        return False  # "在第四届智博会期间集中签约…", "其中…", "通过…": a part, not the whole
    head = re.split(r"[，,；;：:]", sentence)
    return len(head) == 1 or all(_LEAD.fullmatch(h.strip()) or not h.strip() for h in head[:-1])


_LEAD = re.compile(r"^(?:20\d\d年(?:度|底|末)?|全年|当年|今年|去年|年内|截至\S{0,8}?(?:底|末)|其中|同时|此外|"
                   r"全区|全县|全镇|全乡|全街道|全域|我区|我县|我镇|我乡|本区|本县|辖区|共|累计|已|还|并|实现|完成)+")
_TRAIL = re.compile(r"(?:达到|达|为|是|约|近|超过|突破|共|计|合计|累计|实现|完成|保持在|稳定在|控制在|提高到|增加到|增长到|"
                    r"下降到|降至|增至|有|逾|同比|比上年|较上年|增长|提高|增加|上升|下降|减少|降低|了)+$")


def stated_name(before: str, region: str, metric: str | None) -> str | None:
    """The indicator as the sentence names it, without time, place or verbs: "全年新签约项目" and
    "2022年，全区新签约项目" both -> 新签约项目 (the extractor's head alone would be 项目)."""
    text = _SPACES.sub("", before)
    for form in sorted(_forms(region), key=len, reverse=True):
        text = text.replace(form, "")
    text = _TRAIL.sub("", _LEAD.sub("", text))
    text = _LEAD.sub("", text)
    if len(text) < 3 or len(text) > 24 or (metric and _SPACES.sub("", metric)[-2:] not in text):
        return None
    return text


def _qualifier(before: str, segment: str = "") -> str:
    """新增 / 累计 / 其中 / 平均 …: figures for the same indicator that say different things. `segment` is
    the text since the sentence or semicolon before the figure: a 其中 there makes everything after it a part."""
    if "其中" in segment:
        return "其中"
    return next((q for word, q in _QUALIFIERS if word in before), "")


def _segment(r: dict) -> str:
    text, start = r["passage_text"], r["passage_start"]
    if not text or start is None or r["start"] is None:
        return ""
    at = max(0, min(len(text), r["start"] - start))
    return re.split(r"[。；;！？\n]", text[:at])[-1]


def _agree(a: dict, b: dict) -> bool:
    va, vb = float(a["value_num"]), float(b["value_num"])
    tol = max(precision(a["raw"], va), precision(b["raw"], vb)) + 1e-9 * max(abs(va), abs(vb), 1.0)
    return abs(va - vb) <= tol


def _scaled(number: str, unit: str | None) -> float:
    return float(number) * {"万": 1e4, "亿": 1e8}.get(unit or "", 1.0)


def _change_contradictions(store, region: str, rows: list[dict]) -> list[Conflict]:
    """A stated change that its own base and current values contradict, in one passage."""
    by_passage: dict[int, list[dict]] = {}
    for r in rows:
        if r["passage_id"] is not None:
            by_passage.setdefault(r["passage_id"], []).append(r)
    if not by_passage:
        return []
    ids = list(by_passage)
    texts: dict[int, str] = {}
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        texts.update((r["id"], r["text"]) for r in store.db.query(
            f"SELECT id, text FROM passages WHERE id IN ({','.join('?' * len(part))})", part))
    found = []
    for pid, text in texts.items():
        for m in _CHANGE.finditer(text):
            if "%" in (m["xu"] + m["yu"]) or "％" in (m["xu"] + m["yu"]):
                continue  # rates: a change of a rate is in 百分点, not a relative %
            base, current = _scaled(m["x"], m["ux"]), _scaled(m["y"], m["uy"])
            stated = float(m["z"])
            if base <= 0:
                continue
            actual = (current - base) / base * 100
            if m["dir"] in ("下降", "减少", "降低"):
                actual = -actual
            if abs(actual - stated) <= max(0.6, 0.05 * abs(stated)):
                continue
            cited = [r for r in by_passage[pid] if m["z"] in r["raw"] or m["x"] in r["raw"] or m["y"] in r["raw"]]
            metric = next((normalize_metric(r["metric"]) for r in cited if normalize_metric(r["metric"])), None)
            found.append(Conflict(region, metric or "增幅", next((r["period_text"] for r in cited if r["period_text"]), None),
                                  "impossible", f"增幅与基数、现值不符（按所列数值应为{actual:.1f}%）",
                                  [_ref(r) for r in cited] or [_ref(by_passage[pid][0])]))
    return found


# "新增市场主体：-35户": a count stated as negative (a table-style line the extractor reads as text)
_NEGATIVE = re.compile(r"(?P<metric>[\u4e00-\u9fff（）]{2,20})\s*[：:]?\s*(?P<raw>[-－−]\s*\d+(?:\.\d+)?\s*(?:万|亿)?"
                       r"(?:户|家|个|人|项|件|所|座|名|条|次|处|台|辆|套|亩|公里))")


def _negative_counts(store, region: str) -> list[Conflict]:
    found = []
    for r in store.db.query(
            "SELECT p.id, p.text, p.page, p.document_id, d.filename, d.archive_path FROM passages p "
            "JOIN documents d ON d.id = p.document_id WHERE d.region = ? AND (p.text LIKE '%-%' OR p.text LIKE '%－%' "
            "OR p.text LIKE '%−%')", [region]):
        for m in _NEGATIVE.finditer(r["text"]):
            raw = _SPACES.sub("", m["raw"]).replace("－", "-").replace("−", "-")
            value = float(_NUMBER.search(raw).group())
            ref = FigureRef(0, r["document_id"], r["filename"], r["archive_path"], r["page"], raw, value,
                            None, m["metric"], None, r["id"])
            found.append(Conflict(region, normalize_metric(m["metric"]) or m["metric"], None, "impossible",
                                  "数量为负数", [ref]))
    return found
