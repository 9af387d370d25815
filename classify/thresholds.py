"""From raw linear scores to labels: calibration, per-measure thresholds and the decision rule.

* `PlattCalibration`: per measure, p = sigmoid(a·s + b), fitted on out-of-fold scores so that a score
  of 0.8 means about what it says on passages the model did not train on;
* `choose_thresholds`: per measure, the cut that maximises F1 on out-of-fold probabilities, pulled
  towards the cut that is best over all measures at once (a measure has only 30–60 positives, so its
  own optimum is noisy);
* `DecisionRule`: the explicit "no measure" outcome (the best score is below `reject`), the
  per-measure cuts, and the top-1 fallback for a passage that is clearly relevant but under every cut.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

# Probability grid for threshold search: fine enough for F1, coarse enough not to chase single items.
THRESHOLD_GRID = np.round(np.arange(0.10, 0.91, 0.025), 3)


class PlattCalibration(BaseModel):
    """Per-measure sigmoid parameters (in label order)."""

    model_config = ConfigDict(frozen=True)

    a: list[float]
    b: list[float]

    def apply(self, scores: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for raw scores of shape (n, labels)."""
        z = scores * np.asarray(self.a, dtype=np.float64) + np.asarray(self.b, dtype=np.float64)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -35.0, 35.0)))


def fit_platt(scores: np.ndarray, y: np.ndarray) -> PlattCalibration:
    """Fit one sigmoid per measure on out-of-fold scores, with Platt's smoothed targets.

    Smoothed targets ((N₊+1)/(N₊+2) and 1/(N₋+2)) keep a measure whose positives are all separable
    from getting an infinitely steep sigmoid.
    """
    a_list, b_list = [], []
    for j in range(scores.shape[1]):
        a, b = _fit_sigmoid(scores[:, j].astype(np.float64), y[:, j].astype(bool))
        a_list.append(round(float(a), 6))
        b_list.append(round(float(b), 6))
    return PlattCalibration(a=a_list, b=b_list)


def _fit_sigmoid(s: np.ndarray, positive: np.ndarray, iterations: int = 100) -> tuple[float, float]:
    """Newton's method with backtracking on Platt's objective (Lin, Lin & Weng 2007)."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    target = np.where(positive, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(a: float, b: float) -> float:
        z = a * s + b
        # -sum(t log p + (1-t) log(1-p)) with p = sigmoid(z), written stably
        return float(np.sum(np.logaddexp(0.0, z) - target * z))

    a, b = 1.0, -float(np.log((n_neg + 1.0) / (n_pos + 1.0)))
    current = loss(a, b)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(a * s + b, -35.0, 35.0)))
        d = p - target
        w = np.maximum(p * (1 - p), 1e-12)
        g = np.array([np.dot(d, s), d.sum()])
        h = np.array([[np.dot(w * s, s) + 1e-12, np.dot(w, s)], [np.dot(w, s), w.sum() + 1e-12]])
        step = np.linalg.solve(h, g)
        scale = 1.0
        while scale > 1e-8:
            a_new, b_new = a - scale * step[0], b - scale * step[1]
            new = loss(a_new, b_new)
            if new <= current + 1e-12:
                break
            scale /= 2
        else:
            break
        if abs(current - new) < 1e-10:
            a, b = a_new, b_new
            break
        a, b, current = a_new, b_new, new
    return a, b


def best_f1_threshold(p: np.ndarray, y: np.ndarray, grid: np.ndarray = THRESHOLD_GRID) -> tuple[float, float]:
    """The cut in `grid` with the highest F1 of ``p >= cut`` against `y` (ties: the lower cut)."""
    y = y.astype(bool)
    best_t, best_f1 = float(grid[0]), -1.0
    for t in grid:
        pred = p >= t
        tp = np.sum(pred & y)
        f1 = 2 * tp / max(pred.sum() + y.sum(), 1)
        if f1 > best_f1 + 1e-12:
            best_t, best_f1 = float(t), float(f1)
    return best_t, best_f1


def choose_thresholds(probs: np.ndarray, y: np.ndarray, shrink: float = 0.5) -> tuple[list[float], float]:
    """Per-measure thresholds from out-of-fold probabilities.

    Args:
        probs, y: out-of-fold calibrated probabilities and gold labels, shape (n, labels).
        shrink: weight of the global cut in the blend (0 = each measure's own optimum).
    Returns:
        (per-measure thresholds, the global cut that maximises micro-F1).
    """
    global_t, _ = best_f1_threshold(probs.ravel(), y.ravel())
    out = []
    for j in range(probs.shape[1]):
        own, _ = best_f1_threshold(probs[:, j], y[:, j])
        out.append(round(float((1 - shrink) * own + shrink * global_t), 4))
    return out, global_t


def choose_reject_threshold(max_prob: np.ndarray, relevant: np.ndarray, target: float | None = None) -> float:
    """The "no measure" cut on a passage's best probability, from out-of-fold scores.

    Without `target`: the cut that maximises balanced accuracy between keeping relevant passages and
    rejecting irrelevant ones (Youden's J). With `target`: the lowest cut that rejects at least that
    share of the irrelevant passages, but never below the Youden cut. Why a target: out of fold, the
    short county passages of the corpus score lower than the long report paragraphs met in use, so
    the balanced cut lands too low for text the model has not seen; a positive passage that scores
    under the cut is mostly one whose best label would have been wrong anyway.
    """
    relevant = relevant.astype(bool)
    grid = np.round(np.arange(0.05, 0.91, 0.01), 3)
    best_t, best_j = 0.5, -1.0
    for t in grid:
        kept = np.mean(max_prob[relevant] >= t) if relevant.any() else 0.0
        rejected = np.mean(max_prob[~relevant] < t) if (~relevant).any() else 0.0
        if kept + rejected > best_j + 1e-12:
            best_t, best_j = float(t), float(kept + rejected)
    if target is None or not (~relevant).any():
        return best_t
    for t in grid:
        if t >= best_t and np.mean(max_prob[~relevant] < t) >= target:
            return float(t)
    return best_t


class DecisionRule(BaseModel):
    """How calibrated probabilities become a passage's measures."""

    model_config = ConfigDict(frozen=True)

    thresholds: list[float] = Field(description="per measure, in label order")
    reject: float = Field(description="a passage whose best probability is below this has no measure")
    fallback: bool = Field(default=True, description="label the best measure if none passes its cut")
    max_labels: int = Field(default=4, ge=1)

    def apply(self, probs: np.ndarray) -> list[list[int]]:
        """Label columns per row (best first)."""
        cuts = np.asarray(self.thresholds)
        out = []
        for row in probs:
            best = int(np.argmax(row))
            if row[best] < self.reject:
                out.append([])
                continue
            chosen = [int(j) for j in np.argsort(-row, kind="stable") if row[j] >= cuts[j]]
            if not chosen and self.fallback:
                chosen = [best]
            out.append(chosen[: self.max_labels])
        return out
