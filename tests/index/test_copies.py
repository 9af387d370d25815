"""Copied passages: MinHash sketches, exact verification, boilerplate, and what each side learns."""

from __future__ import annotations

import pytest

from index import Store
from index.auth import Principal, Role
from index.checks import checks_for, document_marks, rebuild_copies, to_csv, to_xlsx
from index.copies import MIN_CHARS, similarity, sketch
from tests.conftest import ingest_into

PRACTICE = ("建立重大项目“红黄绿灯”调度机制，按照进度将在建项目分为绿灯、黄灯、红灯三类，亮黄灯项目由行业主管部门督办，"
            "亮红灯项目由区领导包案，堵点问题实行限时办结、每周通报销号，全年协调解决阻工问题138件，项目平均开工时间缩短22天。")
# the notice's own measure 1, as a declaration quotes it back (full-width commas)
NOTICE = ("对在推进市级重大项目和民生项目建设中，严格落实征地拆迁和建设环境维护主体责任，全力保障项目建设供地和良好施工外部"
          "环境，为全市固定资产投资稳定增长、地方政府专项债券高效使用作出积极贡献的区县和国家级开发开放平台。")
ADMIN = Principal(id=0, name="admin", role=Role.ADMIN)


def test_a_copy_with_its_figures_changed_has_the_same_sketch():
    changed = PRACTICE.replace("138", "96").replace("22", "15")
    assert sketch(PRACTICE).keys == sketch(changed).keys
    assert similarity(sketch(PRACTICE).shingles, sketch(changed).shingles) == 1.0


def test_short_passages_are_not_sketched():
    assert sketch("全年新增就业1.2万人。") is None
    assert sketch("字" * MIN_CHARS) is not None


def test_an_unrelated_paragraph_shares_no_band():
    other = sketch("推行村规民约积分制，将人居环境整治、孝老爱亲、参与议事等16项内容纳入积分，积分可在村爱心超市兑换日用品，"
                   "并与评优评先、小额信贷挂钩，全镇参与农户达到9860户，参与率91.2%。")
    assert not set(other.keys) & set(sketch(PRACTICE).keys)


def _declaration(region: str, body: str) -> str:
    return (f"重庆市{region}人民政府关于申报2022年度督查激励“扩大有效投资”事项的报告\n市发展改革委：\n"
            f"2022年，全区固定资产投资同比增长8.1%。\n{body}\n特此报告。\n重庆市{region}人民政府\n2023年1月12日\n")


@pytest.fixture(scope="module")
def copy_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("copy-files")
    first = folder / "万州区-扩大有效投资-申报材料.txt"
    first.write_text(_declaration("万州区", PRACTICE + "\n" + NOTICE), encoding="utf-8")
    later = folder / "綦江区-扩大有效投资-申报材料.txt"
    later.write_text(_declaration("綦江区", PRACTICE.replace("138", "64") + "\n" + NOTICE), encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("copy-store")
    assert [r["status"] for r in ingest_into(data_dir, [first])] == ["done"]
    assert [r["status"] for r in ingest_into(data_dir, [later], uploader="綦江区上传员", region="綦江区")] == ["done"]
    store = Store(data_dir)
    yield store
    store.close()


def test_the_copy_is_found_when_the_later_document_is_stored_and_knows_which_came_first(copy_store):
    found = checks_for(copy_store, ADMIN)
    [copy] = found["copies"]
    first, later = (copy["a"], copy["b"]) if copy["first"] == "a" else (copy["b"], copy["a"])
    assert first["region"] == "万州区" and later["region"] == "綦江区"
    assert first["filename"].startswith("万州区") and "红黄绿灯" in later["text"]
    assert copy["similarity"] == 1.0 and copy["boilerplate"] is False
    assert set(first) == {"document_id", "filename", "region", "page", "passage_id", "text"}


def test_the_notice_wording_both_quote_is_boilerplate_never_a_finding(copy_store):
    assert all("征地拆迁和建设环境维护" not in (c["a"]["text"] or "") for c in checks_for(copy_store, ADMIN)["copies"])
    listed = checks_for(copy_store, ADMIN, boilerplate=True)["copies"]
    assert any(c["boilerplate"] and "征地拆迁和建设环境维护" in c["a"]["text"] for c in listed)


def test_an_uploader_sees_the_finding_on_its_own_document_but_not_the_other_file(copy_store):
    qijiang = Principal(id=1, name="綦江区上传员", role=Role.UPLOADER, region="綦江区")
    [copy] = checks_for(copy_store, qijiang)["copies"]
    theirs = copy["a"] if copy["a"]["region"] == "万州区" else copy["b"]
    assert theirs["filename"] is None and theirs["text"] is None and theirs["document_id"] is None
    assert "万州区-扩大有效投资" not in to_csv(checks_for(copy_store, qijiang)).decode("utf-8")
    own = copy["b"] if theirs is copy["a"] else copy["a"]
    marks = document_marks(copy_store, qijiang, own["document_id"])
    assert marks["passages"][own["passage_id"]][0]["other"]["filename"] is None


def test_rebuilding_finds_the_same_pairs(copy_store):
    before = checks_for(copy_store, ADMIN, boilerplate=True)["copies"]
    rebuild_copies(copy_store)
    after = checks_for(copy_store, ADMIN, boilerplate=True)["copies"]
    key = lambda c: (c["a"]["passage_id"], c["b"]["passage_id"], c["similarity"])  # noqa: E731
    assert sorted(map(key, before)) == sorted(map(key, after)) and before


def test_exports_carry_chinese_headers(copy_store):
    import io

    import openpyxl

    found = checks_for(copy_store, ADMIN)
    assert to_csv(found).decode("utf-8-sig").startswith("类别,申报单位")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(found))).active
    assert sheet["A1"].value == "类别" and sheet["A2"].value == "段落雷同"


def test_deleting_a_document_forgets_its_sketches_and_pairs(copy_store):
    doc = checks_for(copy_store, ADMIN)["copies"][0]["b"]["document_id"]
    copy_store.delete_document(doc)
    assert checks_for(copy_store, ADMIN)["copies"] == []
    assert not list(copy_store.db.query(
        "SELECT 1 FROM passage_sketches s LEFT JOIN passages p ON p.id = s.passage_id WHERE p.id IS NULL"))
