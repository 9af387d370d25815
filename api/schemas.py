"""Response models: every shape the API answers, so that the OpenAPI document shows it.

Models allow extra fields, so adding a field to a response never breaks a client that reads these.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(Model):
    code: str = Field(description="stable, for programs: not_found, forbidden, unknown_measure, …")
    message: str


class ErrorOut(Model):
    error: ErrorDetail


ERRORS = {s: {"model": ErrorOut} for s in (400, 401, 403, 404, 413, 422)}


# -- system --------------------------------------------------------------------------------------------
class HealthOut(Model):
    status: str
    time: str


class MetricsOut(Model):
    counts: dict[str, int]
    files_by_status: dict[str, int]
    queue: dict[str, int]
    files_finished_last_hour: int
    workers: list[dict[str, Any]]
    uptime_s: float
    api_pid: int


# -- batches -------------------------------------------------------------------------------------------
class FileOut(Model):
    id: int
    filename: str
    status: str = Field(description="queued | processing | done | duplicate | failed")
    kind: str | None = None
    error_code: str | None = None
    error_message: str | None = None


class ReceiptOut(Model):
    batch_id: str
    files: list[FileOut]
    progress_url: str
    events_url: str


class Progress(Model):
    counts: dict[str, int]
    archives: dict[str, int]
    total: int
    finished: int
    complete: bool
    progress: float


class BatchFileOut(Model):
    id: int
    filename: str
    archive_path: str | None
    size: int | None
    kind: str | None
    status: str
    error_code: str | None
    error_message: str | None
    document_id: str | None
    attempts: int | None
    parent_id: int | None
    updated_at: str | None


class BatchOut(Model):
    id: str
    created_at: str
    uploader: str | None
    region: str | None
    note: str | None
    progress: Progress


class BatchDetailOut(BatchOut):
    files: list[BatchFileOut]


class BatchesOut(Model):
    batches: list[BatchOut]


# -- documents -----------------------------------------------------------------------------------------
class LabelOut(Model):
    measure: int
    score: float | None
    eligible: int | bool | None
    origin: str | None
    strength: str | None = None  # 强 / 中 / 弱
    reason: str | None = None  # 命中：高标准农田、粮食总产量


class PassageOut(Model):
    id: int
    seq: int
    text: str
    heading: str | None
    page: int
    end_page: int | None
    start: int
    end: int
    source: str
    labels: list[LabelOut]


class DocumentMeasureOut(Model):
    measure: int
    score: float | None
    eligible: bool | None
    lead_units: list[str]
    co_units: list[str]
    title: str | None


class DocumentOut(Model):
    id: str
    filename: str
    archive_path: str | None
    format: str
    pages: int
    title: str | None
    doc_number: str | None
    doc_date: str | None
    region: str | None
    applicant_type: str | None
    township: str | None
    ocr_pages: list[int]
    warnings: list[str]
    measures: list[DocumentMeasureOut]
    passages: list[PassageOut]
    figures: list[dict[str, Any]]


class BoxOut(Model):
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


class BoxesOut(Model):
    passage_id: int
    page: int
    boxes: list[BoxOut]


# -- search, measures, evidence ------------------------------------------------------------------------
class HitOut(Model):
    passage_id: int
    document_id: str
    filename: str
    archive_path: str | None
    region: str | None
    page: int
    end_page: int
    heading: str | None
    text: str
    snippet: str
    score: float
    measures: list[dict[str, Any]]  # each with measure, score, strength (强/中/弱), reason, eligible, origin
    citation: str
    late: bool = False
    related_only: bool = False


class SearchOut(Model):
    query: str
    total: int
    page: int
    size: int
    hits: list[HitOut]
    facets: dict[str, Any]
    took_ms: float
    expansions: list[dict[str, Any]] = Field(default_factory=list,
                                             description="同时检索：thesaurus terms found and the related terms searched")


class MeasureOut(Model):
    id: int
    campaign: int
    title: str
    lead_units: list[str]
    co_units: list[str]
    applicant_types: list[str]
    incentives: list[str]


class MeasuresOut(Model):
    measures: list[MeasureOut]


class EvidenceOut(Model):
    measure: int
    title: str | None
    lead_units: list[str]
    regions: list[dict[str, Any]]


class RecordsOut(Model):
    measure: int
    records: list[dict[str, Any]]


class ExperienceOut(Model):
    passage_id: int
    document_id: str
    region: str | None
    filename: str
    page: int
    end_page: int
    heading: str | None
    text: str
    measure: int | None
    score: float
    summary: str = Field(description="why, in words: 具体做法+量化成效")
    reasons: list[str]
    citation: str
    county: str | None = None
    ranker_version: str


class ExperiencesOut(Model):
    experiences: list[ExperienceOut]
    expansions: list[dict[str, Any]] = Field(default_factory=list, description="同时检索 for theme words `q`")


# -- review --------------------------------------------------------------------------------------------
class ReviewIn(BaseModel):
    """A reviewer's action on a passage. 审核操作：改标、标记典型、取消典型、准予宣传。"""

    action: str = Field(description="relabel | exemplary | not_exemplary | cleared | uncleared")
    measures: list[int] | None = Field(default=None, description="relabel: the passage's correct measures (1-30)")
    note: str | None = Field(default=None, max_length=2000)


class ReviewOut(Model):
    review_id: int
    passage_id: int
    action: str
    reviewer: str


class ReviewStatesOut(Model):
    passages: dict[str, dict[str, Any]]


class RecommendationItem(BaseModel):
    region: str = Field(min_length=1, max_length=60, description="a region that declared the measure")
    justification: str = Field(max_length=500, description="推荐理由, a short justification")
    passage_ids: list[int] = Field(default_factory=list, max_length=10, description="the evidence cited")
    override: bool = Field(default=False, description="list an applicant that did not declare the measure "
                                                       "(the reviewer confirms; shown as such in the exports)")


class RecommendationsIn(BaseModel):
    items: list[RecommendationItem] = Field(default_factory=list, max_length=100)


class RecommendationsOut(Model):
    measure: int
    items: list[dict[str, Any]]
    updated_at: str | None
    updated_by: str | None
    title: str | None = None


# -- the signed-in user and overviews ------------------------------------------------------------------
class MeOut(Model):
    id: int
    name: str
    role: str
    role_name: str
    region: str | None
    lead_units: list[str]
    measures: list[int] | None
    pages: list[dict[str, str]]


class MatrixOut(Model):
    measures: list[dict[str, Any]]
    regions: list[dict[str, Any]]


class DeadlinesOut(Model):
    campaign: int
    title: str
    deadlines: list[dict[str, Any]]
    declaration_deadline: str | None
    late: list[dict[str, Any]]


# -- checks --------------------------------------------------------------------------------------------
class CopySide(Model):
    document_id: str | None
    filename: str | None
    region: str | None
    page: int | None
    passage_id: int | None
    text: str | None


class CopyOut(Model):
    a: CopySide
    b: CopySide
    similarity: float
    first: str = Field(description="a | b: which was stored first")
    boilerplate: bool


class ConflictFigure(Model):
    document_id: str
    filename: str
    page: int | None
    raw: str
    value: float
    unit: str | None
    figure_id: int | None = None
    passage_id: int | None = None
    archive_path: str | None = None
    metric: str | None = None
    period: str | None = None


class ConflictOut(Model):
    region: str
    metric: str
    period: str | None
    kind: str = Field(description="disagree | impossible")
    reason: str | None = Field(default=None, description="同一指标、同一时期数值不一致 / 占比或比率超过100% / …")
    figures: list[ConflictFigure]


class ChecksOut(Model):
    copies: list[CopyOut]
    figure_conflicts: list[ConflictOut]


class DocumentMarksOut(Model):
    passages: dict[int, list[dict[str, Any]]]
    figures: dict[int, list[dict[str, Any]]]
