"""Reading a number's left context: is it a change or a level, which direction, is it a rank, a target.

All decisions look at a short window of the same clause right before the number (or before the first
number of a listed group, "分别增长2.5%、3.9%"). A change word counts only when it is attached to the
number, with nothing but fillers (了, 分别, 约, 控制在, 全国 …) in between: "增长贡献率45%" is a level.
A change word followed by 到/至/为 reaches a level ("提高到55%"), unless it is a change noun ("增速为8%").
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from extract.lexicon import CJK, Lexicon
from extract.model import Direction, FigureKind
from extract.scanner import Candidate

_WINDOW = 18  # characters of left context that decide attachment; a clause rarely needs more


class Decision(NamedTuple):
    """What one candidate is; an immutable record, made for every candidate."""

    kind: FigureKind
    rule_id: str
    direction: Direction | None = None
    scope: str | None = None


class ContextReader:
    """Decisions from context, with the cue lists of one `Lexicon`."""

    def __init__(self, lex: Lexicon):
        self._fillers = lex.lists("change_fillers", "approx_before")
        self._up = lex.list("change_up")
        self._down = lex.list("change_down")
        self._q_up = lex.list("quantity_change_up")
        self._q_down = lex.list("quantity_change_down")
        self._level = lex.list("level_markers")
        self._nouns = lex.list("change_nouns")
        self._new = lex.list("new_things")
        self._verb_up = lex.list("clause_verb_change_up")
        self._verb_down = lex.list("clause_verb_change_down")
        self._lead = lex.lists("lead_words")
        self._head_up = lex.list("clause_head_change_up")
        self._head_down = lex.list("clause_head_change_down")
        # the last characters of every word `attached` looks for after the fillers, and the first ones
        # of the clause head verbs: a context ending (a clause starting) with none of them has no cue
        self._attached_ends = frozenset().union(
            *(w.last_chars for w in (self._level, self._new, self._up, self._down, self._q_up, self._q_down))
        )
        self._head_starts = self._head_up.first_chars | self._head_down.first_chars
        self._any_change = re.compile(
            rf"(?P<up>{lex.alternation('change_up')})|(?P<down>{lex.alternation('change_down')})"
        )
        self._scopes = lex.list("rank_scopes")
        self._rank_verbs = lex.list("rank_verbs")
        self._rank_verb = re.compile(rf"(?:{lex.alternation('rank_verbs')})(?P<scope>[{CJK}]{{1,10}})$")
        self._rank_verb_any = re.compile(lex.alternation("rank_verbs"))
        # 要 marks a plan ("铁路投资要保持在8000亿元以上") except inside 主要, 重要, 需要, 要求 …; 目标价格 (a
        # subsidy's reference price) is no plan either; a plan word
        # after 于 is a comparison with the plan ("低于预期目标0.3个百分点"), not a plan. The leading class of
        # first characters lets the regex engine skip ahead (a pattern opening with a lookbehind cannot).
        firsts = "".join(sorted({w[0] for w in lex.words("target")} | {"要"}))
        self._target_first = re.compile(f"[{re.escape(firsts)}]")
        self._target = re.compile(
            rf"(?=[{re.escape(firsts)}])"
            rf"(?:(?<!于)(?!目标价格)(?:{lex.alternation('target')})|(?<![主重需只纪摘])要(?![求素点闻件]))"
        )
        self._basis = re.compile(lex.alternation("basis"))

    # -- attachment ------------------------------------------------------------------------------

    def attached(self, pre: str, *, quantity: bool = False) -> tuple[Direction | None, bool]:
        """(direction of an attached change word, whether the number is a level reached by it).

        >>> from extract.lexicon import compiled
        >>> r = ContextReader(compiled())
        >>> r.attached("社会消费品零售总额增长"), r.attached("占比提高到"), r.attached("增速为")
        ((<Direction.UP: 'up'>, False), (None, True), (<Direction.UP: 'up'>, False))
        """
        t = self._fillers.strip_end(pre[-_WINDOW:])
        if t[-1:] not in self._attached_ends:
            return None, False
        if self._level.at_end(t):
            rest = self._fillers.strip_end(t[:-1])
            noun = self._nouns.at_end(rest)
            if noun:  # 增速为8%; 经济增长预期目标设定为5%左右 (a growth target)
                return self._direction_of(rest, quantity=False) or self.last_change(noun) or Direction.UP, False
            return None, True
        if self._new.at_end(t):
            return None, False  # 新增 counts new things
        return self._direction_of(t, quantity=quantity), False

    def _direction_of(self, t: str, *, quantity: bool) -> Direction | None:
        up, down = (self._q_up, self._q_down) if quantity else (self._up, self._down)
        mu, md = up.at_end(t), down.at_end(t)
        if mu and md:  # the longer word wins: 多于 (up) over 于-less matches
            return Direction.UP if len(mu) >= len(md) else Direction.DOWN
        if mu:
            return Direction.UP
        if md:
            return Direction.DOWN
        return None

    def last_change(self, pre: str) -> Direction | None:
        """The direction of the last change word anywhere in `pre` (for 百分点 and 倍 left bare)."""
        last = None
        for m in self._any_change.finditer(pre):
            last = m
        if last is None:
            return None
        return Direction.UP if last.group("up") else Direction.DOWN

    def verb_object_change(self, pre: str) -> Direction | None:
        """降低一般工商业平均电价10%: a change verb opens the clause and its object stands before the number."""
        t = pre.lstrip("，、 ")
        lead = self._lead.at(t)
        if lead:
            t = t[len(lead) :]
        for words, direction in ((self._verb_up, Direction.UP), (self._verb_down, Direction.DOWN)):
            verb = words.at(t)
            if verb and not any(c in t[len(verb) :] for c in "到至为"):
                return direction
        return None

    def clause_head(self, clause: str) -> Direction | None:
        """净增科技型中小企业853家、高新技术企业97家: the head verb covers every count in the clause."""
        if clause[:1] not in self._head_starts:
            return None
        if self._head_up.at(clause):
            return Direction.UP
        if self._head_down.at(clause):
            return Direction.DOWN
        return None

    # -- ranks -----------------------------------------------------------------------------------

    def rank_scope(self, pre: str) -> tuple[bool, str | None]:
        """Whether a 第N right after `pre` is a rank, and its scope (全国, 中部 …).

        >>> from extract.lexicon import compiled
        >>> ContextReader(compiled()).rank_scope("增速居全国"), ContextReader(compiled()).rank_scope("，")
        ((True, '全国'), (False, None))
        """
        t = pre[-14:]
        scope = self._scopes.at_end(t)
        if scope:
            return True, scope
        if self._rank_verbs.at_end(t):
            return True, None
        m = self._rank_verb.search(t)
        if m:
            return True, m.group("scope")
        return False, None

    def before_rank_verb(self, pre: str) -> str:
        """The text before the last rank verb: what is ranked, without "居全市区县"."""
        last = None
        for m in self._rank_verb_any.finditer(pre):
            last = m
        return pre[: last.start()] if last else pre

    # -- the decision ----------------------------------------------------------------------------

    def decide(self, cand: Candidate, pre: str, clause: str, own_pre: str) -> Decision | None:
        decision = self._decide(cand, pre, clause, own_pre)
        if decision is not None and cand.negative:
            if decision.kind is not FigureKind.CHANGE:
                return None  # a signed level (-5℃) is not a key figure of this genre
            flipped = Direction.DOWN if decision.direction is Direction.UP else Direction.UP
            return Decision(decision.kind, decision.rule_id, flipped, decision.scope)
        return decision

    def _decide(self, cand: Candidate, pre: str, clause: str, own_pre: str) -> Decision | None:
        """Kind, direction, rule and rank scope of one candidate; None when it is not a figure after all.

        `pre` is the group's left context within the clause, `own_pre` the text right before this
        candidate (differs for later members of a listed group), `clause` the clause up to the number.
        """
        unit = cand.unit
        if unit is None:
            if cand.ordinal:
                is_rank, scope = self.rank_scope(own_pre if own_pre.strip("、和与及") else pre)
                if not is_rank and not cand.ranked:
                    return None  # a rank needs a rank verb or scope, unless its words say so (第一大电源)
                if own_pre and not scope:
                    scope = self.rank_scope(pre)[1]
                rule = "rank.top" if cand.ordinal == "前" else "rank.ordinal"
                return Decision(FigureKind.RANK, rule, None, scope)
            rule = "quantity.ratio" if cand.ratio else "quantity.bare"
            return Decision(FigureKind.QUANTITY, rule, self._quantity_direction(pre, clause))
        kind = unit.kind
        if kind == "amount":
            return Decision(FigureKind.AMOUNT, "amount.money", self._quantity_direction(pre, clause))
        if kind == "percent":
            direction, level = self.attached(pre)
            if direction is None and not level:
                direction = self.verb_object_change(pre)
            if direction is not None:
                return Decision(FigureKind.CHANGE, "change.percent", direction)
            return Decision(FigureKind.PERCENT, "percent.level")
        if kind == "change":
            direction, _level = self.attached(pre)
            direction = direction or self.last_change(pre) or Direction.UP
            rule = "change.points" if unit.base == "百分点" else "change.times"
            return Decision(FigureKind.CHANGE, rule, direction)
        # quantities; 位 is a rank, a move in a ranking, or a head count (12位院士)
        if unit.base == "位":
            if cand.ordinal:
                is_rank, scope = self.rank_scope(own_pre if own_pre.strip("、和与及") else pre)
                if not is_rank and cand.ordinal == "第":
                    return None
                return Decision(FigureKind.RANK, "rank.top" if cand.ordinal == "前" else "rank.ordinal", None, scope)
            direction, _level = self.attached(pre)
            if direction is not None:
                return Decision(FigureKind.CHANGE, "change.rank_move", direction)
        if cand.ordinal:
            is_rank, scope = self.rank_scope(own_pre if own_pre.strip("、和与及") else pre)
            if not is_rank and not cand.ranked:
                return None
            return Decision(FigureKind.RANK, "rank.top" if cand.ordinal == "前" else "rank.ordinal", None, scope)
        magnitude = "quantity.magnitude" if cand.magnitude_only else "quantity.measure"
        return Decision(FigureKind.QUANTITY, magnitude, self._quantity_direction(pre, clause))

    def _quantity_direction(self, pre: str, clause: str) -> Direction | None:
        direction, level = self.attached(pre, quantity=True)
        if direction is not None or level:
            return direction
        return self.clause_head(clause)

    # -- plan and basis --------------------------------------------------------------------------

    def target_cues(self, text: str, start: int = 0, end: int | None = None) -> list[int]:
        """Where plan words (力争/目标/预计/要 …) start in `text` (or in `text[start:end]`), in order.

        The words never span a sentence end, so one sentence can be searched on its own.
        """
        end = len(text) if end is None else end
        first = self._target_first.search(text, start, end)  # no plan word starts before this character
        if first is None:
            return []
        return [
            m.start()
            for m in self._target.finditer(text, first.start(), end)
            if text.find("于", max(0, m.start() - 3), m.start()) < 0 and not text.startswith(("的", "任"), m.end())
        ]

    def basis_cues(self, text: str) -> list[tuple[int, str]]:
        """Where comparison bases (同比, 比上年 …) start in `text`, for `basis` by bisection."""
        return [(m.start(), m.group(0)) for m in self._basis.finditer(text)]

    @staticmethod
    def basis(cues: list[tuple[int, str]], starts: list[int], pre_start: int, pos: int) -> str | None:
        """The comparison basis nearest before `pos` within the figure's left context."""
        i = bisect.bisect_left(starts, pos) - 1
        if i >= 0 and cues[i][0] >= max(pre_start, pos - _WINDOW):
            return cues[i][1]
        return None
