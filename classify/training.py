"""Training the measure classifier: the labelled corpus, cross-validation, calibration, thresholds.

`train` is the one entry point: it reads ``corpora/training/*.jsonl`` (plus any reviewer
corrections), fits the feature space and one linear scorer per measure, and sets calibration and
thresholds from *out-of-fold* scores (K-fold, fixed seed), so that the cuts are chosen on passages
the scorer did not see. Everything is deterministic: the same inputs give the same artefact bytes.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from classify.catalog import Campaign, load_campaign
from classify.features import FeatureConfig, FeatureSpace
from classify.model import (
    ClassifierError,
    MeasureClassifier,
    ModelConfig,
    ModelMetadata,
    pooled_scores,
)
from classify.terms import MeasureTerms, load_measure_terms
from classify.thresholds import (
    DecisionRule,
    PlattCalibration,
    choose_reject_threshold,
    choose_thresholds,
    fit_platt,
)
from corpora import CORPORA_DIR
from ingest.tokenize import Tokenizer, default_tokenizer

TRAINING_DIR = CORPORA_DIR / "training"
# Passages written for the classifier in the register of provincial and national work reports:
# hard negatives (party building, defence, foreign trade, debt, …) and report-style positives. The
# training corpus is county-declaration style; these keep thresholds honest on report text.
SUPPLEMENT_PATH = CORPORA_DIR / "models" / "supplement.jsonl"


@dataclass(frozen=True)
class LabelledPassage:
    """One labelled passage: `measures` empty for a negative; `weight` scales its loss."""

    id: str
    text: str
    measures: tuple[int, ...]
    source: str = ""
    weight: float = 1.0


def read_labelled(path: Path, *, source: str | None = None, weight: float = 1.0) -> list[LabelledPassage]:
    """Read JSON Lines ``{"id"?, "text", "measures": [ints]}``.

    Raises:
        ClassifierError: a line that is not JSON or lacks ``text``/``measures`` (file and line).
    """
    items = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ClassifierError(f"cannot read: {exc.strerror or exc}", filename=str(path)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = str(record["text"])
            measures = tuple(sorted({int(m) for m in record["measures"]}))
        except (ValueError, KeyError, TypeError) as exc:
            raise ClassifierError(
                f"line {number}: expected {{'text': str, 'measures': [int]}} ({exc})", filename=str(path)
            ) from exc
        items.append(
            LabelledPassage(
                id=str(record.get("id", f"{Path(path).stem}:{number}")),
                text=text,
                measures=measures,
                source=source or Path(path).name,
                weight=weight,
            )
        )
    return items


def training_files(directory: Path | None = None, *, supplement: bool = True) -> list[Path]:
    """The corpus files in training order: ``corpora/training/*.jsonl`` then the supplement."""
    files = sorted((directory or TRAINING_DIR).glob("*.jsonl"))
    if supplement and SUPPLEMENT_PATH.exists():
        files.append(SUPPLEMENT_PATH)
    return files


def load_training(directory: Path | None = None, *, supplement: bool = True) -> list[LabelledPassage]:
    """The packaged training corpus (and the supplement), in file order."""
    return [item for path in training_files(directory, supplement=supplement) for item in read_labelled(path)]


def data_hash(items: Sequence[LabelledPassage]) -> str:
    """sha256 over the items' text, labels and weights, in order: identifies the training data."""
    digest = hashlib.sha256()
    for item in items:
        digest.update(json.dumps([item.text, list(item.measures), item.weight], ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def label_matrix(items: Sequence[LabelledPassage], labels: Sequence[int]) -> np.ndarray:
    column = {mid: j for j, mid in enumerate(labels)}
    y = np.zeros((len(items), len(labels)), dtype=np.int8)
    for i, item in enumerate(items):
        for m in item.measures:
            if m not in column:
                raise ClassifierError(f"{item.id}: measure {m} is not in the catalog", filename=item.source)
            y[i, column[m]] = 1
    return y


# ----------------------------------------------------------------------------------- fitting


def fit_linear(
    x: sp.csr_matrix, y: np.ndarray, config: ModelConfig, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One linear scorer per label: returns (coef (features, labels), intercept (labels))."""
    # scikit-learn is needed to train, not to classify: imported here so loading a model stays fast
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    coef = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    intercept = np.zeros(y.shape[1], dtype=np.float32)
    class_weight = "balanced" if config.class_weight == "balanced" else None
    for j in range(y.shape[1]):
        target = y[:, j]
        if target.min() == target.max():
            # no positive (or no negative) example: the label is never (always) predicted
            intercept[j] = 10.0 if target.max() else -10.0
            continue
        if config.loss == "hinge":
            model = LinearSVC(C=config.C, class_weight=class_weight, max_iter=20000)
        else:
            model = LogisticRegression(C=config.C, class_weight=class_weight, max_iter=5000, tol=1e-6)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x, target, sample_weight=weights)
        coef[:, j] = model.coef_[0]
        intercept[j] = model.intercept_[0]
    return coef, intercept


@dataclass
class Resources:
    """What training reads besides the passages: catalog, term lists, tokenizer."""

    campaign: Campaign
    terms: MeasureTerms
    tokenizer: Tokenizer

    @classmethod
    def default(cls) -> Resources:
        return cls(load_campaign(), load_measure_terms(), default_tokenizer())


def fit_scorer(
    items: Sequence[LabelledPassage],
    feature_config: FeatureConfig,
    model_config: ModelConfig,
    resources: Resources,
) -> tuple[FeatureSpace, np.ndarray, np.ndarray]:
    labels = [m.id for m in resources.campaign.measures]
    features = FeatureSpace.fit(
        [i.text for i in items],
        feature_config,
        terms=resources.terms,
        campaign=resources.campaign,
        tokenizer=resources.tokenizer,
    )
    x = features.transform([i.text for i in items])
    weights = np.array([i.weight for i in items], dtype=np.float64)
    coef, intercept = fit_linear(x, label_matrix(items, labels), model_config, weights)
    return features, coef, intercept


def fold_ids(n: int, folds: int, seed: int, groups: Sequence[str] | None = None) -> np.ndarray:
    """A fold number per item, shuffled with `seed`. Items sharing a group share a fold."""
    rng = np.random.default_rng(seed)
    keys = list(groups) if groups is not None else [str(i) for i in range(n)]
    unique = sorted(set(keys))
    order = rng.permutation(len(unique))
    fold_of = {unique[k]: int(rank % folds) for rank, k in enumerate(order)}
    return np.array([fold_of[k] for k in keys])


def out_of_fold_scores(
    items: Sequence[LabelledPassage],
    feature_config: FeatureConfig,
    model_config: ModelConfig,
    resources: Resources,
    folds: np.ndarray | None = None,
) -> np.ndarray:
    """Raw pooled scores of every item from a scorer trained on the other folds."""
    folds = folds if folds is not None else fold_ids(len(items), model_config.folds, model_config.seed)
    labels = [m.id for m in resources.campaign.measures]
    out = np.zeros((len(items), len(labels)))
    for k in sorted(set(folds.tolist())):
        train_items = [it for it, f in zip(items, folds, strict=True) if f != k]
        test_idx = np.where(folds == k)[0]
        features, coef, intercept = fit_scorer(train_items, feature_config, model_config, resources)
        out[test_idx] = pooled_scores(features, coef, intercept, [items[i].text for i in test_idx], model_config)
    return out


def calibrate(
    oof: np.ndarray, y: np.ndarray, model_config: ModelConfig
) -> tuple[np.ndarray, PlattCalibration, DecisionRule]:
    """Calibration and decision rule from out-of-fold raw scores; also the calibrated scores."""
    calibration = fit_platt(oof, y)
    probs = calibration.apply(oof)
    thresholds, _ = choose_thresholds(probs, y, shrink=model_config.threshold_shrink)
    reject = choose_reject_threshold(probs.max(axis=1), y.sum(axis=1) > 0, model_config.negative_rejection)
    rule = DecisionRule(
        thresholds=thresholds, reject=reject, fallback=model_config.fallback, max_labels=model_config.max_labels
    )
    return probs, calibration, rule


def fit_model(
    items: Sequence[LabelledPassage],
    feature_config: FeatureConfig,
    model_config: ModelConfig,
    resources: Resources,
) -> tuple[MeasureClassifier, np.ndarray]:
    """Fit a complete classifier on `items`: calibration, per-measure thresholds and the rejection
    cut from K-fold out-of-fold scores, then the scorer on all items. Returns the classifier (with
    bare metadata) and the out-of-fold calibrated probabilities."""
    labels = [m.id for m in resources.campaign.measures]
    y = label_matrix(items, labels)
    oof = out_of_fold_scores(items, feature_config, model_config, resources)
    probs, calibration, rule = calibrate(oof, y, model_config)
    features, coef, intercept = fit_scorer(items, feature_config, model_config, resources)
    campaign = resources.campaign
    metadata = ModelMetadata(
        labels=labels,
        catalog={
            "doc_number": campaign.doc_number,
            "year": str(campaign.year),
            "version": campaign.version,
            "source_sha256": campaign.source_sha256,
        },
        features=feature_config,
        model=model_config,
        calibration=calibration,
        decision=rule,
        feature_blocks=features.blocks,
        tokenizer_version=resources.tokenizer.version,
        terms_digest=resources.terms.digest,
    )
    return MeasureClassifier(features, coef, intercept, metadata), probs


def train(
    items: Sequence[LabelledPassage] | None = None,
    *,
    reviews: Iterable[LabelledPassage] = (),
    feature_config: FeatureConfig | None = None,
    model_config: ModelConfig | None = None,
    resources: Resources | None = None,
    sources: dict[str, str] | None = None,
) -> MeasureClassifier:
    """Train a classifier on `items` (default: the packaged corpus) plus reviewer corrections.

    Reviewer lines (``{"text", "measures"}``) are weighted by `ModelConfig.review_weight`. The
    returned model carries its metadata (training-data hash, out-of-fold metrics over every training
    passage); `save` it to get a version.
    """
    import sklearn

    from classify.evaluate import score_predictions

    feature_config = feature_config or FeatureConfig()
    model_config = model_config or ModelConfig()
    resources = resources or Resources.default()
    base = list(items) if items is not None else load_training()
    extra = [
        LabelledPassage(r.id, r.text, r.measures, r.source or "reviews", model_config.review_weight)
        for r in reviews
    ]
    all_items = base + extra
    if not all_items:
        raise ClassifierError("no training passages")
    classifier, probs = fit_model(all_items, feature_config, model_config, resources)
    labels = classifier.labels
    oof_labels = [[labels[j] for j in row] for row in classifier.rule.apply(probs)]
    cv_metrics = score_predictions([list(i.measures) for i in all_items], oof_labels, probs, labels)
    y = label_matrix(all_items, labels)
    classifier.metadata.training = {
        "data_sha256": data_hash(all_items),
        "passages": len(all_items),
        "negatives": int((y.sum(axis=1) == 0).sum()),
        "per_source": _count_by_source(all_items),
        "sources": sources or {},
        "reviews": len(extra),
        "sklearn": sklearn.__version__,
    }
    classifier.metadata.metrics = {"cv_training": summary(cv_metrics)}
    return classifier


def heldout_cross_validation(
    base: Sequence[LabelledPassage],
    heldout: Sequence[LabelledPassage],
    feature_config: FeatureConfig | None = None,
    model_config: ModelConfig | None = None,
    resources: Resources | None = None,
    folds: int = 5,
) -> tuple[list[list[int]], np.ndarray]:
    """Score `heldout` items that are also trained on, honestly: K folds over `heldout`; each fold is
    predicted by a classifier (thresholds included) fitted on `base` plus the other folds.

    Returns the predicted measures and calibrated probabilities of every held-out item, in order.
    """
    feature_config = feature_config or FeatureConfig()
    model_config = model_config or ModelConfig()
    resources = resources or Resources.default()
    fold = fold_ids(len(heldout), folds, model_config.seed)
    labels = [m.id for m in resources.campaign.measures]
    probs = np.zeros((len(heldout), len(labels)))
    predicted: list[list[int]] = [[] for _ in heldout]
    for k in range(folds):
        train_items = list(base) + [
            LabelledPassage(h.id, h.text, h.measures, h.source, model_config.review_weight)
            for h, f in zip(heldout, fold, strict=True)
            if f != k
        ]
        classifier, _ = fit_model(train_items, feature_config, model_config, resources)
        idx = np.where(fold == k)[0]
        p = classifier.scores([heldout[i].text for i in idx])
        probs[idx] = p
        for i, row in zip(idx, classifier.rule.apply(p), strict=True):
            predicted[i] = [labels[j] for j in row]
    return predicted, probs


def _count_by_source(items: Sequence[LabelledPassage]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.source] = counts.get(item.source, 0) + 1
    return counts


def summary(metrics: dict) -> dict:
    """The headline numbers of an evaluation report (the per-measure table stays out of the sidecar)."""
    keys = ("items", "positives", "negatives", "macro_f1", "micro_f1", "top1_accuracy", "top3_recall",
            "negatives_rejected", "exact_match")
    return {k: metrics[k] for k in keys if k in metrics}
