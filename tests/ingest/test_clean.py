import pytest

from ingest.clean import clean_line, furniture_key, is_page_number, join_wrapped, normalize_for_analysis


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("增长１２．５％", "增长12.5%"),
        ("ＧＤＰ达到３５．６亿元", "GDP达到35.6亿元"),
        ("1﹒扩大有效投资", "1.扩大有效投资"),
        ("全市，第一。", "全市，第一。"),  # Chinese punctuation is kept
        ("渝府办发〔2022〕74号", "渝府办发〔2022〕74号"),
    ],
)
def test_normalize_folds_full_width_and_keeps_length(raw, expected):
    assert normalize_for_analysis(raw) == expected
    assert len(normalize_for_analysis(raw)) == len(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  国 防 部 通 知 ", "国防部通知"),
        ("2012 年 12 月 12 日", "2012年12月12日"),
        ("增长 8.5% ，居全市第 3 位", "增长8.5%，居全市第3位"),
        ("ECM system 运行", "ECM system 运行"),
        ("零\u200b宽\x07字符", "零宽字符"),
        ("a\u3000\u3000b", "a b"),
    ],
)
def test_clean_line(raw, expected):
    assert clean_line(raw) == expected


@pytest.mark.parametrize(
    ("line", "is_number"),
    [
        ("— 1 —", True),
        ("- 12 -", True),
        ("–– 2 ––", True),
        ("第 1 页 共 5 页", True),
        ("第3页", True),
        ("2 / 4", True),
        ("Page 3 of 10", True),
        ("7", True),
        ("——", True),
        ("2022年", False),
        ("第一节 总体要求", False),
        ("增长8.5%", False),
        ("三、工作成效", False),
    ],
)
def test_page_number_lines(line, is_number):
    assert is_page_number(line) is is_number


def test_furniture_key_ignores_page_numbers():
    assert furniture_key("2 / 4 请务必阅读正文之后的信息披露") == furniture_key("3 / 4 请务必阅读正文之后的信息披露")
    assert furniture_key("璧山区督查激励申报材料") != furniture_key("铜梁区督查激励申报材料")


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("全市固定资产投资", "增长8.5%", "全市固定资产投资增长8.5%"),
        ("digital", "government", "digital government"),
        ("infor-", "mation", "information"),
        ("", "开头", "开头"),
    ],
)
def test_wrapped_lines_join_without_spaces_in_chinese(left, right, joined):
    assert join_wrapped(left, right) == joined
