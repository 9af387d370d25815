import io
import zipfile

import pytest

from ingest.errors import EmptyFileError, UnsupportedFormatError
from ingest.model import InputFormat
from ingest.sniff import sniff_format
from tests.conftest import make_pdf


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_formats_come_from_content_not_names():
    assert sniff_format(make_pdf([[("body", "正文")]]), "申报材料.docx") is InputFormat.PDF
    assert sniff_format("督查激励".encode("gbk"), "scan.pdf") is InputFormat.TXT
    assert sniff_format(_zip({"word/document.xml": b"<x/>"}), "a.zip") is InputFormat.DOCX
    assert sniff_format(_zip({"a.txt": b"x"}), "a.docx") is InputFormat.ZIP
    assert sniff_format(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "a.txt") is InputFormat.IMAGE


def test_a_stored_zip_whose_first_member_is_a_pdf_is_a_batch():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("申报材料.pdf", make_pdf([[("body", "正文")]]))
        zf.writestr("说明.txt", "督查激励".encode("gbk"))
    data = buf.getvalue()
    assert b"%PDF-" in data[:1024]
    assert sniff_format(data, "batch.zip") is InputFormat.ZIP


@pytest.mark.parametrize("data", [b"", b"   \n\t", b"\x00\x00\x00"])
def test_empty_files_are_rejected(data):
    with pytest.raises(EmptyFileError, match="empty"):
        sniff_format(data, "x.pdf")


def test_spreadsheets_and_binary_garbage_are_unsupported():
    with pytest.raises(UnsupportedFormatError, match="XLSX"):
        sniff_format(_zip({"[Content_Types].xml": b"", "xl/workbook.xml": b""}), "a.xlsx")
    with pytest.raises(UnsupportedFormatError, match="unrecognised"):
        sniff_format(bytes(range(256)) * 4, "a.doc")
