"""The extraction rules compiled for speed: one candidate regex and small anchored regexes per cue list.

Everything here is derived from `corpora/extract/*.yaml` (see `extract.rules`); nothing is tuned in
code. The candidate regex finds a number (Arabic, Chinese or mixed, with 多/余), an optional 第/前 in
front and an optional unit after it, in one pass over the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extract.rules import RULES_DIR, Rules, UnitRule, load_rules

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# One number token: an Arabic number (thousands separators allowed), a Chinese digit (with 点 decimals)
# or a multiplier. 百/千 are not multipliers where they start a unit (百分点, 千瓦, 千伏, 千克, 千米).
_NUM_TOKEN = (
    r"(?:[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
    r"|[零〇一二两三四五六七八九](?:点[零〇一二三四五六七八九]+)?"
    r"|十|百(?!分点|分比|分之)|千(?![瓦伏米克])|万|亿)"
)
NUMBER = rf"{_NUM_TOKEN}(?:[多余]?{_NUM_TOKEN})*[多余]?"


class Words:
    """A word list for prefix and suffix tests by set lookups, longest word first.

    Faster than an anchored regex alternation on the short context windows this package reads, and
    the same answer: the longest listed word that the text ends with (or starts with at `pos`).

    >>> w = Words(["增长", "同比增长", "了"])
    >>> w.at_end("社会消费品零售总额同比增长"), w.at("增长了8%"), w.strip_end("增长了", "")
    ('同比增长', '增长', '')
    """

    __slots__ = ("_by_first", "_by_last", "first_chars", "last_chars", "words")

    def __init__(self, words: Iterable[str]):
        self.words = frozenset(words)
        # lengths of the words by their last (first) character, longest first: most positions end
        # (start) with a character no word ends (starts) with, and are rejected by one dict lookup
        by_last: dict[str, set[int]] = {}
        by_first: dict[str, set[int]] = {}
        for w in self.words:
            by_last.setdefault(w[-1], set()).add(len(w))
            by_first.setdefault(w[0], set()).add(len(w))
        self._by_last = {c: tuple(sorted(ks, reverse=True)) for c, ks in by_last.items()}
        self._by_first = {c: tuple(sorted(ks, reverse=True)) for c, ks in by_first.items()}
        # for callers that test several lists at one position: a character in neither set rules out all
        self.first_chars = frozenset(by_first)
        self.last_chars = frozenset(by_last)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def at_end(self, text: str) -> str | None:
        lengths = self._by_last.get(text[-1:])  # ("" for an empty text: no word ends with it)
        if lengths is None:
            return None
        n = len(text)
        for k in lengths:
            if k <= n:
                w = text[n - k :]
                if w in self.words:
                    return w
        return None

    def at(self, text: str, pos: int = 0) -> str | None:
        if pos >= len(text):
            return None
        lengths = self._by_first.get(text[pos])
        if lengths is None:
            return None
        for k in lengths:
            w = text[pos : pos + k]
            if len(w) == k and w in self.words:
                return w
        return None

    def strip_end(self, text: str, chars: str = "") -> str:
        """Remove listed words (and any of `chars`) from the end, repeatedly."""
        while text:
            if text[-1] in chars:
                text = text[:-1]
                continue
            w = self.at_end(text)
            if w is None:
                break
            text = text[: -len(w)]
        return text


@dataclass(frozen=True, eq=False)  # identity hash: the caches below key on the instance
class Lexicon:
    """Compiled views of one `Rules`."""

    rules: Rules
    candidate: re.Pattern[str]
    units: dict[str, UnitRule]

    def list(self, role: str) -> Words:
        """The word list of a role (`cues` in rules.yaml or `lists` in metric.yaml)."""
        return _words(self, role)

    def lists(self, *roles: str) -> Words:
        """Several roles' words as one list."""
        return Words(w for role in roles for w in _words(self, role).words)

    def words(self, role: str) -> frozenset[str]:
        return _words(self, role).words

    def alternation(self, role: str) -> str:
        return _word_list(self, role).alternation()


def _word_list(lex: Lexicon, role: str):
    return lex.rules.cues[role] if role in lex.rules.cues else lex.rules.metric_list(role)


@lru_cache(maxsize=256)
def _words(lex: Lexicon, role: str) -> Words:
    return Words(_word_list(lex, role).words)


@lru_cache(maxsize=4)
def compiled(directory: Path = RULES_DIR) -> Lexicon:
    """The compiled lexicon for the rules in `directory` (cached; the rules are immutable)."""
    rules = load_rules(directory)
    units = {u.surface: u for u in rules.units}
    unit_alt = "|".join(re.escape(s) for s in sorted(units, key=len, reverse=True))
    # the lookahead lets the regex engine skip quickly to characters that can start a number
    candidate = re.compile(
        rf"(?=[0-9零〇一二两三四五六七八九十百千万亿第前])(?P<ord>第|前)?(?P<num>{NUMBER})(?P<unit>{unit_alt})?"
    )
    return Lexicon(rules=rules, candidate=candidate, units=units)

