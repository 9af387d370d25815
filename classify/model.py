"""The measure classifier: a fitted feature space, one linear scorer per measure, calibration and
the decision rule, saved as a versioned artefact with a JSON sidecar.

Artefact (``corpora/models/``):

* ``measures.npz``: arrays only (vocabularies, idf, terms, tokenizer words, weights), read with
  ``allow_pickle=False``; written byte-for-byte reproducibly (fixed zip timestamps);
* ``measures.json``: the sidecar: model version, labels (must equal the catalog's measure ids),
  configuration, calibration, thresholds, the training data and its hash, and the metrics measured
  when it was built.

Every `PassageLabels` names the model version that produced it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from classify.catalog import Campaign, load_campaign
from classify.features import FeatureConfig, FeatureSpace, Units
from classify.thresholds import DecisionRule, PlattCalibration
from corpora import CORPORA_DIR
from ingest.errors import JiliError

MODELS_DIR = CORPORA_DIR / "models"
ARTEFACT_NAME = "measures"
FORMAT = "jili.measures.v1"
# Fixed zip entry time: the same model always gives the same bytes (and the same version).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class ClassifierError(JiliError):
    """The model artefact is missing, corrupt, or does not match the catalog it is used with."""

    code = "model_invalid"


class ModelConfig(BaseModel):
    """How the linear scorers are trained and how their scores become labels."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    loss: Literal["logistic", "hinge"] = "logistic"
    C: float = 16.0
    class_weight: Literal["balanced", "none"] = "balanced"
    # How a passage's score combines with its best sentence's: a report paragraph lists several
    # achievements, and a secondary one (one sentence about 医保 in a health paragraph) should count.
    pooling: Literal["passage", "mean", "max"] = "mean"
    folds: int = 5
    seed: int = 20220625
    threshold_shrink: float = 0.5
    # share of out-of-fold negatives the "no measure" cut must reject (None: balanced accuracy)
    negative_rejection: float | None = 0.98
    fallback: bool = True
    max_labels: int = 4
    review_weight: float = 1.0


class PassageLabels(BaseModel):
    """The measures a passage is evidence for, with a calibrated score for every measure.

    ``measures`` is empty when the passage supports no measure (its best score is under the
    rejection cut); ``explanations`` gives, per labelled measure, the terms that drove the label.
    """

    measures: list[int]
    scores: dict[int, float]
    explanations: dict[int, list[str]] = Field(default_factory=dict)
    relevant: bool
    model_version: str


class ModelMetadata(BaseModel):
    """The sidecar: everything needed to know what a model is and how it was made."""

    model_config = ConfigDict(extra="allow")

    format: str = FORMAT
    model_version: str = ""
    labels: list[int]
    catalog: dict[str, str] = Field(default_factory=dict)
    features: FeatureConfig
    model: ModelConfig
    calibration: PlattCalibration
    decision: DecisionRule
    feature_blocks: dict[str, int] = Field(default_factory=dict)
    tokenizer_version: str = ""
    terms_digest: str = ""
    training: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    artefact_sha256: str = ""


class MeasureClassifier:
    """Multi-label classifier over the catalog's measures.

    ``clf.predict(["新建高标准农田5.2万亩，粮食总产量稳定在110万吨以上。"])[0].measures`` -> ``[15]``
    """

    def __init__(
        self,
        features: FeatureSpace,
        coef: np.ndarray,
        intercept: np.ndarray,
        metadata: ModelMetadata,
    ):
        self.features = features
        # (n_features, n_labels), at half precision: it halves the committed artefact and moves no
        # calibrated score by more than ~1e-3; in memory as float32 for fast sparse products.
        self.coef = np.ascontiguousarray(np.asarray(coef, dtype=np.float16), dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.metadata = metadata
        self.labels: list[int] = list(metadata.labels)
        self.config = metadata.model
        self.calibration = metadata.calibration
        self.rule = metadata.decision
        self._names: list[str] | None = None
        self._coef_by_label: np.ndarray | None = None  # (labels, features), contiguous rows
        self._shown: dict[int, str | None] = {}  # feature column -> the word an explanation shows
        self._lexicon_columns: set[int] = set()  # columns of the catalog-lexicon block seen so far

    @property
    def version(self) -> str:
        return self.metadata.model_version

    # --------------------------------------------------------------------------------- scoring

    def raw_scores(self, texts: list[str]) -> np.ndarray:
        """Pooled linear scores (n, labels), before calibration."""
        return pooled_scores(self.features, self.coef, self.intercept, texts, self.config)

    def scores(self, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities (n, labels), columns in `labels` order."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        return self.calibration.apply(self.raw_scores(texts))

    def predict(self, texts: list[str] | tuple[str, ...], *, explain: bool = True) -> list[PassageLabels]:
        """Label each text; one `PassageLabels` per text, in order."""
        texts = list(texts)
        if not texts:
            return []
        units = self.features.transform_units(texts)
        probs = self.calibration.apply(pool_units(units, self.coef, self.intercept, self.config.pooling))
        chosen = self.rule.apply(probs)
        sentence_rows: dict[int, list[int]] = {}
        for k, owner in enumerate(units.owner.tolist()):
            sentence_rows.setdefault(owner, []).append(k)
        sentence_scores = None  # (sentences, labels), computed once the first explanation needs it
        out = []
        for i, (text, row, columns) in enumerate(zip(texts, probs, chosen, strict=True)):
            measures = [self.labels[j] for j in columns]
            explanations = {}
            if explain and measures:
                own = sentence_rows.get(i)
                if own and sentence_scores is None and self.config.pooling != "passage":
                    sentence_scores = np.asarray(units.sentences @ self.coef)
                matched = self.features.matched_terms(text)
                for j, m in zip(columns, measures, strict=True):
                    if own and sentence_scores is not None:
                        # the passage's best sentence for this measure (its score only orders them)
                        matrix, r = units.sentences, own[int(np.argmax(sentence_scores[own, j]))]
                    else:
                        matrix, r = units.passages, i
                    lo, hi = matrix.indptr[r], matrix.indptr[r + 1]
                    explanations[m] = self._explain_terms(
                        text, matrix.data[lo:hi], matrix.indices[lo:hi], m, matched=matched
                    )
            out.append(
                PassageLabels(
                    measures=measures,
                    scores={mid: round(float(p), 4) for mid, p in zip(self.labels, row.tolist(), strict=True)},
                    explanations=explanations,
                    relevant=bool(row.max() >= self.rule.reject),
                    model_version=self.version,
                )
            )
        return out

    # --------------------------------------------------------------------------------- explaining

    def explain(self, text: str, measure_id: int, k: int = 5) -> list[str]:
        """The terms that pushed `text` towards `measure_id` most: the largest positive contributions
        (feature value x weight) in the passage or, when pooling, its best sentence.

        ``clf.explain("新建高标准农田5.2万亩，粮食总产量110万吨", 15)`` -> ``["高标准农田", "粮食总产量", …]``
        """
        units = self.features.transform_units([text])
        row, sentences = units.passages[0], units.sentences
        if self.config.pooling != "passage" and sentences.shape[0]:
            row = sentences[int(np.argmax(sentences @ self._weights(measure_id)))]
        return self._explain_terms(text, row.data, row.indices, measure_id, k)

    def _weights(self, measure_id: int) -> np.ndarray:
        """The model's feature weights towards one measure (a contiguous row)."""
        if self._coef_by_label is None:
            self._coef_by_label = np.ascontiguousarray(self.coef.T)
        return self._coef_by_label[self.labels.index(measure_id)]

    def _explain_terms(
        self, text: str, data: np.ndarray, indices: np.ndarray, measure_id: int, k: int = 5,
        matched: dict[int, list[str]] | None = None,
    ) -> list[str]:
        """The top k words of one feature row (its values and columns) towards `measure_id`."""
        weights = self._weights(measure_id)
        contrib = data * weights[indices]
        positive = np.flatnonzero(contrib > 0)
        order = positive[np.argsort(-contrib[positive], kind="stable")]
        lexicon_name = f"词表:{measure_id}"
        out: list[str] = []
        for i in order.tolist():
            if len(out) >= k:
                break
            col = int(indices[i])
            name = self._shown.get(col, _UNSEEN)
            if name is _UNSEEN:
                name = self._shown[col] = self._shown_name(col)
            if name is None:
                continue
            if col in self._lexicon_columns:
                if name == lexicon_name:
                    if matched is None:
                        matched = self.features.matched_terms(text)
                    for term in matched.get(measure_id, []):
                        if len(out) >= k:
                            break
                        _add_term(out, term, k)
                continue
            _add_term(out, name, k)
        return out

    def _shown_name(self, col: int) -> str | None:
        """How feature column `col` reads in an explanation, or None when it is not shown."""
        block = self.features.block_of(col)
        name = self._feature_names()[col]
        if block == "lexicon":
            self._lexicon_columns.add(col)
            return name
        if block in ("char", "word"):
            # digits are folded to 0, char n-grams cut across words and a bigram with a one-
            # character word ("个 村社区") reads as noise: show only real words
            parts = name.split(" ")
            name = "".join(parts)
            if "0" in name or len(name) < 2 or (len(parts) > 1 and min(map(len, parts)) < 2):
                return None
            if block == "char" and not self.features.tokenizer.has_word(name):
                return None
        return name

    def _feature_names(self) -> list[str]:
        if self._names is None:
            self._names = self.features.feature_names()
        return self._names

    # --------------------------------------------------------------------------------- storage

    def save(self, directory: Path | str | None = None) -> tuple[Path, Path]:
        """Write ``measures.npz`` and ``measures.json`` into `directory`; returns their paths.

        The model version is derived from the bytes written, so identical training gives an
        identical version.
        """
        directory = Path(directory) if directory is not None else MODELS_DIR
        directory.mkdir(parents=True, exist_ok=True)
        blob = self._npz_bytes()
        sha = hashlib.sha256(blob).hexdigest()
        meta = self.metadata.model_copy(deep=True)
        meta.artefact_sha256 = sha
        identity = json.dumps(
            {
                "npz": sha,
                "calibration": meta.calibration.model_dump(),
                "decision": meta.decision.model_dump(),
                "features": meta.features.model_dump(),
                "model": meta.model.model_dump(),
            },
            sort_keys=True,
        )
        meta.model_version = f"{FORMAT}+{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
        npz_path = directory / f"{ARTEFACT_NAME}.npz"
        json_path = directory / f"{ARTEFACT_NAME}.json"
        npz_path.write_bytes(blob)
        json_path.write_text(
            json.dumps(meta.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        self.metadata = meta
        return npz_path, json_path

    def _npz_bytes(self) -> bytes:
        arrays = self.features.to_arrays()
        arrays["coef"] = self.coef.astype(np.float16)
        arrays["intercept"] = self.intercept
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(arrays):
                data = io.BytesIO()
                np.lib.format.write_array(data, np.asarray(arrays[name]), allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data.getvalue())
        return buffer.getvalue()

    @classmethod
    def load(cls, directory: Path | str | None = None, campaign: Campaign | None = None) -> MeasureClassifier:
        """Load a saved model and check it against the catalog.

        Raises:
            ClassifierError: the artefact is missing or corrupt (hash mismatch), or its labels are not
                the catalog's measure ids (a model trained for another campaign).
        """
        directory = Path(directory) if directory is not None else MODELS_DIR
        npz_path = directory / f"{ARTEFACT_NAME}.npz"
        json_path = directory / f"{ARTEFACT_NAME}.json"
        try:
            meta = ModelMetadata.model_validate_json(json_path.read_text(encoding="utf-8"))
            blob = npz_path.read_bytes()
        except OSError as exc:
            raise ClassifierError(
                f"no model artefact: {exc.strerror or exc} (run `jili train`)", filename=str(exc.filename)
            ) from exc
        except ValueError as exc:
            raise ClassifierError(f"invalid sidecar: {exc}", filename=str(json_path)) from exc
        if meta.format != FORMAT:
            raise ClassifierError(f"format {meta.format!r}, expected {FORMAT!r}", filename=str(json_path))
        if hashlib.sha256(blob).hexdigest() != meta.artefact_sha256:
            raise ClassifierError("arrays do not match the sidecar's sha256", filename=str(npz_path))
        campaign = campaign or load_campaign()
        catalog_ids = [m.id for m in campaign.measures]
        if meta.labels != catalog_ids:
            raise ClassifierError(
                f"model labels {meta.labels} are not the catalog's measure ids {catalog_ids}",
                filename=str(json_path),
            )
        with np.load(io.BytesIO(blob), allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
        features = FeatureSpace.from_arrays(meta.features, arrays)
        if [int(x) for x in arrays["labels"]] != meta.labels:
            raise ClassifierError("arrays and sidecar disagree on labels", filename=str(npz_path))
        return cls(features, arrays["coef"], arrays["intercept"], meta)


_UNSEEN = object()  # a column not yet looked at by `_shown_name`


def _add_term(out: list[str], term: str, k: int) -> None:
    """Add `term` unless a listed term already covers it (a char n-gram inside a listed word)."""
    if len(out) >= k or any(term in t for t in out):
        return
    out[:] = [t for t in out if t not in term]  # a longer term replaces its fragments
    out.append(term)


def pooled_scores(
    features: FeatureSpace,
    coef: np.ndarray,
    intercept: np.ndarray,
    texts: list[str],
    config: ModelConfig,
) -> np.ndarray:
    """Linear scores (n, labels) of `texts`, pooled as `config` says."""
    return pool_units(features.transform_units(texts), coef, intercept, config.pooling)


def pool_units(units: Units, coef: np.ndarray, intercept: np.ndarray, pooling: str) -> np.ndarray:
    """Per passage and label: its own score, its best sentence's, or the mean of the two."""
    passage = np.asarray(units.passages @ coef) + intercept
    if pooling == "passage" or units.sentences.shape[0] == 0:
        return passage
    s = np.asarray(units.sentences @ coef) + intercept
    best = passage.copy()
    sent_best = np.full_like(passage, -np.inf)
    np.maximum.at(sent_best, units.owner, s)
    has = np.isfinite(sent_best[:, 0])
    best[has] = sent_best[has]
    if pooling == "max":
        return np.maximum(passage, best)
    return (passage + best) / 2.0


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> MeasureClassifier:
    return MeasureClassifier.load(Path(directory))


def load_classifier(path: Path | str | None = None) -> MeasureClassifier:
    """The classifier saved in `path` (default: the packaged model in ``corpora/models``), loaded once
    per process and directory.

    Raises:
        ClassifierError: see `MeasureClassifier.load`.
    """
    directory = Path(path) if path is not None else MODELS_DIR
    return _load_cached(str(directory.resolve()))
