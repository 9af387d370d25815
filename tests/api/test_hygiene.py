"""jili writes nothing outside its data directory: no caches in HOME, no profiles or scratch files in /tmp."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.engine import escape_name
from tests.conftest import make_pdf

JILI = str(Path(sys.executable).parent / "jili")


@pytest.mark.ocr
def test_ingesting_word_97_and_a_scan_writes_only_inside_the_data_directory(tmp_path, real_dir):
    home, scratch, data = tmp_path / "home", tmp_path / "tmp", tmp_path / "data"
    home.mkdir()
    scratch.mkdir()
    files = tmp_path / "files"
    files.mkdir()
    (files / "申报.pdf").write_bytes(make_pdf([[("body", "全年新增高新技术企业42家。")]]))
    (files / "通知.doc").write_bytes((real_dir / "doc" / "gongwen_notice_word2012.doc").read_bytes())
    (files / "扫描.pdf").write_bytes((real_dir / "pdf-scanned" / "scanned_book_lowres_2p.pdf").read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "JILI_"))}
    env |= {"HOME": str(home), "TMPDIR": str(scratch)}
    run = subprocess.run([JILI, "ingest", str(files), "--db", str(data)], env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    assert "3 done" in run.stderr
    assert list(home.iterdir()) == [] and list(scratch.iterdir()) == []
    assert (data / "home").is_dir()  # LibreOffice's and the OCR engine's caches went here instead


@pytest.mark.parametrize(("name", "logged"), [
    ("报告\r\n伪造的日志行.pdf", "报告\\x0d\\x0a伪造的日志行.pdf"),
    ("a\x00b.txt", "a\\x00b.txt"),
    ("正常的文件名.docx", "正常的文件名.docx"),
])
def test_file_names_are_escaped_in_log_lines(name, logged):
    assert escape_name(name) == logged
