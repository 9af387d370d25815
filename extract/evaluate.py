"""Scoring extracted figures against gold lines: precision, recall, F1 and metric accuracy.

The contract (shared with external evaluation tools): lines are ``{"id", "figures": [...]}``. Within
one passage a predicted figure matches a gold one when `kind` and `unit` are equal and the values agree
within 1e-6 relative; pairing is one-to-one and greedy in gold order, pairs that also agree on the metric
first. `％` counts as `%`, `个百分点` as `百分点`, and numeric strings are accepted as values. A metric
is correct when one string contains the other or their character Dice overlap is at least 0.6, after
dropping whitespace, quotes and brackets. Approx and direction agreement are reported, not scored.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("amount", "quantity", "percent", "change", "rank")
REL_TOL = Decimal("1e-6")
METRIC_DICE = 0.6
_METRIC_NOISE = re.compile(r"[\s“”\"'‘’「」『』（）()\[\]【】《》〈〉<>]")
_UNIT_ALIASES = {"％": "%", "个百分点": "百分点"}


def _value(v: Any) -> Decimal | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        return Decimal(str(v).strip())
    except (InvalidOperation, ValueError):
        return None


def _unit(u: Any) -> str | None:
    if u is None:
        return None
    u = str(u).strip()
    return _UNIT_ALIASES.get(u, u) or None


def values_equal(a: Decimal | None, b: Decimal | None) -> bool:
    """Equal within 1e-6 relative (exact for zero).

    >>> values_equal(Decimal("4270000000000"), Decimal("4.27e12")), values_equal(Decimal(8.5), Decimal(8.6))
    (True, False)
    """
    if a is None or b is None:
        return False
    if a == b:
        return True
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def metric_matches(predicted: str | None, gold: str | None) -> bool:
    """One contains the other, or character Dice ≥ 0.6 (quotes, brackets, spaces ignored).

    >>> metric_matches("技术合同成交额", "成交额"), metric_matches("城乡居民收入", "城镇居民收入")
    (True, True)
    """
    if not predicted or not gold:
        return not predicted and not gold
    p, g = _METRIC_NOISE.sub("", predicted), _METRIC_NOISE.sub("", gold)
    if not p or not g:
        return p == g
    if p in g or g in p:
        return True
    overlap = sum((Counter(p) & Counter(g)).values())
    return 2 * overlap / (len(p) + len(g)) >= METRIC_DICE


def _key(fig: dict[str, Any]) -> tuple[str, str | None, Decimal | None]:
    return str(fig.get("kind")), _unit(fig.get("unit")), _value(fig.get("value"))


def _matches(p: dict[str, Any], g: dict[str, Any]) -> bool:
    pk, gk = _key(p), _key(g)
    return pk[0] == gk[0] and pk[1] == gk[1] and values_equal(pk[2], gk[2])


def pair_figures(predicted: list[dict[str, Any]], gold: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs: gold in order, metric-agreeing pairs first."""
    used: set[int] = set()
    pairs: dict[int, int] = {}
    for with_metric in (True, False):
        for gi, g in enumerate(gold):
            if gi in pairs:
                continue
            for pi, p in enumerate(predicted):
                if pi in used or not _matches(p, g):
                    continue
                if with_metric and not metric_matches(p.get("metric"), g.get("metric")):
                    continue
                pairs[gi] = pi
                used.add(pi)
                break
    return sorted((pi, gi) for gi, pi in pairs.items())


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else (1.0 if not n_pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def evaluate(
    predicted: Iterable[dict[str, Any]], gold: Iterable[dict[str, Any]], *, details: bool = False
) -> dict[str, Any]:
    """Score predicted lines against gold lines of the CLI contract (paired by `id`).

    Returns ``{"passages", "gold", "predicted", "matched", "precision", "recall", "f1", "per_kind":
    {kind: {...}}, "metric_accuracy", "approx_agreement", "direction_agreement"}``; with
    ``details=True`` also ``"errors"``: per passage the missed gold, the spurious predictions and the
    matched pairs whose metric disagrees.

    >>> g = [{"id": "a", "figures": [{"kind": "change", "unit": "%", "value": 8.5, "metric": "社会消费品零售总额"}]}]
    >>> p = [{"id": "a", "figures": [{"kind": "change", "unit": "％", "value": "8.5", "metric": "社会消费品零售总额"}]}]
    >>> evaluate(p, g)["f1"]
    1.0
    """
    pred_by_id = {str(line.get("id")): list(line.get("figures") or []) for line in predicted}
    gold_lines = list(gold)
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    tp: Counter[str] = Counter()
    metric_ok = approx_ok = direction_ok = 0
    errors: list[dict[str, Any]] = []
    for line in gold_lines:
        pid = str(line.get("id"))
        gfigs = list(line.get("figures") or [])
        pfigs = pred_by_id.pop(pid, [])
        n_gold.update(str(g.get("kind")) for g in gfigs)
        n_pred.update(str(p.get("kind")) for p in pfigs)
        pairs = pair_figures(pfigs, gfigs)
        bad_metric = []
        for pi, gi in pairs:
            p, g = pfigs[pi], gfigs[gi]
            tp[str(g.get("kind"))] += 1
            if metric_matches(p.get("metric"), g.get("metric")):
                metric_ok += 1
            else:
                bad_metric.append({"predicted": p, "gold": g})
            approx_ok += bool(p.get("approx")) == bool(g.get("approx"))
            direction_ok += (p.get("direction") or None) == (g.get("direction") or None)
        if details:
            matched_p, matched_g = {pi for pi, _ in pairs}, {gi for _, gi in pairs}
            missed = [g for i, g in enumerate(gfigs) if i not in matched_g]
            spurious = [p for i, p in enumerate(pfigs) if i not in matched_p]
            if missed or spurious or bad_metric:
                errors.append({"id": pid, "missed": missed, "spurious": spurious, "metric": bad_metric})
    for pfigs in pred_by_id.values():  # predictions for passages the gold does not have
        n_pred.update(str(p.get("kind")) for p in pfigs)
    matched = sum(tp.values())
    result: dict[str, Any] = {
        "passages": len(gold_lines),
        "gold": sum(n_gold.values()),
        "predicted": sum(n_pred.values()),
        "matched": matched,
        **_prf(matched, sum(n_pred.values()), sum(n_gold.values())),
        "per_kind": {
            k: {"gold": n_gold[k], "predicted": n_pred[k], "matched": tp[k], **_prf(tp[k], n_pred[k], n_gold[k])}
            for k in sorted(set(KINDS) | set(n_gold) | set(n_pred))
        },
        "metric_accuracy": round(metric_ok / matched, 4) if matched else 0.0,
        "approx_agreement": round(approx_ok / matched, 4) if matched else 0.0,
        "direction_agreement": round(direction_ok / matched, 4) if matched else 0.0,
    }
    if details:
        result["errors"] = errors
    return result
