"""Word segmentation: one configured tokenizer, never jieba's module-global instance.

`Tokenizer` wraps its own `rjieba.Jieba` (a binding of jieba-rs: jieba's dictionary format and
algorithm, measured ≈40 MB/s here against ≈0.8 MB/s for pure-Python jieba) and is configured once, at
construction, with the domain words: region names, department names, policy terms, measure keywords.
No one can add words to a tokenizer that others share; a different word list is a different tokenizer
with a different `version`.

`default_tokenizer()` reads the user dictionary ``corpora/lexicon/user_dict.txt``, which
``jili catalog build`` generates from the campaign catalog, the gazetteer and the word lists
(`classify.lexicon`). This module takes words as input and never imports `classify`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import rjieba

from corpora import CORPORA_DIR
from ingest.errors import JiliError

USER_DICT_PATH = CORPORA_DIR / "lexicon" / "user_dict.txt"

WordEntry = tuple[str, int | None, str | None]


class DictionaryError(JiliError):
    """A user dictionary line is malformed; names the file and the line."""

    code = "dictionary_invalid"

    def __init__(self, reason: str, *, filename: str | Path | None = None, line: int | None = None):
        self.line = line
        super().__init__(reason, filename=str(filename) if filename else None)

    @property
    def message(self) -> str:
        where = self.filename or "<dictionary>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


def _entry(word: str | tuple) -> WordEntry:
    if isinstance(word, str):
        return (word.strip(), None, None)
    text, *rest = word
    freq = rest[0] if len(rest) > 0 else None
    pos = rest[1] if len(rest) > 1 else None
    return (str(text).strip(), int(freq) if freq is not None else None, pos or None)


class Tokenizer:
    """A jieba-compatible segmenter loaded with a fixed list of domain words.

    Args:
        words: entries ``"河长制"`` or ``("河长制", 3000, "nz")``; freq and POS may be None. A word's
            frequency is raised, if needed, to the least that keeps it whole (jieba's
            ``suggest_freq``), so a domain word is never split by the base dictionary.
        hmm: use jieba's HMM for words in no dictionary (jieba's default).
    """

    def __init__(self, words: Iterable[str | tuple] = (), *, hmm: bool = True):
        self.hmm = hmm
        entries: dict[str, WordEntry] = {}
        for raw in words:
            entry = _entry(raw)
            if entry[0]:
                entries[entry[0]] = entry  # a later entry for the same word wins, as in jieba
        self._entries = tuple(sorted(entries.values(), key=lambda e: e[0]))
        self._jieba = rjieba.Jieba()
        for word, freq, pos in self._entries:
            # suggest_freq before add_word: the frequency that beats the best split by the base dictionary.
            needed = self._jieba.suggest_freq(word)
            self._jieba.add_word(word, max(freq or 0, needed), pos)
        self._version = _version(self._entries, hmm)

    @classmethod
    def from_user_dict(cls, path: Path, *, hmm: bool = True) -> Tokenizer:
        return cls(read_user_dict(path), hmm=hmm)

    @property
    def version(self) -> str:
        """``jili.tokenizer.<12 hex>``: changes whenever the words, their frequencies or the engine change."""
        return self._version

    @property
    def words(self) -> tuple[WordEntry, ...]:
        """The domain entries this tokenizer was built with (sorted, one per word)."""
        return self._entries

    def cut(self, text: str) -> list[str]:
        """Segment `text` into words. ``"推进河长制和专精特新"`` -> ``["推进", "河长制", "和", "专精特新"]``"""
        return self._jieba.cut(text, self.hmm)

    def tokenize(self, text: str) -> list[tuple[str, int, int]]:
        """Words with character offsets ``[start, end)`` into `text`.

        ``"两江新区渝快办"`` -> ``[("两江新区", 0, 4), ("渝快办", 4, 7)]``
        """
        return self._jieba.tokenize(text, "default", self.hmm)

    def cut_for_search(self, text: str) -> list[str]:
        """Words plus their dictionary sub-words, for indexing: ``"高标准农田"`` also yields ``"农田"``."""
        return self._jieba.cut_for_search(text, self.hmm)

    def has_word(self, word: str) -> bool:
        return self._jieba.has_word(word)

    def __repr__(self) -> str:
        return f"Tokenizer({len(self._entries)} domain words, {self._version})"


def _version(entries: tuple[WordEntry, ...], hmm: bool) -> str:
    digest = hashlib.sha256()
    digest.update(f"rjieba {importlib.metadata.version('rjieba')} hmm={hmm}\n".encode())
    for word, freq, pos in entries:
        digest.update(f"{word}\t{freq or ''}\t{pos or ''}\n".encode())
    return f"jili.tokenizer.{digest.hexdigest()[:12]}"


def read_user_dict(path: Path) -> list[WordEntry]:
    """Read a jieba-format user dictionary: ``word [freq] [pos]`` per line, ``#`` comments.

    Raises:
        DictionaryError: with file and line, for a non-integer frequency or extra fields.

    ``"河长制 3000 nz"`` -> ``[("河长制", 3000, "nz")]``
    """
    entries = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DictionaryError(f"cannot read: {exc.strerror or exc}", filename=path) from exc
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) > 3:
            raise DictionaryError(f"expected 'word [freq] [pos]', got {line!r}", filename=path, line=number)
        freq: int | None = None
        pos: str | None = None
        if len(fields) >= 2:
            if not fields[1].isdigit():
                raise DictionaryError(
                    f"frequency {fields[1]!r} is not a whole number", filename=path, line=number
                )
            freq = int(fields[1])
        if len(fields) == 3:
            pos = fields[2]
        entries.append((fields[0], freq, pos))
    return entries


def default_tokenizer() -> Tokenizer:
    """The tokenizer with the packaged domain dictionary, built once per process."""
    return _cached(USER_DICT_PATH)


@lru_cache(maxsize=4)
def _cached(path: Path) -> Tokenizer:
    # A checkout without a generated dictionary still segments, with jieba's base dictionary only.
    return Tokenizer.from_user_dict(path) if path.exists() else Tokenizer()
