"""Would a publicity office publish this passage? A small learned ranker for typical experiences.

A publishable practice (典型经验做法) says what the applicant did and how (a named mechanism, the steps
"一是……二是……", the actors) and what came of it (figures, results). Declarations also hold what no
office would send on: scoring sheets and self-assessment tables, the notice's wording copied back, report
formulas, attachment lists, signatures. Each passage is described by a few dozen features in those terms
(vocabulary in `corpora/lexicon/practice.yaml`), and a linear model learned pairwise (RankNet with a
linear scorer: within a declaration, a passage judged more publishable should score higher) turns them
into one score. The judgments are `corpora/declarations/judgments` (0–3 per paragraph, 220 declarations).

Every score comes with its reasons in words ("具体做法+量化成效"), from the features that carried it,
and the model file names its version, training data and held-back metrics.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from classify import modelfile
from corpora import CORPORA_DIR

MODEL_PATH = CORPORA_DIR / "models" / "practice_ranker.json"
LEXICON_PATH = CORPORA_DIR / "lexicon" / "practice.yaml"
FORMAT = "jili.practice_ranker.v1"

FEATURES = (
    "practice_nouns", "practice_systems", "named_practice", "action_verbs", "result_words", "enumeration",
    "figures", "percent_or_money", "agent", "practice_heading", "frame_heading", "boilerplate", "notice_citation",
    "self_assessment", "table", "cell_like", "digit_share", "short", "log_length", "very_long", "signature",
    "addressee", "attachment_list", "measure_score", "notice_overlap", "ends_sentence", "position_first",
    "position_last", "questions_or_plans",
)


@dataclass(frozen=True)
class Candidate:
    """What the ranker sees of one passage.

    `measure_score`: the passage's score for the measure it is ranked under (0 when unranked by measure);
    `notice_overlap`: the share of its character 4-grams found in the notice and the measure catalog;
    `position`: its place in its document, 0 (first) to 1 (last).
    """

    text: str
    heading: str | None = None
    source: str = "paragraph"  # "paragraph" | "table" | "list" …
    figures: int = 0
    measure_score: float = 0.0
    notice_overlap: float = 0.0
    position: float = 0.5


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))

    def alt(words):
        return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))

    return {
        "practice_nouns": alt(data["practice_nouns"]),
        "practice_systems": re.compile("(?:" + "|".join(re.escape(w) for w in sorted(set(data["practice_systems"]),
                                                                                      key=len, reverse=True)) + ")制"),
        "action_verbs": alt(data["action_verbs"]),
        "result_words": alt(data["result_words"]),
        "boilerplate": alt(data["boilerplate"]),
        "self_assessment": alt(data["self_assessment"]),
        "practice_headings": alt(data["practice_headings"]),
        "frame_headings": alt(data["frame_headings"]),
        "agent_words": alt(data["agent_words"]),
        "digest": hashlib.sha256(LEXICON_PATH.read_bytes()).hexdigest()[:12],
    }


_SUFFIX = (r"(?:机制|模式|制|平台|工程|行动|品牌|贷|超市|码|小程序|体系|服务|工作法|法|站|中心|专班|清单|计划|通|办|联盟|驿站|"
           r"e家|APP|银行|基金|券|节|街区|示范|改革)")
# a named practice: “红黄绿灯”调度机制, “积分制”, “爱心超市”
_NAMED = re.compile(r"[“\"「](?:[^”\"」]{2,16}[”\"」][\u4e00-\u9fff]{0,6}?" + _SUFFIX + r"|[^”\"」]{0,14}" + _SUFFIX + r"[”\"」])")
_ENUM = re.compile(r"一是.{2,}?二是|（一）.{2,}?（二）|[①❶].{2,}?[②❷]|(?:^|\n|[。；])\s*1[.．、].{2,}?(?:^|\n|[。；])\s*2[.．、]",
                   re.S)
_PERCENT_MONEY = re.compile(r"\d(?:\.\d+)?\s*(?:%|％|个百分点|万元|亿元|元|万亩|亩|万人|人次|户|家|个|天|小时|倍)")
_DIGIT = re.compile(r"\d")
_SIGNATURE = re.compile(r"^\s*(?:[\u4e00-\u9fff（）()]{2,40}(?:人民政府|办事处|管委会|委员会|办公室|局|委|中心))?\s*"
                        r"(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇○零一二三四五六七八九十]{4}年[〇○零一二三四五六七八九十]{1,2}月"
                        r"[〇○零一二三四五六七八九十]{1,3}日)?\s*$")
_ADDRESSEE = re.compile(r"^[^。；]{2,60}[：:]\s*$")
_ATTACHMENT = re.compile(r"^\s*附件\s*[：:\d１-９]|^\s*\d+[.．、]\s*[^。]{2,50}(?:表|报告|材料|清单|证明|文件|情况)\s*$")
_NOTICE_CITE = re.compile(r"(?:根据|按照|依据)《[^》]{4,60}》|渝府办发|〔20\d\d〕\d+号")
_PLANS = re.compile(r"下一步|下步|将继续|存在(?:的)?问题|不足|短板")


def features(c: Candidate) -> np.ndarray:
    """One row of `FEATURES` for a candidate passage."""
    lx = _lexicon()
    text = c.text
    n = max(len(text), 1)
    heading = c.heading or ""
    digits = len(_DIGIT.findall(text))
    lines = [ln for ln in text.splitlines() if ln.strip()]
    cell_like = sum(1 for ln in lines if len(ln) < 14) / len(lines) if lines else 0.0
    tabular = "\t" in text or "|" in text or c.source == "table"
    signature = bool(_SIGNATURE.match(text)) and n <= 60
    row = [
        min(len(lx["practice_nouns"].findall(text)), 6) / 6,
        min(len(lx["practice_systems"].findall(text)), 2) / 2,
        min(len(_NAMED.findall(text)), 2) / 2,
        min(len(lx["action_verbs"].findall(text)), 8) / 8,
        min(len(lx["result_words"].findall(text)), 6) / 6,
        1.0 if _ENUM.search(text) else 0.0,
        min(c.figures, 6) / 6,
        min(len(_PERCENT_MONEY.findall(text)), 6) / 6,
        1.0 if lx["agent_words"].search(text) else 0.0,
        1.0 if lx["practice_headings"].search(heading) else 0.0,
        1.0 if lx["frame_headings"].search(heading) else 0.0,
        min(len(lx["boilerplate"].findall(text)), 3) / 3,
        1.0 if _NOTICE_CITE.search(text) else 0.0,
        min(len(lx["self_assessment"].findall(text)), 4) / 4,
        1.0 if tabular else 0.0,
        cell_like,
        digits / n,
        1.0 if n < 30 else 0.0,
        min(math.log(n) / math.log(800), 1.0),
        1.0 if n > 900 else 0.0,
        1.0 if signature else 0.0,
        1.0 if _ADDRESSEE.match(text) and n <= 60 else 0.0,
        1.0 if _ATTACHMENT.search(text) else 0.0,
        float(c.measure_score or 0.0),
        float(c.notice_overlap),
        1.0 if text.rstrip().endswith(("。", "！", "”", "；")) else 0.0,
        1.0 if c.position <= 0.05 else 0.0,
        1.0 if c.position >= 0.95 else 0.0,
        1.0 if _PLANS.search(text[:40]) else 0.0,
    ]
    return np.asarray(row, dtype=np.float64)


def matrix(candidates: Sequence[Candidate]) -> np.ndarray:
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    return np.vstack([features(c) for c in candidates])


# ------------------------------------------------------------------------------------------ the reasons

# (feature, minimum value, words): the positive reasons a ranking is given, in the order they read
_POSITIVE = (
    ("named_practice", 0.5, "有名称的机制或品牌"),
    ("practice_systems", 0.5, "具体制度（如积分制、包保制）"),
    ("practice_nouns", 0.33, "具体做法"),
    ("action_verbs", 0.375, "做了什么、怎么做"),
    ("enumeration", 1.0, "分条列举"),
    ("figures", 0.33, "量化成效"),
    ("result_words", 0.5, "写明成效"),
    ("practice_heading", 1.0, "位于做法类小标题下"),
)
_NEGATIVE = (
    ("self_assessment", 0.5, "自评或打分内容"),
    ("table", 1.0, "表格"),
    ("boilerplate", 0.33, "公文套语"),
    ("notice_citation", 1.0, "引用通知原文"),
    ("notice_overlap", 0.5, "与通知表述大量重合"),
    ("signature", 1.0, "落款"),
    ("addressee", 1.0, "主送机关"),
    ("attachment_list", 1.0, "附件清单"),
    ("questions_or_plans", 1.0, "问题或下步打算"),
)
_INDEX = {name: i for i, name in enumerate(FEATURES)}


def reasons(row: np.ndarray) -> tuple[str, list[str]]:
    """A short summary ("具体做法+量化成效") and the reasons in words, positive first, then what lowered it."""
    pos = [words for name, cut, words in _POSITIVE if row[_INDEX[name]] >= cut]
    neg = [words for name, cut, words in _NEGATIVE if row[_INDEX[name]] >= cut]
    # "具体做法" is implied by the more specific words
    if "有名称的机制或品牌" in pos or "具体制度（如积分制、包保制）" in pos:
        pos = [p for p in pos if p != "具体做法"]
    headline = [p for p in pos if p in ("有名称的机制或品牌", "具体制度（如积分制、包保制）", "具体做法", "量化成效",
                                         "分条列举")]
    summary = "+".join(w.split("（")[0] for w in headline[:3]) or ("、".join(neg[:2]) + "，不宜宣传" if neg else "一般表述")
    return summary, pos + [f"降权：{w}" for w in neg]


# ------------------------------------------------------------------------------------------- the model

@dataclass(frozen=True)
class PracticeRanker:
    version: str
    coef: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    metrics: dict

    def scores(self, candidates: Sequence[Candidate]) -> np.ndarray:
        """Publishability in (0, 1) for each candidate: a logistic of the learned linear score."""
        x = matrix(candidates)
        return self.scores_of(x)

    def scores_of(self, x: np.ndarray) -> np.ndarray:
        if len(x) == 0:
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef
        return 1.0 / (1.0 + np.exp(-z))

    def to_json(self, training: dict) -> str:
        return modelfile.dumps(FORMAT, FEATURES, {
            "coef": modelfile.rounded(self.coef), "mean": modelfile.rounded(self.mean),
            "scale": modelfile.rounded(self.scale), "lexicon_sha256": _lexicon()["digest"], "metrics": self.metrics,
            "training": training})


def load_ranker(path: Path | str | None = None) -> PracticeRanker:
    return _load(str(Path(path or MODEL_PATH).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> PracticeRanker:
    data = modelfile.load(path, FORMAT, FEATURES)
    return PracticeRanker(data["version"], np.asarray(data["coef"]), np.asarray(data["mean"]),
                          np.asarray(data["scale"]), data.get("metrics", {}))


def _pairs(x: np.ndarray, grades: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Within each query, every pair of differently graded passages: x_i - x_j with label (i better)."""
    diffs, labels, weights = [], [], []
    for q in np.unique(queries):
        idx = np.flatnonzero(queries == q)
        for a in idx:
            for b in idx:
                if grades[a] > grades[b]:
                    d = x[a] - x[b]
                    gap = float(grades[a] - grades[b])
                    diffs += [d, -d]
                    labels += [1, 0]
                    weights += [gap, gap]
    if not diffs:
        return np.zeros((0, x.shape[1])), np.zeros(0), np.zeros(0)
    return np.vstack(diffs), np.asarray(labels), np.asarray(weights)


def fit(x: np.ndarray, grades: np.ndarray, queries: np.ndarray, *, c: float = 0.3) -> PracticeRanker:
    """Pairwise logistic regression (a linear RankNet) on standardised features, no intercept."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    xs = (x - mean) / scale
    d, y, w = _pairs(xs, grades, queries)
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(d, y, sample_weight=w)
    return PracticeRanker("unsaved", model.coef_[0], mean, scale, {})


# ---------------------------------------------------------------------------------------- measuring it

def dcg(gains: Sequence[float], k: int) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(list(gains)[:k]))


def ndcg(ranked_grades: Sequence[float], k: int) -> float:
    """nDCG@k of grades in ranked order (1.0 when nothing is relevant, as every order is then ideal)."""
    ideal = dcg(sorted(ranked_grades, reverse=True), k)
    return dcg(ranked_grades, k) / ideal if ideal else 1.0


def evaluate(scores: np.ndarray, grades: np.ndarray, queries: np.ndarray, *, k: int = 5) -> dict:
    """nDCG@k and P@1 (the top passage judged publishable, grade ≥ 2) averaged over queries with any
    publishable passage."""
    nd, p1 = [], []
    for q in np.unique(queries):
        idx = np.flatnonzero(queries == q)
        g = grades[idx]
        if g.max() < 2:
            continue
        order = idx[np.argsort(-scores[idx], kind="stable")]
        ranked = grades[order]
        nd.append(ndcg(ranked, k))
        p1.append(float(ranked[0] >= 2))
    return {f"ndcg@{k}": round(float(np.mean(nd)), 4) if nd else None,
            "p@1": round(float(np.mean(p1)), 4) if p1 else None, "queries": len(nd)}
