"""Figures that contradict each other or cannot be true."""

from __future__ import annotations

import pytest

from index import Store
from index.auth import Principal, Role
from index.checks import checks_for
from index.consistency import is_share, normalize_metric, period_key, precision
from tests.conftest import ingest_into

ADMIN = Principal(id=0, name="admin", role=Role.ADMIN)


def test_shares_are_told_from_rates_that_may_pass_one_hundred():
    assert is_share("城乡社区养老服务设施覆盖率") and is_share("工业项目合同投资额占比") and is_share("抽查合格率")
    assert not is_share("投资占年度计划") and not is_share("年度任务完成率") and not is_share("规上工业增加值增速")


def test_rounding_and_periods():
    assert precision("6.8%", 6.8) == pytest.approx(0.05)
    assert precision("5.8万人", 58000) == pytest.approx(500)
    assert period_key("全年", 2022) == (2022, "") == period_key(None, 2022) == period_key("2022年", None)
    assert period_key("2021年", 2022) == (2021, "")
    assert period_key("2022年1-9月", 2022)[1]


def test_generic_names_are_not_indicators():
    assert normalize_metric("村") is None and normalize_metric("企业") is None
    assert normalize_metric("全区城镇新增就业") == "城镇新增就业"
    assert normalize_metric("参保率") == "参保率"


def _doc(region: str, lines: list[str]) -> str:
    return "\n".join([f"重庆市{region}人民政府关于申报2022年度督查激励事项的报告", "市发展改革委：", *lines, "特此报告。",
                      f"重庆市{region}人民政府", "2023年1月12日"]) + "\n"


@pytest.fixture(scope="module")
def figure_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("figure-files")
    files = {
        "合川区-报告.txt": _doc("合川区", [
            "2022年，全区粮食播种面积158.6万亩，城镇新增就业1.26万人，规上工业增加值同比增长6.8%。",
            "2022年，全区城乡社区养老服务设施覆盖率达到103.5%。",
            "2022年，全区地区生产总值由480亿元增长到520亿元，同比增长15.2%。"]),
        "合川区-自评报告.txt": _doc("合川区", [
            "2022年，全区粮食播种面积142.6万亩，城镇新增就业12600人，规上工业增加值同比增长6.78%。",
            "2021年，全区粮食播种面积150.2万亩。",
            "全年服务企业960家，完成年度任务的118.4%。"]),
        "合川区-经验材料.txt": _doc("合川区", ["依托检测平台，全年服务企业860家，平均检测周期缩短40%。"]),
        "綦江区-报告.txt": _doc("綦江区", ["2022年，全区粮食播种面积98.2万亩。"]),
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("figure-store")
    rows = ingest_into(data_dir, sorted(folder.iterdir()))
    assert {r["status"] for r in rows} == {"done"}
    store = Store(data_dir)
    yield store
    store.close()


def _findings(store):
    return checks_for(store, ADMIN)["figure_conflicts"]


def test_the_same_indicator_and_period_with_different_values_is_a_contradiction_citing_both(figure_store):
    [sown] = [k for k in _findings(figure_store) if k["metric"] == "粮食播种面积"]
    assert sown["kind"] == "disagree" and sown["region"] == "合川区"
    assert sorted(f["raw"] for f in sown["figures"]) == ["142.6万亩", "158.6万亩"]  # not 2021's, not 綦江区's
    assert all(f["filename"].startswith("合川区") and f["page"] == 1 for f in sown["figures"])


def test_values_equal_up_to_rounding_agree(figure_store):
    metrics = {k["metric"] for k in _findings(figure_store) if k["kind"] == "disagree"}
    assert "城镇新增就业" not in metrics and "规上工业增加值" not in metrics


def test_a_programmes_own_tally_is_not_the_applicants_indicator(figure_store):
    assert not any(k["metric"] == "服务企业" for k in _findings(figure_store))


def test_impossible_values_are_flagged(figure_store):
    impossible = {k["metric"]: k for k in _findings(figure_store) if k["kind"] == "impossible"}
    assert "城乡社区养老服务设施覆盖率" in impossible
    [growth] = [k for k in impossible.values() if "增幅" in k["reason"]]
    assert "8.3%" in growth["reason"]
    assert not any("年度任务" in m for m in impossible)  # 118.4% of a plan is possible
