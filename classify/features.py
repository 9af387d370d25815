"""Passage features for the measure classifier: what a passage looks like to the linear model.

Four blocks, each switchable in `FeatureConfig` so that every choice can be measured:

* **character n-grams** (TF-IDF, 1–3 chars): robust to word segmentation, to OCR noise and to
  the different wording of county declarations and provincial reports;
* **words** (TF-IDF, 1–2-grams) cut by the domain tokenizer, which keeps 河长制, 专精特新, 渝快办 whole;
* **lexicon counts**: per measure, log(1 + weighted number of its terms found), from
  ``corpora/models/measure_terms.yaml`` and the catalog's keywords. Thirty dense features that
  carry the domain knowledge to text the training corpus never saw;
* **term indicators**: one feature per listed term, so the model can weigh terms individually
  where the training data has them.

A passage is featurised as the sum of its sentences (n-grams do not cross 。/；), so one pass over
the sentences gives both the passage vectors and the sentence vectors the classifier pools over.

A fitted `FeatureSpace` is plain arrays (vocabularies, idf, terms) plus the tokenizer's own word
list, so a saved model segments text exactly as it did when it was trained, whatever happens to the
packaged dictionary later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict

from classify.catalog import Campaign
from classify.terms import MeasureTerms, TermMatcher
from ingest.tokenize import Tokenizer, default_tokenizer

# Full-width digits, letters and ％ (common in typeset reports: ２０２２年，８．５％) become ASCII.
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B) if chr(c).isalnum()} | {
    0xFF05: "%",
    0xFF0E: ".",
}
_WIDE = "\u3000-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{_WIDE}])|(?<=[{_WIDE}])\s+")
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|\n+")
_PUNCT_TOKEN = re.compile(r"^[\W_]+$")


def normalize_text(text: str) -> str:
    """The text as features see it: ASCII digits and letters, no whitespace inside Chinese.

    ``"２０２２年 全区新增就业８．５％"`` -> ``"2022年全区新增就业8.5%"``
    """
    text = text.translate(_FULLWIDTH)
    text = _SPACE_NEAR_CJK.sub("", text)
    return _SPACES.sub(" ", text).strip()


def fold_digits(text: str) -> str:
    """Every number becomes ``0``: figures say how much, not which measure.

    ``"新增就业2.3万人"`` -> ``"新增就业0万人"``
    """
    return _DIGITS.sub("0", text)


def split_sentences(text: str, min_chars: int = 8) -> list[str]:
    """Sentences (cut after 。；！？ and at line breaks); a fragment shorter than `min_chars` joins the
    sentence before it, so "一是" or a lone heading never stands alone.

    ``"新建养老机构17家。改造老旧小区3个；完成。"`` -> ``["新建养老机构17家。", "改造老旧小区3个；完成。"]``
    """
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        if not part:
            continue
        if out and (len(part) < min_chars or len(out[-1]) < min_chars):
            out[-1] += part
        else:
            out.append(part)
    return out or [text.strip()]


class FeatureConfig(BaseModel):
    """Which feature blocks to build and how much each weighs against the others.

    The TF-IDF blocks are L2-normalised per passage; the lexicon blocks are scaled by their weight,
    which sets how strongly the (shared) regularisation holds them back.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    char_ngrams: tuple[int, int] | None = (1, 3)
    char_min_df: int = 2
    word_ngrams: tuple[int, int] | None = (1, 2)
    word_min_df: int = 2
    word_weight: float = 1.0
    fold_digits: bool = True
    lexicon_weight: float = 0.2
    term_weight: float = 0.1
    catalog_terms: bool = True
    sentence_min_chars: int = 8


@dataclass(frozen=True)
class Units:
    """Feature matrices of passages and of their sentences.

    ``sentences`` has one row per sentence of every passage that has more than one (a one-sentence
    passage is its own sentence); ``owner[k]`` is the passage of sentence row ``k``.
    """

    passages: sp.csr_matrix
    sentences: sp.csr_matrix
    owner: np.ndarray


class TfidfBlock:
    """Sublinear TF-IDF over a fixed vocabulary (scikit-learn's formula: tf = 1 + ln(count),
    idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised), counting from token lists."""

    def __init__(self, vocab: Sequence[str], idf: np.ndarray):
        self.vocab = list(vocab)
        self.index = {token: i for i, token in enumerate(self.vocab)}
        self.idf = np.asarray(idf, dtype=np.float32)

    @classmethod
    def fit(cls, documents: Iterable[Iterable[Sequence[str]]], min_df: int) -> TfidfBlock:
        """`documents`: per passage, its sentences' token lists. Keeps tokens in >= `min_df` passages."""
        df: dict[str, int] = {}
        n = 0
        for sentences in documents:
            n += 1
            for token in {t for tokens in sentences for t in tokens}:
                df[token] = df.get(token, 0) + 1
        vocab = sorted(t for t, c in df.items() if c >= min_df)
        idf = np.log((1.0 + n) / (1.0 + np.array([df[t] for t in vocab], dtype=np.float64))) + 1.0
        return cls(vocab, idf)

    def __len__(self) -> int:
        return len(self.vocab)

    def counts(self, token_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """Raw counts, one row per token list."""
        get = self.index.get
        indptr = [0]
        indices: list[int] = []
        for tokens in token_lists:
            indices.extend(j for j in map(get, tokens) if j is not None)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        m = sp.csr_matrix((data, np.array(indices, dtype=np.int32), np.array(indptr)), shape=(len(indptr) - 1, len(self)))
        m.sum_duplicates()
        return m

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts -> L2-normalised sublinear TF-IDF."""
        m = counts.astype(np.float32, copy=True)
        np.log(m.data, out=m.data)
        m.data += 1.0
        m = m.multiply(self.idf).tocsr()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)


class FeatureSpace:
    """A fitted feature map: `transform(texts)` -> sparse matrix (passages x features).

    Build one with `FeatureSpace.fit`, or from saved arrays with `FeatureSpace.from_arrays`.
    """

    def __init__(
        self,
        config: FeatureConfig,
        *,
        char: TfidfBlock | None,
        word: TfidfBlock | None,
        terms: Sequence[str],
        term_measures: np.ndarray,
        term_weights: np.ndarray,
        labels: Sequence[int],
        tokenizer: Tokenizer,
    ):
        self.config = config
        self.labels = [int(x) for x in labels]
        self.tokenizer = tokenizer
        self.char = char
        self.word = word
        self.terms = [str(t) for t in terms]  # one entry per (term, measure)
        self.term_measures = np.asarray(term_measures, dtype=np.int32)  # column in `labels`
        self.term_weights = np.asarray(term_weights, dtype=np.float32)
        self._matcher = TermMatcher(self.terms)
        self.n_term_features = len(self._matcher.terms)  # a term listed for two measures is one feature
        # matched term -> weighted lexicon counts per measure, as a (terms x labels) matrix
        entry_col = np.array([self._matcher.index[t] for t in self.terms], dtype=np.int32)
        self._term_to_measure = sp.csr_matrix(
            (self.term_weights, (entry_col, self.term_measures)),
            shape=(self.n_term_features, len(self.labels)),
            dtype=np.float32,
        )
        self.blocks = {
            "char": len(char) if char is not None else 0,
            "word": len(word) if word is not None else 0,
            "lexicon": len(self.labels) if config.lexicon_weight > 0 else 0,
            "term": self.n_term_features if config.term_weight > 0 else 0,
        }

    # ----------------------------------------------------------------------------------- building

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        config: FeatureConfig,
        *,
        terms: MeasureTerms,
        campaign: Campaign,
        tokenizer: Tokenizer,
    ) -> FeatureSpace:
        """Learn the vocabularies and idf weights from `texts` (the training passages)."""
        labels = [m.id for m in campaign.measures]
        column = {mid: i for i, mid in enumerate(labels)}
        entries = list(terms.entries())
        if config.catalog_terms:
            for m in campaign.measures:
                entries += [(k, m.id, 1.0) for k in (m.title, *m.keywords) if len(k) >= 2]
        seen: set[tuple[str, int]] = set()
        term_list, owners, weights = [], [], []
        for term, measure_id, weight in entries:
            if (term, measure_id) not in seen:
                seen.add((term, measure_id))
                term_list.append(term)
                owners.append(column[measure_id])
                weights.append(weight)
        space = cls(
            config,
            char=None,
            word=None,
            terms=term_list,
            term_measures=np.array(owners),
            term_weights=np.array(weights),
            labels=labels,
            tokenizer=tokenizer,
        )
        sentences = [space.sentences(normalize_text(t)) for t in texts]
        char = word = None
        if config.char_ngrams:
            char = TfidfBlock.fit(([space._char_tokens(s) for s in sents] for sents in sentences), config.char_min_df)
        if config.word_ngrams:
            word = TfidfBlock.fit(([space._word_tokens(s) for s in sents] for sents in sentences), config.word_min_df)
        return cls(
            config,
            char=char,
            word=word,
            terms=term_list,
            term_measures=np.array(owners),
            term_weights=np.array(weights),
            labels=labels,
            tokenizer=tokenizer,
        )

    # ----------------------------------------------------------------------------------- tokens

    def sentences(self, normalized: str) -> list[str]:
        return split_sentences(normalized, self.config.sentence_min_chars)

    def _char_tokens(self, sentence: str) -> list[str]:
        text = fold_digits(sentence) if self.config.fold_digits else sentence
        lo, hi = self.config.char_ngrams or (1, 1)
        n_chars = len(text)
        return [text[i : i + n] for n in range(lo, hi + 1) for i in range(n_chars - n + 1)]

    def _word_tokens(self, sentence: str) -> list[str]:
        text = fold_digits(sentence) if self.config.fold_digits else sentence
        # punctuation stays in the sequence so that no n-gram joins words across it
        words = [None if _PUNCT_TOKEN.match(w) else w for w in self.tokenizer.cut(text)]
        lo, hi = self.config.word_ngrams or (1, 1)
        out = [w for w in words if w is not None] if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if None not in gram:
                    out.append(" ".join(gram))  # type: ignore[arg-type]
        return out

    # ---------------------------------------------------------------------------------- transform

    @property
    def n_features(self) -> int:
        return sum(self.blocks.values())

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Feature matrix of `texts` (float32, CSR), blocks in the order char, word, lexicon, term."""
        return self.transform_units(texts).passages

    def transform_units(self, texts: Sequence[str]) -> Units:
        """Passage and sentence feature matrices from one pass over the sentences."""
        sentences: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            parts = self.sentences(normalize_text(text))
            sentences += parts
            owner += [i] * len(parts)
        owner_arr = np.array(owner, dtype=np.int64)
        # passage counts = sum of its sentences' counts
        pool = sp.csr_matrix(
            (np.ones(len(owner), dtype=np.float32), (owner_arr, np.arange(len(owner)))),
            shape=(len(texts), len(owner)),
        )
        p_parts: list[sp.csr_matrix] = []
        s_parts: list[sp.csr_matrix] = []
        for block, tokens, weight in (
            (self.char, self._char_tokens, 1.0),
            (self.word, self._word_tokens, self.config.word_weight),
        ):
            if block is None:
                continue
            counts = block.counts([tokens(s) for s in sentences])
            p_parts.append(block.weigh(pool @ counts) * weight)
            s_parts.append(block.weigh(counts) * weight)
        if self.blocks["lexicon"] or self.blocks["term"]:
            found = self._term_hits(sentences)
            found_p = (pool @ found).minimum(1.0).tocsr()
            for hits, parts in ((found_p, p_parts), (found, s_parts)):
                if self.blocks["lexicon"]:
                    counts = np.log1p((hits @ self._term_to_measure).toarray())
                    parts.append(sp.csr_matrix(counts * self.config.lexicon_weight, dtype=np.float32))
                if self.blocks["term"]:
                    parts.append(hits * self.config.term_weight)
        passages = sp.hstack(p_parts, format="csr", dtype=np.float32)
        # sentence rows only for passages of two or more sentences
        multi = np.bincount(owner_arr, minlength=len(texts))[owner_arr] > 1
        all_sentences = sp.hstack(s_parts, format="csr", dtype=np.float32)
        return Units(passages, all_sentences[np.where(multi)[0]], owner_arr[multi])

    def _term_hits(self, sentences: Sequence[str]) -> sp.csr_matrix:
        indptr = [0]
        indices: list[int] = []
        for sentence in sentences:
            indices += self._matcher.find(sentence)
            indptr.append(len(indices))
        return sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr)),
            shape=(len(sentences), self.n_term_features),
        )

    def matched_terms(self, text: str) -> dict[int, list[str]]:
        """The listed terms found in `text`, per measure id. ``"建成高标准农田5万亩"`` -> ``{15: ["高标准农田"]}``"""
        if not hasattr(self, "_measures_of_term"):
            matrix = self._term_to_measure.tocsr()
            self._measures_of_term = [
                [self.labels[j] for j in matrix.indices[matrix.indptr[c] : matrix.indptr[c + 1]]]
                for c in range(self.n_term_features)
            ]
        out: dict[int, list[str]] = {}
        for col in self._matcher.find(normalize_text(text)):
            for measure_id in self._measures_of_term[col]:
                out.setdefault(measure_id, []).append(self._matcher.terms[col])
        return out

    # ---------------------------------------------------------------------------------- names

    def feature_names(self) -> list[str]:
        """A readable name per column: the n-gram, word (bigrams joined by a space) or term; lexicon
        columns are named ``词表:<measure id>``."""
        names: list[str] = []
        for block in (self.char, self.word):
            if block is not None:
                names += block.vocab
        if self.blocks["lexicon"]:
            names += [f"词表:{mid}" for mid in self.labels]
        if self.blocks["term"]:
            names += list(self._matcher.terms)
        return names

    def block_of(self, column: int) -> str:
        for name, size in self.blocks.items():
            if column < size:
                return name
            column -= size
        raise IndexError(column)

    # ---------------------------------------------------------------------------------- storage

    def to_arrays(self) -> dict[str, np.ndarray]:
        def vocab(block: TfidfBlock | None) -> tuple[np.ndarray, np.ndarray]:
            if block is None:
                return np.array([], dtype="<U1"), np.zeros(0, dtype=np.float32)
            return np.array(block.vocab), block.idf

        char_vocab, char_idf = vocab(self.char)
        word_vocab, word_idf = vocab(self.word)
        words = self.tokenizer.words
        return {
            "char_vocab": char_vocab,
            "char_idf": char_idf,
            "word_vocab": word_vocab,
            "word_idf": word_idf,
            "terms": np.array(self.terms),
            "term_measures": self.term_measures,
            "term_weights": self.term_weights,
            "labels": np.array(self.labels, dtype=np.int32),
            "tokenizer_words": np.array([w for w, _, _ in words] or [""]),
            "tokenizer_freqs": np.array([f or 0 for _, f, _ in words] or [0], dtype=np.int64),
            "tokenizer_pos": np.array([p or "" for _, _, p in words] or [""]),
        }

    @classmethod
    def from_arrays(cls, config: FeatureConfig, arrays: dict[str, np.ndarray]) -> FeatureSpace:
        entries = tuple(
            (str(w), int(f) or None, str(p) or None)
            for w, f, p in zip(
                arrays["tokenizer_words"], arrays["tokenizer_freqs"], arrays["tokenizer_pos"], strict=True
            )
            if str(w)
        )

        def block(name: str) -> TfidfBlock | None:
            vocab = arrays[f"{name}_vocab"]
            return TfidfBlock(vocab.tolist(), arrays[f"{name}_idf"]) if len(vocab) else None

        return cls(
            config,
            char=block("char"),
            word=block("word"),
            terms=arrays["terms"].tolist(),
            term_measures=arrays["term_measures"],
            term_weights=arrays["term_weights"],
            labels=[int(x) for x in arrays["labels"]],
            tokenizer=tokenizer_with(entries),
        )


def tokenizer_with(entries: tuple[tuple[str, int | None, str | None], ...]) -> Tokenizer:
    """A tokenizer with exactly these domain words; the packaged one when its words are the same
    (building one costs ~0.1 s)."""
    packaged = default_tokenizer()
    if packaged.words == tuple(sorted(entries, key=lambda e: e[0])):
        return packaged
    return Tokenizer(entries)

