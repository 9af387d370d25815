import pytest

from index.grams import highlight_spans, index_text, match_expression, snippet, terms
from index.tags import passage_tags


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("高标准农田", ["高标", "标准", "准农", "农田"]),
        ("两江新区GDP增长", ["两江", "江新", "新区", "gdp", "增长"]),
        ("增长８．５％", ["增长", "8.5"]),
        ("县", ["县"]),
        ("“专精特新”企业", ["专精", "精特", "特新", "企业"]),
    ],
)
def test_terms_are_bigrams_of_each_chinese_run(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize(
    "query",
    ['"', '""', "NEAR(a b)", "a*", "-农田", "AND", "OR 农田", "农田)", "^高标", "col:农田", "{grams}:x"],
)
def test_user_input_never_becomes_fts5_syntax(query):
    expr, _ = match_expression(query)
    if expr is None:
        return
    # every piece is a quoted phrase of index terms: no bare operator can survive
    for clause in expr.split(" AND "):
        assert clause.startswith('grams:"') and clause.endswith(('"', '"*'))
        assert clause.count('"') == 2


def test_a_lone_chinese_character_at_the_edge_asks_for_a_literal_check():
    expr, check = match_expression("3.2万")
    assert check and expr == 'grams:"3_2"'
    assert match_expression("农田")[1] is False


def test_highlights_are_on_the_original_text_and_fold_width():
    text = "新建高标准农田３．２万亩，农田灌溉"
    assert highlight_spans(text, "农田") == [(5, 7), (13, 15)]
    assert highlight_spans(text, "3.2万") == [(7, 11)]


def test_snippet_keeps_the_highlight_inside_the_window():
    text = "甲" * 200 + "河长制" + "乙" * 200
    snip, spans = snippet(text, highlight_spans(text, "河长制"), width=60)
    s, e = spans[0]
    assert snip[s:e] == "河长制" and snip.startswith("…") and snip.endswith("…")


def test_index_text_is_space_separated_terms():
    assert index_text("农田3.2万亩") == "农田 3_2 万亩"


def test_tags_are_single_fts_tokens():
    tags = passage_tags(measures=[17], region="石柱土家族自治县", applicant_type="乡镇(街道)", year=2022,
                        fmt="docx", document_id="0" * 64, cleared=True)
    assert tags.split() == ["m17", "r石柱土家族自治县", "c石柱土家族自治县", "ttownship", "y2022", "fdocx", "d" + "0" * 16, "xcleared"]
