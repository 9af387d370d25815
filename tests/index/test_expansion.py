"""Query expansion from the vetted thesaurus: what it adds, what a user can switch off, and how it ranks."""

from __future__ import annotations

import pytest
import yaml

from index import Store, search
from index.expansion import THESAURUS_PATH, load_thesaurus
from tests.conftest import ingest_into

GENERIC = {"工作", "发展", "建设", "管理", "服务", "企业", "项目"}


def test_the_thesaurus_is_well_formed_and_reviewed():
    data = yaml.safe_load(THESAURUS_PATH.read_text(encoding="utf-8"))
    terms = [e["term"] for e in data["entries"]]
    assert len(terms) == len(set(terms)) >= 200
    for e in data["entries"]:
        assert 2 <= len(e["related"]) <= 8, e["term"]
        assert e["reviewed"].strip(), e["term"]
        assert not (set(e["related"]) | {e["term"]}) & GENERIC, e["term"]
        assert all(1 <= m <= 30 for m in e["measures"])


def test_question_words_are_stripped_and_the_term_inside_the_question_is_found():
    th = load_thesaurus()
    assert th.core("如何减少农村污水直排？") == "减少农村污水直排"
    [found] = [e for e in th.expand("如何减少农村污水直排") if e.term == "污水直排"]
    assert {"截污纳管", "生活污水"} <= set(found.related)


def test_a_switched_off_term_is_reported_as_off_and_not_searched():
    th = load_thesaurus()
    [found] = [e for e in th.expand("污水直排", without=["截污纳管"]) if e.term == "污水直排"]
    assert "截污纳管" not in found.related and found.off == ("截污纳管",)


def test_longer_terms_win_over_the_terms_inside_them():
    th = load_thesaurus()
    terms = [e.term for e in th.expand("农村生活污水治理")]
    assert "农村生活污水" in terms and not any(t != "农村生活污水" and t in "农村生活污水" for t in terms)


@pytest.fixture(scope="module")
def sewage_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sewage-files")
    texts = {
        "甲镇.txt": "我镇对场镇污水直排口逐一排查，全年封堵污水直排口37个。",
        "乙县.txt": "全面推进截污纳管，新建污水收集管网86公里，场镇生活污水集中处理率达到95%。",
        "丙区.txt": "实施雨污分流改造3.6公里，沿河排污口全部完成整治。",
        "丁区.txt": "全区新增高标准农田3.2万亩，粮食总产量38.2万吨。",
    }
    paths = []
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    data_dir = tmp_path_factory.mktemp("sewage-store")
    rows = ingest_into(data_dir, paths)
    assert [r["status"] for r in rows] == ["done"] * 4
    store = Store(data_dir)
    yield store
    store.close()


def test_expansion_finds_passages_that_share_no_word_with_the_question(sewage_store):
    assert search(sewage_store, "如何减少农村污水直排").total == 0
    res = search(sewage_store, "如何减少农村污水直排", expand=True)
    found = {h.filename: h for h in res.hits}
    assert set(found) == {"甲镇.txt", "乙县.txt", "丙区.txt"}
    assert found["乙县.txt"].related_only and any(
        found["乙县.txt"].text[s:e] in ("截污纳管", "生活污水", "污水集中处理") for s, e in found["乙县.txt"].highlights)
    assert res.expansions and res.expansions[0]["term"] == "污水直排"


def test_passages_matching_the_query_as_typed_rank_first(sewage_store):
    res = search(sewage_store, "污水直排", expand=True)
    assert res.hits[0].filename == "甲镇.txt" and not res.hits[0].related_only
    assert all(h.related_only for h in res.hits[1:])
    assert res.total == 3


def test_switching_a_term_off_drops_what_only_it_found(sewage_store):
    everything = {h.filename for h in search(sewage_store, "污水直排", expand=True).hits}
    fewer = {h.filename for h in search(sewage_store, "污水直排", expand=True,
                                        without=["截污纳管", "生活污水", "污水集中处理", "污水管网"]).hits}
    assert "乙县.txt" in everything and "乙县.txt" not in fewer and "丙区.txt" in fewer
