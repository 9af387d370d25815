"""Query expansion from the vetted domain thesaurus (corpora/thesaurus/thesaurus.yaml).

A publicity officer types 如何减少农村污水直排; declarations write 生活污水集中处理 and 截污纳管. The
thesaurus maps terms a user may type to related terms a reader accepts as the same topic. Expansion is
one hop (related terms are not expanded again), shown to the user ("同时检索：生活污水、截污纳管") and
each related term can be switched off. Question words and fillers are stripped before lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from corpora import CORPORA_DIR

THESAURUS_PATH = CORPORA_DIR / "thesaurus" / "thesaurus.yaml"
# question words and fillers: they carry no topic
_FILLERS = re.compile(r"如何|怎样|怎么|怎么样|有哪些|有什么|哪些|什么|是否|能否|的做法|的经验|做法|经验|典型|案例|方面|相关|关于|"
                      r"[?？!！，,。]")


@dataclass(frozen=True)
class Expansion:
    term: str  # the thesaurus term found in the query
    related: tuple[str, ...]  # searched as well
    off: tuple[str, ...] = ()  # switched off by the user

    def to_dict(self) -> dict:
        return {"term": self.term, "related": list(self.related), "off": list(self.off)}


@dataclass(frozen=True)
class Thesaurus:
    version: str
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    measures: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def core(self, query: str) -> str:
        """The query without question words and fillers: 如何减少农村污水直排 -> 减少农村污水直排."""
        return " ".join(p for p in _FILLERS.sub(" ", query).split() if p)

    def expand(self, query: str, without: tuple[str, ...] | list[str] = ()) -> list[Expansion]:
        """The entries whose term occurs in the query, longest first, not overlapping one another."""
        text = self.core(query)
        off = set(without)
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, Expansion]] = []
        for term in sorted(self.entries, key=len, reverse=True):
            start = text.find(term)
            while start >= 0:
                end = start + len(term)
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    related = tuple(r for r in self.entries[term] if r not in off and r not in text)
                    found.append((start, Expansion(term, related, tuple(r for r in self.entries[term] if r in off))))
                    break
                start = text.find(term, start + 1)
        return [e for _, e in sorted(found, key=lambda t: t[0])]


def load_thesaurus(path: Path | None = None) -> Thesaurus:
    return _load(str(Path(path or THESAURUS_PATH).resolve()))


@lru_cache(maxsize=2)
def _load(path: str) -> Thesaurus:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entries: dict[str, tuple[str, ...]] = {}
    measures: dict[str, tuple[int, ...]] = {}
    for e in data["entries"]:
        term = str(e["term"]).strip()
        if term in entries:
            raise ValueError(f"{path}: term {term!r} appears twice")
        entries[term] = tuple(dict.fromkeys(str(r).strip() for r in e["related"] if str(r).strip() != term))
        measures[term] = tuple(e.get("measures") or ())
    return Thesaurus(str(data.get("version", "thesaurus")), entries, measures)
