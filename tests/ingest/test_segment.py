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


def test_a_complete_paragraph_is_its_own_passage_and_a_signature_stays_together():
    practice = "我区建立重大项目“红黄绿灯”调度机制，对征地拆迁等堵点问题实行区领导包案，项目平均开工时间缩短22天。"
    text = ("市发展改革委：\n根据有关通知要求，现将我区扩大有效投资工作情况报告如下。\n"
            f"{practice}\n综合自评，我区符合申报条件，特此报告。\n重庆市万州区人民政府\n2023年1月16日\n")
    doc = parse_document(text.encode("utf-8"), "a.txt", ParseOptions())
    texts = [p.text for p in doc.passages]
    assert practice in texts  # published as it stands: no cover formula before it, no 落款 after it
    assert not any("特此报告" in t and "红黄绿灯" in t for t in texts)


def test_short_lines_that_do_not_end_a_sentence_join_what_follows():
    doc = parse_document("二、主要做法\n建立林长巡林\n制度，全年巡林2.3万人次，发现并处置问题416个，林地保有量稳定在10万亩以上。\n".encode(),
                         "b.txt", ParseOptions())
    assert [p.text.replace("\n", "") for p in doc.passages] == [
        "建立林长巡林制度，全年巡林2.3万人次，发现并处置问题416个，林地保有量稳定在10万亩以上。"]


def test_a_run_of_text_without_a_sentence_end_is_cut_into_bounded_passages():
    doc = parse_document(("农田" * 5000).encode(), "long.txt", ParseOptions(passage_chars=400))
    assert len(doc.passages) > 1 and max(len(p.text) for p in doc.passages) <= 800
    assert "".join(p.text for p in doc.passages) == "农田" * 5000
