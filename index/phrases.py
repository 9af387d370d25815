"""Figures as a reader says them, for briefings and tables: 粮食产量下降1.6%, not 粮食产量 1.6%.

The web UI has the same rules in `figureText` (api/web/static/js/common.js).
"""

from __future__ import annotations

import re
from functools import lru_cache

_BARE = re.compile(r"^[-\d.,]+$")
_CHANGE_WORDS = {("up", "百分点"): "提高", ("up", "位"): "上升", ("down", "位"): "下降"}


def figure_phrase(f: dict) -> str:
    """The figure's number with its direction word, and a bare table cell with its unit.

    >>> figure_phrase({"raw": "1.6%", "kind": "change", "unit": "%", "direction": "down", "value": 1.6})
    '下降1.6%'
    >>> figure_phrase({"raw": "21437", "kind": "amount", "unit": "元", "direction": None, "value": 214370000})
    '2.14亿元'
    """
    raw = f["raw"]
    unit, value = f.get("unit"), f.get("value")
    if _BARE.match(raw) and unit and value is not None:
        v = float(value)
        if unit != "%" and abs(v) >= 1e8:
            raw = f"{round(v / 1e8, 2):g}亿{unit}"
        elif unit != "%" and abs(v) >= 1e4:
            raw = f"{round(v / 1e4, 2):g}万{unit}"
        else:
            raw = f"{round(v, 2):g}{unit}"
    direction = f.get("direction")
    if not direction:
        return raw
    change = f.get("kind") == "change"
    word = _CHANGE_WORDS.get((direction, unit or "")) or (
        ("增长" if change else "增加") if direction == "up" else ("下降" if change else "减少"))
    return word + raw


def citation(filename: str, archive_path: str | None, page: int, end_page: int | None = None) -> str:
    """How jili cites a place in a file, everywhere: "材料.zip!报告.pdf，第2页" or "…，第2–3页".

    >>> citation("材料.zip", "报告.pdf", 2, 3)
    '材料.zip!报告.pdf，第2–3页'
    """
    name = f"{filename}!{archive_path}" if archive_path else filename
    end = end_page or page
    return f"{name}，第{page}页" if end == page else f"{name}，第{page}–{end}页"



_LEADING = re.compile(r"^(?:的|和|及|与|并|其中|共|全年|累计)+")


def metric_label(metric: str | None) -> str | None:
    """The metric as an indicator name, or None when it names none.

    >>> metric_label("的村"), metric_label("和高标准农田面积"), metric_label("标准")
    (None, '高标准农田面积', None)
    """
    if not metric:
        return None
    name = _LEADING.sub("", metric.strip())
    if len(name) < 2 or name in generic_metrics():
        return None
    return name


@lru_cache(maxsize=1)
def generic_metrics() -> frozenset[str]:
    """Metric names that name no indicator on their own (corpora/lexicon/generic_metrics.txt)."""
    from corpora import CORPORA_DIR

    lines = (CORPORA_DIR / "lexicon" / "generic_metrics.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def figure_line(f: dict) -> str:
    """A figure as one line of an export: indicator, direction and number, then basis and period.

    >>> figure_line({"metric": "全镇脐橙种植面积", "raw": "3.1%", "kind": "change", "unit": "%",
    ...              "direction": "up", "value": 3.1, "basis": "同比", "period": "2022年"})
    '全镇脐橙种植面积增长3.1%（同比，2022年）'
    """
    extras = [x for x in (f.get("basis"), f.get("period") or f.get("period_text")) if x]
    label = metric_label(f.get("metric")) or ""
    return f"{label}{figure_phrase(f)}" + (f"（{'，'.join(extras)}）" if extras else "")
