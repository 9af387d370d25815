"""Typical experiences: what publicity staff find by measure, region and theme, and the briefing they send."""

from __future__ import annotations

import io
import re

import pytest

from index import Store, briefing_docx, rank_experiences
from index.experiences import practice_text
from tests.conftest import ingest_into

VOCATIONAL = ("我区推行“校企双元”职业教育模式，由职业学校和园区企业共建实训基地12个，学生在校学习与在岗实训交替进行，"
              "全年订单培养技能人才1860人，毕业生本地就业率达到82%。")


@pytest.fixture(scope="module")
def theme_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("theme-files")
    (folder / "綦江区-稳就业-申报材料.txt").write_text(
        "重庆市綦江区人民政府关于申报2022年度督查激励“稳就业”事项的报告\n市人力社保局：\n"
        "2022年，全区城镇新增就业2.1万人，城镇调查失业率控制在5.5%以内。\n" + VOCATIONAL + "\n"
        "特此报告。\n重庆市綦江区人民政府\n2023年1月12日\n", encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("theme-store")
    rows = ingest_into(data_dir, sorted(folder.iterdir()))
    assert [r["status"] for r in rows] == ["done"]
    store = Store(data_dir)
    yield store
    store.close()


def test_a_theme_finds_a_practice_whatever_its_measure_score(theme_store):
    items = rank_experiences(theme_store, theme="校企合作 实训基地")
    items = items or rank_experiences(theme_store, theme="职业教育")
    assert items and items[0].text == VOCATIONAL
    assert items[0].summary and not items[0].summary.startswith("降权")


def test_items_are_best_first_with_citations_and_reasons_in_words(sample_store):
    items = rank_experiences(sample_store, measure=15, limit=10)
    assert items
    assert [e.score for e in items] == sorted((e.score for e in items), reverse=True) or len({e.region for e in items}) > 1
    for e in items:
        assert e.passage_id and e.document_id and e.page >= 1 and e.text and e.citation()
        assert all(not any(ch.isdigit() for ch in r) for r in e.reasons)  # words, not weights


def test_a_region_filter_keeps_the_list_strictly_best_first(sample_store):
    items = rank_experiences(sample_store, measure=15, region="合川区", limit=5)
    assert items and {e.region for e in items} == {"合川区"}
    assert [e.score for e in items] == sorted((e.score for e in items), reverse=True)


def test_the_practice_text_drops_the_attachment_list_signature_and_date():
    text = "全镇推行积分制，参与农户9860户。\n附件：1. 自评表\n重庆市奉节县草堂镇人民政府\n2023年1月12日"
    assert practice_text(text) == "全镇推行积分制，参与农户9860户。"


def test_the_briefing_is_an_a4_gongwen_grouped_by_measure_citing_each_source_once(sample_store):
    import docx
    from docx.shared import Mm

    items = rank_experiences(sample_store, limit=12)
    d = docx.Document(io.BytesIO(briefing_docx(items)))
    section = d.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "本地区已入选" not in text and "降权" not in text and "score" not in text.lower()
    sources = [p.text for p in d.paragraphs if p.text.startswith("来源：")]
    assert sources and len(sources) == len(set(sources))
    headings = [p.text for p in d.paragraphs if re.match(r"^[一二三四五六七八九十]+、", p.text)]
    assert len(headings) == len({e.measure for e in items})
    assert all("本部分收录" in p.text for p in d.paragraphs if p.text.startswith("本部分收录"))
