"""`extract_figures`: every key figure in one text, as cited `KeyFigure` records.

The pipeline per text: fold full-width characters (offsets unchanged), scan for candidates (one regex
pass, exclusions), group numbers listed together ("3252亿元、2140亿元、748亿元", "60家和30家"), decide
each group's kind and direction from the clause before it, name the metric (before the number, after
its measure word, distributed over a 分别 list, or inherited from the previous figure of the sentence
when the clause names nothing new, as in "地区生产总值31534亿元、增长3.3%"), then attach the period,
basis, plan flag and plausibility checks. Regex and small context windows only: no tokenizer on the
hot path.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from extract.context import ContextReader, Decision
from extract.lexicon import Lexicon, compiled
from extract.metric import MetricNamer
from extract.model import FigureKind, KeyFigure, Period
from extract.naming import Naming, SentenceState
from extract.numerals import fold_width
from extract.periods import PeriodMatch, find_periods
from extract.scanner import Candidate, Scanner
from extract.suspect import SuspectChecker
from ingest.model import Source

_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_CLAUSE_END = re.compile(r"[。！？；;!?\n，：:]|,(?![0-9]{3})")
_BASIS_KINDS = (FigureKind.CHANGE, FigureKind.AMOUNT, FigureKind.QUANTITY)


@dataclass(frozen=True, eq=False)
class _Engine:
    lex: Lexicon
    scanner: Scanner
    reader: ContextReader
    namer: MetricNamer
    checker: SuspectChecker
    joiner: re.Pattern[str]
    naming: Naming


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    lex = compiled()
    # listed numbers ("2.5%、3.9%", "60家和30家", "世界第二、世界第三") and ranges ("6%—6.5%")
    joiner = re.compile(rf"(?:、|和|与|及|以及|或|—|-|－|~|～|至|到)(?:{lex.alternation('rank_scopes')})?")
    reader, namer = ContextReader(lex), MetricNamer(lex)
    return _Engine(lex, Scanner(lex), reader, namer, SuspectChecker(lex), joiner, Naming(lex, namer, reader))


class _Layout:
    """Clause and sentence boundaries of one text, for bisecting."""

    def __init__(self, text: str):
        self.text = text
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]
        self.sentence_ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        self.targets: list[int] = []  # where plan words start (see ContextReader.target_cues)
        self.bases: list[tuple[int, str]] = []  # where comparison bases start (ContextReader.basis_cues)
        self.basis_starts: list[int] = []

    @staticmethod
    def _start(ends: list[int], pos: int) -> int:
        i = bisect.bisect_left(ends, pos)
        return ends[i - 1] + 1 if i else 0

    @staticmethod
    def _end(ends: list[int], pos: int, n: int) -> int:
        i = bisect.bisect_left(ends, pos)
        return ends[i] if i < len(ends) else n

    def clause_start(self, pos: int) -> int:
        return self._start(self.clause_ends, pos)

    def clause_end(self, pos: int) -> int:
        return self._end(self.clause_ends, pos, len(self.text))

    def sentence_start(self, pos: int) -> int:
        return self._start(self.sentence_ends, pos)


def extract_figures(text: str, *, source: Source = Source.TEXT) -> list[KeyFigure]:
    """Every key figure in `text`, in text order; offsets are relative to `text`.

    >>> [(f.kind.value, f.value, f.unit, f.metric) for f in extract_figures("全省完成地区生产总值31534亿元、增长3.3%")]
    [('amount', Decimal('3153400000000'), '元', '地区生产总值'), ('change', Decimal('3.3'), '%', '地区生产总值')]
    """
    eng = _engine()
    norm = fold_width(text)
    cands = eng.scanner.scan(norm)
    if not cands:
        return []
    layout = _Layout(norm)
    periods = find_periods(norm)
    period_starts = [p.start for p in periods]
    layout.targets = eng.reader.target_cues(norm)
    layout.bases = eng.reader.basis_cues(norm)
    layout.basis_starts = [b[0] for b in layout.bases]
    out: list[KeyFigure] = []
    state = SentenceState()
    groups = _groups(norm, cands, layout, eng.joiner)
    for i, group in enumerate(groups):
        next_start = groups[i + 1][0].start if i + 1 < len(groups) else len(norm)
        out.extend(_group_figures(text, norm, group, next_start, layout, eng, state, periods, period_starts, source))
    return out


def _groups(norm: str, cands: list[Candidate], layout: _Layout, joiner: re.Pattern[str]) -> list[list[Candidate]]:
    """Numbers listed together in one clause ("2.5%、3.9%", "60家和30家", "世界第二、世界第三")."""
    groups: list[list[Candidate]] = []
    for c in cands:
        if groups:
            prev = groups[-1][-1]
            between = norm[prev.tail_end : c.start]
            if (
                c.start >= prev.tail_end
                and layout.clause_start(c.start) == layout.clause_start(prev.start)
                and joiner.fullmatch(between)
                and (c.unit is None) == (prev.unit is None)
            ):
                groups[-1].append(c)
                continue
        groups.append([c])
    return groups


def _group_figures(
    text: str,
    norm: str,
    group: list[Candidate],
    next_start: int,
    layout: _Layout,
    eng: _Engine,
    state: SentenceState,
    periods: list[PeriodMatch],
    period_starts: list[int],
    source: Source,
) -> list[KeyFigure]:
    first = group[0]
    cs, ss = layout.clause_start(first.start), layout.sentence_start(first.start)
    state.enter(ss)
    pre_start = max(cs, _previous_tail(state, cs))
    pre = norm[pre_start : first.start]
    if first.negative:
        pre = pre[:-1]  # the minus of "增长-3.2%" is read by the scanner, not a word of the context
    clause = norm[cs : first.start]
    decisions: list[Decision | None] = []
    for k, c in enumerate(group):
        own_pre = pre if k == 0 else norm[group[k - 1].tail_end : c.start]
        decisions.append(eng.reader.decide(c, pre, clause, own_pre))
    kept = [(c, d) for c, d in zip(group, decisions, strict=True) if d is not None]
    if not kept:
        return []
    limit = min(layout.clause_end(kept[-1][0].tail_end), next_start)
    names = eng.naming.names(norm, [c for c, _ in kept], [d for _, d in kept], pre, limit, state)
    state.record(names)
    state.tail = kept[-1][0].tail_end
    figures = []
    group_bound = first.approx_before
    for (c, d), name in zip(kept, names, strict=True):
        value = c.value
        raw = text[c.start : c.end]
        unit = _emitted_unit(c, d)
        period = _period_before(periods, period_starts, ss, c.start)
        reason = eng.checker.check(kind=d.kind, value=value, unit=unit, raw=raw, metric=name, source=source)
        figures.append(
            KeyFigure(
                raw=raw,
                value=value,
                unit=unit,
                kind=d.kind,
                metric=name,
                direction=d.direction,
                approx=c.approx or group_bound,
                is_target=eng.reader.is_target(layout.targets, ss, c.start),
                period=period,
                basis=eng.reader.basis(layout.bases, layout.basis_starts, pre_start, first.start)
                if d.kind in _BASIS_KINDS else None,
                scope=d.scope,
                start=c.start,
                end=c.end,
                source=source,
                rule_id=d.rule_id,
                rules_version=eng.lex.rules.version,
                suspect=reason is not None,
                suspect_reason=reason,
            )
        )
    return figures


def _previous_tail(state: SentenceState, clause_start: int) -> int:
    return state.tail if state.tail >= clause_start else clause_start


def _emitted_unit(c: Candidate, d: Decision) -> str | None:
    if d.kind is FigureKind.RANK:
        return "位"
    return c.unit_text


def _period_before(periods: list[PeriodMatch], starts: list[int], sentence_start: int, pos: int) -> Period | None:
    """The nearest period written before `pos` in the same sentence."""
    i = bisect.bisect_right(starts, pos) - 1
    while i >= 0:
        p = periods[i]
        if p.start < sentence_start:
            return None
        if p.end <= pos:
            return p.period
        i -= 1
    return None
