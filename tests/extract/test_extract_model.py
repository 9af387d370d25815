"""The figure record: the extractor's unvalidated records equal validated ones, field for field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extract import KeyFigure, extract_document, extract_figures
from extract.model import FigureKind
from ingest.model import Document, InputFormat, Segment, SegmentKind

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "corpora" / "samples" / "src").glob("*.md"))


def _sample_document() -> Document:
    text = SAMPLES[0].read_text(encoding="utf-8")
    segments = [Segment(id="s0", kind=SegmentKind.PARAGRAPH, text=text, page=1, start=0, end=len(text))]
    return Document(id="d" * 64, filename="a.md", format=InputFormat.TXT, pages=1, text=text, segments=segments)


def test_every_extracted_figure_survives_validation_unchanged():
    figures = [f for p in SAMPLES for f in extract_figures(p.read_text(encoding="utf-8"))]
    figures += extract_document(_sample_document())
    assert len(figures) > 500
    for f in figures:
        validated = KeyFigure.model_validate(f.model_dump())
        assert validated == f
        assert list(f.__dict__) == list(KeyFigure.model_fields)
        assert f.model_fields_set == set(KeyFigure.model_fields)


def test_a_trusted_record_needs_every_field():
    with pytest.raises(TypeError, match="missing"):
        KeyFigure.trusted(raw="5%", value=Decimal(5), unit="%", kind=FigureKind.PERCENT)


def test_a_trusted_record_can_be_amended_and_serialised():
    f = extract_figures("全区新增高新技术企业97家")[0]
    f.page = 3
    assert f.to_json_dict()["page"] == 3 and f.model_dump()["value"] == Decimal(97)
    assert KeyFigure.model_validate_json(f.model_dump_json()) == f
