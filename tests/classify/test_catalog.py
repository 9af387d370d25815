"""The campaign catalog: parsing the 2022 notice as published, the campaign file and its validation.

Expected values were written by reading 渝府办发〔2022〕74号 itself (corpora/campaigns/2022.notice.txt).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from api.commands.catalog import catalog_group
from classify.catalog import (
    ApplicantType,
    Campaign,
    CatalogError,
    DeadlineKind,
    build_catalog,
    campaign_path,
    load_campaign,
    normalize_notice_text,
    parse_notice,
    save_campaign,
)
from classify.lexicon import USER_DICT_PATH, domain_words, read_word_list
from corpora import CORPORA_DIR
from ingest.tokenize import read_user_dict

NOTICE = CORPORA_DIR / "campaigns" / "2022.notice.txt"
C, T, P = ApplicantType.COUNTY, ApplicantType.TOWNSHIP, ApplicantType.PLATFORM


@pytest.fixture(scope="module")
def notice_text() -> str:
    return NOTICE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def campaign(notice_text: str) -> Campaign:
    return parse_notice(notice_text)


# ------------------------------------------------------------------------------------ the notice


def test_seed_notice_yields_exactly_30_measures_numbered_1_to_30(campaign: Campaign) -> None:
    assert [m.id for m in campaign.measures] == list(range(1, 31))


def test_campaign_header_comes_from_the_notice(campaign: Campaign) -> None:
    assert campaign.year == 2022
    assert campaign.doc_number == "渝府办发〔2022〕74号"
    assert campaign.title == "重庆市人民政府办公厅关于开展2022年督查激励工作的通知"
    assert campaign.issuer == "重庆市人民政府办公厅"
    assert campaign.issued == date(2022, 6, 25)


@pytest.mark.parametrize(
    ("measure_id", "title"),
    [
        (1, "扩大有效投资"),
        (15, "推进高标准农田建设和稳定粮食生产"),
        (17, "推进“河长制”“林长制”"),
        (30, "获得通报表彰和肯定性批示情况"),
    ],
)
def test_measure_titles_are_the_first_sentence(campaign: Campaign, measure_id: int, title: str) -> None:
    assert campaign.measure(measure_id).title == title


@pytest.mark.parametrize(
    ("measure_id", "lead", "co"),
    [
        (1, ["市发展改革委", "市财政局"], []),
        (2, ["市商务委"], []),
        (3, ["市招商投资局"], ["市财政局"]),
        (5, ["市科技局"], ["市教委", "市经济信息委", "市财政局", "市人力社保局"]),
        (8, ["市经济信息委"], ["市发展改革委", "市财政局", "市市场监管局"]),
        (10, ["市大数据发展局", "市政府电子政务中心"], []),
        (13, ["市乡村振兴局"], []),
        (15, ["市农业农村委"], ["市财政局"]),
        (17, ["市水利局", "市林业局"], ["市财政局"]),
        (18, ["市交通局", "市水利局"], ["市发展改革委", "市财政局"]),
        (23, ["市民政局"], ["市发展改革委", "市财政局"]),
        (24, ["市教委"], ["市财政局", "市人力社保局"]),
        (26, ["市医保局"], []),
        (29, ["市新冠肺炎疫情防控指挥部综合办公室"], []),
        (30, ["市政府办公厅"], []),
    ],
)
def test_lead_and_co_operating_units_match_the_notice(
    campaign: Campaign, measure_id: int, lead: list[str], co: list[str]
) -> None:
    measure = campaign.measure(measure_id)
    assert measure.lead_units == lead
    assert measure.co_units == co


@pytest.mark.parametrize(
    ("measure_id", "types"),
    [
        (1, [C, P]),
        (2, [C]),  # 促进消费: "……的区县，在培育建设国际消费中心城市……"
        (8, [C, P]),
        (13, [C, T]),  # 脱贫: 区县、乡镇(街道), no platform
        (14, [C, T, P]),
        (15, [C]),  # 高标准农田: 区县 only
        (16, [C, T, P]),
        (17, [C, T, P]),  # 林长制 sentence admits townships and platforms
        (21, [C, T, P]),
        (23, [C, T, P]),
        (26, [C]),
        (27, [C]),
        (28, [C, P]),
        (30, [C, P]),
    ],
)
def test_eligible_applicant_types_match_the_notice(
    campaign: Campaign, measure_id: int, types: list[ApplicantType]
) -> None:
    assert campaign.measure(measure_id).applicant_types == types


def test_only_measures_13_14_16_17_21_23_admit_townships(campaign: Campaign) -> None:
    assert [m.id for m in campaign.measures if T in m.applicant_types] == [13, 14, 16, 17, 21, 23]


def test_measure_17_keeps_river_chiefs_for_counties_and_forest_chiefs_for_all(campaign: Campaign) -> None:
    river, forest = campaign.measure(17).provisions
    assert "河长制" in river.text and river.applicant_types == [C]
    assert river.incentives == ["资金奖补"]
    assert "林长制" in forest.text and forest.applicant_types == [C, T, P]
    assert forest.incentives == ["倾斜支持"]


@pytest.mark.parametrize(
    ("measure_id", "incentives"),
    [
        (1, {"倾斜支持", "考核加分"}),
        (3, {"资金奖补", "考核加分"}),
        (7, {"倾斜支持", "优先推荐", "考核加分"}),
        (10, {"优先推荐", "倾斜支持"}),
        (13, {"资金奖补"}),
        (20, {"考核加分"}),
        (24, {"资金奖补", "倾斜支持"}),
    ],
)
def test_incentive_kinds_follow_the_wording(
    campaign: Campaign, measure_id: int, incentives: set[str]
) -> None:
    assert set(campaign.measure(measure_id).incentives) == incentives


def test_deadlines_come_from_part_two(campaign: Campaign) -> None:
    assert campaign.deadline("区县申报").date == date(2023, 2, 1)
    assert campaign.deadline("通报实施").date == date(2023, 3, 31)  # "2023年3月底前"
    rules = campaign.deadline("激励措施实施办法报送")
    assert rules.date == date(2022, 7, 16)
    assert "实施办法" in rules.text


def test_deadlines_have_kinds_that_do_not_depend_on_wording(campaign: Campaign) -> None:
    assert campaign.deadline(DeadlineKind.DECLARATION).date == date(2023, 2, 1)
    assert campaign.deadline(DeadlineKind.NOTIFICATION).date == date(2023, 3, 31)
    assert campaign.deadline(DeadlineKind.IMPLEMENTATION_RULES).date == date(2022, 7, 16)


def test_three_process_steps_and_the_last_stops_at_its_paragraph(campaign: Campaign) -> None:
    assert [(s.number, s.name) for s in campaign.steps] == [(1, "区县申报"), (2, "部门推荐"), (3, "通报实施")]
    assert campaign.steps[0].deadline == date(2023, 2, 1)
    assert campaign.steps[2].text.endswith("并通报实施。")
    assert "高度重视" not in campaign.steps[2].text


def test_scraped_footer_junk_stays_out_of_the_measures(campaign: Campaign) -> None:
    last = campaign.measure(30)
    assert last.text.endswith("（牵头单位：市政府办公厅）")
    assert not any("版权" in m.text or "相关阅读" in m.text for m in campaign.measures)


def test_measure_text_is_normalised_to_full_width_punctuation(campaign: Campaign) -> None:
    text = campaign.measure(13).text
    assert "乡镇（街道）" in text and "," not in text and "(" not in text
    assert campaign.measure(13).body.startswith("对推动衔接政策落实落地")
    assert "牵头单位" not in campaign.measure(13).body


@pytest.mark.parametrize(
    ("measure_id", "keyword"),
    [
        (8, "专精特新"),
        (10, "渝快办"),
        (10, "云长制"),
        (14, "三品一标"),
        (15, "高标准农田建设"),
        (17, "一河一策"),
    ],
)
def test_keywords_name_the_measure_topics(campaign: Campaign, measure_id: int, keyword: str) -> None:
    assert keyword in campaign.measure(measure_id).keywords


def test_a_differently_scraped_copy_parses_to_the_same_measures(notice_text: str, campaign: Campaign) -> None:
    # Another site: a breadcrumb glued to the title, newlines between paragraphs, "1．" numbering,
    # full-width commas, and a footer that carries a date of its own.
    body = notice_text.split("|")[0].replace("﹒", "．").replace(",", "，").replace(" ", "\n")
    variant = "首页 > 政策文件\n政策法规" + body + "\n发布时间 2022年6月28日\n浏览次数：1024"
    other = parse_notice(variant)

    def summary(c: Campaign) -> list[tuple]:
        return [
            (m.id, m.title, m.lead_units, m.co_units, m.applicant_types, m.incentives) for m in c.measures
        ]

    assert summary(other) == summary(campaign)
    assert other.issuer == "重庆市人民政府办公厅"
    assert other.issued == date(2022, 6, 25)
    assert [d.date for d in other.deadlines] == [d.date for d in campaign.deadlines]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1﹒扩大有效投资。项目建设中,严格落实", "1.扩大有效投资。项目建设中，严格落实"),
        ("区县、乡镇(街道)和平台", "区县、乡镇（街道）和平台"),
        ("本网(sfd2008@qq.com)联系", "本网(sfd2008@qq.com)联系"),
        ("牵头单位:市科技局;配合单位:市财政局", "牵头单位：市科技局；配合单位：市财政局"),
        ("２０２３年２月１日前", "2023年2月1日前"),
        ("通知如下:\n\n一、激励措施", "通知如下： 一、激励措施"),
    ],
)
def test_normalize_notice_text(raw: str, expected: str) -> None:
    assert normalize_notice_text(raw) == expected


def test_a_page_without_a_notice_title_is_rejected() -> None:
    with pytest.raises(CatalogError, match="title"):
        parse_notice("相关阅读 版权声明 最新内容")


def test_a_notice_without_units_notes_names_the_measure(notice_text: str) -> None:
    broken = notice_text.replace("(牵头单位:市商务委)", "")
    with pytest.raises(CatalogError, match="measure 2"):
        parse_notice(broken)


# ------------------------------------------------------------------------------- the campaign file


def test_packaged_campaign_is_what_the_packaged_notice_parses_to(campaign: Campaign) -> None:
    # Regenerate with: jili catalog build corpora/campaigns/2022.notice.txt
    assert load_campaign() == campaign
    assert campaign_path(2022).exists()


def test_campaign_round_trips_through_yaml(campaign: Campaign, tmp_path: Path) -> None:
    path = tmp_path / "2022.yaml"
    save_campaign(campaign, path)
    assert load_campaign(path) == campaign
    assert "区县申报" in path.read_text(encoding="utf-8")  # Chinese is written as is, not escaped


def _broken_file(tmp_path: Path, campaign: Campaign, edit) -> tuple[Path, list[str]]:
    data = campaign.model_dump(mode="json")
    edit(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text.splitlines()


def _line_of(lines: list[str], needle: str) -> int:
    (index,) = [i for i, line in enumerate(lines) if needle in line]
    return index + 1


def test_empty_lead_units_fail_with_file_and_line(campaign: Campaign, tmp_path: Path) -> None:
    path, lines = _broken_file(tmp_path, campaign, lambda d: d["measures"][2].update(lead_units=[]))
    with pytest.raises(CatalogError) as info:
        load_campaign(path)
    assert info.value.filename == str(path)
    assert info.value.line == _line_of(lines, "lead_units: []")
    assert "measures.2.lead_units" in info.value.message


def test_measure_ids_with_a_gap_fail_at_the_offending_measure(campaign: Campaign, tmp_path: Path) -> None:
    path, lines = _broken_file(tmp_path, campaign, lambda d: d["measures"][4].update(id=50))
    with pytest.raises(CatalogError, match="expected 5, found 50") as info:
        load_campaign(path)
    assert info.value.line == _line_of(lines, "- id: 50")


def test_unsplit_unit_names_fail(campaign: Campaign, tmp_path: Path) -> None:
    path, lines = _broken_file(
        tmp_path, campaign, lambda d: d["measures"][0].update(lead_units=["市发展改革委、市财政局"])
    )
    with pytest.raises(CatalogError, match="separator") as info:
        load_campaign(path)
    assert info.value.line == _line_of(lines, "- 市发展改革委、市财政局")


def test_a_misspelt_field_fails_at_its_line(campaign: Campaign, tmp_path: Path) -> None:
    path, lines = _broken_file(tmp_path, campaign, lambda d: d["measures"][9].update(lead_unit=["市科技局"]))
    with pytest.raises(CatalogError, match="lead_unit") as info:
        load_campaign(path)
    assert info.value.line == _line_of(lines, "lead_unit:")


def test_an_unknown_applicant_type_fails(campaign: Campaign, tmp_path: Path) -> None:
    path, lines = _broken_file(tmp_path, campaign, lambda d: d["measures"][1].update(applicant_types=["村"]))
    with pytest.raises(CatalogError) as info:
        load_campaign(path)
    assert info.value.line == _line_of(lines, "- 村")


def test_invalid_yaml_fails_with_yamls_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("year: 2022\nmeasures:\n  - id: 1\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="invalid YAML") as info:
        load_campaign(path)
    assert info.value.line is not None and info.value.line >= 4
    assert str(path) in info.value.message


def test_a_missing_campaign_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read"):
        load_campaign(tmp_path / "2031.yaml")


# ---------------------------------------------------------------------------------- the dictionary


def test_packaged_user_dictionary_is_fresh() -> None:
    # Regenerate with: jili catalog build corpora/campaigns/2022.notice.txt
    assert read_user_dict(USER_DICT_PATH) == domain_words()


def test_domain_words_cover_units_regions_and_policy_terms(campaign: Campaign) -> None:
    words = {w: (freq, pos) for w, freq, pos in domain_words(campaign)}
    assert words["市经济信息委"][1] == "nt"
    assert words["石柱土家族自治县"][1] == "ns" and words["石柱"][1] == "ns"
    assert words["两江新区"][1] == "ns"
    for term in (
        "河长制",
        "林长制",
        "云长制",
        "专精特新",
        "渝快办",
        "信易贷",
        "高标准农田",
        "三变改革",
        "三品一标",
    ):
        assert term in words, term


def test_a_bad_word_list_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "policy_terms.txt"
    path.write_text("# terms\n河长制\n林长制 many nz\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        read_word_list(path)
    assert (info.value.filename, info.value.line) == (str(path), 3)


# -------------------------------------------------------------------------------------------- CLI


def test_cli_build_writes_the_campaign_and_the_dictionary(tmp_path: Path) -> None:
    out, dict_out = tmp_path / "2022.yaml", tmp_path / "user_dict.txt"
    result = CliRunner().invoke(
        catalog_group, ["build", str(NOTICE), "--out", str(out), "--dict-out", str(dict_out)]
    )
    assert result.exit_code == 0, result.output
    assert "30 measures" in result.output and "2023-02-01" in result.output
    assert len(load_campaign(out).measures) == 30
    assert ("河长制", 3000, "nz") in read_user_dict(dict_out)


def test_cli_build_reports_a_bad_notice_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "page.txt"
    bad.write_text("最新内容 热点内容", encoding="utf-8")
    result = CliRunner().invoke(catalog_group, ["build", str(bad), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 1
    assert "page.txt" in result.output and "title" in result.output


def test_cli_show_prints_measures_and_json() -> None:
    runner = CliRunner()
    text = runner.invoke(catalog_group, ["show"])
    assert text.exit_code == 0 and "15. 推进高标准农田建设和稳定粮食生产  [区县]" in text.output
    as_json = runner.invoke(catalog_group, ["show", "--json"])
    assert json.loads(as_json.output)["doc_number"] == "渝府办发〔2022〕74号"


def test_build_catalog_names_the_notice_file_in_errors(tmp_path: Path) -> None:
    bad = tmp_path / "notice.txt"
    bad.write_text("重庆市人民政府办公厅关于开展2023年督查激励工作的通知", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        build_catalog(bad, tmp_path / "out.yaml")
    assert info.value.filename == str(bad)
