import pytest

from ingest import ParseOptions, parse_document
from ingest.txt import decode_text

TEXT = "重庆市璧山区2022年社会消费品零售总额增长8.5%，居全市第3位。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030"])
def test_text_decodes_in_every_common_chinese_encoding(encoding):
    text, _ = decode_text(TEXT.encode(encoding))
    assert text.lstrip("\ufeff") == TEXT


def test_gb18030_only_characters_decode():
    text, enc = decode_text("䶮与𠀀".encode("gb18030"))
    assert text == "䶮与𠀀" and enc == "gb18030"


def test_text_file_becomes_document_with_pages_from_form_feeds():
    data = ("第一页内容。\n\f第二页内容。").encode("gbk")
    doc = parse_document(data, "说明.txt", ParseOptions())
    assert doc.pages == 2
    assert [s.page for s in doc.segments] == [1, 2]
    assert doc.metadata["encoding"] == "gb18030"
