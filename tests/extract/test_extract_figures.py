"""extract_figures on sentences: every kind, Chinese numerals, exclusions, flags, metrics, as tables.

Each row is (input sentence, expected figures). A figure is written as (raw, value, unit, kind), with
direction and approx where the row is about them.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract import RULES_VERSION, FigureKind, extract_figures
from extract.model import Direction
from extract.rules import load_rules
from ingest.model import Source


def figures(text: str, **kw) -> list[tuple[str, Decimal, str | None, str]]:
    return [(f.raw, f.value, f.unit, f.kind.value) for f in extract_figures(text, **kw)]


def D(v: str | int) -> Decimal:  # noqa: N802 - reads like a literal in the tables
    return Decimal(str(v))


# -- kinds --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("全省完成地区生产总值31534亿元", [("31534亿元", D(3153400000000), "元", "amount")]),
        ("外贸进出口总额达到4.27万亿元", [("4.27万亿元", D(4270000000000), "元", "amount")]),
        ("金融市场交易总额达到3650万亿元", [("3650万亿元", D(3650000000000000), "元", "amount")]),
        ("实际使用外资175亿美元左右", [("175亿美元", D(17500000000), "美元", "amount")]),
        ("设立2亿元智能化改造专项资金", [("2亿元", D(200000000), "元", "amount")]),
        ("兑现举报奖励3.2万元", [("3.2万元", D(32000), "元", "amount")]),
        ("城乡低保标准提高到740元/月", [("740元", D(740), "元", "amount")]),
        ("财政民生支出首次突破万亿元", [("万亿元", D(1000000000000), "元", "amount")]),
        ("奖励资金五十万元", [("五十万元", D(500000), "元", "amount")]),
        ("全市数字经济规模达到一点二万亿元", [("一点二万亿元", D(1200000000000), "元", "amount")]),
        ("城镇居民人均生活费收入达到４３００多元", [("４３００多元", D(4300), "元", "amount")]),
    ],
)
def test_amounts_are_money_in_yuan(text: str, expected: list) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("新增高新技术企业三十五个", [("三十五个", D(35), "个", "quantity")]),
        ("新认定高新技术企业两家", [("两家", D(2), "家", "quantity")]),
        ("新增技能人才74万", [("74万", D(740000), None, "quantity")]),
        ("新建成高速公路507公里", [("507公里", D(507), "公里", "quantity")]),
        ("新增电力装机1002万千瓦", [("1002万千瓦", D(10020000), "千瓦", "quantity")]),
        ("建成高标准农田6.5万亩", [("6.5万亩", D(65000), "亩", "quantity")]),
        ("治理水土流失面积308平方公里", [("308平方公里", D(308), "平方公里", "quantity")]),
        ("上海港集装箱吞吐量达到5150.6万标准箱", [("5150.6万标准箱", D(51506000), "标准箱", "quantity")]),
        ("新增污水处理能力12万吨/日", [("12万吨", D(120000), "吨", "quantity")]),
        ("细颗粒物年均浓度33微克/立方米", [("33微克/立方米", D(33), "微克/立方米", "quantity")]),
        ("PM2.5平均浓度每立方米30微克", [("30微克", D(30), "微克/立方米", "quantity")]),
        ("接待游客1.2万人次", [("1.2万人次", D(12000), "人次", "quantity")]),
        ("新识别监测对象826户2914人", [("826户", D(826), "户", "quantity"), ("2914人", D(2914), "人", "quantity")]),
        ("出境旅游人次由8300万增加到1亿3千多万",
         [("8300万", D(83000000), None, "quantity"), ("1亿3千多万", D(130000000), None, "quantity")]),
        ("粮食产量首次跃上1.4万亿斤新台阶", [("1.4万亿斤", D(1400000000000), "斤", "quantity")]),
        ("选派超千名科技特派员", [("千名", D(1000), "名", "quantity")]),
        ("经营主体每年新增百万户以上", [("百万户", D(1000000), "户", "quantity")]),
        ("出台支持制造业数字化转型11条措施", [("11条", D(11), "条", "quantity")]),
        ("实施20项以上重大科技项目", [("20项", D(20), "项", "quantity")]),
        ("全年查处违法案件1860家次", [("1860家次", D(1860), "家次", "quantity")]),
        ("经受了25轮强降水", [("25轮", D(25), "轮", "quantity")]),
        ("长臂猿恢复至7群42只", [("7群", D(7), "群", "quantity"), ("42只", D(42), "只", "quantity")]),
        ("卓尼、临潭2县新通高速公路", [("2县", D(2), "县", "quantity")]),
        ("智能算力规模达到7000PF", [("7000PF", D(7000), "PF", "quantity")]),
        ("算力规模达5.1万P", [("5.1万P", D(51000), "P", "quantity")]),
        ("帮助5万群众增收", [("5万", D(50000), None, "quantity")]),
        ("高校毕业生就业创业人数超过七百五十万", [("七百五十万", D(7500000), None, "quantity")]),
        ("引大济湟工程建成投运，惠及百万群众", [("百万", D(1000000), None, "quantity")]),
        ("铁路、高速公路里程分别新增2.5、3.1万公里", [("2.5", D(25000), "公里", "quantity"), ("3.1万公里", D(31000), "公里", "quantity")]),
        ("新增城镇就业和农村劳动力转移就业分别达到45、30万人以上",
         [("45", D(450000), "人", "quantity"), ("30万人", D(300000), "人", "quantity")]),
        ("分别为2000、1.5万人", [("2000", D(2000), "人", "quantity"), ("1.5万人", D(15000), "人", "quantity")]),
        ("城乡居民收入比由2.5缩小到2.3", [("2.5", D("2.5"), None, "quantity"), ("2.3", D("2.3"), None, "quantity")]),
        ("农田灌溉水有效利用系数提高到0.58", [("0.58", D("0.58"), None, "quantity")]),
        ("营商环境评价中我区得分87.6分", [("87.6分", D("87.6"), "分", "quantity")]),
        ("开行冰雪旅游专列38趟", [("38趟", D(38), "趟", "quantity")]),
    ],
)
def test_quantities_keep_the_unit_as_written(text: str, expected: list) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("森林覆盖率达到55.1%", [("55.1%", D("55.1"), "%", "percent")]),
        ("城镇调查失业率控制在5.5％左右", [("5.5％", D("5.5"), "%", "percent")]),
        ("绿电装机占比提高到55%", [("55%", D(55), "%", "percent")]),
        ("贫困发生率由10.2%下降到3.1%", [("10.2%", D("10.2"), "%", "percent"), ("3.1%", D("3.1"), "%", "percent")]),
        ("工业对GDP增长贡献率45%", [("45%", D(45), "%", "percent")]),
        ("政务服务事项网上可办率达到百分之九十九", [("百分之九十九", D(99), "%", "percent")]),
        ("孕产妇死亡率控制在2.8‰以内", [("2.8‰", D("2.8"), "‰", "percent")]),
        ("个人卫生支出占比下降到四成以下", [("四成", D(40), "%", "percent")]),
        ("近三成企业实现数字化转型", [("三成", D(30), "%", "percent")]),
    ],
)
def test_percentages_that_state_a_level(text: str, expected: list) -> None:
    assert figures(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "unit", "direction"),
    [
        ("社会消费品零售总额增长8.5%", "8.5", "%", "up"),
        ("规上工业增加值同比增长10.3%", "10.3", "%", "up"),
        ("居民收入年均增长7.4%", "7.4", "%", "up"),
        ("居民消费价格上涨0.2%", "0.2", "%", "up"),
        ("居民消费价格涨幅控制在2%左右", "2", "%", "up"),
        ("数字经济核心产业增速为14.8%", "14.8", "%", "up"),
        ("单位GDP能耗下降2％左右", "2", "%", "down"),
        ("道路遗撒投诉同比下降41.3%", "41.3", "%", "down"),
        ("化学需氧量排放量减少4.42%", "4.42", "%", "down"),
        ("占比下降3.2个百分点", "3.2", "百分点", "down"),
        ("制造业技改投资高于全国12.4个百分点", "12.4", "百分点", "up"),
        ("赤字率比去年预算高0.2个百分点", "0.2", "百分点", "up"),
        ("出口增长1.2倍", "1.2", "倍", "up"),
        ("省级集采药品耗材平均降价47.4%", "47.4", "%", "down"),
        ("农产品网络零售额增长三成", "30", "%", "up"),
        ("国债投资增长近两倍", "2", "倍", "up"),
        ("区域创新能力全国排名上升4位", "4", "位", "up"),
        ("降低一般工商业平均电价10%", "10", "%", "down"),
        ("压减工业产品生产许可证种类60%以上", "60", "%", "down"),
        ("利润同比增长-3.2%", "3.2", "%", "down"),
        ("城市管理综合考核排名较上年提升5个位次", "5", "位", "up"),
        ("新能源装机增长近一倍", "1", "倍", "up"),
        ("退休人员基本养老金上调2%", "2", "%", "up"),
        ("经济增长预期目标设定为5%左右", "5", "%", "up"),
    ],
)
def test_changes_carry_their_direction(text: str, value: str, unit: str, direction: str) -> None:
    (f,) = extract_figures(text)
    assert (f.kind, f.value, f.unit, f.direction) == (FigureKind.CHANGE, D(value), unit, Direction(direction))


@pytest.mark.parametrize(
    ("text", "values", "unit"),
    [
        ("第一、第三产业增加值分别增长2.5%、3.9%", ["2.5", "3.9"], "%"),
        ("化学需氧量、二氧化硫排放总量分别下降15.7%和17.5%", ["15.7", "17.5"], "%"),
        ("城乡居民收入占比分别提高1.1、2.2个百分点", ["1.1", "2.2"], "百分点"),
        ("今年预期目标是：国内生产总值增长6%—6.5%", ["6", "6.5"], "%"),
    ],
)
def test_a_listed_group_shares_its_change_word_and_unit(text: str, values: list[str], unit: str) -> None:
    got = extract_figures(text)
    assert [(f.kind, f.value, f.unit) for f in got] == [(FigureKind.CHANGE, D(v), unit) for v in values]


@pytest.mark.parametrize(
    ("text", "value", "scope"),
    [
        ("规上工业增加值增速居全市第一", 1, "全市"),
        ("快递业务量升至全国第7位", 7, "全国"),
        ("国考断面水质优良率居中部第1位", 1, "中部"),
        ("高铁通车里程突破3000公里、全国第一", 1, "全国"),
        ("研发投入强度居全国第三位", 3, "全国"),
        ("单晶硅、电解铝产能分别居全国第2、第4位", 2, "全国"),
    ],
)
def test_ranks_have_a_position_and_a_scope(text: str, value: int, scope: str) -> None:
    ranks = [f for f in extract_figures(text) if f.kind is FigureKind.RANK]
    assert [(f.value, f.unit, f.scope, f.rule_id) for f in ranks][:1] == [(D(value), "位", scope, "rank.ordinal")]


def test_listed_ordinals_share_the_unit_written_once() -> None:
    got = extract_figures("单晶硅、电解铝产能分别居全国第2、第4位")
    assert [(f.raw, f.kind, f.value, f.metric, f.scope) for f in got] == [
        ("第2", FigureKind.RANK, D(2), "单晶硅产能", "全国"), ("第4位", FigureKind.RANK, D(4), "电解铝产能", "全国")]


@pytest.mark.parametrize(
    ("text", "raw", "value"),
    [
        ("新能源超过火电成为第一大电源", "第一", 1),  # 第N大: the largest, without a rank verb
        ("金牌、奖牌总数第一名", "第一名", 1),  # 第N名 is always a place in a ranking
        ("在2023年国家考评第三的好成绩基础上", "第三", 3),  # an evaluation followed by 的
        ("营商环境年度考核第一", "第一", 1),
    ],
)
def test_ranks_that_their_own_words_make(text: str, raw: str, value: int) -> None:
    assert [(f.raw, f.kind, f.value) for f in extract_figures(text)] == [(raw, FigureKind.RANK, D(value))]


def test_listed_ranks_each_keep_their_scope() -> None:
    got = extract_figures("航空货邮和旅客吞吐量排名分别升至世界第二、世界第三")
    assert [(f.raw, f.value, f.scope) for f in got] == [("第二", D(2), "世界"), ("第三", D(3), "世界")]


def test_a_top_n_rank_is_approximate() -> None:
    (f,) = extract_figures("区域创新能力进入全国前10位")
    assert (f.kind, f.value, f.approx, f.rule_id) == (FigureKind.RANK, D(10), True, "rank.top")


# -- exclusions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2024年全面完成各项任务",
        "让亿万群众的消费潜力成为拉动经济的主动力",
        "百亿以上农业特色产业不断壮大",
        "上午8时30分召开会议",
        "上百万群众参与",
        "2022年1-11月经济运行平稳",
        "前三季度经济运行平稳",
        "五年来我们砥砺前行",
        "连续15年保持稳定",
        "连续48个月保持两位数增长",
        "时隔66年再次获批",
        "实施未来产业三年行动",
        "深入实施“十四五”规划",
        "编制十四五规划",
        "推进“1650”产业体系建设",
        "构建“7+1”综合行政执法队伍格局",
        "推进“一件事一次办”改革",
        "开通3号线一期",
        "浦东国际机场四期加快建设",
        "办好第135届广交会",
        "钢铁环保绩效A级企业",
        "推动三甲医院互认",
        "增加细颗粒物PM2.5等监测指标",
        "建设5G基站",
        "四大主导产业［7］",
        "做强六大优势产业",
        "完成十大重点民生实事",
        "三是基础设施水平全面跃升",
        "（9）持续推进平安建设",
        "④建设社区老年助餐服务点",
        "第二批合作项目完成年度目标",
        "首批项目开工",
        "发布首批重大技术攻关项目榜单",
        "新开工10亿元以上制造业项目",
        "成为全球首个年吞吐量超过5000万标准箱的世界大港",
        "公交与轨道50米内换乘比例明显提高",
        "每千人口拥有3岁以下婴幼儿托位数明显增加",
        "92个学科进入ESI全球前1%"[4:],
        "新建续建亿元以上项目",
        "进入中国企业500强",
        "川渝1000千伏特高压交流工程建成投运",
        "航空航天等产业保持两位数增长",
        "消费规模上亿",
        "带动上千万人就业",
        "落实人才振兴60条",
        "根据渝府办发〔2022〕74号文件要求",
        "联系电话：023-63895678",
        "12345热线办结率提升",
        "跨过一个万亿台阶",
        "社会消费品零售总额稳步回升",
        "关键零部件本地配套",
        "推行三方监管",
        "探索三位一体模式",
        "建成5000吨级泊位",
        "第一时间发现问题",
        "建设百万吨乙烯项目",
        "打造千亿级产业集群",
        "千家万户受益",
        "我们要一年接着一年干",
        "“两个确立”“两个维护”",
        "用了3个多月时间",
        "严格落实中央八项规定精神",
        "增强四个意识、坚定四个自信、做到两个维护",
        "从三个方面推进改革",
        "提供7×24小时服务",
        "全省高新技术企业达到数十家",
        "80后青年",
        "打造3.0版",
        "居全国前列",
        "稳居首位",
        "我们要充分发挥中央和地方两个积极性",
        "实现两个翻番",
        "深入抓好两个“关键小事”",
        "持续推动公园24小时开放",
        "持续推进15分钟社区生活圈建设",
        "城市15分钟托育服务圈加快建设",
        "全国最大的25万吨煤基乙烯聚合物项目投产",
        "135万吨聚烯烃升级改造项目开工",
        "三成员单位联合发文",
    ],
)
def test_not_figures(text: str) -> None:
    assert figures(text) == []


def test_a_threshold_class_is_skipped_but_the_count_is_kept() -> None:
    got = extract_figures("新开工10亿元以上制造业项目248个、比上年增加36个")
    assert [(f.raw, f.value, f.metric, f.direction) for f in got] == [
        ("248个", D(248), "制造业项目", None),
        ("36个", D(36), "制造业项目", Direction.UP),
    ]


def test_a_bound_on_the_indicator_itself_is_a_figure() -> None:
    (f,) = extract_figures("高铁通车里程突破3000公里")
    assert (f.value, f.unit, f.approx) == (D(3000), "公里", True)


# -- flags --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "approx"),
    [
        ("煤炭产量首次突破1亿吨", True),
        ("保交房交付住房近7万套", True),
        ("吸引约50万名境外采购商", True),
        ("公办幼儿园在园幼儿占比超过60%", True),
        ("用于投资的资金超1200亿元", True),
        ("新引进人才逾3000名", True),
        ("惠及160余万人", True),
        ("引进数字化服务商800多家", True),
        ("认定高新技术企业1200家以上", True),
        ("地区生产总值增长5.5%左右", True),
        ("城乡低保标准提高到不低于740元/月", True),
        ("孕产妇死亡率控制在2.8‰以内", True),
        ("预计增长6%", False),
        ("城镇调查失业率控制在5.5%", False),
        ("全国重点实验室达到17家", False),
    ],
)
def test_approx_marks(text: str, approx: bool) -> None:
    got = extract_figures(text)
    assert got and got[-1].approx is approx


def test_a_bound_before_a_listed_group_covers_every_number() -> None:
    got = extract_figures("城乡低保标准提高到不低于740元/月和485元/月")
    assert [(f.value, f.approx) for f in got] == [(D(740), True), (D(485), True)]


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("高新技术企业净增600户", "up"),
        ("比上年增加36个", "up"),
        ("中央对地方转移支付增加约1.5万亿元", "up"),
        ("亩产提升10.1斤", "up"),
        ("融资平台压降94户", "down"),
        ("贫困人口减少6800多万", "down"),
        ("新增国家级开发区1家", None),
        ("增加基础教育学位1.2万个", None),
        ("城乡低保标准提高到740元/月", None),
    ],
)
def test_amounts_and_quantities_have_a_direction_only_when_they_are_a_change(text: str, direction: str | None) -> None:
    (f,) = extract_figures(text)
    assert f.direction == (Direction(direction) if direction else None)


def test_a_net_change_at_the_head_of_a_clause_covers_each_count_in_it() -> None:
    got = extract_figures("净增科技型中小企业853家、高新技术企业97家、科技领军企业20家")
    assert [(f.value, f.direction) for f in got] == [(D(853), Direction.UP), (D(97), Direction.UP),
                                                   (D(20), Direction.UP)]


@pytest.mark.parametrize(
    ("text", "is_target"),
    [
        ("力争地区生产总值增长6%左右", True),
        ("预计数字经济规模突破1.3万亿元", True),
        ("主要预期目标是：地区生产总值增长5.5%左右", True),
        ("铁路投资要保持在8000亿元以上", True),
        ("2022年地区生产总值增长6%", False),
        ("主要指标完成情况：地区生产总值增长6%", False),
        ("落实稻谷目标价格补贴等资金2.86亿元，足额兑付到户", False),
    ],
)
def test_targets_versus_achievements(text: str, is_target: bool) -> None:
    got = extract_figures(text)
    assert got and got[-1].is_target is is_target


def test_period_and_basis_are_attached() -> None:
    (f,) = extract_figures("2022年1-11月，全市社会消费品零售总额同比增长8.5%")
    assert f.period is not None
    assert (f.period.text, f.period.start, f.period.end) == ("2022年1-11月", "2022-01-01", "2022-11-30")
    assert f.basis == "同比"


def test_the_period_of_a_figure_is_the_nearest_before_it_in_the_sentence() -> None:
    got = extract_figures("2021年营收100亿元。2022年营收120亿元，上半年增长5%")
    assert [f.period.text if f.period else None for f in got] == ["2021年", "2022年", "上半年"]


# -- suspect values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "reason_part"),
    [
        ("社会消费品零售总额增长853%", Source.OCR, "85.3%?"),
        ("社会消费品零售总额增长8530%", Source.TEXT, "above 1,000"),
        ("森林覆盖率达到155%", Source.TEXT, "above 100%"),
        ("污水集中处理率达到96个", Source.TEXT, "unit mismatch"),
    ],
)
def test_implausible_values_are_flagged_not_changed(text: str, source: Source, reason_part: str) -> None:
    (f,) = extract_figures(text, source=source)
    assert f.suspect is True
    assert reason_part in (f.suspect_reason or "")
    assert f.raw in text  # the value stays as written


@pytest.mark.parametrize(
    ("text", "source"),
    [("社会消费品零售总额增长85.3%", Source.OCR), ("社会消费品零售总额增长853%", Source.TEXT),
     ("森林覆盖率达到55%", Source.TEXT), ("出口增长150%", Source.TEXT)],
)
def test_plausible_values_are_not_flagged(text: str, source: Source) -> None:
    (f,) = extract_figures(text, source=source)
    assert (f.suspect, f.suspect_reason) == (False, None)


# -- metrics ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "metrics"),
    [
        ("全省完成地区生产总值31534亿元、增长3.3%", ["地区生产总值", "地区生产总值"]),
        ("新增45个博士硕士学位授权点", ["博士硕士学位授权点"]),
        ("新增技能人才74万、专业人才8.1万、首席技师73人", ["技能人才", "专业人才", "首席技师"]),
        ("交通、能源、水利分别完成投资3252亿元、2140亿元、748亿元", ["交通投资", "能源投资", "水利投资"]),
        ("城镇、农村居民人均可支配收入分别增长4.8%、6.2%", ["城镇居民人均可支配收入", "农村居民人均可支配收入"]),
        ("第一、第三产业增加值分别增长2.5%、3.9%", ["第一产业增加值", "第三产业增加值"]),
        ("技术合同登记数、成交额分别增长21.4%、25.2%", ["技术合同登记数", "技术合同成交额"]),
        ("跨国公司地区总部、外资研发中心分别新认定60家和30家，累计分别达到1016家和591家",
         ["跨国公司地区总部", "外资研发中心", "跨国公司地区总部", "外资研发中心"]),
        ("煤炭产量首次突破1亿吨、居全国第八", ["煤炭产量", "煤炭产量"]),
        ("争取超长期特别国债支持“两重”项目136个", ["“两重”项目"]),
        ("中央财政安排423亿元资金", ["资金"]),
        ("设立总规模500亿元的省战略性新兴产业母基金", ["省战略性新兴产业母基金"]),
        ("人工智能、生物技术等新兴产业增长20%以上", ["新兴产业"]),
        ("其中高速铁路超过1.9万公里，占世界60%以上", ["高速铁路", "高速铁路占世界"]),
        ("研究与试验发展经费增长27%、增速居全国第二位", ["研究与试验发展经费", "研究与试验发展经费增速"]),
        ("城镇新增就业124.5万人", ["城镇新增就业"]),
        ("12人入选国家高层次人才", ["入选国家高层次人才"]),
        ("规模以上工业增加值增长10%，两年平均增长7.3%", ["规模以上工业增加值", "规模以上工业增加值"]),
        ("城镇化率比上年末提高0.8个百分点", ["城镇化率"]),
        ("高标准农田92.6万亩，占全区耕地面积的61.4%", ["高标准农田", "高标准农田占全区耕地面积"]),
        ("中央对地方转移支付增加约1.5万亿元、规模近9.8万亿元", ["中央对地方转移支付", "中央对地方转移支付规模"]),
        ("提高城乡居民基本医保财政补助标准，人均增加30元", ["人均"]),
        ("建成产教融合基地32个和专门教育学校2所", ["产教融合基地", "专门教育学校"]),
        ("南疆五地州本科高校实现全覆盖、学生净增2.49万人", ["学生"]),
        ("巡回医疗的方式覆盖全省90%乡镇卫生院", ["乡镇卫生院"]),
        ("建成12个和美乡村", ["和美乡村"]),
        ("开工率、完工率均达到100%", ["开工率、完工率"]),
        ("惠及160余万人", [None]),
        ("高技术制造业增加值增长17.6%，比规上工业高8.2个百分点", ["高技术制造业增加值", "高技术制造业增加值"]),
        ("社会消费品零售总额增长15.2%，扣除价格因素实际增长16.4%", ["社会消费品零售总额", "社会消费品零售总额"]),
        ("粮食总产量达到9470亿斤，比上年增产690亿斤", ["粮食总产量", "粮食总产量"]),
        ("加装电梯、新增停车位分别为67部、1890个", ["加装电梯", "新增停车位"]),
        ("内河高等级航道里程新增0.6万公里", ["内河高等级航道里程"]),
        ("数字经济、海洋经济增加值占地区生产总值比重分别提高0.8、1.2个百分点",
         ["数字经济增加值占地区生产总值比重", "海洋经济增加值占地区生产总值比重"]),
        ("较大事故减少4起", ["较大事故"]),
        ("筹措30.5亿元撬动新增贷款", [None]),
    ],
)
def test_metric_names(text: str, metrics: list[str | None]) -> None:
    assert [f.metric for f in extract_figures(text)] == metrics


# -- citation -----------------------------------------------------------------------------------------


def test_offsets_cite_the_raw_text_exactly() -> None:
    text = "外贸进出口总额达到４．２７万亿元、再创历史新高，实际使用外资175亿美元左右。PM2.5浓度下降5%。"
    got = extract_figures(text)
    assert [f.raw for f in got] == ["４．２７万亿元", "175亿美元", "5%"]
    for f in got:
        assert text[f.start : f.end] == f.raw


def test_every_figure_names_its_rule_and_the_rules_version() -> None:
    text = "地区生产总值31534亿元、增长3.3%，新增企业1.2万家，占比55%，居全国第3位，技能人才74万，高于全国2个百分点"
    ids = load_rules().rule_ids()
    got = extract_figures(text)
    assert len(got) == 7
    for f in got:
        assert f.rule_id in ids
        assert f.rules_version == RULES_VERSION


def test_to_json_dict_emits_numbers_and_plain_strings() -> None:
    (a, b) = extract_figures("地区生产总值4.27万亿元、增长8.5%")
    ja, jb = a.to_json_dict(), b.to_json_dict()
    assert ja["value"] == 4270000000000 and isinstance(ja["value"], int)
    assert jb["value"] == 8.5 and isinstance(jb["value"], float)
    assert (jb["kind"], jb["direction"], jb["source"]) == ("change", "up", "text")
    assert set(ja) >= {"raw", "value", "unit", "kind", "metric", "direction", "approx", "is_target", "period",
                       "start", "end", "rule_id", "rules_version", "suspect", "suspect_reason"}


def test_text_without_numbers_gives_nothing() -> None:
    assert extract_figures("") == []
    assert extract_figures("坚持稳中求进工作总基调，统筹发展和安全。") == []
