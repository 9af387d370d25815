"""Ruled tables read from PDFium's drawing agree with pdfplumber's, the reference, cell for cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpora import CORPORA_DIR
from ingest import ParseOptions, parse_document
from tests.conftest import REAL, make_pdf

OURS, THEIRS = ParseOptions(ocr=False), ParseOptions(ocr=False, pdf_tables="pdfplumber")
SAMPLES = sorted((CORPORA_DIR / "samples").glob("*.pdf"))
REAL_TABLES = ["broker_report_financial_tables_1p.pdf", "prospectus_tables_1p.pdf", "research_report_2col_tables_4p.pdf",
               "procurement_notice_browser_print_2p.pdf", "e_invoice_form_1p.pdf"]


def _cells(path: Path | bytes, options: ParseOptions) -> list[str]:
    data = path if isinstance(path, bytes) else path.read_bytes()
    doc = parse_document(data, "t.pdf", options)
    return sorted(s.text for s in doc.segments if s.kind.value == "table_cell")


def _tables(path: Path, options: ParseOptions) -> int:
    doc = parse_document(path.read_bytes(), path.name, options)
    return sum(1 for s in doc.segments if s.kind.value == "table")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:12])
def test_the_sample_declarations_tables_are_read_exactly_as_pdfplumber_reads_them(path):
    assert _cells(path, OURS) == _cells(path, THEIRS)


def test_a_generated_ruled_table_keeps_every_cell_once_with_its_decimal_points():
    rows = [["指标", "2021年", "2022年", "同比增长（%）"], ["规上工业总产值", "1231.2", "1386.4", "12.6"],
            ["制造业投资", "142.3", "172.9", "21.5"]]
    pdf = make_pdf([[("body", "表1 主要指标完成情况")]], table=rows)
    assert _cells(pdf, OURS) == sorted(c for r in rows for c in r)


@pytest.mark.real
@pytest.mark.parametrize("name", REAL_TABLES)
def test_real_tables_are_found_as_pdfplumber_finds_them(name):
    if not REAL.is_dir():
        pytest.skip("the real corpus (../shared/corpora/real) is not available")
    path = REAL / "pdf" / name
    ours, theirs = _cells(path, OURS), _cells(path, THEIRS)
    assert _tables(path, OURS) == _tables(path, THEIRS)
    common = sum(min(ours.count(c), theirs.count(c)) for c in set(theirs))
    assert common >= 0.9 * len(theirs), (len(ours), len(theirs), common)
