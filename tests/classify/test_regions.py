"""The gazetteer, declaring-region detection, applicant types and measure eligibility."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from classify.catalog import ApplicantType, CatalogError, load_campaign
from classify.regions import (
    Gazetteer,
    RegionKind,
    detect_region,
    is_eligible,
    load_gazetteer,
    route_measures,
)
from ingest.model import Document, GongwenMeta, InputFormat

C, T, P = ApplicantType.COUNTY, ApplicantType.TOWNSHIP, ApplicantType.PLATFORM


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return load_gazetteer()


# ------------------------------------------------------------------------------------ gazetteer


def test_gazetteer_has_the_38_qu_xian_26_districts_8_counties_4_autonomous(gaz: Gazetteer) -> None:
    counties = gaz.counties
    assert len(counties) == 38
    assert Counter(r.kind for r in counties) == {
        RegionKind.DISTRICT: 26,
        RegionKind.COUNTY: 8,
        RegionKind.AUTONOMOUS_COUNTY: 4,
    }
    assert len({r.code for r in counties}) == 38
    assert all(r.name.endswith("区") for r in counties if r.kind is RegionKind.DISTRICT)
    assert all(r.name.endswith("自治县") for r in counties if r.kind is RegionKind.AUTONOMOUS_COUNTY)


@pytest.mark.parametrize("name", ["石柱土家族自治县", "石柱县", "石柱", "石柱自治县", "shizhu"])
def test_official_and_short_names_resolve_to_one_region(gaz: Gazetteer, name: str) -> None:
    region = gaz.get(name)
    assert region.name == "石柱土家族自治县"
    assert region.code == "500240"
    assert region.applicant_type is C


@pytest.mark.parametrize(
    ("name", "official"),
    [
        ("两江新区", "重庆两江新区"),
        ("重庆高新区", "西部科学城重庆高新区"),
        ("万盛经开区", "重庆万盛经济技术开发区"),
    ],
)
def test_the_three_platforms_declare_as_national_platforms(gaz: Gazetteer, name: str, official: str) -> None:
    region = gaz.get(name)
    assert region.name == official
    assert region.kind is RegionKind.PLATFORM and region.applicant_type is P
    assert region.declares


def test_other_national_zones_count_for_the_region_that_runs_them(gaz: Gazetteer) -> None:
    assert gaz.declaring(gaz.get("万州经开区")).name == "万州区"
    assert gaz.declaring(gaz.get("两路果园港综保区")).name == "重庆两江新区"
    assert all(gaz.declaring(r) is not None for r in gaz.platforms)


def test_find_all_gives_offsets_and_prefers_the_longest_name(gaz: Gazetteer) -> None:
    text = "西部科学城重庆高新区、万州经开区与石柱县"
    found = [(start, end, region.name) for start, end, region in gaz.find_all(text)]
    assert found == [
        (0, 10, "西部科学城重庆高新区"),
        (11, 16, "万州经济技术开发区"),
        (17, 20, "石柱土家族自治县"),
    ]
    assert all(text[s:e] in gaz.get(name).names for s, e, name in found)


@pytest.mark.parametrize(
    "text", ["健康长寿", "长江南岸", "推进两江四岸治理", "长江北岸", "主城都市区和重庆市", "恒丰银行南京江北支行",
             "宁波江北区", "南京江北新区"]
)
def test_ordinary_words_are_not_region_mentions(gaz: Gazetteer, text: str) -> None:
    assert gaz.find_all(text) == []


def test_weak_names_count_only_when_asked(gaz: Gazetteer) -> None:
    assert gaz.find_all("长寿申报材料") == []
    assert [r.name for _, _, r in gaz.find_all("长寿申报材料", include_weak=True)] == ["长寿区"]
    assert gaz.find_all("两江四岸", include_weak=True) == []


@pytest.mark.parametrize(
    ("text", "townships"),
    [
        ("石柱土家族自治县黄水镇人民政府", ["黄水镇"]),
        ("重庆市渝中区人民政府解放碑街道办事处", ["解放碑街道"]),
        ("江津区白沙镇关于申报2022年度督查激励的典型经验材料", ["白沙镇"]),
        ("白沙镇-深入开展乡村治理-典型经验材料", ["白沙镇"]),
        ("三河乡人民政府", ["三河乡"]),
        ("各区县、乡镇（街道）和国家级开发开放平台", []),
        ("全面推进城镇化", []),
        ("关于乡村治理的报告", []),
        ("石柱县关于推荐黄水镇经验的报告", []),  # the county reports; the township is its subject
    ],
)
def test_find_townships(gaz: Gazetteer, text: str, townships: list[str]) -> None:
    assert [name for _, _, name in gaz.find_townships(text)] == townships


# ------------------------------------------------------------------------------------- detection

SHIZHU_BODY = """石柱土家族自治县关于申报2022年度督查激励事项的报告
市政府督查办：
2022年，我县主动融入主城都市区发展，对标重庆市高质量发展要求，学习万州区、万州区经验，借鉴万州区做法，
与万州区、忠县开展协作。全县建成高标准农田3.2万亩，我县农业高质量发展成效明显。
石柱土家族自治县人民政府
2023年1月20日"""


def test_a_shizhu_declaration_that_mentions_wanzhou_more_often_is_shizhus() -> None:
    # 万州区 is mentioned 4 times in the body, 石柱 only in the title and the signature.
    match = detect_region(
        title="石柱县关于申报2022年度督查激励事项的报告",
        text=SHIZHU_BODY,
        signer="石柱土家族自治县人民政府",
        filename="石柱县-高标准农田-申报材料.docx",
    )
    assert match is not None
    assert match.region == "石柱土家族自治县"
    assert match.applicant_type is C
    assert match.township is None
    assert match.scores["石柱土家族自治县"] > match.scores["万州区"]
    assert any(reason.startswith("signer") for reason in match.evidence)
    assert match.confidence > 0.8


def test_a_document_model_supplies_title_signer_filename_and_text() -> None:
    doc = Document(
        id="0" * 64,
        filename="申报材料.docx",
        format=InputFormat.DOCX,
        pages=1,
        text=SHIZHU_BODY,
        gongwen=GongwenMeta(
            title="石柱县关于申报2022年度督查激励事项的报告", signer="石柱土家族自治县人民政府"
        ),
    )
    match = detect_region(doc)
    assert match is not None and match.region == "石柱土家族自治县"


def test_without_signer_the_signature_at_the_end_of_the_text_is_used() -> None:
    match = detect_region(text=SHIZHU_BODY)
    assert match is not None and match.region == "石柱土家族自治县"
    assert any(reason.startswith("signature") for reason in match.evidence)


def test_a_liangjiang_declaration_is_a_platform_not_the_districts_it_spans() -> None:
    text = (
        "两江新区关于申报2022年度督查激励的报告\n"
        "2022年，我区聚焦汽车、电子信息产业集群，辐射渝北区、北碚区和江北区，渝北区配套企业120家，"
        "北碚区新增项目8个，我区招商引资成效明显。\n重庆两江新区管理委员会\n2023年1月15日"
    )
    match = detect_region(text=text, filename="两江新区-招商引资-申报材料.pdf")
    assert match is not None
    assert match.region == "重庆两江新区"
    assert match.kind is RegionKind.PLATFORM
    assert match.applicant_type is P


def test_a_township_declaration_is_a_township_inside_its_county() -> None:
    text = (
        "我镇位于石柱县东部，2022年我镇乡村治理积分制覆盖全镇，我镇获评市级示范镇。"
        "石柱县乡村振兴局、万州区考察团到我镇调研。\n石柱土家族自治县黄水镇人民政府\n2023年1月10日"
    )
    match = detect_region(
        title="黄水镇关于申报2022年度督查激励“深入开展乡村治理”事项的报告",
        text=text,
        signer="石柱土家族自治县黄水镇人民政府",
    )
    assert match is not None
    assert match.applicant_type is T
    assert match.township == "黄水镇"
    assert match.region == "石柱土家族自治县"


def test_a_township_signer_without_its_county_takes_the_county_from_the_text() -> None:
    match = detect_region(
        signer="黄水镇人民政府", text="我镇是石柱县的旅游大镇，石柱县委、县政府支持我镇，万州区游客增加。"
    )
    assert match is not None
    assert (match.region, match.township, match.applicant_type) == ("石柱土家族自治县", "黄水镇", T)


def test_a_county_report_that_names_a_township_in_its_title_is_the_countys() -> None:
    match = detect_region(
        title="石柱县关于推荐黄水镇乡村治理典型经验的报告",
        signer="石柱土家族自治县人民政府",
        text="黄水镇积分制经验……",
    )
    assert match is not None and match.applicant_type is C and match.township is None


def test_a_text_that_speaks_as_a_township_is_a_township() -> None:
    match = detect_region(
        text="我镇2022年建成院落12个，我镇积分超市覆盖率100%，本镇群众满意度95%。地处江津区。"
    )
    assert match is not None
    assert match.applicant_type is T
    assert match.region == "江津区"


def test_the_file_name_alone_can_name_the_region() -> None:
    match = detect_region(
        text="2022年全县接待游客1200万人次。", filename="酉阳县-文化和旅游产业高质量发展-申报材料.pdf"
    )
    assert match is not None and match.region == "酉阳土家族苗族自治县"


def test_without_strong_sources_the_most_mentioned_region_wins() -> None:
    text = "永川区职业教育……永川区就业……江津区交流……永川区技能人才……永川区高校毕业生……"
    match = detect_region(text=text)
    assert match is not None and match.region == "永川区"
    assert match.confidence < 0.9  # only raw mentions: less sure than with a signer


def test_a_zone_run_by_a_district_declares_through_that_district() -> None:
    match = detect_region(title="万州经开区关于申报2022年度督查激励的报告", text="园区产值增长12%。")
    assert match is not None and match.region == "万州区" and match.applicant_type is C


def test_no_place_no_match() -> None:
    assert detect_region(text="2022年全年完成投资12亿元。", title="关于申报督查激励的报告") is None


# ------------------------------------------------------------------------------------ eligibility


@pytest.mark.parametrize(
    ("measure_id", "applicant", "eligible"),
    [
        (15, C, True),
        (15, T, False),  # 高标准农田: 区县 only
        (15, P, False),
        (13, T, True),
        (13, P, False),
        (2, P, False),
        (14, P, True),
        (16, T, True),
        (23, T, True),
        (26, P, False),
        (1, T, False),
    ],
)
def test_is_eligible_follows_the_notice(measure_id: int, applicant: ApplicantType, eligible: bool) -> None:
    assert is_eligible(load_campaign().measure(measure_id), applicant) is eligible


def test_route_measures_gives_units_and_a_reason() -> None:
    routes = route_measures([15, 17], T)
    assert [r.eligible for r in routes] == [False, True]
    assert routes[0].lead_units == ["市农业农村委"] and routes[0].co_units == ["市财政局"]
    assert "乡镇(街道)不在申报范围" in routes[0].reason
    assert routes[1].lead_units == ["市水利局", "市林业局"]
    assert routes[1].provisions == [1]  # only the 林长制 sentence admits townships


# ---------------------------------------------------------------------------- malformed gazetteer

GOOD = """regions:
  - {code: "500101", slug: wanzhou, name: 万州区, short_names: [万州], kind: district}
  - {code: "500102", slug: fuling, name: 涪陵区, short_names: [涪陵], kind: district}
townships: {suffixes: [镇, 乡, 街道]}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "regions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_small_gazetteer_loads(tmp_path: Path) -> None:
    gaz = load_gazetteer(_write(tmp_path, GOOD))
    assert [r.name for r in gaz.regions] == ["万州区", "涪陵区"]


def test_a_name_shared_by_two_regions_fails_at_the_second(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("short_names: [涪陵]", "short_names: [万州]"))
    with pytest.raises(CatalogError, match="万州") as info:
        load_gazetteer(path)
    assert (info.value.filename, info.value.line) == (str(path), 3)


def test_an_unknown_kind_fails_at_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("kind: district}\ntownships", "kind: city}\ntownships"))
    with pytest.raises(CatalogError, match="kind") as info:
        load_gazetteer(path)
    assert info.value.line == 3


def test_a_parent_outside_the_file_fails(tmp_path: Path) -> None:
    extra = "  - {slug: zone, name: 某开发区, kind: platform, parent: 綦江区, declares: false}\n"
    path = _write(tmp_path, GOOD.replace("townships:", extra + "townships:"))
    with pytest.raises(CatalogError, match="parent") as info:
        load_gazetteer(path)
    assert info.value.line == 4
