"""The shortcuts taken for speed give the answers of the long way round.

Numbers are parsed without the positional parser when they are plain Arabic (or Arabic + 万/亿),
periods and plan words are searched one sentence at a time, a stretch without 年/月/季/五 is not
searched for periods at all, and a segment's figures are cited as they are made. Each test compares
a shortcut with the general path it replaces.
"""

from __future__ import annotations

import json
import random
import re
from decimal import localcontext
from pathlib import Path

import pytest

from extract import extract_document, extract_figures
from extract.figures import _CLAUSE_END, _SENTENCE_ENDS, _engine
from extract.numerals import _EXACT, _parse_positional, fold_width, parse_number
from extract.periods import _ANCHORS, _PERIOD, _RELATIVE, find_periods
from ingest.model import Document, InputFormat, Segment, SegmentKind

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "corpora" / "samples" / "src").glob("*.md"))


def _texts(dev_set: Path) -> list[str]:
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [fold_width(r["text"]) for r in rows] + [fold_width(p.read_text(encoding="utf-8")) for p in SAMPLES]


def _sentences(text: str) -> list[tuple[int, int]]:
    ends = [m.start() for m in _CLAUSE_END.finditer(text) if text[m.start()] in _SENTENCE_ENDS] + [len(text)]
    return [(ends[i - 1] + 1 if i else 0, end) for i, end in enumerate(ends)]


@pytest.mark.parametrize(
    "text",
    ["2022", "007", "0", "1,234", "12.50", "8.5", "1.2万", "74万", "175亿", "4.27万亿", "3650万亿", "1,234.5万",
     "0万", "0.0万", "1" * 25, "1" * 25 + "万"],
)
def test_parse_number_shortcuts_agree_with_the_positional_parser(text: str) -> None:
    with localcontext(_EXACT):
        expected = _parse_positional(text)
    parsed = parse_number(text)
    assert (str(parsed.value), parsed.approx, parsed.magnitude_only) == (
        str(expected.value), expected.approx, expected.magnitude_only
    )
    if not text.isascii():
        assert parsed.chinese == expected.chinese


def test_every_period_holds_an_anchor_character(dev_set: Path) -> None:
    rng = random.Random(7)
    alphabet = "截至止到19202122年度月日底末上下半前第一二三四季十五“”期间时以来-—~至0123456789今去全当本"
    texts = _texts(dev_set) + ["".join(rng.choice(alphabet) for _ in range(12)) for _ in range(20000)]
    for text in texts:
        for pattern in (_PERIOD, _RELATIVE):
            for m in pattern.finditer(text):
                assert _ANCHORS.search(m.group(0)), m.group(0)


def test_periods_of_one_sentence_are_those_of_the_whole_text(dev_set: Path) -> None:
    for text in _texts(dev_set):
        whole = [(p.start, p.end, p.period) for p in find_periods(text)]
        by_sentence = [
            (p.start, p.end, p.period) for start, end in _sentences(text) for p in find_periods(text, start=start, end=end)
        ]
        assert by_sentence == whole


def test_plan_words_of_one_sentence_are_those_of_the_whole_text(dev_set: Path) -> None:
    reader = _engine().reader
    for text in _texts(dev_set):
        by_sentence = [pos for start, end in _sentences(text) for pos in reader.target_cues(text, start, end)]
        assert by_sentence == reader.target_cues(text)


def test_a_period_is_not_searched_where_no_anchor_is() -> None:
    assert find_periods("全区规模以上工业总产值增长12.6%") == []
    assert [p.period.text for p in find_periods("全区2022年规模以上工业总产值增长12.6%")] == ["2022年"]


def _document(texts: list[str], *, spanning: int | None = None) -> Document:
    segments, pos = [], 0
    for i, text in enumerate(texts):
        segments.append(Segment(id=f"s{i}", kind=SegmentKind.PARAGRAPH, text=text, page=1 + i, start=pos,
                                end=pos + len(text), end_page=2 + i if i == spanning else None))
        pos += len(text) + 1
    return Document(id="0" * 64, filename="t.docx", format=InputFormat.DOCX, pages=len(texts) + 1,
                    text="\n".join(texts), segments=segments)


@pytest.mark.parametrize("spanning", [None, 1])
def test_a_segment_cites_its_figures_as_extract_figures_would(spanning: int | None) -> None:
    texts = ["2022年，全区规模以上工业总产值达到1386.4亿元，同比增长12.6%。", "新增高新技术企业36家，居全市第2位。"]
    doc = _document(texts, spanning=spanning)
    expected = []
    for seg in doc.segments:
        for f in extract_figures(seg.text, source=seg.source):
            f.start += seg.start
            f.end += seg.start
            f.segment_id, f.page, f.document_id = seg.id, doc.page_of(f.start), doc.id
            expected.append(f)
    figures = extract_document(doc)
    assert [f.to_json_dict() for f in figures] == [f.to_json_dict() for f in expected]
    assert [f.model_fields_set for f in figures] == [f.model_fields_set for f in expected]


def test_sentence_ends_are_the_clause_ends_that_end_sentences() -> None:
    text = "增长8.5%；其中，1,234家企业：完成3,5亿元!好?\n再"
    clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]
    sentence_ends = [m.start() for m in re.finditer(r"[。！？；;!?\n]", text)]
    assert [i for i in clause_ends if text[i] in _SENTENCE_ENDS] == sentence_ends
