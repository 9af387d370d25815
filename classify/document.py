"""Document-level labels: which measures a declaration declares (and may concern), who declares them,
whether that applicant may, and which lead units each label goes to.

Passage labels add up through a small model calibrated on whole declarations (`classify.aggregation`):
each measure is **declared** (the document's measures) or **possible** (a strong single mention, or a
measure the title names, kept so that it is seen and its eligibility checked), or not a label at all. Every kept measure is checked
against the declaring applicant's type: an ineligible declaration is flagged, never dropped.

The declaring applicant is a township or platform in its own right when one declares ("草堂镇（奉节县）"),
else the 区县. The uploader's region is the default; a township inside it that the document names
refines it; a document that names another region keeps the uploader's and carries a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from classify.aggregation import FEATURES, DocumentModel, PassageScores, features, load_document_model
from classify.catalog import ApplicantType, Campaign, Measure, load_campaign
from classify.features import normalize_text, split_sentences
from classify.model import MeasureClassifier, PassageLabels, load_classifier
from classify.regions import declaring_applicant, detect_region, route_measures
from classify.terms import MeasureTerms, default_measure_terms
from ingest.model import Document

# Leading verbs of measure titles, dropped to get the name a file name uses ("数字化发展").
_TITLE_VERBS = re.compile(
    r"^(?:加快推进|持续推进|持续抓好|深入开展|培育壮大|巩固拓展|防范化解|推动|推进|实施|深化|促进|营造|加强|获得)"
)
_QUOTED = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")
_PASSAGE_CHARS = 400


class DocumentMeasure(BaseModel):
    """One measure the document declares (or may concern), with eligibility and routing."""

    measure_id: int
    title: str
    level: Literal["declared", "possible"] = Field(description="declared, or a strong mention kept for review")
    probability: float = Field(description="the document model's probability that the measure is declared")
    score: float = Field(description="mean of the best three passage scores for this measure")
    named_in_title: bool
    passages: int = Field(description="relevant passages labelled with this measure")
    share: float = Field(description="share of the relevant passages labelled with this measure")
    eligible: bool | None = Field(description="None when the applicant type is unknown")
    eligibility: str
    lead_units: list[str]
    co_units: list[str]
    evidence: list[str] = Field(description="passage ids, strongest first")
    model_version: str


class DocumentLabels(BaseModel):
    """A document's declaring applicant, measures and per-passage labels."""

    document_id: str
    filename: str
    region: str | None = Field(description="the declaring applicant: a 区县, a platform, or a township with its "
                                           "county beside it, 草堂镇（奉节县）")
    county: str | None = Field(default=None, description="the 区县 or platform the applicant belongs to")
    township: str | None = None
    applicant_type: ApplicantType | None
    region_source: str | None = Field(default=None, description="document | uploader | uploader+document")
    region_warning: str | None = Field(default=None, description="the document names another region than the "
                                                                 "uploader's")
    region_confidence: float | None = None
    region_evidence: list[str] = Field(default_factory=list)
    measures: list[DocumentMeasure] = Field(description="declared measures first, then possible ones")
    routing: dict[str, list[int]] = Field(
        default_factory=dict, description="lead unit -> the document's measures it leads"
    )
    passages: dict[str, PassageLabels] = Field(description="per passage id")
    relevant_passages: int
    model_version: str
    aggregation_version: str | None = None

    @property
    def declared(self) -> list[DocumentMeasure]:
        return [m for m in self.measures if m.level == "declared"]


def document_passages(doc: Document) -> list[tuple[str, str]]:
    """(passage id, text) to classify: the document's passages, or chunks of its text when it has none."""
    if doc.passages:
        return [(p.id, p.text) for p in doc.passages if p.text.strip()]
    chunks: list[str] = []
    for sentence in split_sentences(normalize_text(doc.text)):
        if chunks and len(chunks[-1]) + len(sentence) <= _PASSAGE_CHARS:
            chunks[-1] += sentence
        else:
            chunks.append(sentence)
    return [(f"t{i}", text) for i, text in enumerate(chunks, start=1)]


def measures_named_in(text: str, campaign: Campaign, terms: MeasureTerms | None = None) -> list[int]:
    """Measures a title or file name names, by title, title without its leading verb, quoted part
    or alias. ``"万州区-推进公路和水网建设-扩大有效投资-申报材料.docx"`` -> ``[1, 18]``"""
    terms = terms or default_measure_terms()
    text = normalize_text(text).replace("“", "").replace("”", "")
    found = []
    for measure in campaign.measures:
        if any(name in text for name in _title_forms(measure, terms)):
            found.append(measure.id)
    return found


def _title_forms(measure: Measure, terms: MeasureTerms) -> set[str]:
    title = measure.title
    forms = {title.replace("“", "").replace("”", "")}
    stripped = _TITLE_VERBS.sub("", title).replace("“", "").replace("”", "")
    if len(stripped) >= 4:
        forms.add(stripped)
    forms.update(q for q in _QUOTED.findall(title) if len(q) >= 3)
    listed = terms.measures.get(measure.id)
    if listed is not None:
        forms.update(listed.aliases)
    return forms


def classify_document(
    doc: Document,
    classifier: MeasureClassifier | None = None,
    *,
    campaign: Campaign | None = None,
    model: DocumentModel | None = None,
    uploader_region: str | None = None,
) -> DocumentLabels:
    """Label a whole document: passages, document measures, declaring applicant, eligibility and routing.

    ``classify_document(parse_document(data, "白沙镇-深入开展乡村治理-典型经验材料.pdf"), uploader_region="江津区")``
    -> ``DocumentLabels(region="白沙镇（江津区）", county="江津区", township="白沙镇",
    applicant_type=ApplicantType.TOWNSHIP, measures=[DocumentMeasure(measure_id=16, level="declared",
    eligible=True, lead_units=["市乡村振兴局"], …)], …)``
    """
    classifier = classifier or load_classifier()
    campaign = campaign or load_campaign()
    model = model or load_document_model()
    passages = document_passages(doc)
    labels = classifier.predict([text for _, text in passages])
    by_id = {pid: label for (pid, _), label in zip(passages, labels, strict=True)}

    named, in_headings = measures_named(doc, campaign)
    measure_ids = list(classifier.labels)
    seen = [PassageScores(label.scores, tuple(label.measures)) for label in labels]
    x = features(measure_ids, seen, named, in_headings)
    probs = model.probabilities(x) if len(measure_ids) else np.zeros(0)
    n_relevant = sum(1 for label in labels if label.measures)

    chosen = []
    for row, (measure_id, p) in enumerate(zip(measure_ids, probs.tolist(), strict=True)):
        best = x[row, FEATURES.index("best")]
        labelled = [pid for pid, label in by_id.items() if measure_id in label.measures]
        if p >= model.declared:
            level = "declared"
        elif p >= model.possible or (labelled and best >= model.strong_passage) or measure_id in named:
            # a measure the title names is what the applicant says it declares: kept, so that its
            # eligibility is checked, even when no passage argues for it
            level = "possible"
        else:
            continue
        labelled.sort(key=lambda pid: -by_id[pid].scores[measure_id])
        chosen.append((measure_id, level, p, float(x[row, FEATURES.index("top3")]), labelled))
    chosen.sort(key=lambda c: (c[1] != "declared", -c[2]))

    applicant = declaring_applicant(detect_region(doc), uploader_region)
    kind = applicant.applicant_type
    routes = {r.measure_id: r for r in route_measures([c[0] for c in chosen], kind, campaign)} if kind else {}
    measures = []
    for measure_id, level, p, score, evidence in chosen:
        measure = campaign.measure(measure_id)
        route = routes.get(measure_id)
        measures.append(
            DocumentMeasure(
                measure_id=measure_id,
                title=measure.title,
                level=level,
                probability=round(p, 4),
                score=round(score, 4),
                named_in_title=measure_id in named,
                passages=len(evidence),
                share=round(len(evidence) / n_relevant, 4) if n_relevant else 0.0,
                eligible=route.eligible if route else None,
                eligibility=route.reason if route else "申报单位类型未识别，无法判断申报资格",
                lead_units=list(measure.lead_units),
                co_units=list(measure.co_units),
                evidence=evidence[:5],
                model_version=classifier.version,
            )
        )
    return DocumentLabels(
        document_id=doc.id,
        filename=doc.filename,
        region=applicant.name,
        county=applicant.county,
        township=applicant.township,
        applicant_type=kind,
        region_source=applicant.source,
        region_warning=applicant.warning,
        region_confidence=applicant.confidence,
        region_evidence=applicant.evidence,
        measures=measures,
        routing=units_for([m for m in measures if m.level == "declared"]),
        passages=by_id,
        relevant_passages=n_relevant,
        model_version=classifier.version,
        aggregation_version=model.version,
    )


def measures_named(doc: Document, campaign: Campaign) -> tuple[set[int], set[int]]:
    """The measures the title or file name names, and those a heading names."""
    title_text = " ".join(x for x in (doc.gongwen.title, doc.archive_path, doc.filename) if x)
    headings = " ".join(s.text for s in doc.segments if s.kind.value == "heading")
    return set(measures_named_in(title_text, campaign)), set(measures_named_in(headings, campaign))


def units_for(labels: Sequence[DocumentMeasure]) -> dict[str, list[int]]:
    """Lead unit -> the document's measures it leads (a declaration may go to several units)."""
    out: dict[str, list[int]] = {}
    for label in labels:
        for unit in label.lead_units:
            out.setdefault(unit, []).append(label.measure_id)
    return out
