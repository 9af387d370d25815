"""The campaign catalog: the 督查激励 notice parsed into typed measures, and the YAML file it is kept in.

This module owns three things:

* the models (`Campaign`, `Measure`, `Provision`, `Deadline`, `ProcessStep`, `ApplicantType`);
* `parse_notice`, which reads the notice *as published* (scraped web text with its header and footer
  junk, "1﹒" small-full-stop numbering, half-width commas and brackets) so that next year's notice
  is loaded the same way as 渝府办发〔2022〕74号;
* the campaign file under ``corpora/campaigns/`` (`save_campaign`, `load_campaign`), validated on load:
  a malformed file raises `CatalogError` naming the file and the line (from yaml's node marks).

The gazetteer (`classify.regions`) and the word lists (`classify.lexicon`) reuse `CatalogError` and
`read_yaml` for their own data files.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from corpora import CORPORA_DIR
from ingest.errors import JiliError

CAMPAIGNS_DIR = CORPORA_DIR / "campaigns"
DEFAULT_YEAR = 2022
CATALOG_VERSION = "jili.catalog.v1"


class CatalogError(JiliError):
    """A catalog data file (campaign, gazetteer, word list) or a notice is malformed.

    Carries the file and the 1-based line so a clerk can open the file at the right place.
    """

    code = "catalog_invalid"

    def __init__(self, reason: str, *, filename: str | Path | None = None, line: int | None = None):
        self.line = line
        super().__init__(reason, filename=str(filename) if filename else None)

    @property
    def message(self) -> str:
        where = self.filename or "<notice>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


# --------------------------------------------------------------------------------------------- models


class ApplicantType(str, Enum):
    """Who may declare under a measure, in the notice's own words."""

    COUNTY = "区县"
    TOWNSHIP = "乡镇(街道)"
    PLATFORM = "国家级开发开放平台"


class Provision(BaseModel):
    """One "对……的区县……，给予……" sentence of a measure: whom it rewards and how.

    Measure 17 shows why this level exists: its 河长制 sentence admits only 区县, its 林长制 sentence
    also 乡镇(街道) and platforms.
    """

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    applicant_types: list[ApplicantType] = Field(default_factory=list)
    incentives: list[str] = Field(default_factory=list)


def _check_unit(unit: str) -> str:
    if not unit.strip():
        raise ValueError("empty unit name")
    if any(sep in unit for sep in "、；;，,"):
        raise ValueError(f"unit {unit!r} still holds a separator: split it on 、/；")
    return unit


# A lead or co-operating unit, one per list item (validated per item so errors name the item's line).
UnitName = Annotated[str, AfterValidator(_check_unit)]


class Measure(BaseModel):
    """One numbered incentive measure (激励措施) of the notice."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(ge=1)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1, description="the full paragraph as published, without its number")
    lead_units: list[UnitName] = Field(min_length=1, description="牵头单位")
    co_units: list[UnitName] = Field(default_factory=list, description="配合单位")
    applicant_types: list[ApplicantType] = Field(min_length=1, description="eligible 申报单位 types")
    incentives: list[str] = Field(min_length=1, description="incentive kinds, e.g. 考核加分, 资金奖补")
    keywords: list[str] = Field(default_factory=list, description="salient terms derived from the text")
    provisions: list[Provision] = Field(default_factory=list)

    @property
    def body(self) -> str:
        """The text without the title and without the (牵头单位：…) note: what a passage is compared with."""
        body = self.text[len(self.title) :] if self.text.startswith(self.title) else self.text
        return _UNITS_NOTE.sub("", body.lstrip("。 ")).strip()


class DeadlineKind(str, Enum):
    """What a deadline is for, stable across years while the notice's wording changes."""

    DECLARATION = "declaration"  # 区县申报
    RECOMMENDATION = "recommendation"  # 部门推荐
    NOTIFICATION = "notification"  # 通报实施
    IMPLEMENTATION_RULES = "implementation_rules"  # 实施办法报送
    OTHER = "other"


class Deadline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    date: date
    text: str = Field(min_length=1, description="the clause that sets the deadline")
    kind: DeadlineKind = DeadlineKind.OTHER


class ProcessStep(BaseModel):
    """A step of part 二 (区县申报 → 部门推荐 → 通报实施)."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    text: str = Field(min_length=1)
    deadline: date | None = None


class Campaign(BaseModel):
    """A year's 督查激励 campaign as set by its notice."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    doc_number: str = Field(min_length=1, description="发文字号")
    title: str = Field(min_length=1)
    issued: date
    issuer: str = Field(min_length=1)
    deadlines: list[Deadline] = Field(default_factory=list)
    steps: list[ProcessStep] = Field(default_factory=list)
    measures: list[Measure] = Field(min_length=1)
    source_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    version: str = CATALOG_VERSION

    def measure(self, measure_id: int) -> Measure:
        for measure in self.measures:
            if measure.id == measure_id:
                return measure
        raise KeyError(measure_id)

    def deadline(self, key: str | DeadlineKind) -> Deadline:
        """The deadline with this name (区县申报) or kind (`DeadlineKind.DECLARATION`)."""
        for deadline in self.deadlines:
            if deadline.name == key or deadline.kind == key:
                return deadline
        raise KeyError(key)


# ------------------------------------------------------------------------------------ normalisation

_CJK = "\u4e00-\u9fff"
_CJK_PUNCT = "，。；：、“”‘’（）《》〔〕【】！？"
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？"}
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()}
# Numbering dots seen in scraped notices: U+FE52 small full stop, U+FF0E fullwidth full stop, U+2024.
_NUMBER_DOTS = str.maketrans({"﹒": ".", "．": ".", "․": "."})


def normalize_notice_text(text: str) -> str:
    """Undo what scraping did to a notice, keeping its meaning and its full-width house style.

    Half-width ``, ; : ! ?`` next to Chinese become full-width, ``(…)`` around Chinese becomes ``（…）``,
    full-width digits and letters become ASCII, numbering dots become ``.``, and every run of
    whitespace becomes one space (scraped pages keep paragraph breaks only as spaces).

    ``"1﹒扩大有效投资。对在推进…项目建设中,严格落实"`` -> ``"1.扩大有效投资。对在推进…项目建设中，严格落实"``
    """
    text = text.translate(_NUMBER_DOTS).translate(_FULLWIDTH_ALNUM)
    text = re.sub(r"[\s\u3000\u00a0]+", " ", text).strip()
    near_cjk = f"[{_CJK}{_CJK_PUNCT}]"
    text = re.sub(
        rf"(?<={near_cjk})([,;:!?])|([,;:!?])(?={near_cjk})",
        lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)],
        text,
    )
    # Brackets: only when they hold Chinese, so "(sfd2008@qq.com)" or "(1)" stay as they are; repeat
    # so that nested pairs convert from the inside out.
    previous = None
    while previous != text:
        previous, text = text, re.sub(rf"\(([^()]*[{_CJK}][^()]*)\)", r"（\1）", text)
    return text


# ------------------------------------------------------------------------------------------ parsing

_TITLE = re.compile(rf"(?P<issuer>[{_CJK}（）]{{2,30}}?)关于(?P<subject>[^\s。]{{2,80}}?)的通知")
_DOC_NUMBER = re.compile(rf"[{_CJK}]{{1,10}}[〔\[［（(](?P<year>\d{{4}})[〕\]］）)](?P<seq>\d{{1,4}})号")
_CN_DATE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日")
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")
_SIGNATURE = re.compile(
    rf"(?:^|[\s。；|])(?P<signer>[{_CJK}（）]{{4,40}})\s*(?P<date>\d{{4}}年\d{{1,2}}月\d{{1,2}}日)"
)
_PART = re.compile(
    rf"(?:^|(?<=[\s。；：]))(?P<num>[一二三四五六七八九十]{{1,3}})、(?P<title>[{_CJK}]{{2,12}}?)(?=[\s\d]|$)"
)
_CN_NUMERALS = "一二三四五六七八九十"
_UNITS_NOTE = re.compile(
    r"[（(]\s*牵头单位[：:](?P<lead>[^）)]*?)"
    r"(?:[；;]\s*(?:配合|协同|参与|责任)单位[：:](?P<co>[^）)]*))?\s*[）)]\s*$"
)
_UNIT_SPLIT = re.compile(r"[、；;，,]")
_APPLICANT_TERMS = {
    "区县": ApplicantType.COUNTY,
    "乡镇（街道）": ApplicantType.TOWNSHIP,
    "乡镇(街道)": ApplicantType.TOWNSHIP,
    "国家级开发开放平台": ApplicantType.PLATFORM,
}
_APPLICANT_ALT = "|".join(re.escape(t) for t in sorted(_APPLICANT_TERMS, key=len, reverse=True))
# "…成效明显的区县、乡镇（街道）和国家级开发开放平台，" — the list closes the 对… clause.
_APPLICANT_PHRASE = re.compile(
    rf"的(?P<list>(?:{_APPLICANT_ALT})(?:[、和及与](?:{_APPLICANT_ALT}))*)(?=[，；。])"
)
# Incentive kinds, in the order they are listed; each with the wording that grants it.
INCENTIVE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("考核加分", re.compile(r"予以加分|给予加分")),
    ("资金奖补", re.compile(r"奖补")),
    ("倾斜支持", re.compile(r"倾斜支持|予以倾斜|给予倾斜")),
    ("优先支持", re.compile(r"优先支持|优先开通|优先安排")),
    ("优先推荐", re.compile(r"优先推荐")),
)
_STEP_COUNT = re.compile(r"(?P<n>\d+)个步骤")
_DEADLINE_DATE = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})日|(?P<end>底))前")


@dataclass(frozen=True)
class _Item:
    number: int
    start: int
    end: int
    text: str


def parse_notice(text: str) -> Campaign:
    """Parse a 督查激励 notice, as published, into a validated `Campaign`.

    Args:
        text: the notice text; header and footer junk from a web page is tolerated.
    Returns:
        the campaign with its measures, deadlines and process steps.
    Raises:
        CatalogError: a part of the notice (title, document number, measures, …) could not be found,
            or what was found fails validation.

    ``"重庆市人民政府办公厅关于开展2022年督查激励工作的通知 渝府办发〔2022〕74号 … 一、激励措施 1﹒扩大有效投资。…"``
    -> ``Campaign(year=2022, doc_number="渝府办发〔2022〕74号", measures=[Measure(id=1, title="扩大有效投资", …), …])``
    """
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    norm = normalize_notice_text(text)

    issuer, title, title_end = _find_title(norm)
    year = _year_of(title)
    doc_number = _find_doc_number(norm, title_end)
    body_end, issued = _find_signature(norm, title_end, issuer)
    if issued is None:
        issued = _first_date(norm[title_end : title_end + 200])
    if issued is None:
        raise CatalogError("no issue date: neither a signature date nor a date after the title")
    body = norm[title_end:body_end]

    parts = _find_parts(body)
    measures_part, organisation_part = _pick_parts(parts)
    measures = [_parse_measure(item) for item in _numbered_items(measures_part)]
    if not measures:
        raise CatalogError("no numbered measures (1. …) found under the measures part")
    steps = _parse_steps(organisation_part)
    deadlines = _parse_deadlines(organisation_part, steps)
    _attach_keywords(measures)

    campaign = Campaign(
        year=year,
        doc_number=doc_number,
        title=title,
        issued=issued,
        issuer=issuer,
        deadlines=deadlines,
        steps=steps,
        measures=measures,
        source_sha256=sha,
    )
    problems = validate_campaign(campaign)
    if problems:
        loc, reason = problems[0]
        raise CatalogError(f"{_loc_text(loc)}: {reason}")
    return campaign


def _find_title(norm: str) -> tuple[str, str, int]:
    match = _TITLE.search(norm)
    if not match:
        raise CatalogError("no notice title (……关于……的通知) found")
    issuer = match.group("issuer")
    # Junk glued in front of the title ("政策法规重庆市人民政府办公厅关于…") is cut off where the
    # signature at the end of the notice repeats the issuer.
    for signer, _, _ in reversed(_signatures(norm[match.end() :])):
        if issuer.endswith(signer):
            issuer = signer
            break
    title = f"{issuer}关于{match.group('subject')}的通知"
    return issuer, title, match.end()


def _year_of(title: str) -> int:
    match = re.search(r"(\d{4})年", title)
    if not match:
        raise CatalogError(f"no year in the title {title!r}")
    return int(match.group(1))


def _find_doc_number(norm: str, after: int) -> str:
    # The 发文字号 sits right after the title on the page; search there first, then anywhere.
    match = _DOC_NUMBER.search(norm, after, after + 200) or _DOC_NUMBER.search(norm)
    if not match:
        raise CatalogError("no document number (……〔YYYY〕N号) found")
    prefix = match.group(0)[: match.start("year") - match.start() - 1]
    return f"{prefix}〔{match.group('year')}〕{match.group('seq')}号"


def _signatures(text: str) -> list[tuple[str, date, int]]:
    """Every "<signing unit> <YYYY年M月D日>" in the text, as (signer, date, offset of the signer)."""
    return [
        (m.group("signer"), _cn_date(m.group("date")), m.start("signer")) for m in _SIGNATURE.finditer(text)
    ]


def _find_signature(norm: str, after: int, issuer: str) -> tuple[int, date | None]:
    """Where the body ends (the signing unit) and the 成文日期 below it; junk after it is dropped.

    The last signature whose signer is the issuer wins: footers can carry dates of their own
    ("发布时间 2022年6月28日").
    """
    for signer, signed, offset in reversed(_signatures(norm[after:])):
        if signer.endswith(issuer) or issuer.endswith(signer):
            return after + offset, signed
    return len(norm), None


def _cn_date(text: str) -> date:
    m = _CN_DATE.fullmatch(text)
    assert m is not None
    return date(int(m["y"]), int(m["m"]), int(m["d"]))


def _first_date(text: str) -> date | None:
    m = _ISO_DATE.search(text) or _CN_DATE.search(text)
    return date(int(m["y"]), int(m["m"]), int(m["d"])) if m else None


def _find_parts(body: str) -> list[tuple[str, str]]:
    """The 一、二、… parts as (heading, text), found in sequence so that a stray "一、" cannot start one."""
    parts: list[tuple[str, int, int]] = []
    pos = 0
    for numeral in _CN_NUMERALS:
        match = next((m for m in _PART.finditer(body, pos) if m.group("num") == numeral), None)
        if not match:
            break
        parts.append((match.group("title"), match.start(), match.end()))
        pos = match.end()
    out = []
    for i, (heading, _, end) in enumerate(parts):
        stop = parts[i + 1][1] if i + 1 < len(parts) else len(body)
        out.append((heading, body[end:stop].strip()))
    return out


def _pick_parts(parts: list[tuple[str, str]]) -> tuple[str, str]:
    if not parts:
        raise CatalogError("no parts (一、… 二、…) found in the notice body")
    measures = next((i for i, (h, _) in enumerate(parts) if "措施" in h or "事项" in h), 0)
    organisation = next(
        (i for i, (h, _) in enumerate(parts) if i != measures and ("组织" in h or "实施" in h)),
        measures + 1 if measures + 1 < len(parts) else None,
    )
    return parts[measures][1], parts[organisation][1] if organisation is not None else ""


def _numbered_items(text: str) -> list[_Item]:
    """Items numbered 1. 2. 3. …, found in sequence: "3.5%" or "第4号" inside an item cannot start one."""
    starts: list[tuple[int, int, int]] = []
    pos, number = 0, 1
    while True:
        pattern = re.compile(rf"(?:^|(?<=[\s。；）)”]))\s*{number}[.、](?=[{_CJK}“])")
        match = pattern.search(text, pos)
        if not match:
            break
        starts.append((number, match.start(), match.end()))
        pos, number = match.end(), number + 1
    items = []
    for i, (num, start, content_start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        items.append(_Item(num, start, end, text[content_start:end].strip()))
    return items


def _split_units(text: str | None) -> list[str]:
    return [u.strip() for u in _UNIT_SPLIT.split(text or "") if u.strip()]


def _applicant_types(text: str) -> list[ApplicantType]:
    found: set[ApplicantType] = set()
    for match in _APPLICANT_PHRASE.finditer(text):
        for term, kind in _APPLICANT_TERMS.items():
            if term in match.group("list"):
                found.add(kind)
    return [kind for kind in ApplicantType if kind in found]


def _incentives(text: str) -> list[str]:
    return [kind for kind, pattern in INCENTIVE_PATTERNS if pattern.search(text)]


def _parse_measure(item: _Item) -> Measure:
    text = item.text
    title = text.split("。", 1)[0].strip()
    units = _UNITS_NOTE.search(text)
    if not units:
        raise CatalogError(f"measure {item.number} ({title}): no (牵头单位：…) note at its end")
    body = text[: units.start()]
    provisions = []
    for sentence in re.split(r"(?<=。)", body[len(title) :].lstrip("。")):
        sentence = sentence.strip()
        kinds = _applicant_types(sentence)
        if sentence and kinds:
            provisions.append(
                Provision(text=sentence, applicant_types=kinds, incentives=_incentives(sentence))
            )
    return Measure(
        id=item.number,
        title=title,
        text=text,
        lead_units=_split_units(units.group("lead")),
        co_units=_split_units(units.group("co")),
        applicant_types=_applicant_types(body),
        incentives=_incentives(body),
        provisions=provisions,
    )


def _parse_steps(text: str) -> list[ProcessStep]:
    items = _numbered_items(text)
    steps = []
    for i, item in enumerate(items):
        step_text = item.text
        if i == len(items) - 1:
            # The last step ends at the paragraph break; what follows is the closing 要求 paragraph.
            step_text = step_text.split(" ", 1)[0]
        name = step_text.split("。", 1)[0]
        deadline = _DEADLINE_DATE.search(step_text)
        steps.append(
            ProcessStep(
                number=item.number,
                name=name,
                text=step_text,
                deadline=_deadline_date(deadline) if deadline else None,
            )
        )
    declared = _STEP_COUNT.search(text)
    if declared and steps and int(declared.group("n")) != len(steps):
        raise CatalogError(f"the notice announces {declared.group('n')} steps but {len(steps)} were found")
    return steps


def _deadline_date(match: re.Match[str]) -> date:
    year, month = int(match["y"]), int(match["m"])
    day = calendar.monthrange(year, month)[1] if match["end"] else int(match["d"])
    return date(year, month, day)


def _parse_deadlines(text: str, steps: Sequence[ProcessStep]) -> list[Deadline]:
    deadlines = []
    for match in _DEADLINE_DATE.finditer(text):
        clause_start = max(text.rfind(c, 0, match.start()) for c in "。；： ") + 1
        clause_end = min(
            (i for i in (text.find(c, match.end()) for c in "。；") if i >= 0), default=len(text)
        )
        clause = text[clause_start:clause_end].strip()
        step = next((s for s in steps if clause in s.text), None)
        name = step.name if step else _deadline_name(clause)
        deadlines.append(
            Deadline(name=name, date=_deadline_date(match), text=clause, kind=_deadline_kind(name))
        )
    return deadlines


_DEADLINE_KINDS = (
    (DeadlineKind.IMPLEMENTATION_RULES, re.compile(r"办法|细则")),
    (DeadlineKind.DECLARATION, re.compile(r"申报")),
    (DeadlineKind.RECOMMENDATION, re.compile(r"推荐")),
    (DeadlineKind.NOTIFICATION, re.compile(r"通报")),
)


def _deadline_kind(name: str) -> DeadlineKind:
    """``"区县申报"`` -> DECLARATION, ``"激励措施实施办法报送"`` -> IMPLEMENTATION_RULES."""
    return next((kind for kind, pattern in _DEADLINE_KINDS if pattern.search(name)), DeadlineKind.OTHER)


def _deadline_name(clause: str) -> str:
    """Name a deadline that sits outside the steps by what is due and the verb: 激励措施实施办法报送."""
    thing = re.search(rf"[{_CJK}]{{0,6}}(?:办法|细则|方案|材料|名单|报告)", clause)
    verb = re.search(r"报送|提交|印发|出台|报", clause)
    if thing:
        return thing.group(0) + (verb.group(0) if verb else "")
    return clause[:12]


# ----------------------------------------------------------------------------------------- keywords

# Verbs and adverbs that open a criterion phrase ("全面推进", "深入实施") and say nothing about the topic.
_LEADING_WORDS = """
    特别是在 特别是 对在 对以 对 在 以 为 并 含 其他 各类 全面 深入 积极 大力 持续 扎实 有效 着力 努力 进一步 统筹 加大 推进 推动 加强 加快 深化 实施 培育 落实
    完善 健全 提升 促进 做好 打造 强化 优化 聚焦 抓好 开展 建立 构建 实现 执行 贯彻 推广运用 保障 提高 增添 夯实 提供 参与 帮助 解决 形成 管好用好 做大做强 巩固拓展
    防范化解 化解 改善 发展 完成 严格 依法 全力 引进 获得
"""
_LEADING = tuple(_LEADING_WORDS.split())
_VERBS = tuple(
    w for w in _LEADING if len(w) >= 2 and w not in ("特别是在", "特别是", "对在", "对以", "其他", "各类")
)
_TRAILING = ("等方面", "等领域", "等工作", "等项目", "等", "方面", "工作", "情况", "中")
_BOILERPLATE = re.compile(
    r"区县|乡镇|街道|开发开放平台|成效明显|支持|加分|奖补|考核|倾斜|优先|推荐|可复制|可推广|经验|积极贡献"
    r"|主体责任|单位|有关|其他|作出|起到|取得|给予|予以|安排|分配|申报|国家级|市级$"
)
# A phrase found in more measures than this is the notice's register, not a measure's topic.
_MAX_MEASURES_PER_KEYWORD = 2


def derive_keywords(title: str, body: str) -> list[str]:
    """Candidate salient terms of one measure: quoted names first, then the noun phrases of its criteria.

    ``"推进“河长制”“林长制”。对“河长制”工作推进力度大，在河流管理保护…"`` -> ``["河长制", "林长制", "河流管理保护", …]``
    """
    terms: list[str] = re.findall(r"“([^”]{2,12})”", title + body)
    if "“" not in title:  # the title's topic, whatever its length (quoted titles gave their terms above)
        terms.append(_strip_affixes(title))
    # Split on punctuation and on 和/以及 (not on 及/与: they sit inside 普及, 涉及, 参与).
    for phrase in re.split(r"[，。；、：“”（）\s]|以及|和|并在", title + "，" + body):
        phrase = _strip_affixes(phrase)
        if (
            3 <= len(phrase) <= 10
            and not _BOILERPLATE.search(phrase)
            and not re.search(r"\d", phrase)
            and not phrase.startswith(_VERBS)  # a verb the stripping could not remove: "改善水"
        ):
            terms.append(phrase)
    return list(dict.fromkeys(terms))


def _strip_affixes(phrase: str) -> str:
    phrase = phrase.strip()
    changed = True
    while changed and phrase:
        changed = False
        for lead in _LEADING:
            if phrase.startswith(lead) and len(phrase) - len(lead) >= 2:
                phrase, changed = phrase[len(lead) :], True
                break
        for tail in _TRAILING:
            if phrase.endswith(tail) and len(phrase) - len(tail) >= 2:
                phrase, changed = phrase[: -len(tail)], True
                break
    # "…成效明显的区县" style phrases keep only what precedes "的".
    return phrase.split("的")[0]


def _attach_keywords(measures: list[Measure], limit: int = 20) -> None:
    """Keep each measure's candidates that at most two measures share: salient, not stock phrases."""
    texts = [m.title + m.body for m in measures]
    for measure in measures:
        candidates = derive_keywords(measure.title, measure.body)
        salient = [t for t in candidates if sum(t in text for text in texts) <= _MAX_MEASURES_PER_KEYWORD]
        measure.keywords = salient[:limit]


# --------------------------------------------------------------------------------------- validation

Loc = tuple[str | int, ...]


def validate_campaign(campaign: Campaign) -> list[tuple[Loc, str]]:
    """Checks that span fields, which the models cannot express: returns (location, reason) pairs."""
    problems: list[tuple[Loc, str]] = []
    for index, measure in enumerate(campaign.measures):
        if measure.id != index + 1:
            problems.append(
                (
                    ("measures", index, "id"),
                    f"measure ids must run 1..N without gaps: expected {index + 1}, found {measure.id}",
                )
            )
            break
    for index, step in enumerate(campaign.steps):
        if step.number != index + 1:
            problems.append((("steps", index, "number"), f"step numbers must run 1..N: expected {index + 1}"))
            break
    for index, measure in enumerate(campaign.measures):
        for p_index, provision in enumerate(measure.provisions):
            stray = set(provision.applicant_types) - set(measure.applicant_types)
            if stray:
                problems.append(
                    (
                        ("measures", index, "provisions", p_index, "applicant_types"),
                        f"{sorted(t.value for t in stray)} not among the measure's applicant types",
                    )
                )
    names = [d.name for d in campaign.deadlines]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems.append((("deadlines", index, "name"), f"duplicate deadline name {name!r}"))
    return problems


def _loc_text(loc: Loc) -> str:
    return ".".join(str(part) for part in loc) or "<campaign>"


# ------------------------------------------------------------------------------------- YAML storage


def read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML data file, keeping the node tree so errors can name a line.

    Raises:
        CatalogError: the file is missing or is not valid YAML (with yaml's line).
    """
    try:
        stream = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror or exc}", filename=path) from exc
    loader = yaml.SafeLoader(stream)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise CatalogError(
            f"invalid YAML: {exc.problem or exc}", filename=path, line=mark.line + 1 if mark else None
        ) from exc
    finally:
        loader.dispose()
    return data, node


def line_of(node: yaml.Node | None, loc: Iterable[str | int]) -> int | None:
    """The 1-based line of the field at `loc` (a pydantic error location), or of its nearest parent.

    A mapping field is placed at its key, so a misspelt or empty field points at the line that names it.
    """
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def raise_validation_error(
    exc: ValidationError, path: Path, node: yaml.Node | None, prefix: Loc = ()
) -> None:
    """Turn pydantic's first error into a `CatalogError` at the line of the offending field."""
    error = exc.errors()[0]
    loc = prefix + tuple(error["loc"])
    raise CatalogError(f"{_loc_text(loc)}: {error['msg']}", filename=path, line=line_of(node, loc)) from exc


def campaign_path(year: int = DEFAULT_YEAR) -> Path:
    return CAMPAIGNS_DIR / f"{year}.yaml"


def packaged_campaign_paths() -> list[Path]:
    return sorted(p for p in CAMPAIGNS_DIR.glob("*.yaml") if re.fullmatch(r"\d{4}", p.stem))


def load_campaign(path: Path | None = None) -> Campaign:
    """Load and validate a campaign file (default: the packaged 2022 campaign).

    Raises:
        CatalogError: with file and line, for invalid YAML, a missing or mistyped field, empty lead
            units, measure ids that do not run 1..N, …
    """
    path = Path(path) if path is not None else campaign_path()
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        mtime = None
    # parsed once per file version: every document classification asks for the campaign
    return _load_campaign(path.resolve(), mtime).model_copy(deep=True)


@lru_cache(maxsize=8)
def _load_campaign(path: Path, mtime: int | None) -> Campaign:
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError("a campaign file must be a mapping", filename=path, line=line_of(node, ()))
    try:
        campaign = Campaign.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(exc, path, node)
    problems = validate_campaign(campaign)
    if problems:
        loc, reason = problems[0]
        raise CatalogError(f"{_loc_text(loc)}: {reason}", filename=path, line=line_of(node, loc))
    return campaign


def save_campaign(campaign: Campaign, path: Path) -> None:
    """Write the campaign as YAML (UTF-8, Chinese unescaped, field order as in the model)."""
    data = campaign.model_dump(mode="json")
    header = (
        f"# {campaign.title}（{campaign.doc_number}）\n"
        f"# Generated by `jili catalog build` from the notice (sha256 {campaign.source_sha256[:12]}…).\n"
        "# Edit the notice parser, not this file; hand edits are validated on load.\n"
    )
    # One line per text (no folding) keeps `git diff` of a rebuilt catalog readable.
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1_000_000)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")


def read_notice(path: Path) -> str:
    """Read a notice file as text (UTF-8, or GB18030 as saved by Chinese Windows tools)."""
    data = Path(path).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogError("notice is neither UTF-8 nor GB18030 text", filename=path)


def build_catalog(notice: Path, out: Path | None = None) -> tuple[Campaign, Path]:
    """Parse a notice file, write its campaign file (default ``corpora/campaigns/<year>.yaml``), reload it.

    The reload validates what was written exactly as every later load will.
    """
    try:
        campaign = parse_notice(read_notice(notice))
    except CatalogError as exc:
        raise exc.with_filename(str(notice)) from None
    out = Path(out) if out is not None else campaign_path(campaign.year)
    save_campaign(campaign, out)
    return load_campaign(out), out
