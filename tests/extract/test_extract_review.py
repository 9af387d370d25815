"""Review pages rendered with displaCy's manual mode, straight from the figures' offsets."""

from __future__ import annotations

from extract import extract_figures
from extract.review import figure_label, render_html


def test_review_page_marks_each_figure_with_its_reading() -> None:
    text = "全省完成地区生产总值31534亿元、增长3.3%"
    figures = extract_figures(text)
    html = render_html(text, figures, title="测试")
    assert html.count("<mark") == 2
    assert "amount 3153400000000元 · 地区生产总值" in html
    assert "change 3.3% up · 地区生产总值" in html


def test_labels_flag_approximate_and_suspect_values() -> None:
    (f,) = extract_figures("森林覆盖率达到155%以上")
    assert figure_label(f) == "percent 155% ≈ SUSPECT · 森林覆盖率"
