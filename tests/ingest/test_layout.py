"""Paragraphs from positioned lines: indents, short last lines, and stray lines that must not move the column."""

from ingest.layout import Block, Line, block_paragraphs

H = 14.0  # line height in points


def _block(rows: list[tuple[str, float, float]]) -> Block:
    block = Block()
    for i, (text, x0, x1) in enumerate(rows):
        block.add(Line(text=text, x0=x0, top=100 + i * 1.6 * H, x1=x1, bottom=100 + i * 1.6 * H + H))
    return block


def test_paragraphs_start_at_first_line_indents_and_end_at_short_lines():
    block = _block([("　　第一段第一行，写满整行的文字内容", 108, 480), ("第一段第二行到此结束。", 80, 300),
                    ("　　第二段第一行，写满整行的文字内容", 108, 480), ("第二段第二行写满整行的文字内容", 80, 480),
                    ("第二段结束。", 80, 200)])
    assert [p.text for p in block_paragraphs(block)] == [
        "　　第一段第一行，写满整行的文字内容第一段第二行到此结束。",
        "　　第二段第一行，写满整行的文字内容第二段第二行写满整行的文字内容第二段结束。",
    ]


def test_a_stray_line_in_the_margin_does_not_make_every_line_an_indent():
    # an OCR'd book page: a margin note sits left of the column, one header box runs long to the right
    block = _block([("14(I)", 40, 70), ("正文第一行写满整行的文字内容", 80, 480), ("正文第二行写满整行的文字内容", 80, 482),
                    ("正文第三行写满整行的文字内容", 81, 479), ("正文第四行写满整行的文字内容", 80, 480),
                    ("第一章 商品 13", 80, 560)])
    body = "正文第一行写满整行的文字内容正文第二行写满整行的文字内容正文第三行写满整行的文字内容正文第四行写满整行的文字内容"
    texts = [p.text for p in block_paragraphs(block)]
    assert texts[0] == "14(I)" and texts[1].startswith(body)  # four body lines, one paragraph
