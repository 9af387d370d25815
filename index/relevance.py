"""Relevance as a reviewer reads it: 强 / 中 / 弱 with the words behind it, never a bare 0.999.

A passage's label score is a calibrated probability (classify/thresholds.py); the buckets cut it where
reviewers on the declarations corpus stopped agreeing with the label (≥ 0.85 nearly always right, below
0.6 often a side remark). A label a reviewer set or confirmed is 强 whatever the model said.
"""

from __future__ import annotations

import json

STRONG, MEDIUM = 0.85, 0.6


def strength(score: float | None, origin: str | None = None) -> str:
    """'强', '中' or '弱'.

    >>> strength(0.999), strength(0.7), strength(0.3), strength(0.3, "review")
    ('强', '中', '弱', '强')
    """
    if origin == "review":
        return "强"
    s = score or 0.0
    return "强" if s >= STRONG else "中" if s >= MEDIUM else "弱"


def reason(terms: list[str], origin: str | None = None) -> str:
    """The reason in words: '命中：高标准农田、粮食总产量' or '审核确认'.

    >>> reason(["高标准农田", "粮食总产量"])
    '命中：高标准农田、粮食总产量'
    """
    if origin == "review":
        return "审核人员确认"
    return "命中：" + "、".join(terms[:4]) if terms else "与措施表述整体相近"


def terms_for(explanations: str | dict | None, measure: int) -> list[str]:
    """The terms the classifier named for `measure` in a passage's stored explanations."""
    if not explanations:
        return []
    data = json.loads(explanations) if isinstance(explanations, str) else explanations
    return list(data.get(str(measure)) or data.get(measure) or [])
