"""The classifier's scorer: per-measure P/R/F1 and ranking metrics on a labelled set.

Definitions (the same for `jili eval classify`, the sidecar metrics and the tests):

* per measure: precision, recall, F1 of the predicted label sets; ``support`` = gold passages;
* ``macro_f1``: mean F1 over the measures that occur in the gold labels or the predictions
  (a measure absent from both says nothing about the model and is skipped);
* ``micro_f1``: F1 over all (passage, measure) decisions;
* ``top1_accuracy``: share of positive passages (gold not empty) whose best-scoring measure is gold;
* ``top3_recall``: over positive passages, mean of |gold ∩ top 3| / min(|gold|, 3);
* ``top3_hit``: share of positive passages with at least one gold measure among the top 3;
* ``negatives_rejected``: share of negative passages (gold empty) given no measure;
* ``positives_rejected``: share of positive passages given no measure;
* ``exact_match``: share of passages whose predicted set equals the gold set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from classify.features import FeatureConfig
from classify.model import MeasureClassifier, ModelConfig
from classify.training import LabelledPassage


def score_predictions(
    gold: Sequence[Sequence[int]],
    predicted: Sequence[Sequence[int]],
    scores: np.ndarray | None,
    labels: Sequence[int],
) -> dict[str, Any]:
    """The evaluation report for predicted label sets (and, for ranking metrics, a score matrix
    with columns in `labels` order)."""
    labels = list(labels)
    per: dict[str, dict[str, float | int]] = {}
    f1s = []
    tp_all = fp_all = fn_all = 0
    for mid in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if mid in g and mid in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if mid not in g and mid in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if mid in g and mid not in p)
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
        per[str(mid)] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4) if f1 is not None else None,
            "support": tp + fn,
            "predicted": tp + fp,
        }
        if f1 is not None:
            f1s.append(f1)
    positives = [i for i, g in enumerate(gold) if g]
    negatives = [i for i, g in enumerate(gold) if not g]
    report: dict[str, Any] = {
        "items": len(gold),
        "positives": len(positives),
        "negatives": len(negatives),
        "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
        "micro_f1": round(2 * tp_all / (2 * tp_all + fp_all + fn_all), 4) if tp_all + fp_all + fn_all else 0.0,
        "exact_match": round(float(np.mean([set(g) == set(p) for g, p in zip(gold, predicted, strict=True)])), 4)
        if gold
        else 0.0,
        "negatives_rejected": round(float(np.mean([not predicted[i] for i in negatives])), 4)
        if negatives
        else None,
        "positives_rejected": round(float(np.mean([not predicted[i] for i in positives])), 4)
        if positives
        else None,
    }
    if scores is not None and positives:
        order = np.argsort(-scores, axis=1, kind="stable")
        top1 = [labels[order[i, 0]] in gold[i] for i in positives]
        top3 = [
            len(set(gold[i]) & {labels[j] for j in order[i, :3]}) / min(len(gold[i]), 3) for i in positives
        ]
        hit3 = [bool(set(gold[i]) & {labels[j] for j in order[i, :3]}) for i in positives]
        report["top1_accuracy"] = round(float(np.mean(top1)), 4)
        report["top3_recall"] = round(float(np.mean(top3)), 4)
        report["top3_hit"] = round(float(np.mean(hit3)), 4)
    report["per_measure"] = per
    return report


def evaluate(
    classifier: MeasureClassifier, items: Iterable[LabelledPassage | Mapping[str, Any]]
) -> dict[str, Any]:
    """Score `classifier` on labelled passages (`LabelledPassage` or ``{"text", "measures"}`` dicts).

    Returns the report described in the module docstring, plus ``model_version`` and, per item,
    the predicted measures under ``predictions`` (id, gold, predicted).
    """
    rows = [_as_passage(item, n) for n, item in enumerate(items)]
    texts = [r.text for r in rows]
    probs = classifier.scores(texts)
    chosen = classifier.rule.apply(probs)
    predicted = [[classifier.labels[j] for j in row] for row in chosen]
    gold = [list(r.measures) for r in rows]
    report = score_predictions(gold, predicted, probs, classifier.labels)
    report["model_version"] = classifier.version
    report["predictions"] = [
        {"id": r.id, "gold": g, "predicted": p} for r, g, p in zip(rows, gold, predicted, strict=True)
    ]
    return report


def _as_passage(item: LabelledPassage | Mapping[str, Any], n: int) -> LabelledPassage:
    if isinstance(item, LabelledPassage):
        return item
    return LabelledPassage(
        id=str(item.get("id", n)),
        text=str(item["text"]),
        measures=tuple(sorted(int(m) for m in item.get("measures", []))),
    )


def format_report(report: Mapping[str, Any], titles: Mapping[int, str] | None = None) -> str:
    """The report as a plain-text table for the terminal."""
    lines = [
        f"model {report.get('model_version', '?')}",
        f"{report['items']} passages ({report['positives']} positive, {report['negatives']} negative)",
        "",
        f"{'measure':<34} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'pred':>5}",
    ]
    for mid, row in report["per_measure"].items():
        title = (titles or {}).get(int(mid), "")
        name = f"{mid:>2} {title}"[:30]
        f1 = "-" if row["f1"] is None else f"{row['f1']:.3f}"
        lines.append(
            f"{name:<34} {row['precision']:>6.3f} {row['recall']:>6.3f} {f1:>6} "
            f"{row['support']:>5} {row['predicted']:>5}"
        )
    lines.append("")
    for key in ("macro_f1", "micro_f1", "top1_accuracy", "top3_recall", "top3_hit", "negatives_rejected",
                "positives_rejected", "exact_match"):
        if report.get(key) is not None:
            lines.append(f"{key:<20} {report[key]:.4f}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- ablations


@dataclass(frozen=True)
class Variant:
    """One configuration in the ablation table: what changes against the shipped defaults."""

    name: str
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    supplement: bool = True


ABLATIONS: tuple[Variant, ...] = (
    Variant("shipped: char 1-3 + word 1-2 + lexicon + terms, LR C=16, mean pooling"),
    Variant("char n-grams only", FeatureConfig(word_ngrams=None, lexicon_weight=0, term_weight=0)),
    Variant("word n-grams only", FeatureConfig(char_ngrams=None, lexicon_weight=0, term_weight=0)),
    Variant("char + word, no lexicon", FeatureConfig(lexicon_weight=0, term_weight=0)),
    Variant("no term indicators", FeatureConfig(term_weight=0)),
    Variant("no lexicon counts", FeatureConfig(lexicon_weight=0)),
    Variant("no catalog keywords in lexicon", FeatureConfig(catalog_terms=False)),
    Variant("digits not folded", FeatureConfig(fold_digits=False)),
    Variant("passage score only (no sentence pooling)", model=ModelConfig(pooling="passage")),
    Variant("max pooling", model=ModelConfig(pooling="max")),
    Variant("C=4", model=ModelConfig(C=4.0)),
    Variant("linear SVM (hinge) + Platt, C=0.5", model=ModelConfig(loss="hinge", C=0.5)),
    Variant("per-measure thresholds not shrunk", model=ModelConfig(threshold_shrink=0.0)),
    Variant("rejection cut by balanced accuracy", model=ModelConfig(negative_rejection=None)),
    Variant("without the report-register supplement", supplement=False),
)


def run_ablations(
    dev: Sequence[LabelledPassage],
    variants: Sequence[Variant] = ABLATIONS,
    *,
    base: Sequence[LabelledPassage] | None = None,
    heldout_cv: bool = True,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Measure each variant on the labelled set `dev`, two ways:

    * ``not_trained_on``: trained on the corpus only (thresholds from its own out-of-fold scores),
      scored on `dev`: how it does on text of a kind it has never seen;
    * ``cv``: `dev` folded into training, 5-fold over `dev` items (each scored by a model that did
      not see it): the protocol of the shipped model.
    """
    from classify.training import Resources, fit_model, heldout_cross_validation, load_training, summary

    resources = Resources.default()
    corpus = list(base) if base is not None else load_training(supplement=True)
    gold = [list(d.measures) for d in dev]
    rows = []
    for variant in variants:
        items = [i for i in corpus if variant.supplement or not i.source.startswith("supplement")]
        classifier, _ = fit_model(items, variant.features, variant.model, resources)
        row: dict[str, Any] = {"variant": variant.name}
        row["not_trained_on"] = summary(evaluate(classifier, dev))
        if heldout_cv:
            predicted, probs = heldout_cross_validation(items, dev, variant.features, variant.model, resources)
            row["cv"] = summary(score_predictions(gold, predicted, probs, classifier.labels))
        rows.append(row)
        if progress:
            progress(_ablation_line(row))
    return rows


def _ablation_line(row: Mapping[str, Any]) -> str:
    def fmt(r: Mapping[str, Any] | None) -> str:
        if not r:
            return "-"
        return (f"macroF1 {r['macro_f1']:.3f} top1 {r['top1_accuracy']:.3f} top3 {r['top3_recall']:.3f} "
                f"neg-rej {r['negatives_rejected']:.3f}")

    return f"{row['variant']}\n    unseen: {fmt(row.get('not_trained_on'))}\n    5-fold: {fmt(row.get('cv'))}"
