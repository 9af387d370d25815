"""Which name each figure gets within its sentence: lists, 分别, and elliptical clauses.

`MetricNamer` cleans one stretch of text down to a noun phrase; this module decides which stretch
names which number. A group after "A、B分别…" takes one item each; "累计分别达到1016家和591家" takes the
previous list again; a clause that names nothing new ("、增长3.3%", "累计达2215家", "、居全国第八")
measures the indicator named last in the sentence; an action verb with no indicator ("惠及160余万人")
names nothing. `SentenceState` carries what the sentence named so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.context import ContextReader, Decision
from extract.lexicon import Lexicon
from extract.metric import MetricNamer
from extract.model import FigureKind
from extract.scanner import Candidate

_SHARE_VERBS = ("占", "约占")
_COVERS = re.compile(r"覆盖(?:全国|全省|全市|全区|全县|全州)?$")  # 覆盖全省90%乡镇卫生院: the set follows


@dataclass
class SentenceState:
    """What the previous group of the current sentence named, for elliptical clauses."""

    sentence: int = -1
    names: list[str | None] | None = None  # of the previous group
    history: list[str] | None = None  # every distinct name of the sentence so far, in order
    last: str | None = None
    tail: int = -1  # where the previous group's figure text ended

    def enter(self, sentence_start: int) -> None:
        if sentence_start != self.sentence:
            self.sentence, self.names, self.history, self.last = sentence_start, None, [], None

    def record(self, names: list[str | None]) -> None:
        self.names = names
        for n in names:
            if n:
                self.last = n
                if self.history is not None and (not self.history or self.history[-1] != n):
                    self.history.append(n)

    def recent(self, n: int) -> list[str | None] | None:
        """The last n distinct names: "总数分别达到15家和172家" after two separately named counts."""
        if self.names and len(self.names) == n:
            return list(self.names)
        if self.history and len(self.history) >= n:
            return list(self.history[-n:])
        return None


class Naming:
    """Names for the numbers of one group, given its left context and what the sentence named before."""

    def __init__(self, lex: Lexicon, namer: MetricNamer, reader: ContextReader):
        self.namer = namer
        self.reader = reader
        self.elliptical = lex.words("elliptical_heads")

    def names(
        self, norm: str, group: list[Candidate], decisions: list[Decision], pre: str, post_limit: int,
        state: SentenceState,
    ) -> list[str | None]:
        """The metric of each number of one group; `post_limit` bounds the noun after the last number.

        >>> from extract import extract_figures
        >>> [f.metric for f in extract_figures("交通、能源分别完成投资3252亿元、2140亿元，分别增长5%、6%")]
        ['交通投资', '能源投资', '交通投资', '能源投资']
        """
        namer = self.namer
        n = len(group)
        split = pre.rfind("分别")
        if split < 0:
            split = pre.rfind("依次")
        if split >= 0:
            subject = namer.subject(pre[:split])
            head = namer.subject(pre[split + 2 :]).name
            if subject.name:
                listed = namer.distribute(subject.name, head, n)
                if listed:
                    return list(listed)
            recent = state.recent(n)
            if recent:
                return list(recent)  # 累计分别达到1016家和591家: the previous list again
        last, last_kind = group[-1], decisions[-1].kind
        own_last = None
        # a percentage names the noun after it only through 的 ("80%以上的农村中小学") or after 覆盖
        # ("覆盖全省90%乡镇卫生院"): most need no look
        covers = last_kind is FigureKind.PERCENT and _COVERS.search(pre) is not None
        if last_kind in (FigureKind.AMOUNT, FigureKind.QUANTITY) or (
            last_kind is FigureKind.PERCENT and (covers or norm.startswith("的", last.tail_end))
        ):
            own_last = self._completed(
                namer.after_measure(norm[last.tail_end : post_limit], percent=not covers and last_kind is FigureKind.PERCENT),
                state,
            )
            if own_last and n == 1:
                return [own_last]  # "新增45个博士硕士学位授权点": the noun after the measure word
        if decisions[0].kind is FigureKind.RANK:
            pre = self.reader.before_rank_verb(pre)  # 企业数量居全市区县第4位 → 企业数量
        subject = namer.subject(pre)
        if n > 1 and subject.name and own_last is None:
            # "新一代信息技术、高端装备产业增加值增长13.6%、9.8%": as many items as numbers, 分别 implied
            listed = namer.distribute(subject.name, None, n, exact=True)
            if listed:
                return list(listed)
        name = self._completed(subject.name, state)
        if name and state.last and pre.strip("，、 ").startswith(_SHARE_VERBS) and not name.startswith(state.last):
            # 高标准农田92.6万亩，占全区耕地面积的61.4% → 高标准农田占全区耕地面积
            name = state.last + "占" + name.removeprefix("约占").removeprefix("占").replace("的", "")
        names: list[str | None] = []
        for k, d in enumerate(decisions):
            own = own_last if k == n - 1 else None
            if own:
                names.append(own)
            elif name:
                names.append(name)
            else:
                names.append(_inherited(pre, subject.had_action, d, k, n, state))
        if n > 1 and names[-1] and not any(names[:-1]):
            names = [names[-1]] * n  # 1.1、2.2个百分点 … one subject for the whole list
        return names

    def _completed(self, name: str | None, state: SentenceState) -> str | None:
        """An elliptical head (增速, 占比, 规模) completed with the previous indicator of the sentence."""
        if name in self.elliptical and state.last:
            return state.last + name  # 增长27%、增速居全国第二位 → 研究与试验发展经费增速
        return name


def _inherited(pre: str, had_action: bool, d: Decision, k: int, n: int, state: SentenceState) -> str | None:
    """An elliptical clause ("、增长3.3%", "累计达2215家", "、居全国第八") measures the previous subject."""
    if had_action and d.kind in (FigureKind.AMOUNT, FigureKind.QUANTITY) and d.direction is None:
        return None  # 惠及160余万人, 筹措30.5亿元: an action with no named indicator
    if state.names and len(state.names) == n and n > 1:
        return state.names[k]
    if state.last is None:
        return None
    stripped = pre.strip("，、 ")
    if stripped.startswith(_SHARE_VERBS):
        return state.last + stripped  # 高速铁路…，占世界60%以上 → 高速铁路占世界
    return state.last
