"""Document-level labels: which measures a declaration is evidence for, who declares them, whether
that applicant may, and which lead units each label goes to.

Passage labels are not simply pooled. A declaration about 河长制 that mentions investment in one
sentence is not a measure-1 declaration, so a measure becomes a document label only when

* the title or file name names it (declarations usually do: "…-推进公路和水网建设-扩大有效投资-申报材料"), or
* enough of the document's relevant passages carry it: at least `AggregationRule.min_passages`
  of them *and* at least `min_share` of them, with a document score of at least `min_score`. In
  a short document (at most `short_document`
  relevant passages) one passage is enough, if the measure is that passage's best label.

Its document score is the mean of its best `top_k` passage scores (a single strong mention among
many passages stays low). The declaring region and applicant type come from `classify.regions`;
eligibility and routing from `route_measures`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from classify.catalog import ApplicantType, Campaign, Measure, load_campaign
from classify.features import normalize_text, split_sentences
from classify.model import MeasureClassifier, PassageLabels, load_classifier
from classify.regions import detect_region, route_measures
from classify.terms import MeasureTerms, default_measure_terms
from ingest.model import Document

# Leading verbs of measure titles, dropped to get the name a file name uses ("数字化发展").
_TITLE_VERBS = re.compile(
    r"^(?:加快推进|持续推进|持续抓好|深入开展|培育壮大|巩固拓展|防范化解|推动|推进|实施|深化|促进|营造|加强|获得)"
)
_QUOTED = re.compile(r"[“\"]([^”\"]{2,12})[”\"]")
_PASSAGE_CHARS = 400


class AggregationRule(BaseModel):
    """When passage labels add up to a document label."""

    model_config = ConfigDict(frozen=True)

    min_passages: int = 2
    min_share: float = 0.15
    min_score: float = 0.65
    short_document: int = 3
    top_k: int = 3


class DocumentMeasure(BaseModel):
    """One measure the document is evidence for, with eligibility and routing."""

    measure_id: int
    title: str
    score: float = Field(description="mean of the best passage scores for this measure")
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
    """A document's region, applicant type, measures and per-passage labels."""

    document_id: str
    filename: str
    region: str | None
    township: str | None = None
    applicant_type: ApplicantType | None
    region_confidence: float | None = None
    region_evidence: list[str] = Field(default_factory=list)
    measures: list[DocumentMeasure]
    routing: dict[str, list[int]] = Field(
        default_factory=dict, description="lead unit -> the document's measures it leads"
    )
    passages: dict[str, PassageLabels] = Field(description="per passage id")
    relevant_passages: int
    model_version: str


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
    rule: AggregationRule | None = None,
) -> DocumentLabels:
    """Label a whole document: passages, document measures, region, eligibility and routing.

    ``classify_document(parse_document(data, "白沙镇-深入开展乡村治理-典型经验材料.pdf"))`` ->
    ``DocumentLabels(region="江津区", township="白沙镇", applicant_type=ApplicantType.TOWNSHIP,
    measures=[DocumentMeasure(measure_id=16, eligible=True, lead_units=["市乡村振兴局"], …)], …)``
    """
    classifier = classifier or load_classifier()
    campaign = campaign or load_campaign()
    rule = rule or AggregationRule()
    passages = document_passages(doc)
    labels = classifier.predict([text for _, text in passages])
    by_id = {pid: label for (pid, _), label in zip(passages, labels, strict=True)}

    title_text = " ".join(x for x in (doc.gongwen.title, doc.archive_path, doc.filename) if x)
    named = set(measures_named_in(title_text, campaign))
    relevant = [label for label in labels if label.measures]
    n_relevant = len(relevant)
    short = n_relevant <= rule.short_document

    chosen: list[tuple[int, float, int, float, list[str]]] = []
    for measure_id in classifier.labels:
        carrying = [
            (pid, label.scores[measure_id])
            for pid, label in by_id.items()
            if measure_id in label.measures
        ]
        carrying.sort(key=lambda item: -item[1])
        share = len(carrying) / n_relevant if n_relevant else 0.0
        scores = sorted((label.scores[measure_id] for label in labels), reverse=True)
        k = max(1, min(rule.top_k, n_relevant or 1))
        score = float(np.mean(scores[:k])) if scores else 0.0
        leading = sum(1 for pid, _ in carrying if by_id[pid].measures[0] == measure_id)
        enough = len(carrying) >= rule.min_passages or (short and leading >= 1)
        by_passages = enough and share >= rule.min_share and score >= rule.min_score
        if measure_id in named or by_passages:
            chosen.append((measure_id, score, len(carrying), share, [pid for pid, _ in carrying]))
    chosen.sort(key=lambda item: (item[0] not in named, -item[1]))

    match = detect_region(doc)
    applicant = match.applicant_type if match is not None else None
    routes = {r.measure_id: r for r in route_measures([c[0] for c in chosen], applicant, campaign)} if applicant else {}
    measures = []
    for measure_id, score, count, share, evidence in chosen:
        measure = campaign.measure(measure_id)
        route = routes.get(measure_id)
        measures.append(
            DocumentMeasure(
                measure_id=measure_id,
                title=measure.title,
                score=round(score, 4),
                named_in_title=measure_id in named,
                passages=count,
                share=round(share, 4),
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
        region=match.region if match else None,
        township=match.township if match else None,
        applicant_type=applicant,
        region_confidence=match.confidence if match else None,
        region_evidence=list(match.evidence) if match else [],
        measures=measures,
        routing=units_for(measures),
        passages=by_id,
        relevant_passages=n_relevant,
        model_version=classifier.version,
    )


def units_for(labels: Sequence[DocumentMeasure]) -> dict[str, list[int]]:
    """Lead unit -> the document's measures it leads (a declaration may go to several units)."""
    out: dict[str, list[int]] = {}
    for label in labels:
        for unit in label.lead_units:
            out.setdefault(unit, []).append(label.measure_id)
    return out
