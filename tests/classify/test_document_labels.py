"""Document-level labels: aggregation over passages, the declaring region, eligibility and routing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from api.commands.classify import classify_cmd
from classify import (
    ApplicantType,
    DocumentLabels,
    MeasureClassifier,
    classify_document,
    load_campaign,
    load_classifier,
)
from classify.document import document_passages, measures_named_in
from corpora import CORPORA_DIR
from ingest import ParseOptions, parse_document, parse_path
from ingest.model import Document, InputFormat

SAMPLES = CORPORA_DIR / "samples"
OPTIONS = ParseOptions(ocr=False)

RIVER_CHIEF = """重庆市石柱土家族自治县河长制办公室关于推进河湖长制林长制工作情况的报告

一、压实各级河长责任
全县建立县乡村三级河长体系，落实各级河长632名，全年巡河4.2万人次，“一河一策”方案实现全覆盖。

二、开展河道清四乱
开展河道“清四乱”专项行动，清理河道垃圾1.3万吨，整治河湖问题86个，龙河出境断面水质稳定保持Ⅱ类。

三、建设幸福河湖
建成市级幸福河湖3条，实施河道生态修复12公里，河流管理保护长效机制不断健全。

四、全面推行林长制
设立县乡村三级林长1200名，完成营造林12万亩，森林覆盖率达到60.2%，野生动植物保护成效明显。

五、加强湿地保护
新建湿地公园2个，湿地保护率达到55%，藤子沟国家湿地公园生态持续向好。

六、其他工作
全年固定资产投资增长8%，一批市级重大项目加快建设。

石柱土家族自治县河长制办公室
2023年1月10日
"""

TOWNSHIP_FARMLAND = """重庆市合川区钱塘镇人民政府关于2022年度农业农村工作情况的报告

一、高标准农田
全镇新建高标准农田1.2万亩，完成撂荒耕地复耕复种800亩，农田灌排设施全面配套。

二、稳定粮食生产
全镇粮食播种面积稳定在5.6万亩，粮食总产量达到2.3万吨，水稻单产提高3%。

三、推广良种良法
推广优质稻、玉米大豆带状复合种植1.5万亩，粮食生产社会化服务覆盖率达到80%。

重庆市合川区钱塘镇人民政府
2023年1月12日
"""


@pytest.fixture(scope="module")
def classifier() -> MeasureClassifier:
    return load_classifier()


def _doc(text: str, filename: str = "报告.txt") -> Document:
    return parse_document(text.encode("utf-8"), filename, OPTIONS)


def _measure_ids(labels: DocumentLabels) -> list[int]:
    return [m.measure_id for m in labels.measures]


# ------------------------------------------------------------------------------ aggregation


def _declared(labels: DocumentLabels) -> list[int]:
    return [m.measure_id for m in labels.declared]


def test_river_chief_document_mentioning_investment_once_does_not_declare_1(
    classifier: MeasureClassifier,
) -> None:
    doc = _doc(RIVER_CHIEF)
    labels = classify_document(doc, classifier)
    assert 17 in _declared(labels)
    assert 1 not in _declared(labels)
    # the investment sentence itself is a strong measure-1 passage: kept as possible, for the reviewer
    investment = next(p.id for p in doc.passages if "固定资产投资" in p.text)
    assert 1 in labels.passages[investment].measures
    possible = next(m for m in labels.measures if m.measure_id == 1)
    assert possible.level == "possible" and possible.probability < 0.4


def test_passage_labels_are_keyed_by_passage_id_and_name_the_model(classifier: MeasureClassifier) -> None:
    doc = _doc(RIVER_CHIEF)
    labels = classify_document(doc, classifier)
    assert list(labels.passages) == [p.id for p in doc.passages]
    assert all(label.model_version == classifier.version for label in labels.passages.values())
    assert all(m.model_version == classifier.version for m in labels.measures)
    evidence = next(m for m in labels.measures if m.measure_id == 17).evidence
    assert evidence and set(evidence) <= set(labels.passages)


def test_a_measure_named_in_the_title_is_a_document_label() -> None:
    campaign = load_campaign()
    assert measures_named_in("万州区-推进公路和水网建设-扩大有效投资-督查激励申报材料.docx", campaign) == [1, 18]
    assert measures_named_in("南岸区关于申报2022年度数字化发展和营商环境督查激励事项的报告", campaign) == [10, 12]
    assert measures_named_in("关于报送督查激励申报材料的函", campaign) == []


def test_a_document_without_passages_is_cut_into_chunks() -> None:
    doc = Document(id="0" * 64, filename="x.txt", format=InputFormat.TXT, pages=1, text="新建养老机构17家。" * 60)
    chunks = document_passages(doc)
    assert len(chunks) > 1 and all(len(text) <= 400 for _, text in chunks)


# ------------------------------------------------------------------------------ region and eligibility


def test_township_document_predicted_15_is_flagged_ineligible(classifier: MeasureClassifier) -> None:
    labels = classify_document(_doc(TOWNSHIP_FARMLAND), classifier)
    assert labels.applicant_type is ApplicantType.TOWNSHIP
    assert labels.region == "钱塘镇（合川区）" and labels.township == "钱塘镇" and labels.county == "合川区"
    farmland = next(m for m in labels.measures if m.measure_id == 15)
    assert farmland.eligible is False
    assert "区县" in farmland.eligibility


def test_a_strong_single_passage_on_a_measure_a_township_may_not_declare_is_flagged_not_dropped(
        classifier: MeasureClassifier) -> None:
    text = TOWNSHIP_FARMLAND.replace("三、推广良种良法", "三、发展乡村旅游\n全镇接待游客12万人次，旅游综合收入8600万元，"
                                     "打造市级乡村旅游精品线路1条，创建3A级景区1个。\n四、推广良种良法")
    labels = classify_document(_doc(text), classifier)
    tourism = next(m for m in labels.measures if m.measure_id == 27)
    assert tourism.eligible is False  # kept, possible or declared, and flagged


def test_the_uploaders_region_is_the_default_and_a_township_in_it_refines_it(classifier: MeasureClassifier) -> None:
    anonymous = "\n\n".join(TOWNSHIP_FARMLAND.split("\n\n")[1:-1])  # neither title nor 落款
    assert classify_document(_doc(anonymous), classifier, uploader_region="合川").region == "合川区"
    labels = classify_document(_doc(TOWNSHIP_FARMLAND), classifier, uploader_region="合川区")
    assert (labels.region, labels.region_source, labels.region_warning) == ("钱塘镇（合川区）", "uploader+document", None)
    other = classify_document(_doc(TOWNSHIP_FARMLAND), classifier, uploader_region="璧山区")
    assert other.region == "璧山区" and "合川区" in other.region_warning


def test_county_document_on_the_same_work_is_eligible(classifier: MeasureClassifier) -> None:
    text = TOWNSHIP_FARMLAND.replace("重庆市合川区钱塘镇人民政府", "重庆市合川区人民政府").replace("全镇", "全区")
    labels = classify_document(_doc(text), classifier)
    assert labels.applicant_type is ApplicantType.COUNTY
    assert next(m for m in labels.measures if m.measure_id == 15).eligible is True


def test_without_a_region_eligibility_stays_open(classifier: MeasureClassifier) -> None:
    text = "\n\n".join(p for p in TOWNSHIP_FARMLAND.split("\n\n")[1:-1]).replace("全镇", "全年")
    labels = classify_document(_doc(text), classifier)
    assert labels.applicant_type is None
    assert labels.measures and all(m.eligible is None for m in labels.measures)


def test_labels_route_to_the_lead_and_co_units_of_the_notice(classifier: MeasureClassifier) -> None:
    labels = classify_document(_doc(TOWNSHIP_FARMLAND), classifier)
    farmland = next(m for m in labels.measures if m.measure_id == 15)
    assert farmland.lead_units == ["市农业农村委"]
    assert farmland.co_units == ["市财政局"]
    river_labels = classify_document(_doc(RIVER_CHIEF), classifier)
    rivers = next(m for m in river_labels.measures if m.measure_id == 17)
    assert rivers.lead_units == ["市水利局", "市林业局"]
    assert rivers.co_units == ["市财政局"]
    assert 17 in river_labels.routing["市水利局"] and 17 in river_labels.routing["市林业局"]
    assert labels.routing["市农业农村委"] == [m.measure_id for m in labels.measures if "市农业农村委" in m.lead_units]


# ------------------------------------------------------------------------------ sample declarations


def _samples() -> list[tuple[Path, list[int], str]]:
    out = []
    for src in sorted((SAMPLES / "src").glob("*.md")):
        meta = yaml.safe_load(src.read_text(encoding="utf-8").split("---")[1])
        out.append((SAMPLES / meta["filename"], list(meta["measures"]), meta["region"]))
    return out


@pytest.mark.parametrize(("path", "declared", "region"), _samples(), ids=lambda v: getattr(v, "stem", None))
def test_sample_declaration_gets_its_measures_from_passages_alone(
    classifier: MeasureClassifier, path: Path, declared: list[int], region: str
) -> None:
    """With the title and file name hidden, the passages alone must carry the declared measures."""
    doc = parse_path(path, OPTIONS)[0].document
    assert doc is not None
    blind = doc.model_copy(
        update={"filename": f"x.{doc.format.value}", "gongwen": doc.gongwen.model_copy(update={"title": None})}
    )
    labels = classify_document(blind, classifier)
    assert set(declared) <= set(_measure_ids(labels))
    assert all(not m.named_in_title for m in labels.measures)


def test_classify_command_prints_a_document_as_json() -> None:
    path = SAMPLES / "白沙镇-深入开展乡村治理-典型经验材料.pdf"
    result = CliRunner().invoke(classify_cmd, [str(path), "--json", "--no-ocr"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output.splitlines()[-1])
    assert record["applicant_type"] == ApplicantType.TOWNSHIP.value
    assert record["township"] == "白沙镇"
    first = record["measures"][0]
    assert first["measure_id"] == 16 and first["eligible"] is True and first["lead_units"] == ["市乡村振兴局"]
    assert set(record["passages"]) and all("scores" in p for p in record["passages"].values())


def test_classify_command_prints_a_readable_summary() -> None:
    path = SAMPLES / "白沙镇-深入开展乡村治理-典型经验材料.pdf"
    result = CliRunner().invoke(classify_cmd, [str(path), "--no-ocr"])
    assert result.exit_code == 0, result.output
    assert "措施 16" in result.output and "申报资格 符合" in result.output and "市乡村振兴局" in result.output
