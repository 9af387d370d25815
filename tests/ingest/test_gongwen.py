import pytest

from ingest import ParseOptions, parse_document
from ingest.gongwen import parse_cn_date

DECLARATION = """重庆市璧山区人民政府
璧山府文〔2023〕5号
重庆市璧山区人民政府关于申报2022年度督查激励“推动制造业高质量绿色发展”“激发市场主体活
力”事项的报告
市经济信息委：
按照渝府办发〔2022〕74号要求，我区认真开展自评，现将有关情况报告如下。
一、基本情况
全年规模以上工业增加值增长9.2%。
重庆市璧山区人民政府
2023年1月16日"""


def _doc(text: str):
    return parse_document(text.encode("utf-8"), "璧山.txt", ParseOptions())


def test_gongwen_elements_of_a_declaration_are_found():
    meta = _doc(DECLARATION).gongwen
    assert meta.issuer == "重庆市璧山区人民政府"
    assert meta.doc_number == "璧山府文〔2023〕5号"
    assert meta.title == ("重庆市璧山区人民政府关于申报2022年度督查激励“推动制造业高质量绿色发展”"
                          "“激发市场主体活力”事项的报告")
    assert meta.addressee == "市经济信息委"
    assert (meta.signer, meta.date) == ("重庆市璧山区人民政府", "2023-01-16")


def test_wrapped_title_lines_become_level_zero_headings():
    doc = _doc(DECLARATION)
    assert [s.text for s in doc.segments if s.level == 0] == [
        "重庆市璧山区人民政府关于申报2022年度督查激励“推动制造业高质量绿色发展”“激发市场主体活", "力”事项的报告"]


def test_plain_text_without_gongwen_elements_finds_none():
    meta = _doc("今天开会。\n讨论了三件事。").gongwen
    assert meta.model_dump() == {k: None for k in meta.model_dump()}


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2022年6月25日", "2022-06-25"), ("二〇二三年一月十六日", "2023-01-16"), ("2023 年 12 月 5 日", "2023-12-05"),
     ("二○二二年十二月三十一日", "2022-12-31"), ("2022年13月1日", None), ("2022年", None)],
)
def test_dates_in_arabic_and_chinese_numerals(text, iso):
    assert parse_cn_date(text) == iso


_HEAD = "重庆市合川区人民政府\n合川府文〔2023〕3号\n"
_TITLE = "重庆市合川区人民政府关于申报2022年度督查激励事项的报告\n市农业农村委：\n全年建成高标准农田6.5万亩。\n"


@pytest.mark.parametrize(("text", "date", "signer"), [
    # 落款: the unit, then the date on its own line
    (_HEAD + _TITLE + "重庆市合川区人民政府\n2023年1月12日", "2023-01-12", "重庆市合川区人民政府"),
    # 落款同行: unit and date on one line, with or without the full-width gap
    (_HEAD + _TITLE + "重庆市合川区人民政府　　2023年1月12日", "2023-01-12", "重庆市合川区人民政府"),
    (_HEAD + _TITLE + "重庆市合川区人民政府2023年1月12日", "2023-01-12", "重庆市合川区人民政府"),
    # 汉字 and OCR under a red seal (日 read as 白, 〇 as O)
    (_HEAD + _TITLE + "重庆市合川区人民政府\n二〇二三年一月十二日", "2023-01-12", "重庆市合川区人民政府"),
    (_HEAD + _TITLE + "重庆市合川区人民政府\n2023年1月12白", "2023-01-12", "重庆市合川区人民政府"),
    (_HEAD + _TITLE + "重庆市合川区人民政府\n二O二三年一月十二日", "2023-01-12", "重庆市合川区人民政府"),
    # 版头: the date right after the issuer lines, before the title (a cover letter)
    (_HEAD + "2023年1月12日\n" + _TITLE + "重庆市合川区人民政府", "2023-01-12", None),
    # a header form: 填报日期 beside its value, or on one line
    ("重庆市合川区人民政府\n申报单位\t合川区人民政府\t填报日期\t2023年1月12日\n" + _TITLE, "2023-01-12", None),
    ("重庆市合川区人民政府\n申报单位：合川区人民政府  填报日期：2023年1月12日\n" + _TITLE, "2023-01-12", None),
])
def test_the_date_written_is_found_wherever_the_document_puts_it(text, date, signer):
    meta = _doc(text).gongwen
    assert meta.date == date
    if signer:
        assert meta.signer == signer
    assert meta.title == "重庆市合川区人民政府关于申报2022年度督查激励事项的报告"


def test_a_date_in_the_body_is_not_the_date_written():
    meta = _doc(_HEAD + _TITLE + "2023年1月12日，我区召开推进会。\n重庆市合川区人民政府").gongwen
    assert meta.date is None


def test_tab_separated_lines_of_a_text_file_are_a_table():
    doc = _doc("申报单位\t合川区人民政府\t填报日期\t2023年1月12日\n激励事项\t高标准农田\t联系人\t李明\n正文。")
    cells = [s.text for s in doc.segments if s.kind.value == "table_cell"]
    assert cells[:4] == ["申报单位", "合川区人民政府", "填报日期", "2023年1月12日"] and len(cells) == 8
