"""`extract_figures`: every key figure in one text, as cited `KeyFigure` records.

The pipeline per text: fold full-width characters (offsets unchanged), scan for candidates (one regex
pass, exclusions), group numbers listed together ("3252亿元、2140亿元、748亿元", "60家和30家"), decide
each group's kind and direction from the clause before it, name the metric (before the number, after
its measure word, distributed over a 分别 list, or inherited from the previous figure of the sentence
when the clause names nothing new, as in "地区生产总值31534亿元、增长3.3%"), then attach the period,
basis, plan flag and plausibility checks. Regex and small context windows only: no tokenizer on the
hot path.

What is shared is found once: clause and sentence boundaries and comparison bases per text, periods
and plan words per sentence that holds a figure (`_SentenceFacts`), each figure then bisects.
`bench/bench_extract.py` measures the throughput; `tests/extract/test_extract_shortcuts.py` checks
that each shortcut answers as the long way round.
"""

from __future__ import annotations

import bisect
import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from extract.context import ContextReader, Decision
from extract.lexicon import Lexicon, compiled
from extract.metric import MetricNamer
from extract.model import FigureKind, KeyFigure, Period
from extract.naming import Naming, SentenceState
from extract.numerals import fold_width
from extract.periods import find_periods
from extract.scanner import Candidate, Scanner
from extract.suspect import SuspectChecker
from ingest.model import Source

_SENTENCE_ENDS = frozenset("。！？；;!?\n")
_CLAUSE_END = re.compile(r"[。！？；;!?\n，：:]|,(?![0-9]{3})")  # every sentence end also ends a clause
_BASIS_KINDS = (FigureKind.CHANGE, FigureKind.AMOUNT, FigureKind.QUANTITY)


class Citation(NamedTuple):
    """Where the figures of one segment sit in their Document (all None for a bare text)."""

    segment_id: str | None
    document_id: str | None
    page: int | None


_UNCITED = Citation(None, None, None)


@dataclass(frozen=True, eq=False)
class _Engine:
    lex: Lexicon
    scanner: Scanner
    reader: ContextReader
    namer: MetricNamer
    checker: SuspectChecker
    joiner: re.Pattern[str]
    naming: Naming
    rules_version: str


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    lex = compiled()
    # listed numbers ("2.5%、3.9%", "60家和30家", "世界第二、世界第三") and ranges ("6%—6.5%")
    joiner = re.compile(rf"(?:、|和|与|及|以及|或|—|-|－|~|～|至|到)(?:{lex.alternation('rank_scopes')})?")
    reader, namer = ContextReader(lex), MetricNamer(lex)
    return _Engine(lex, Scanner(lex), reader, namer, SuspectChecker(lex), joiner, Naming(lex, namer, reader),
                   lex.rules.version)


class _SentenceFacts:
    """The periods and plan words of one sentence, found once for all its figures."""

    def __init__(self, text: str, start: int, end: int, reader: ContextReader):
        self.start = start
        self.periods = find_periods(text, start=start, end=end)
        self.period_starts = [p.start for p in self.periods]
        targets = reader.target_cues(text, start, end)
        self.first_target = targets[0] if targets else None

    def is_target(self, pos: int) -> bool:
        """A plan word earlier in the sentence: a target, not an achieved value."""
        return self.first_target is not None and self.first_target < pos

    def period_before(self, pos: int) -> Period | None:
        """The nearest period written before `pos` in the sentence."""
        periods = self.periods
        i = bisect.bisect_right(self.period_starts, pos) - 1
        while i >= 0:
            p = periods[i]
            if p.end <= pos:
                return p.period
            i -= 1
        return None


class _Layout:
    """What one text says once for all its figures, as sorted offsets for bisecting.

    Clause and sentence boundaries and comparison bases are found by one pass over the whole text;
    periods and plan words only in the sentences that hold a figure (`facts`), which in a long
    document are about half of them.
    """

    def __init__(self, text: str, reader: ContextReader):
        self.text = text
        self.reader = reader
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(text)]
        self.sentence_ends = [i for i in self.clause_ends if text[i] in _SENTENCE_ENDS]
        self.bases = reader.basis_cues(text)  # where comparison bases start, with the basis
        self.basis_starts = [b[0] for b in self.bases]
        self._facts: _SentenceFacts | None = None  # of the sentence last asked about

    def clause_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.clause_ends, pos)
        return self.clause_ends[i - 1] + 1 if i else 0

    def clause_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.clause_ends, pos)
        return self.clause_ends[i] if i < len(self.clause_ends) else len(self.text)

    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i - 1] + 1 if i else 0

    def facts(self, sentence_start: int) -> _SentenceFacts:
        """The facts of the sentence starting at `sentence_start` (groups come in text order)."""
        if self._facts is None or self._facts.start != sentence_start:
            i = bisect.bisect_left(self.sentence_ends, sentence_start)
            end = self.sentence_ends[i] if i < len(self.sentence_ends) else len(self.text)
            self._facts = _SentenceFacts(self.text, sentence_start, end, self.reader)
        return self._facts


def extract_figures(text: str, *, source: Source = Source.TEXT) -> list[KeyFigure]:
    """Every key figure in `text`, in text order; offsets are relative to `text`.

    >>> [(f.kind.value, f.value, f.unit, f.metric) for f in extract_figures("全省完成地区生产总值31534亿元、增长3.3%")]
    [('amount', Decimal('3153400000000'), '元', '地区生产总值'), ('change', Decimal('3.3'), '%', '地区生产总值')]
    """
    return _extract(text, source, 0, _UNCITED)


def extract_segment_figures(
    text: str, *, source: Source, offset: int, segment_id: str, page: int, document_id: str
) -> list[KeyFigure]:
    """`extract_figures` for one segment of a Document, cited as `extract_document` cites it.

    Offsets are into `Document.text` (`offset` is where `text` starts there). Setting the citation
    when the figure is made saves assigning five fields of every figure afterwards.
    """
    return _extract(text, source, offset, Citation(segment_id, document_id, page))


def _extract(text: str, source: Source, offset: int, cited: Citation) -> list[KeyFigure]:
    eng = _engine()
    norm = fold_width(text)
    cands = eng.scanner.scan(norm)
    if not cands:
        return []
    layout = _Layout(norm, eng.reader)
    groups = deque(_groups(norm, cands, layout, eng.joiner))
    # Each group is dropped once its figures are made, so that on a long text the garbage collector
    # does not trace every candidate again and again while the figures accumulate.
    del cands
    out: list[KeyFigure] = []
    state = SentenceState()
    while groups:
        group = groups.popleft()
        next_start = groups[0][0].start if groups else len(norm)
        out.extend(_group_figures(text, group, next_start, layout, eng, state, source, offset, cited))
    return out


def _groups(norm: str, cands: list[Candidate], layout: _Layout, joiner: re.Pattern[str]) -> list[list[Candidate]]:
    """Numbers listed together in one clause ("2.5%、3.9%", "60家和30家", "世界第二、世界第三")."""
    groups: list[list[Candidate]] = []
    for c in cands:
        if groups:
            prev = groups[-1][-1]
            # cheapest test first: most neighbours are not joined by a list word at all
            if (
                c.start >= prev.tail_end
                and joiner.fullmatch(norm, prev.tail_end, c.start)
                # units alike, or ordinals alike: 居全国第2、第4位 lists two ranks
                and ((c.unit is None) == (prev.unit is None) or (c.ordinal is not None and c.ordinal == prev.ordinal))
                and layout.clause_start(c.start) == layout.clause_start(prev.start)
            ):
                groups[-1].append(c)
                continue
        groups.append([c])
    return groups


def _group_figures(
    text: str,
    group: list[Candidate],
    next_start: int,
    layout: _Layout,
    eng: _Engine,
    state: SentenceState,
    source: Source,
    offset: int,
    cited: Citation,
) -> list[KeyFigure]:
    """The figures of one group: decide each number, name the group, then attach the sentence's facts.

    `offset` moves the figures' offsets, `cited` holds the segment citation (see `_extract`).
    """
    norm = layout.text
    first = group[0]
    cs, ss = layout.clause_start(first.start), layout.sentence_start(first.start)
    state.enter(ss)
    pre_start = max(cs, state.tail)  # a figure earlier in the clause ends the context of this one
    pre = norm[pre_start : first.start]
    if first.negative:
        pre = pre[:-1]  # the minus of "增长-3.2%" is read by the scanner, not a word of the context
    clause = norm[cs : first.start]
    kept: list[Candidate] = []
    decisions: list[Decision] = []
    own_pre = pre
    for k, c in enumerate(group):
        if k:
            own_pre = norm[group[k - 1].tail_end : c.start]
        d = eng.reader.decide(c, pre, clause, own_pre)
        if d is not None:
            kept.append(c)
            decisions.append(d)
    if not kept:
        return []
    last = kept[-1]
    limit = min(layout.clause_end(last.tail_end), next_start)
    names = eng.naming.names(norm, kept, decisions, pre, limit, state)
    state.record(names)
    state.tail = last.tail_end
    group_bound = first.approx_before
    basis = eng.reader.basis(layout.bases, layout.basis_starts, pre_start, first.start)  # one for the group
    facts = layout.facts(ss)
    figures = []
    for c, d, name in zip(kept, decisions, names, strict=True):
        kind = d.kind
        raw = text[c.start : c.end]
        unit = "位" if kind is FigureKind.RANK else c.unit_text
        reason = eng.checker.check(kind=kind, value=c.value, unit=unit, raw=raw, metric=name, source=source)
        figures.append(
            KeyFigure.trusted(  # every value below is typed already; fields in declaration order
                raw=raw,
                value=c.value,
                unit=unit,
                kind=kind,
                metric=name,
                direction=d.direction,
                approx=c.approx or group_bound,
                is_target=facts.is_target(c.start),
                period=facts.period_before(c.start),
                basis=basis if kind in _BASIS_KINDS else None,
                scope=d.scope,
                start=c.start + offset,
                end=c.end + offset,
                segment_id=cited.segment_id,
                document_id=cited.document_id,
                page=cited.page,
                source=source,
                rule_id=d.rule_id,
                rules_version=eng.rules_version,
                suspect=reason is not None,
                suspect_reason=reason,
            )
        )
    return figures
