"""The measure-term lexicon: per measure, the words in which reports write about what it rewards.

This module owns ``corpora/models/measure_terms.yaml`` (validated on load: a bad entry raises
`CatalogError` naming the file and line) and `TermMatcher`, which finds every term in a text,
overlapping ones included (高标准农田 also counts 农田 when both are listed).

The catalog's own keywords come from one paragraph of the notice; these lists add the words that
county declarations and provincial reports use instead (以旧换新 for 消费, 集采 for 医保), so that a
term the training corpus never used still counts as evidence for its measure.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from classify.catalog import Campaign, CatalogError, line_of, load_campaign, raise_validation_error, read_yaml
from corpora import CORPORA_DIR

TERMS_PATH = CORPORA_DIR / "models" / "measure_terms.yaml"
# Weak terms are topical but also appear in passing ("投资" in an education paragraph): half a hit.
WEAK_WEIGHT = 0.5
_MIN_TERM_CHARS = 2


def _check_terms(terms: list[str]) -> list[str]:
    out = []
    for term in terms:
        term = str(term).strip()
        if len(term) < _MIN_TERM_CHARS:
            raise ValueError(f"term {term!r} is shorter than {_MIN_TERM_CHARS} characters")
        out.append(term)
    return out


class MeasureTermList(BaseModel):
    """The terms of one measure; `title` repeats the catalog title so a shifted list is caught."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list, description="short names used in titles")
    terms: list[str] = Field(min_length=1)
    weak: list[str] = Field(default_factory=list)

    @field_validator("aliases", "terms", "weak", mode="before")
    @classmethod
    def _strip_and_check(cls, value: list[str] | None) -> list[str]:
        return _check_terms(value or [])


class MeasureTerms(BaseModel):
    """All measures' term lists, keyed by catalog measure id."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    measures: dict[int, MeasureTermList]

    @property
    def digest(self) -> str:
        """sha256 (12 hex) of the lists: part of the model's identity."""
        blob = self.model_dump_json().encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:12]

    def entries(self) -> list[tuple[str, int, float]]:
        """Every (term, measure id, weight), in file order."""
        out = []
        for measure_id, spec in self.measures.items():
            out += [(t, measure_id, 1.0) for t in spec.terms]
            out += [(t, measure_id, WEAK_WEIGHT) for t in spec.weak]
        return out


def load_measure_terms(path: Path | None = None, campaign: Campaign | None = None) -> MeasureTerms:
    """Load and validate the term lists against the catalog.

    Raises:
        CatalogError: invalid YAML, a missing field, a one-character term, a measure id the catalog
            does not have (or a catalog measure without a list), or a title that differs from the
            catalog's, with the file and line.
    """
    path = Path(path) if path is not None else TERMS_PATH
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError("expected a mapping with 'version' and 'measures'", filename=path, line=1)
    try:
        terms = MeasureTerms.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, path, node)
    campaign = campaign or load_campaign()
    catalog = {m.id: m for m in campaign.measures}
    for measure_id, spec in terms.measures.items():
        if measure_id not in catalog:
            raise CatalogError(
                f"measures.{measure_id}: no such measure in the catalog",
                filename=path,
                line=line_of(node, ("measures", measure_id)),
            )
        if spec.title != catalog[measure_id].title:
            raise CatalogError(
                f"measures.{measure_id}.title: {spec.title!r} is not the catalog's {catalog[measure_id].title!r}",
                filename=path,
                line=line_of(node, ("measures", measure_id, "title")),
            )
    missing = sorted(set(catalog) - set(terms.measures))
    if missing:
        raise CatalogError(f"no term list for measures {missing}", filename=path, line=1)
    return terms


@lru_cache(maxsize=2)
def default_measure_terms() -> MeasureTerms:
    return load_measure_terms()


class TermMatcher:
    """Finds every listed term in a text, overlapping matches included.

    Terms are indexed by their first two characters, so a text costs one dict lookup per position
    plus a ``startswith`` per candidate: far cheaper than one substring search per term.
    """

    def __init__(self, terms: Iterable[str]):
        self.terms: tuple[str, ...] = tuple(dict.fromkeys(terms))
        self.index = {term: i for i, term in enumerate(self.terms)}
        by_prefix: dict[str, list[int]] = defaultdict(list)
        for i, term in enumerate(self.terms):
            by_prefix[term[:_MIN_TERM_CHARS]].append(i)
        self._by_prefix = {k: tuple(v) for k, v in by_prefix.items()}

    def find(self, text: str) -> list[int]:
        """Indices of the distinct terms found in `text`, in order of first appearance.

        ``TermMatcher(["高标准农田", "农田"]).find("建成高标准农田5万亩")`` -> ``[0, 1]``
        """
        seen: dict[int, None] = {}
        lookup = self._by_prefix.get
        for pos in range(len(text) - 1):
            candidates = lookup(text[pos : pos + _MIN_TERM_CHARS])
            if candidates:
                for i in candidates:
                    if i not in seen and text.startswith(self.terms[i], pos):
                        seen[i] = None
        return list(seen)
