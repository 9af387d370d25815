"""Naming the indicator a figure measures, from the words around it.

Chinese puts the counted noun either before the number ("高新技术企业达到2600家") or right after its
measure word ("新增45个博士硕士学位授权点"). `subject` cleans the text before a number down to a noun
phrase: it drops periods, comparison phrases (比上年), the verb and bound right before the number
(增长, 突破, 达到), leading scopes and action verbs (全省, 新增, 完成) and everything up to a pivot verb
("国债支持“两重”项目" → “两重”项目), but never cuts into a standard indicator name (城镇新增就业).
`after_measure` reads the noun after a measure word. `distribute` splits "A、B分别…" subjects over a
group of numbers and composes each item with the shared head noun (城镇、农村居民人均可支配收入).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from extract.lexicon import CJK, Lexicon

_TIME = re.compile(
    r"(?=[截\d一二两三四五六七八九十前上下连多近过今去全当年])"  # the first characters: lets the engine skip ahead
    r"(?:截至|截止)?(?:(?:19|20)\d{2}年(?:度)?(?:\d{1,2}[-—–~至到]\d{1,2}月|\d{1,2}月(?:\d{1,2}日)?(?:底|末)?|"
    r"上半年|下半年|前?[一二三四]季度|底|末|以来)?|\d{1,2}[-—–~至到]\d{1,2}月|前[一二三]季度|[一二三四]季度|"
    r"上半年|下半年|连续(?:[\d一二三四五六七八九十]+|多)年|多年来|近年来|(?:近|过去)?[\d一二两三四五六七八九十]+年(?:来|间|以来|平均|累计|期间)|今年以来|今年|去年|全年|当年|年内)"
)
_MARKERS = re.compile(r"^(?:[①-⑳]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[.、．](?!\d))|[［\[]\d{1,3}[］\]]")
_ASIDE = re.compile(r"（(?:含|包括|其中|即|不含)[^（）]{0,30}）|\((?:含|包括|其中|即|不含)[^()]{0,30}\)")
_FROM_LEVEL = re.compile(r"[从由][^从由，,、]{0,8}$")  # 起征点从月销售额3万元: the starting level is no name
_YEAR_COMPARISON = re.compile(r"(?:比|较|与)(?:19|20)\d{2}年(?:底|末|同期)?(?:相比)?")  # 比2020年净增
_COMPARED_TO = re.compile(r"[，,、]?比[^，,、；;。比]{1,10}?(?<![减增降])(?:高|低|快|慢|多|少)(?:出)?$")  # 比规上工业高
_THRESHOLD_PREFIX = re.compile(rf"^[0-9.]+[万亿千百]*[{CJK}]{{0,2}}(?:及以上|以上|以下|以内)")
_EDGE_PUNCT = "，,、。；;：: \t（）()【】"
_PAREN = re.compile(r"（[^（）]{0,40}）|\([^()]{0,40}\)")
_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ("《", "》"), ("「", "」"))
_MAX_LEN = 24
# quick tests before the regexes that need them (a character class search allocates nothing)
_TIME_HINT = re.compile("[年月季半今去全当连近过截]")
_COMPARISON_HINT = re.compile("[比较于与]")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_QUOTE_HINT = re.compile("[“”‘’《》「」]")
_SUFFIX_ONLY = frozenset("率量额值性化期度者")  # characters that end a noun and never start one
_NEW_PREFIXES = ("新", "共", "再")  # may stand before any lead verb: 新创建, 共接待, 再布局
_TAIL_PUNCT = "、，,：: \t"
_CONJUNCTIONS = frozenset("和与及或并")
_HE_WORDS = frozenset("美谐睦平")  # 和美, 和谐 …: words that start with a conjunction's character


class Subject(NamedTuple):
    """A cleaned subject and whether an action verb was stripped from it (惠及, 筹措 …)."""

    name: str | None
    had_action: bool


class MetricNamer:
    """Metric naming with the word lists of one `Lexicon`."""

    def __init__(self, lex: Lexicon):
        self._trail = lex.lists("trail_words", "approx_before")  # 失业率不到5% → 失业率
        self._comparison = re.compile(lex.alternation("comparisons"))
        self._change_word = re.compile(rf"(?:{lex.alternation('change_up')}|{lex.alternation('change_down')})+")
        self._protected = lex.list("protected_endings")
        self._lead_words = lex.list("lead_words")
        self._lead_verbs = lex.list("lead_verbs")
        self._pivot = re.compile(lex.alternation("pivot_verbs"))
        self._indicators = re.compile(lex.alternation("indicators"))
        self._indicator_words = lex.list("indicators")
        self._post_cut = re.compile(lex.alternation("post_cut_verbs"))
        self._post_cut_start = lex.list("post_cut_verbs")
        self._post_cut_words = lex.words("post_cut_verbs")
        self._honor_start = lex.list("honor_verbs")
        self._heads = lex.rules.metric_list("heads").longest_first()
        self._head_end = lex.list("heads")
        self._not_names = lex.words("post_not_names")
        self._elliptical = lex.words("elliptical_heads")
        # Characters that a stripped word can start (end) with. Most subjects start and end with none
        # of them, and one set lookup then replaces the word-list lookups of a strip step.
        self._head_chars = (
            self._indicator_words.first_chars | self._lead_verbs.first_chars | self._lead_words.first_chars
            | frozenset(_NEW_PREFIXES)
        )
        self._tail_chars = self._protected.last_chars | self._trail.last_chars | frozenset(_TAIL_PUNCT)

    # -- before the number -----------------------------------------------------------------------

    def subject(self, pre: str) -> Subject:
        """The noun phrase a number's left context names.

        >>> from extract.lexicon import compiled
        >>> n = MetricNamer(compiled())
        >>> n.subject("全省完成地区生产总值").name, n.subject("新增技能人才").name, n.subject("惠及").had_action
        ('地区生产总值', '技能人才', True)
        """
        t = pre.strip(_EDGE_PUNCT)
        if not t:
            return Subject(None, False)
        if t[0] in "①②③④⑤⑥⑦⑧⑨⑩（(" or t[0].isdigit() or "[" in t or "［" in t:
            t = _MARKERS.sub("", t)  # ④建设…, （9）…, 四大主导产业［7］增加值
        if _COMPARISON_HINT.search(t):
            t = _COMPARED_TO.sub("", _YEAR_COMPARISON.sub("", self._comparison.sub("", t)))
        if _TIME_HINT.search(t):
            t = _TIME.sub("", t)
        t = t.strip(_EDGE_PUNCT)
        t = self._strip_tail(t)
        if "（含" in t or "(含" in t or "（包" in t or "（其" in t or "（即" in t or "（不" in t:
            t = _ASIDE.sub("", t)  # 散居孤儿（含艾滋病病毒感染儿童） → 散居孤儿
        if "从" in t or "由" in t:
            t = self._strip_tail(_FROM_LEVEL.sub("", t))
        t, had_action = self._strip_head(t)
        cut = self._cut_at_pivot(t)
        if cut is not t:
            t = self._strip_tail(cut)
        if "、" in t and t[: t.index("、")] in self._post_cut_words:
            t = t[t.index("、") + 1 :]  # 实现全覆盖、学生净增: the first item is a predicate, not a name
        if t[:1].isdigit():
            t = _THRESHOLD_PREFIX.sub("", t).strip(_EDGE_PUNCT)
        if "等" in t[:-2]:
            k = _list_end(t)
            if k >= 0:
                t = t[k + 1 :]  # 人工智能、生物技术等新兴产业 → 新兴产业 (but 内河高等级航道 stays)
        if "的" in t[:-2]:
            k = t.rindex("的", 0, len(t) - 2)
            if k > 6 or len(t) > _MAX_LEN:
                t = t[k + 1 :]  # 占比最高、涉及行业广泛的税率 → 税率; but “三农”的支出 stays whole
        t = _balance_quotes(t)
        if len(t) <= 4 and self._change_word.fullmatch(t) and t not in self._elliptical:
            t = ""  # 比去年预算高: nothing but a change word is left (增速 alone is a name)
        return Subject(t if self._is_name(t) else None, had_action)

    def _strip_tail(self, t: str) -> str:
        """Drop trailing verbs, bounds and fillers, but stop at an ending that belongs to the name (人均)."""
        while t and t[-1] in self._tail_chars:
            if t[-1] in _TAIL_PUNCT:
                t = t[:-1]
                continue
            if self._protected.at_end(t):
                break
            w = self._trail.at_end(t)
            if w is None:
                break
            t = t[: -len(w)]
        return t

    def _strip_head(self, t: str) -> tuple[str, bool]:
        had_action = False
        for _ in range(6):
            if t[:1] not in self._head_chars:
                break  # nothing listed starts here
            if self._indicator_words.at(t):
                break
            end = self._lead_verb_end(t)
            if end and len(t) > end and t[end] in _SUFFIX_ONLY:
                break  # 开工率, 建设期: the verb is part of a noun
            if end and len(t) > end:
                had_action = True
                t = t[end:].lstrip(_EDGE_PUNCT)
                continue
            if end:  # only a verb: the subject is empty, and the verb says an action happened
                return "", True
            w = self._lead_words.at(t)
            if w:
                t = t[len(w) :].lstrip(_EDGE_PUNCT)
                continue
            break
        return t, had_action

    def _lead_verb_end(self, t: str) -> int:
        """Where a leading action verb ends (新创建, 新筹建: 新 may precede any), or 0."""
        w = self._lead_verbs.at(t)
        if w:
            return len(w)
        if t[:1] in _NEW_PREFIXES:  # 新创建, 共接待, 再布局
            w = self._lead_verbs.at(t, 1)
            if w:
                return len(w) + 1
        return 0

    def _cut_at_pivot(self, t: str) -> str:
        if len(t) < 5:
            return t  # a pivot verb (two characters) needs a name of two or more after it
        cut = 0
        protected: list[tuple[int, int]] | None = None  # indicator names, found only once a pivot is
        for m in self._pivot.finditer(t):
            if m.start() and t[m.start() - 1] == "、":
                continue  # 加装电梯、新增停车位: a list of actions, each item keeps its verb
            if len(t) - m.end() >= 2:
                if protected is None:
                    protected = [(p.start(), p.end()) for p in self._indicators.finditer(t)]
                if not any(s < m.end() and m.start() < e for s, e in protected):
                    cut = m.end()
        return t[cut:] if cut else t

    @staticmethod
    def _is_name(t: str) -> bool:
        return bool(t) and _NAME_CHAR.search(t) is not None

    # -- after the measure word ------------------------------------------------------------------

    def after_measure(self, post: str, *, percent: bool = False) -> str | None:
        """The noun right after a number's measure word, up to the next predicate.

        >>> from extract.lexicon import compiled
        >>> n = MetricNamer(compiled())
        >>> n.after_measure("博士硕士学位授权点"), n.after_measure("企业开拓国际市场"), n.after_measure("撬动贷款")
        ('博士硕士学位授权点', '企业', None)
        """
        t = post
        if t.startswith("的"):
            t = t[1:]
        elif percent:
            return None  # "80%以上的农村中小学" names its set; a bare percentage is followed by a verb
        if t.startswith("人民币"):
            t = t[3:]
        if "（" in t or "(" in t:
            t = _PAREN.sub("", t)
        if _TIME_HINT.search(t):
            t = _TIME.sub("", t)
        t = t.lstrip(" ")
        if not t or not ("\u4e00" <= t[0] <= "\u9fff" or t[0] in "“\"《"):
            return None
        if t[0] in _CONJUNCTIONS and t[1:2] not in _HE_WORDS:
            return None  # "基地32个和专门教育学校2所": 和 joins the next item (but 和美乡村 is a noun)
        if self._honor_start.at(t):
            return _balance_quotes(t[:_MAX_LEN].strip(_EDGE_PUNCT)) or None
        if self._post_cut_start.at(t):
            return None  # a new predicate starts right after the measure word
        lead = self._lead_verb_end(t)
        if lead and len(t) > lead + 1:
            t = t[lead:]  # 5000多万千瓦新增燃煤发电机组 → 燃煤发电机组
        k = t.find("并", 1)
        if k > 0 and (self._post_cut_start.at(t, k + 1) or self._lead_verb_end(t[k + 1 :])):
            t = t[:k]  # 9个州（市）并延长至240小时: 并 + a verb starts a second predicate
        parts = t.split("、")
        if parts[0] in self._not_names:
            return None  # 跃上1.4万亿斤新台阶、…: a figure of speech, not the counted thing
        keep = 1
        while keep < len(parts) and not self._lead_verb_end(parts[keep]) and not self._post_cut_start.at(parts[keep]):
            keep += 1  # 3个市域产教联合体、行业产教融合共同体; but not "…项目、转化100项"
        t = "、".join(parts[:keep])
        if len(t) > 6:  # a short tail is one noun phrase ("配套支持政策"); a long one holds a predicate
            m = self._post_cut.search(t, 1)
            if m:
                t = t[: m.start()]
        t = self._strip_tail(t.rstrip("等和与及或 ").strip(_EDGE_PUNCT))
        t = _balance_quotes(t[:_MAX_LEN])
        if t in self._not_names:
            return None
        return t if self._is_name(t) else None

    # -- 分别: one subject list over a group of numbers -------------------------------------------

    def distribute(self, subject: str, head: str | None, n: int, *, exact: bool = False) -> list[str] | None:
        """Names for n numbers from "A、B、C" (+ a head noun after 分别), or None if they do not pair up.

        >>> from extract.lexicon import compiled
        >>> MetricNamer(compiled()).distribute("第一、第三产业增加值", None, 2)
        ['第一产业增加值', '第三产业增加值']
        """
        items = _split_items(subject, n)
        if items is None or (exact and len(items) != n):
            return None
        if head:
            names = [i if i.endswith(head) else i + head for i in items]
        else:
            names = [self._compose(k, items) for k in range(len(items))]
        return [names[k % len(names)] for k in range(n)]

    def _compose(self, k: int, items: list[str]) -> str:
        item, first, last = items[k], items[0], items[-1]
        if k > 0 and item in self._heads:
            # 技术合同登记数、成交额: a bare head noun borrows the first item's modifier
            h = self._head_end.at_end(first)
            return (first[: -len(h)] if h else "") + item
        if k == len(items) - 1 or self._head_end.at_end(item):
            return item
        n = len(item)
        if 2 <= n < len(last) - 1 and last[n - 2 : n] == item[-2:] and last[:n] != item:
            # 数字经济、海洋经济增加值占地区生产总值比重: the items are parallel, the rest is shared
            return item + last[n:]
        for head in self._heads:
            if last.endswith(head) and len(last) > len(head):
                # merge an overlap: 六大优势产业 + 产业增加值 → 六大优势产业增加值
                for j in range(min(len(item), len(head)), 0, -1):
                    if item.endswith(head[:j]):
                        return item + head[j:]
                if item.endswith("业") and head.startswith("产业"):
                    return item + head[2:]  # 高技术制造业 + 增加值, not 制造业产业增加值
                return item + head
        return item


def _list_end(t: str) -> int:
    """Where the last list-closing 等 of a subject is (人工智能、生物技术等新兴产业), or -1.

    >>> _list_end("人工智能、生物技术等新兴产业"), _list_end("内河高等级航道里程")
    (9, -1)
    """
    k = t.rfind("等", 0, len(t) - 2)
    while k >= 0:
        if t[k + 1 : k + 2] not in ("级", "次") and t[k - 1 : k] not in ("高", "中", "初", "同", "平", "对", "均", "相"):
            return k
        k = t.rfind("等", 0, k)
    return -1


def _balance_quotes(t: str) -> str:
    """Drop a quote mark whose partner was cut off; keep “两重”项目 whole.

    >>> _balance_quotes("两重”项目"), _balance_quotes("“两重”项目"), _balance_quotes("“十百千万")
    ('两重项目', '“两重”项目', '十百千万')
    """
    if not _QUOTE_HINT.search(t):
        return t
    for left, right in _QUOTE_PAIRS:
        if t.count(left) != t.count(right):
            t = t.replace(left, "").replace(right, "")
    return t


def _split_items(subject: str, n: int) -> list[str] | None:
    for pattern in (r"、", r"[、和与及]"):
        parts = [p for p in re.split(pattern, subject) if p]
        if len(parts) > 1 and n % len(parts) == 0:
            return parts
    return [subject] if subject else None
