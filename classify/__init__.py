"""classify: which 督查激励 measures a passage or a document is evidence for, who declares it, whether
that applicant may, and which lead units each label goes to.

Public API:
    load_campaign() -> Campaign                          # the 30 measures, lead units, applicant types
    load_classifier(path=None) -> MeasureClassifier      # the packaged model, loaded once
    MeasureClassifier.predict(texts) -> list[PassageLabels]
    classify_document(doc, classifier=None) -> DocumentLabels
    detect_region(doc) -> RegionMatch | None; is_eligible(measure, applicant_type) -> bool
    load_gazetteer() -> Gazetteer                          # regions by official, short or weak name
    evaluate(classifier, items) -> dict                  # P/R/F1, top-k, negatives rejected
    train(items=None, reviews=...) -> MeasureClassifier  # then .save(dir)

scikit-learn is imported only when `train` runs, so that loading and applying a model stays fast.
"""

from __future__ import annotations

from classify.catalog import ApplicantType, Campaign, CatalogError, Measure, load_campaign
from classify.document import DocumentLabels, DocumentMeasure, classify_document
from classify.evaluate import evaluate
from classify.model import ClassifierError, MeasureClassifier, PassageLabels, load_classifier
from classify.regions import (
    MeasureRoute,
    RegionMatch,
    detect_region,
    is_eligible,
    load_gazetteer,
    route_measures,
)
from classify.training import LabelledPassage, read_labelled, train

__all__ = [
    "ApplicantType", "Campaign", "CatalogError", "ClassifierError", "DocumentLabels",
    "DocumentMeasure", "LabelledPassage", "Measure", "MeasureClassifier", "MeasureRoute", "PassageLabels",
    "RegionMatch", "classify_document", "detect_region", "evaluate", "is_eligible", "load_campaign", "load_gazetteer",
    "load_classifier", "read_labelled", "route_measures", "train",
]
