"""From passage labels to a document's measures: a small model calibrated on whole declarations.

Passage labels do not simply add up. A 河长制 declaration that mentions investment in one sentence is
not a measure-1 declaration, while a township's one strong paragraph on a measure it may not declare
must still be flagged. So each (document, measure) pair gets a probability from a logistic model over
a dozen document-level features (is the measure named in the title or file name, or in a heading; its
best, top-3 and top-5 passage scores; how many relevant passages carry it or lead with it, and what
share; its rank among the measures), fitted on declarations whose declared measures are known:

* **declared**: probability ≥ `declared` (the document's measures; counts, evidence pages, lists);
* **possible**: below that, but probability ≥ `possible` or one passage labelled with it at ≥
  `strong_passage` — kept so that a strong single mention is seen and its eligibility checked.

The model (`corpora/models/document_measures.json`) records its version, features, weights,
thresholds, training data and its cross-validated scores. `jili train aggregation` refits it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from classify import modelfile
from corpora import CORPORA_DIR

MODEL_PATH = CORPORA_DIR / "models" / "document_measures.json"
FORMAT = "jili.document_measures.v1"
FEATURES = ("named_in_title", "named_in_heading", "best", "top3", "top5", "log_passages", "share",
            "log_leading", "leading_share", "rank1", "rank2", "rank_top3")


@dataclass(frozen=True)
class PassageScores:
    """What the aggregation sees of one passage: every measure's score and the labels it was given."""

    scores: dict[int, float]
    measures: tuple[int, ...]


def features(measure_ids: Sequence[int], passages: Sequence[PassageScores], named: set[int],
             named_in_heading: set[int]) -> np.ndarray:
    """One row of `FEATURES` per measure, in `measure_ids` order."""
    relevant = sum(1 for p in passages if p.measures) or 1
    sorted_scores = {m: sorted((p.scores.get(m, 0.0) for p in passages), reverse=True) or [0.0] for m in measure_ids}
    top3 = {m: float(np.mean(s[:3])) for m, s in sorted_scores.items()}
    order = sorted(measure_ids, key=lambda m: -top3[m])
    rank = {m: i for i, m in enumerate(order)}
    rows = []
    for m in measure_ids:
        s = sorted_scores[m]
        labelled = sum(1 for p in passages if m in p.measures)
        leading = sum(1 for p in passages if p.measures and p.measures[0] == m)
        rows.append([float(m in named), float(m in named_in_heading), s[0], top3[m], float(np.mean(s[:5])),
                     math.log1p(labelled), labelled / relevant, math.log1p(leading), leading / relevant,
                     float(rank[m] == 0), float(rank[m] == 1), float(rank[m] <= 2)])
    return np.asarray(rows, dtype=np.float64)


@dataclass(frozen=True)
class DocumentModel:
    version: str
    coef: np.ndarray
    intercept: float
    declared: float
    possible: float
    strong_passage: float
    metrics: dict

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def to_json(self, training: dict) -> str:
        return modelfile.dumps(FORMAT, FEATURES, {
            "coef": modelfile.rounded(self.coef), "intercept": round(float(self.intercept), 6),
            "declared": self.declared, "possible": self.possible, "strong_passage": self.strong_passage,
            "metrics": self.metrics, "training": training})


def load_document_model(path: Path | str | None = None) -> DocumentModel:
    return _load(str(Path(path or MODEL_PATH).resolve()))


@lru_cache(maxsize=4)
def _load(path: str) -> DocumentModel:
    data = modelfile.load(path, FORMAT, FEATURES)
    return DocumentModel(data["version"], np.asarray(data["coef"], dtype=np.float64), float(data["intercept"]),
                         float(data["declared"]), float(data["possible"]), float(data["strong_passage"]),
                         data.get("metrics", {}))


def fit(x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, possible: float = 0.1, strong_passage: float = 0.6,
        thresholds: Sequence[float] = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)) -> DocumentModel:
    """Fit the model; pick the declared threshold by document-level F1 in leave-one-group-out
    cross-validation (groups: the people or batches who wrote the declarations), and record the scores."""
    from sklearn.linear_model import LogisticRegression

    held_out = np.zeros(len(y))
    for g in sorted(set(groups.tolist())):
        train, test = groups != g, groups == g
        model = LogisticRegression(C=1.0, max_iter=5000).fit(x[train], y[train])
        held_out[test] = model.predict_proba(x[test])[:, 1]
    scored = {t: _prf(held_out >= t, y) for t in thresholds}
    best = max(thresholds, key=lambda t: (scored[t]["f1"], -abs(t - 0.5)))
    final = LogisticRegression(C=1.0, max_iter=5000).fit(x, y)
    metrics = {"cross_validated": {"declared_threshold": best, **scored[best]},
               "by_threshold": {str(t): v["f1"] for t, v in scored.items()}}
    return DocumentModel("unsaved", final.coef_[0], float(final.intercept_[0]), best, possible, strong_passage, metrics)


def _prf(pred: np.ndarray, y: np.ndarray) -> dict:
    tp, fp, fn = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum()), int((~pred & (y == 1)).sum())
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def train_document_model(examples, classifier=None, campaign=None) -> tuple[DocumentModel, dict]:
    """Fit the model on declarations whose declared measures are known.

    Args:
        examples: (document, its declared measure ids, its group) triples; the group (who wrote it, which
            batch) keeps cross-validation honest: a writer's habits never help score that writer.
    Returns:
        the model and a description of its training data for the sidecar.
    """
    from classify.catalog import load_campaign
    from classify.document import document_passages, measures_named
    from classify.model import load_classifier

    classifier = classifier or load_classifier()
    campaign = campaign or load_campaign()
    measure_ids = list(classifier.labels)
    xs, ys, groups = [], [], []
    digest = hashlib.sha256()
    for doc, gold, group in examples:
        labels = classifier.predict([t for _, t in document_passages(doc)], explain=False)
        named, in_headings = measures_named(doc, campaign)
        xs.append(features(measure_ids, [PassageScores(lb.scores, tuple(lb.measures)) for lb in labels], named,
                           in_headings))
        ys += [int(m in gold) for m in measure_ids]
        groups += [group] * len(measure_ids)
        digest.update(f"{doc.id}:{sorted(gold)}".encode())
    model = fit(np.vstack(xs), np.asarray(ys), np.asarray(groups))
    training = {"documents": len(examples), "pairs": len(ys), "declared_pairs": int(sum(ys)),
                "groups": sorted(set(groups)), "data_sha256": digest.hexdigest()[:16],
                "classifier": classifier.version}
    return model, training
