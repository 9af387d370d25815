"""Index terms for exact-recall Chinese full-text search in SQLite FTS5.

Passages are indexed as overlapping CJK character bigrams (plus lowercased ASCII words and numbers), so
any query of two or more characters matches exactly the passages that contain it: 农田 inside 高标准农田,
两江 inside 两江新区. A jieba index misses these (recall 0.62 on two-character queries) and FTS5's
trigram tokenizer cannot match two characters at all.

A user's query never reaches FTS5 syntax: it is turned into quoted phrases of the same index terms, so
quotes, NEAR, *, -, AND are searched as text.
"""

from __future__ import annotations

import operator
import re
import unicodedata

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:\.[0-9]+)?")


def normalize(text: str) -> str:
    """Fold width and case so that full-width digits and letters match half-width queries."""
    return unicodedata.normalize("NFKC", text).lower()


def terms(text: str) -> list[str]:
    """Index terms of `text` in order: CJK bigrams (a lone CJK character stays a unigram), ASCII words.

    >>> terms("建成高标准农田3.2万亩")
    ['建成', '成高', '高标', '标准', '准农', '农田', '3.2', '万亩']
    """
    out: list[str] = []
    for m in _RUNS.finditer(normalize(text)):
        run = m.group(0)
        if run[0].isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def index_text(text: str) -> str:
    """The string stored in the FTS5 column: `terms` separated by spaces (FTS5 splits on them).

    Written out rather than joining `terms` through `_escape_term`: it runs over every passage ingested.

    >>> index_text("农田3.2万亩")
    '农田 3_2 万亩'
    """
    out: list[str] = []
    for m in _RUNS.finditer(normalize(text)):
        run = m.group(0)
        if run[0].isascii():
            out.append(_escape_term(run))
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(map(operator.add, run[:-1], run[1:]))  # the overlapping bigrams
    return " ".join(out)


def _escape_term(term: str) -> str:
    # unicode61 would split "3.2" at the dot on both sides anyway; keep tokens whole and symmetric
    return term.replace(".", "_")


def query_parts(query: str) -> list[str]:
    """The literal pieces a query asks for: whitespace-separated, each searched as an exact substring."""
    return [p for p in normalize(query).split() if p]


def match_expression(query: str, column: str = "grams") -> tuple[str | None, bool]:
    """A safe FTS5 MATCH expression requiring every query piece as a contiguous phrase.

    Returns (expression, needs_check). A lone CJK character at the edge of a mixed piece ("3.2万") is
    indexed only inside bigrams, so it is left out of the phrase and the caller must check the hits
    for the literal piece (`needs_check`).

    >>> match_expression('农田 "NEAR" a*')
    ('grams:"农田" AND grams:"near" AND grams:"a"', False)
    """
    phrases = []
    check = False
    for part in query_parts(query):
        found = terms(part)
        tokens = [_escape_term(t) for t in found if not (len(t) == 1 and not t.isascii())]
        if len(tokens) != len(found):
            check = True
        if not tokens:
            if found:  # a one-character query: any bigram that starts with it, then check
                phrases.append(f'{column}:"{found[0]}"*')
            continue
        phrases.append(f'{column}:"' + " ".join(tokens) + '"')
    return (" AND ".join(phrases) if phrases else None), check


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of `text` where the query pieces occur, for highlighting the original text.

    Matching is on width- and case-folded text, which NFKC keeps one-to-one for CJK, digits and letters.
    """
    folded = normalize(text)
    if len(folded) != len(text):  # a ligature or compatibility character changed length: fold per char
        folded = "".join(normalize(ch)[:1] or " " for ch in text)
    spans: list[tuple[int, int]] = []
    for part in query_parts(query):
        start = 0
        while True:
            i = folded.find(part, start)
            if i < 0:
                break
            spans.append((i, i + len(part)))
            start = i + 1
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def snippet(text: str, spans: list[tuple[int, int]], width: int = 80) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around the first highlight, with the spans shifted into it."""
    if not spans or len(text) <= width:
        return text[:width] if not spans else text, spans if len(text) <= width else []
    first = spans[0][0]
    start = max(0, min(first - width // 3, len(text) - width))
    end = start + width
    inside = [(s - start, min(e, end) - start) for s, e in spans if s >= start and s < end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shifted = [(s + len(prefix), e + len(prefix)) for s, e in inside]
    return prefix + text[start:end] + suffix, shifted
