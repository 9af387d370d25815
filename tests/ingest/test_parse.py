import pytest

from ingest import ParseOptions, parse_bytes, parse_document, parse_path
from ingest.model import Document, InputFormat


def test_zero_byte_file_fails_with_its_name(tmp_path):
    path = tmp_path / "空文件.pdf"
    path.write_bytes(b"")
    [result] = parse_path(path)
    assert not result.ok and result.error.code == "empty_file"
    assert str(result.error).startswith("空文件.pdf:")


def test_truncated_docx_and_garbage_fail_alone_in_a_batch(tmp_path):
    (tmp_path / "good.txt").write_text("有效文件。", encoding="utf-8")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)) * 8)
    results = {p.name: parse_path(p, ParseOptions())[0] for p in sorted(tmp_path.iterdir())}
    assert results["good.txt"].ok
    assert results["bad.docx"].error.code == "corrupt"
    assert results["noise.bin"].error.code == "unsupported_format"


def test_oversized_file_is_refused():
    [r] = parse_bytes("很长的文本。".encode() * 100, "big.txt", ParseOptions(max_bytes=100))
    assert r.error.code == "limit_exceeded" and "limit" in str(r.error)


def test_document_json_round_trip():
    [r] = parse_bytes("一、基本情况\n全年新增高新技术企业42家。".encode(), "a.txt", ParseOptions())
    doc = r.document
    assert Document.from_json(doc.to_json()) == doc
    assert doc.id == r.sha256 and len(doc.id) == 64


@pytest.mark.parametrize("name", ["report.pdf", "report.doc", "report"])
def test_extension_does_not_decide_the_format(name):
    [r] = parse_bytes("正文内容。".encode("gbk"), name, ParseOptions())
    assert r.ok and r.document.format is InputFormat.TXT


def test_a_mislabelled_file_is_read_by_its_content_with_a_warning():
    doc = parse_document("合川区高标准农田建设情况说明。".encode(), "坏文件.pdf", ParseOptions())
    assert doc.format.value == "txt"
    assert any("named as PDF" in w and "content is TXT" in w for w in doc.warnings)
