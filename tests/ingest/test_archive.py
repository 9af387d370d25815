import io
import zipfile

import docx

from ingest import ParseOptions, parse_bytes
from ingest.model import InputFormat

OPTS = ParseOptions(ocr=False)


class _GbkZipInfo(zipfile.ZipInfo):
    __slots__ = ()

    def _encodeFilenameFlags(self):  # noqa: N802 - overrides zipfile's private hook
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(members, *, gbk_names=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            if gbk_names:
                # what Chinese Windows zip tools write: raw GBK bytes and no UTF-8 flag (bit 0x800)
                info = _GbkZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
            else:
                zf.writestr(name, data)
    return buf.getvalue()


def _docx_bytes(text: str) -> bytes:
    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_every_member_becomes_a_document_with_its_gbk_name_decoded():
    data = _zip([("璧山区/申报材料.docx", _docx_bytes("璧山区申报材料正文。")), ("说明.txt", "说明文字。".encode("gbk"))],
                gbk_names=True)
    results = parse_bytes(data, "批量.zip", OPTS)
    assert [r.archive_path for r in results] == ["璧山区/申报材料.docx", "说明.txt"]
    assert all(r.ok for r in results)
    assert results[0].document.format is InputFormat.DOCX
    assert results[0].document.archive_path == "璧山区/申报材料.docx"
    assert results[0].name == "批量.zip!璧山区/申报材料.docx"


def test_nested_archives_are_expanded_up_to_the_depth_limit():
    inner = _zip([("a.txt", "内层文件。".encode())])
    results = parse_bytes(_zip([("inner.zip", inner)]), "outer.zip", OPTS)
    assert [r.archive_path for r in results] == ["inner.zip/a.txt"] and results[0].ok
    deep = inner
    for _ in range(4):
        deep = _zip([("d.zip", deep)])
    results = parse_bytes(deep, "deep.zip", OPTS)
    assert len(results) == 1 and results[0].error.code == "limit_exceeded"
    assert "nested" in str(results[0].error)


def test_zip_slip_member_fails_alone():
    data = _zip([("../../etc/evil.txt", b"x"), ("ok.txt", "正常文件。".encode())])
    results = {r.archive_path: r for r in parse_bytes(data, "slip.zip", OPTS)}
    assert results["../../etc/evil.txt"].error.code == "unsafe_archive"
    assert "escapes the archive" in str(results["../../etc/evil.txt"].error)
    assert results["ok.txt"].ok


def test_zip_bomb_member_is_refused_by_ratio():
    data = _zip([("bomb.txt", b"0" * 50_000_000), ("ok.txt", "正常文件。".encode())])
    results = {r.archive_path: r for r in parse_bytes(data, "bomb.zip", OPTS)}
    assert results["bomb.txt"].error.code == "limit_exceeded"
    assert "zip bomb" in str(results["bomb.txt"].error)
    assert results["ok.txt"].ok


def test_zip_total_size_limit():
    data = _zip([(f"{i}.txt", b"a" * 600_000) for i in range(4)])
    results = parse_bytes(data, "big.zip", ParseOptions(zip_max_total_bytes=2_000_000))
    assert len(results) == 1 and results[0].error.code == "limit_exceeded"


def test_empty_archive_is_an_error():
    results = parse_bytes(_zip([]), "empty.zip", OPTS)
    assert results[0].error is not None and "no files" in str(results[0].error)
