"""index: the SQLite store, full-text evidence search, evidence by measure and typical experiences.

Public API:
    Store(data_dir)                                  # schema migrated on open; WAL; originals on disk
    search(store, query, SearchFilters(...)) -> SearchResults
    evidence_for_measure(store, measure) -> MeasureEvidence
    figure_table(store, measure, metric=..., kind=...) -> rows;  to_csv / to_xlsx
    rank_experiences(store, measure=...) -> [Experience];  briefing_docx(items)
"""

from index.evidence import evidence_for_measure, figure_table, to_csv, to_xlsx
from index.experiences import Experience, briefing_docx, experiences_json, rank_experiences
from index.phrases import figure_phrase
from index.search import SearchFilters, SearchHit, SearchResults, search
from index.store import NotFoundError, Store, StoreError, UnknownMeasureError

__all__ = [
    "Experience", "MeasureEvidence", "NotFoundError", "SearchFilters", "SearchHit", "SearchResults", "Store",
    "StoreError", "UnknownMeasureError", "briefing_docx", "evidence_for_measure", "experiences_json",
    "figure_phrase", "figure_table", "rank_experiences", "search", "to_csv", "to_xlsx",
]
from index.evidence import MeasureEvidence  # noqa: E402
