"""Copied passages across declarations: MinHash sketches with LSH banding, verified exactly, kept in the store.

Each passage of 60+ characters (after `classify.boilerplate.shingle_text`: no whitespace or punctuation,
every number masked, so a paragraph copied with its figures changed still matches) gets a MinHash
signature of `NUM_PERM` permutations over its character `SHINGLE`-grams, cut into `BANDS` bands of
`ROWS` rows. Each band's hash is a row of `passage_sketches (key, passage_id)`: two passages share a key
when a band of their signatures agrees, which happens with probability 1 − (1 − J^ROWS)^BANDS for
Jaccard similarity J (0.80 at J = 0.5, 0.97 at J = 0.6, 0.18 at J = 0.3). Candidates are verified on
the exact shingle sets; a pair is kept when its similarity (the larger of Jaccard and containment of
the shorter in the longer) reaches `THRESHOLD`.

This runs inside the transaction that stores a document, so two documents stored at once still see each
other; `rebuild` recomputes everything (e.g. after the parameters change). A pair records which passage
came first (its document stored earlier) and whether the text is the notice's own wording (boilerplate:
never a finding).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from classify.boilerplate import NON_TEXT, is_boilerplate, shingle_text, shingles

VERSION = "copies.v1"
SHINGLE = 5
NUM_PERM = 100
BANDS, ROWS = 25, 4
MIN_CHARS = 60  # normalised characters: shorter passages are phrases, not paragraphs
THRESHOLD = 0.7
MIN_BANDS = 2  # a pair above the threshold shares about BANDS * J**ROWS bands: 6 at J = 0.7
CANDIDATES = 10  # verified per passage, those sharing the most bands first
BOILERPLATE = 0.5  # notice overlap at which a passage is the notice's wording
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20221)
_A = _rng.integers(1, 1 << 31, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, 1 << 31, size=NUM_PERM, dtype=np.uint64)


@dataclass(frozen=True)
class Sketch:
    shingles: frozenset[str]
    keys: tuple[int, ...]


def sketch(text: str) -> Sketch | None:
    """The passage's shingles and band keys, or None for a passage too short to be a copied paragraph."""
    norm = shingle_text(text)
    if len(norm) < MIN_CHARS:
        return None
    grams = shingles(norm, SHINGLE, normalized=True)
    hashed = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
    sig = ((_A[:, None] * hashed[None, :] + _B[:, None]) % _PRIME).min(axis=1)
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(sig[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8,
                                 salt=band.to_bytes(2, "little")).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return Sketch(frozenset(grams), tuple(keys))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The larger of Jaccard and containment of the smaller set in the larger."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return max(common / len(a | b), common / min(len(a), len(b)))


@dataclass(frozen=True)
class Pair:
    a: int  # the passage stored earlier
    b: int
    similarity: float
    boilerplate: bool


FIGURE_DENSE = 8.0  # figures per 100 normalised characters from which a paragraph is a statistics statement
_FIGURES = re.compile(r"\d+(?:[.,]\d+)*")


def _figure_dense(text: str) -> bool:
    norm = shingle_text(text)
    return bool(norm) and len(_FIGURES.findall(text)) * 100 / len(norm) >= FIGURE_DENSE


def _raw_shingles(text: str) -> set[str]:
    """Shingles with the figures kept (still no whitespace or punctuation)."""
    t = NON_TEXT.sub("", unicodedata.normalize("NFKC", text).replace(".", "点"))
    return {t[i:i + SHINGLE] for i in range(max(len(t) - SHINGLE + 1, 1))}


def eligible(source: str | None) -> bool:
    """Table rows are left out: templates give every region the same scoring sheet."""
    return source != "table"


def find_and_record(conn, passages: Sequence[tuple[int, str, str | None]], document_id: str) -> list[Pair]:
    """Sketch a newly stored document's passages `(id, text, source)`, find the stored passages of other
    documents they copy or are copied by, record the verified pairs, then add their own band keys. Runs
    in the caller's transaction.

    Per passage, SQLite counts the bands each stored passage shares with it; the `CANDIDATES` sharing
    the most (at least `MIN_BANDS`) are verified on their exact shingles.
    """
    sketches = {pid: s for pid, text, source in passages if eligible(source) and (s := sketch(text)) is not None}
    if not sketches:
        return []
    candidates: dict[int, set[int]] = {}
    for pid, sk in sketches.items():
        marks = ",".join("?" * len(sk.keys))
        for other, _ in conn.execute(
                f"SELECT passage_id, COUNT(*) AS shared FROM passage_sketches WHERE key IN ({marks}) "
                f"GROUP BY passage_id HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, passage_id LIMIT ?",
                [*sk.keys, MIN_BANDS, CANDIDATES]):
            candidates.setdefault(other, set()).add(pid)
    conn.executemany("INSERT OR IGNORE INTO passage_sketches (key, passage_id) VALUES (?, ?)",
                     [(k, pid) for pid, s in sketches.items() for k in s.keys])
    if not candidates:
        return []
    others = list(candidates)
    texts: dict[int, str] = {}
    for chunk in range(0, len(others), 900):
        part = others[chunk:chunk + 900]
        texts.update(conn.execute(f"SELECT id, text FROM passages WHERE id IN ({','.join('?' * len(part))}) "
                                  f"AND document_id != ?", [*part, document_id]))
    found: list[Pair] = []
    own = {pid: text for pid, text, _ in passages}
    for other, mine in candidates.items():
        if other not in texts:
            continue
        theirs = frozenset(shingles(texts[other], SHINGLE))
        for pid in mine:
            sim = similarity(sketches[pid].shingles, theirs)
            if sim < THRESHOLD:
                continue
            own_text = own[pid]
            if _figure_dense(own_text) or _figure_dense(texts[other]):
                # figures are the content of a statistics paragraph: its wording follows the indicator
                # list every region reports, so compare it with its figures
                sim = similarity(frozenset(_raw_shingles(own_text)), frozenset(_raw_shingles(texts[other])))
                if sim < THRESHOLD:
                    continue
            boiler = is_boilerplate(own_text, BOILERPLATE) or is_boilerplate(texts[other], BOILERPLATE)
            found.append(Pair(other, pid, round(sim, 4), boiler))  # the stored passage came first
    conn.executemany(
        "INSERT OR REPLACE INTO passage_copies (a, b, similarity, boilerplate, version) VALUES (?, ?, ?, ?, ?)",
        [(p.a, p.b, p.similarity, int(p.boilerplate), VERSION) for p in found])
    return found


def rebuild(conn, documents: Iterable[tuple[str, list[tuple[int, str, str | None]]]]) -> int:
    """Forget every sketch and pair, then add the documents back in the order given (oldest first)."""
    conn.execute("DELETE FROM passage_sketches")
    conn.execute("DELETE FROM passage_copies")
    n = 0
    for document_id, passages in documents:
        n += len(find_and_record(conn, passages, document_id))
    return n
