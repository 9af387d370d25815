from ingest import ParseOptions, parse_document
from ingest.segment import sentence_bounds


def _sentences(text):
    return [text[s:e] for s, e in sentence_bounds(text)]


def test_sentences_end_at_chinese_and_ascii_punctuation():
    assert _sentences("全市GDP增长6.1%。投资增长8%！是否达标？Done. Next") == [
        "全市GDP增长6.1%。", "投资增长8%！", "是否达标？", "Done.", "Next"]


def test_closing_quotes_stay_with_their_sentence():
    assert _sentences("他说：“做得好！”然后离开。") == ["他说：“做得好！”", "然后离开。"]


def test_no_split_inside_brackets():
    assert _sentences("建成“智慧河长”系统（覆盖率100%。含支流）。下一句。") == [
        "建成“智慧河长”系统（覆盖率100%。含支流）。", "下一句。"]


def test_decimal_points_and_ellipsis():
    assert _sentences("增长3.5个百分点……继续努力。") == ["增长3.5个百分点……", "继续努力。"]


def test_passages_respect_headings_and_size():
    body = "。".join(f"第{i}项工作完成投资{i}亿元" for i in range(1, 60)) + "。"
    text = f"一、基本情况\n{body}\n二、主要做法\n建立河长制工作机制。"
    doc = parse_document(text.encode("utf-8"), "a.txt", ParseOptions(passage_chars=200))
    assert all(len(p.text) <= 200 for p in doc.passages)
    assert doc.passages[-1].heading == "二、主要做法"
    assert doc.passages[-1].text == "建立河长制工作机制。"
    assert {p.heading for p in doc.passages[:-1]} == {"一、基本情况"}
    for p in doc.passages + doc.sentences:
        assert doc.text[p.start:p.end] == p.text
