"""The practice ranker prefers what a publicity office would publish, and says why in words."""

from __future__ import annotations

import json

import pytest

from classify.boilerplate import notice_overlap, shingle_text
from classify.practice import FEATURES, MODEL_PATH, Candidate, load_ranker, matrix, ndcg, reasons

PRACTICE = Candidate(
    "我区建立重大项目“红黄绿灯”调度机制，对征地拆迁、施工环境等堵点问题实行区领导包案、部门限时办结、每周通报销号，"
    "全年协调解决阻工、堵路等问题138件，项目平均开工时间缩短22天。", figures=2, measure_score=0.8, position=0.3)
# 73 characters, complete: a short practice is not a weak one
SHORT = Candidate("推行村规民约“积分制”，将人居环境、孝老爱亲等16项内容纳入积分，积分可在“爱心超市”兑换日用品，全镇参与农户9860户。",
                  figures=2, measure_score=0.3, position=0.4)
SCORING_TABLE = Candidate("指标名称\t目标值\t完成值\t自评得分\n固定资产投资增速\t8%\t8.1%\t10\n重大项目完成投资\t180亿元\t212.6亿元\t10",
                          source="table", figures=6, measure_score=0.9, position=0.8)
NOTICE = Candidate("根据《重庆市人民政府办公厅关于开展2022年督查激励工作的通知》（渝府办发〔2022〕74号）要求，"
                   "对在推进市级重大项目和民生项目建设、扩大有效投资等方面成效明显的区县予以激励，现将有关情况报告如下。",
                   measure_score=0.9, position=0.05)
SIGNATURE = Candidate("重庆市万州区人民政府\n2023年1月16日", position=1.0)
ATTACHMENTS = Candidate("附件：1. 万州区2022年度“扩大有效投资”督查激励自评报告", position=0.97)
RESULTS_ONLY = Candidate("2022年，全区固定资产投资同比增长8.1%，其中工业投资同比增长15.3%；36个市级重大项目完成投资212.6亿元、"
                         "占年度计划的118.4%。", figures=4, measure_score=0.9, position=0.2)


def scores(*cands):
    return dict(zip(cands, load_ranker().scores(list(cands)), strict=True))


def test_a_narrative_practice_outranks_tables_notice_wording_signatures_and_attachment_lists():
    s = scores(PRACTICE, SCORING_TABLE, NOTICE, SIGNATURE, ATTACHMENTS)
    assert s[PRACTICE] == max(s.values())
    for frame in (SCORING_TABLE, NOTICE, SIGNATURE, ATTACHMENTS):
        assert s[frame] < 0.5 < s[PRACTICE]


def test_a_short_complete_practice_is_not_penalised_and_beats_bare_results():
    s = scores(SHORT, RESULTS_ONLY, SCORING_TABLE)
    assert s[SHORT] > s[RESULTS_ONLY] > s[SCORING_TABLE]
    assert s[SHORT] > 0.5  # even with a low measure score


def test_practice_vocabulary_includes_named_systems_like_the_points_system():
    row = matrix([SHORT])[0]
    assert row[FEATURES.index("practice_systems")] > 0 and row[FEATURES.index("named_practice")] > 0


def test_reasons_are_chinese_words_without_weights():
    summary, why = reasons(matrix([PRACTICE])[0])
    assert "量化成效" in summary and "+" in summary
    assert all(not any(ch.isdigit() for ch in w) for w in [summary, *why])
    summary, why = reasons(matrix([NOTICE])[0])
    assert "不宜宣传" in summary and any(w.startswith("降权：") for w in why)


def test_the_committed_model_names_its_version_training_data_and_held_back_scores():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    ranker = load_ranker()
    assert ranker.version == data["version"] and ranker.version.startswith("jili.practice_ranker.v1+")
    assert data["training"]["passages"] >= 300 and data["training"]["declarations"] >= 200
    held = data["metrics"]["held_back"]
    assert held["ndcg@5"] >= 0.9 and held["p@1"] >= 0.85  # the writer group it never saw
    assert data["lexicon_sha256"]


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    assert ndcg([3, 2, 0], 5) == pytest.approx(1.0)
    assert ndcg([0, 2, 3], 5) < 0.7


def test_notice_wording_is_recognised_as_boilerplate_and_own_practice_is_not():
    assert notice_overlap(NOTICE.text) > 0.4
    assert notice_overlap(PRACTICE.text) < 0.1
    assert shingle_text("增长 6.5%，") == shingle_text("增长8.6%。")  # figures masked: a copy with changed numbers
