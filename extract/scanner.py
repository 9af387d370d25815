"""Finding the numbers that can be figures, with their units, and dropping those that cannot.

One regex pass over the (width-folded) text yields numbers with an optional 第/前 and unit; the
checks here drop what the conventions say is not a figure: years and dates (no unit), numbers inside
quotes and book titles (“十四五”, 《…2022年…》), codes glued to Latin letters (5G, PM2.5, 4A级),
articles (一个), vague magnitudes (上亿), denominators (每千人), durations (连续15年), category
thresholds (10亿元以上制造业项目), specification units (1000千伏) and policy nicknames (落实…60条).
What survives is a `Candidate`; deciding its kind and naming its metric happens later, in context.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal

from extract.lexicon import Lexicon
from extract.numerals import CN_DIGITS, normalize_decimal, parse_number
from extract.rules import UnitRule

_QUOTED = re.compile(
    r"“[^“”\n]{1,24}”|‘[^‘’\n]{1,24}’|\"[^\"\n]{1,24}\"|《[^《》\n]{1,80}》|〔[^〕\n]{1,12}〕|［[^］\n]{1,6}］|\[[^\]\n]{1,6}\]"
)
_LIST_JOINERS = ("、", "和", "及", "与", "或", "—", "-", "－", "~", "～", "至", "到")  # lists and ranges
_CN_DIGIT_CHARS = frozenset(CN_DIGITS)
_ZERO_CHARS = frozenset("〇零")
_PERCENT_WORD = "百分之"
_MINUS = frozenset("-－−")
_TRAILING_SCALE = re.compile(r"[0-9.]+(万亿|亿|万|千)")  # 0.6万 in "2.5、3.1、0.6万公里": the scale is shared too
_SCALE_OF = {"万亿": Decimal(10) ** 12, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(1000)}
# a decimal reached by a ratio or coefficient: 城乡居民收入比缩小到1.83, 利用系数达到0.58
_RATIO_BEFORE = re.compile(
    r"(?:系数|收入比|倍差|指数)(?:由[0-9.]+)?(?:提高|提升|增加|上升|缩小|缩减|下降|降低|降|收窄|扩大|保持|稳定)?"
    r"(?:到|至|为|达到|达|在)$|(?:系数|收入比|倍差)(?:由|从)$"
)
_IDIOM_MAGNITUDES = frozenset(("亿万", "千万", "万千", "万万", "千千万万", "千万万"))
# people a bare Chinese magnitude may count ("惠及百万群众", "超过七百五十万"): a figure with no unit
_PEOPLE_AFTER = ("群众", "居民", "农民", "职工", "游客", "市民", "村民", "农户", "学生", "患者")
_COUNT_AFTER = ("以上", "多", "余", "左右", *_PEOPLE_AFTER)  # words after a bare magnitude that make it a count
_CIRCLE = re.compile(r"[\u4e00-\u9fff]{0,8}?圈")  # a planning label: 15分钟社区生活圈
_DURATIONS = frozenset(("小时", "分钟"))


@dataclass(slots=True)
class Candidate:
    """A number that passed the exclusions, with what the scanner could tell from its neighbours."""

    start: int  # raw start: the number, or the 第/前/百分之 in front of it
    end: int  # raw end: after the unit (a dropped rate suffix like /月 is not included)
    num_start: int
    num_end: int
    value: Decimal
    unit: UnitRule | None
    unit_text: str | None  # the emitted unit: base unit, or a compound like 微克/立方米
    ordinal: str | None  # "第" or "前"
    approx: bool
    magnitude_only: bool  # 万亿元, 超千名: no digit at all
    tail_end: int  # end of the words that belong to the figure (以上, 左右, /月)
    approx_before: bool = False  # a bound word right before it (不低于, 约); shared by a listed group
    negative: bool = False  # a minus sign after a word ("增长-3.2%"): the change goes the other way
    ranked: bool = False  # its own words make it a rank, with or without a rank verb (第一名, 第二大)
    ratio: bool = False  # a unitless ratio or coefficient (城乡居民收入比缩小到1.83)


def is_cjk(ch: str) -> bool:
    """True for one CJK ideograph (the first character of `ch`); False for punctuation and ASCII."""
    if not ch:
        return False
    c = ch[0]
    return "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" or "\uf900" <= c <= "\ufaff"


class QuoteSpans:
    """Stretches inside quotes, book-title marks and bracketed codes: names, never figures.

    Found on the first question: most short texts (a heading, a table cell) never ask one.
    """

    def __init__(self, text: str):
        self._text = text
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def covers(self, pos: int) -> bool:
        if self._starts is None:
            spans = [m.span() for m in _QUOTED.finditer(self._text)]
            self._starts = [s for s, _ in spans]
            self._ends = [e for _, e in spans]
        i = bisect.bisect_right(self._starts, pos) - 1
        return i >= 0 and pos < self._ends[i]


def _trim_glued_prefix(num: str) -> int:
    """How many leading characters of a matched number belong to the word before it.

    "唯一一个" matches as 一一个 and "统一3个" as 一3个; a Chinese digit glued to another digit (other
    than a year written 二〇二二) starts a new number.

    >>> _trim_glued_prefix("一3"), _trim_glued_prefix("一一"), _trim_glued_prefix("二〇二二")
    (1, 1, 0)
    """
    cut = 0
    for i in range(1, len(num)):
        a, b = num[i - 1], num[i]
        if a in _CN_DIGIT_CHARS and (b.isdigit() or (b in _CN_DIGIT_CHARS and not ({a, b} & _ZERO_CHARS))) or a.isdigit() and b in _CN_DIGIT_CHARS:
            cut = i
    if cut and any(c in _ZERO_CHARS for c in num):
        return 0
    return cut


class Scanner:
    """Scan one text for candidates with the rules of one `Lexicon`."""

    def __init__(self, lex: Lexicon):
        self.lex = lex
        self.approx_before = lex.list("approx_before")
        self.approx_after = lex.list("approx_after")
        self.bounds = lex.list("magnitude_bounds")
        self.skip_before = lex.list("skip_before")
        self.vague_before = lex.list("vague_before")
        self.threshold_after = lex.list("threshold_after")
        self.threshold_ok = lex.list("threshold_verbs_ok")
        self.threshold_bounds = lex.list("threshold_bounds")
        self.nickname_leads = lex.list("nickname_leads")
        self.slogans = lex.list("slogans")
        self.rate_time = lex.list("rate_time")
        self.rate_other = lex.list("rate_other")
        self.capacity_units = lex.words("capacity_units")
        self.project_name = re.compile(rf"[\u4e00-\u9fffA-Za-z]{{1,14}}?(?:{lex.alternation('project_heads')})")
        self.duration_labels = lex.list("duration_labels")
        self.word_stops = lex.words("unit_word_stops")
        # a word that only looks like unit + more starts with one of these (项 of 项目)
        self.word_stop_firsts = frozenset(w[0] for w in self.word_stops)

    def scan(self, text: str) -> list[Candidate]:
        """Candidates in text order. `text` must already be width-folded (see `numerals.fold_width`).

        >>> from extract.lexicon import compiled
        >>> [(c.value, c.unit_text) for c in Scanner(compiled()).scan("2022年新增企业1.2万家")]
        [(Decimal('12000'), '家')]
        """
        quotes = QuoteSpans(text)
        out: list[Candidate] = []
        pending: list[tuple[int, int, str]] = []  # bare numbers that may share a later unit
        for m in self.lex.candidate.finditer(text):
            cand = self._accept(text, m, quotes, pending)
            if cand is None:
                continue
            if pending and cand.unit is not None:
                out.extend(self._share_unit(text, cand, pending, quotes))
            pending.clear()
            out.append(cand)
        return out

    # -- one match -------------------------------------------------------------------------------

    def _accept(
        self, text: str, m: re.Match[str], quotes: QuoteSpans, pending: list[tuple[int, int, str]]
    ) -> Candidate | None:
        ordinal, num, unit_s = m.groups()
        start, end = m.span()
        ns, ne = m.span(2)
        cut = _trim_glued_prefix(num) if len(num) > 1 and not num.isascii() else 0
        if cut:
            num, ns, start, ordinal = num[cut:], ns + cut, ns + cut, None
        arabic = num[0].isdigit()
        scaled = "万" in num or "亿" in num
        if not unit_s and not ordinal:
            if text.startswith(_PERCENT_WORD, ns - 3):
                unit_s, start = "%", ns - 3  # 百分之五十 is 50%
            elif not arabic and not (scaled and self._bare_counts(text, start, ne)):
                return None  # a Chinese numeral with neither unit nor 第/前: a word (一体化, 十四五)
            elif not scaled:
                if "." in num and _RATIO_BEFORE.search(text, max(0, start - 16), start):
                    try:
                        value = parse_number(num).value
                    except (ValueError, ArithmeticError):
                        return None
                    ratio = Candidate(start, ne, ns, ne, value, None, None, None, False, False, ne)
                    ratio.ratio = True
                    return ratio  # 灌溉水有效利用系数提高到0.58: a coefficient has no unit
                pending.append((start, ne, num))  # a year, a code, or a listed number awaiting its unit
                return None
        prev = text[start - 1] if start else ""
        negative = prev in _MINUS and arabic and is_cjk(text[start - 2 : start - 1])
        if negative:
            prev = ""  # 同比增长-3.2%: a negative growth, read as a decline
        if prev and (prev.isascii() and (prev.isalnum() or prev in ".-/+_&:") or prev in "×*："):
            return None  # PM2.5, 023-6389…, 1+11, V2, 7×24小时
        if unit_s and text[ne : ne + 1] in self.word_stop_firsts and self._is_other_word(text, ne, unit_s):
            unit_s, end = None, ne  # 两位数, 3人制: the "unit" begins another word
            if not ordinal and not (scaled and (arabic or self._bare_counts(text, start, ne))):
                return None
        nxt = text[end] if end < len(text) else ""
        if nxt and nxt.isascii() and (nxt.isalpha() or nxt in "+_" or (nxt.isdigit() and not unit_s)):
            return None  # 5G, 4A级, 400G, 3D (but 826户2914人 is two figures)
        if quotes.covers(ns) or (not arabic and self.slogans.at(text, ns)):
            return None  # “十四五”, 《…》, 中央八项规定精神
        unit = self.lex.units.get(unit_s) if unit_s else None
        if unit is not None:
            if unit.kind == "spec":
                return None
            if unit.needs_digits and not (arabic or ordinal or scaled):
                return None  # 三方监管, 三位一体
            if nxt in ("级", "型"):
                return None  # 5000吨级, 30万千瓦级: a class of things
            if unit.surface == "分" and text[start - 1 : start] in ("时", "点", ":", "："):
                return None  # 8时30分: a time of day, not a score
        before = text[max(0, start - 4) : start]
        if self.skip_before.at_end(before):
            return None  # 每千人, 连续15年, 时隔66年
        # the number is read only now: every rejection above is cheaper than parsing it
        try:
            parsed = parse_number(num)
        except (ValueError, ArithmeticError):
            return None
        if not arabic:
            if num == "一" and not ordinal and unit_s != "倍":
                return None  # 一个, 一批, 一件事: an article, not a count (but 增长一倍 is a change)
            if parsed.value == 0:
                return None  # 零部件, 零增长
            if parsed.magnitude_only and not ordinal:
                if self.vague_before.at_end(before):
                    return None  # 上亿, 数万, 几十万
                if not (self.bounds.at_end(before) or text.startswith(_COUNT_AFTER, end)):
                    return None  # 百万吨乙烯, 千亿级, 千家万户: a name or an idiom
        if unit is None:
            if ordinal:
                return self._ordinal(text, start, ns, ne, parsed.value, ordinal)
            bound = self.approx_before.at_end(before) is not None
            return Candidate(start, ne, ns, ne, parsed.value, None, None, None, parsed.approx or bound,
                             parsed.magnitude_only, ne, bound)
        if ordinal == "第" and unit.surface not in ("位", "名"):
            return None  # 第3个, 第2家: an ordinal label
        if not arabic and nxt == "“":
            return None  # 两个“关键小事”, 三个“一批”: a numeral label, like 两个维护
        if ordinal == "前" and unit.surface not in ("位", "名"):
            return None  # 前1%, 前10家: a threshold
        cand = self._with_unit(text, start, ns, ne, end, parsed, unit, ordinal, before)
        if cand is not None:
            cand.negative = negative
            cand.ranked = ordinal == "第" and unit.surface == "名"  # 第一名: a place in a ranking
        return cand

    def _bare_counts(self, text: str, start: int, end: int) -> bool:
        """超过七百五十万, 惠及百万群众: a Chinese magnitude with a bound or a people noun, not an idiom."""
        before = text[max(0, start - 4) : start]
        if self.vague_before.at_end(before) or text[start:end] in _IDIOM_MAGNITUDES:
            return False  # 上万, 数十万, 亿万群众
        if self._is_threshold(text, end, before):
            return False  # 百亿以上农业特色产业: a class
        return bool(self.bounds.at_end(before) or self.approx_before.at_end(before)
                    or text.startswith(_COUNT_AFTER, end))

    def _is_other_word(self, text: str, unit_start: int, unit_s: str) -> bool:
        """True when the unit's characters begin another word (项目 is not 项 + 目)."""
        for n in (2, 3):
            w = text[unit_start : unit_start + n]
            if len(w) > len(unit_s) and w in self.word_stops:
                return True
        return False

    def _ordinal(self, text: str, start: int, ns: int, ne: int, value: Decimal, ordinal: str) -> Candidate | None:
        """第一 / 前三 without 位: a rank only if nothing word-like follows (not 第一批, 前三季度).

        Two words may follow a rank: 的 ("考评第三的好成绩") and, after 第, 大 + a noun ("第一大电源").
        """
        nxt = text[ne] if ne < len(text) else ""
        biggest = nxt == "大" and ordinal == "第" and is_cjk(text[ne + 1 : ne + 2])  # 第一大电源
        if nxt != "的" and not biggest and (is_cjk(nxt) or nxt.isascii() and nxt.isalnum() or nxt == "%"):
            return None
        cand = Candidate(start, ne, ns, ne, value, None, None, ordinal, ordinal == "前", False, ne)
        cand.ranked = biggest
        return cand

    def _with_unit(self, text, start, ns, ne, end, parsed, unit: UnitRule, ordinal, before: str) -> Candidate | None:
        """A candidate with its unit, rate suffix (/月) and bound words; None for a class or a nickname."""
        unit_text = unit.base
        tail = end
        if text.startswith("/", end):
            time_rate = self.rate_time.at(text, end + 1)
            other = self.rate_other.at(text, end + 1)
            rate = time_rate or (other if unit.kind == "amount" else None)
            if rate:
                tail = end + 1 + len(rate)  # 740元/月 is 740 元; 万吨/日 is 吨
            elif other and unit.kind == "quantity":
                unit_text, end = f"{unit_text}/{other}", end + 1 + len(other)  # 公斤/亩 stays compound
                tail = end
        if unit.surface in ("微克", "毫克") and text.endswith("每立方米", 0, start):
            unit_text = f"{unit.surface}/立方米"  # 每立方米30微克 is 30 微克/立方米
        if unit.kind in ("amount", "quantity") and not unit.is_classifier and self._is_threshold(text, tail, before):
            return None
        if unit.surface == "条" and not is_cjk(text[tail : tail + 1]) and self._is_nickname(text, start):
            return None
        if unit.base in self.capacity_units and self.project_name.match(text, tail):
            return None  # 25万吨煤基乙烯聚合物项目: the capacity is part of the project's name
        if unit.surface in _DURATIONS and (self.duration_labels.at(text, tail) or _CIRCLE.match(text, tail)):
            return None  # 公园24小时开放, 15分钟社区生活圈: a promise or a label
        bound = self.approx_before.at_end(before) is not None
        approx = parsed.approx or ordinal == "前" or bound
        am = self.approx_after.at(text, tail)
        if am and not (am == "多" and is_cjk(text[tail + 1 : tail + 2])):
            approx, tail = True, tail + len(am)
        value = parsed.value if unit.scale == 1 else parsed.value * unit.scale
        return Candidate(start, end, ns, ne, value, unit, unit_text, ordinal, approx, parsed.magnitude_only, tail,
                         bound)

    def _is_threshold(self, text: str, tail: int, before: str) -> bool:
        """10亿元以上制造业项目, 3岁以下婴幼儿, 50米内换乘, 超过5000万标准箱的世界大港: a class, not a value."""
        tm = self.threshold_after.at(text, tail)
        k = tail + len(tm) if tm else tail
        if tm:
            rest = text[k : k + 4]
            if rest and is_cjk(rest[0]) and not self.threshold_ok.at(rest):
                return True
        # a bound before and 的 + noun after: "超过5000万标准箱的世界大港"
        return bool(self.threshold_bounds.at_end(before) and text.startswith("的", k) and is_cjk(text[k + 1 : k + 2]))

    def _is_nickname(self, text: str, start: int) -> bool:
        """落实人才振兴60条: a policy package named by its number of articles."""
        clause_start = max(text.rfind(d, 0, start) for d in "，。；：\n") + 1
        return self.nickname_leads.at(text, clause_start) is not None

    def _share_unit(
        self, text: str, cand: Candidate, pending: list[tuple[int, int, str]], quotes: QuoteSpans
    ) -> list[Candidate]:
        """A、B分别提高1.1、2.2个百分点: numbers listed before one that carries the unit take that unit.

        Returns the new candidates in text order (they all come before `cand`).
        """
        shared: list[Candidate] = []
        nxt_start = cand.start
        scale = _TRAILING_SCALE.fullmatch(text, cand.num_start, cand.num_end)
        factor = _SCALE_OF[scale.group(1)] if scale else None
        last = cand.value / factor if factor else None
        for p_start, p_end, num in reversed(pending):
            if text[p_end:nxt_start] not in _LIST_JOINERS:
                break
            prev = text[p_start - 1] if p_start else ""
            if (prev.isascii() and prev and (prev.isalnum() or prev in ".-/+_&")) or quotes.covers(p_start):
                break
            try:
                value = parse_number(num).value
            except (ValueError, ArithmeticError):
                break
            if factor and last and num.replace(".", "").isdigit() and Decimal("0.001") <= value / last <= 1000:
                value = normalize_decimal(value * factor)  # 分别新增2.5、3.1、0.6万公里 (not 2000、1.5万人)
            shared.append(Candidate(p_start, p_end, p_start, p_end, value, cand.unit, cand.unit_text, None,
                                    False, False, p_end))
            nxt_start = p_start
        shared.reverse()
        return shared
