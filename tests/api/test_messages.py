"""What people read is Chinese: every error code and every warning the parsers write has its sentence."""

from __future__ import annotations

import re

import pytest

from api.messages import ERRORS, PRECISE, WARNINGS, error_text, warning_text
from ingest import ParseOptions, parse_path
from tests.conftest import REAL

CODES = ["empty_file", "unsupported_format", "encrypted", "corrupt", "limit_exceeded", "unsafe_archive", "timeout",
         "converter_missing", "no_text", "gave_up", "internal_error"]


@pytest.mark.parametrize("code", CODES)
def test_every_documented_outcome_code_has_a_chinese_message_with_a_next_step(code):
    what, todo = ERRORS[code]
    assert re.search(r"[\u4e00-\u9fff]", what) and re.search(r"请|可", todo)
    assert error_text(code, "some technical reason", name="报告.pdf").startswith("报告.pdf：")


@pytest.mark.parametrize(("code", "reason", "expected"), [
    ("limit_exceeded", "the upload unpacks to more than 2000 files across its nested archives", "超过2000个文件"),
    ("limit_exceeded", "compression ratio 900:1 exceeds 200:1 (zip bomb?)", "压缩炸弹"),
    ("encrypted", "the PDF is encrypted with an unsupported security handler", "不支持的加密方式"),
    ("unsupported_format", "a RAR archive: jili unpacks ZIP archives; repack the files as ZIP", "只解压ZIP"),
    ("unsafe_archive", "the member is a symbolic link, not a file; it was not extracted", "符号链接"),
    ("no_text", "no readable text without OCR (OCR is off)", "未启用文字识别"),
])
def test_a_precise_reason_picks_a_precise_message(code, reason, expected):
    assert expected in error_text(code, reason)


def test_every_precise_pattern_names_a_documented_code():
    assert {code for code, _, _ in PRECISE} <= set(ERRORS)


@pytest.mark.parametrize("warning", [
    "page 1: OCR (runs of one repeated character (14))",
    "page 2: needs OCR ((cid:N) glyph codes (40)) but OCR is off; the text layer is kept",
    "page 1: 2 icon-font glyphs (Private Use Area) removed",
    "page 3: OCR of 1 embedded image; the text layer is kept",
    "PDF: the cross-reference table was damaged and rebuilt",
    "PDF: the page tree claims 3 pages but has 2",
    "PDF: page 1 has an unusable MediaBox (1e+09 × 1e+09 pt); the text was read, the page is not rendered",
    "the file is named as PDF but its content is TXT; it was read as TXT",
    "macro-enabled Word document (.docm): its text was read; its macros were removed, never run",
    "OFD: 1 electronic signature(s) noted, not read as text",
])
def test_warnings_read_in_chinese(warning):
    said = warning_text(warning)
    assert said != "文件读取时有一处提示，详情见处理日志"
    assert not re.search(r"(?<![.])[a-z]{4,}", said)


@pytest.mark.real
def test_every_warning_the_real_corpus_raises_has_its_sentence():
    if not REAL.is_dir():
        pytest.skip("the real corpus (../shared/corpora/real) is not available")
    seen = set()
    for path in sorted(REAL.rglob("*")):
        if path.is_file() and path.suffix.lower() in (".pdf", ".docx", ".doc", ".wps"):
            for r in parse_path(path, ParseOptions(ocr=False)):
                if r.document:
                    seen.update(r.document.warnings)
    unknown = [w for w in seen if not any(p.search(w) for p, _ in WARNINGS)]
    assert seen and unknown == []
