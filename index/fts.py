"""Full text in both dialects: FTS5 on SQLite, a weighted tsvector with a GIN index on PostgreSQL (in a
narrow table ``passages_fts (rowid, fts, tags)`` of its own, as FTS5's is).

index/ builds its queries in one small FTS5 language (index/grams.py, index/tags.py, index/search.py):
``col:"t1 t2 t3"`` (a phrase of a column's terms), ``col:"t"*`` (a prefix), ``AND``, ``OR``, ``NOT`` and
parentheses. On PostgreSQL the same expression becomes a tsquery over one tsvector per passage, in which
each column's terms carry its prefix (words ``W|``, tags ``T|``) and weight (grams A, words B, tags C, for
ranking) and keep their positions, so that a phrase is ``'t1' <-> 't2' <-> 't3'``. Terms are written as
tsvector and tsquery literals, never through a text search configuration (``to_tsvector('simple', …)`` would split 3.2 and change the terms),
so both dialects match exactly the same passages; only the ranking differs (bm25 on SQLite,
``ts_rank_cd`` with the same column weights on PostgreSQL).

Counting differs underneath, never in its result: FTS5 counts from its doclists; PostgreSQL keeps exact
counts of every lexeme and of the broad matches searches asked for (`count`, `fold`, `count_asked`), since
it cannot count from a GIN index without visiting every matching row.
"""

from __future__ import annotations

import contextlib
import re
import time

WEIGHTS = {"grams": "A", "words": "B", "tags": "C"}
# columns are told apart by a lexeme prefix, not by a weight restriction in the query: a GIN index cannot
# check weights, so `'t':A` would send every match back to the table for a recheck (a broad count reads
# half the table), while `'W|t'` is answered from the index. Grams are lower-case, so no gram and no
# prefix query a user types can reach the upper-case prefixes.
PREFIX = {"grams": "", "words": "W|", "tags": "T|"}
_GAP = 64  # positions between columns, so that no phrase runs from one column into the next
_MAX_POS = 16383  # PostgreSQL's largest position


def dialect(db) -> str:
    return getattr(db, "dialect", "sqlite")


def _lexeme(term: str) -> str:
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(quoted: str) -> str:
    """A lexeme as `_lexeme` wrote it, between its quotes, back to the term."""
    return quoted.replace("''", "'").replace("\\\\", "\\")


def tsvector_literal(grams: str, words: str, tags: str) -> str:
    """The passage's tsvector as a literal: every column's terms in order, weighted, with positions."""
    out, pos = [], 1
    for column, text in (("grams", grams), ("words", words), ("tags", tags)):
        w, pre = WEIGHTS[column], PREFIX[column]
        for term in text.split():
            out.append(f"{_lexeme(pre + term)}:{min(pos, _MAX_POS)}{w}")
            pos += 1
        pos += _GAP
    return " ".join(out)


# the full-text match as index/ writes it in either dialect (index/pg.py reads it as the tsvector table)
MATCH_FROM = "FROM passages_fts WHERE passages_fts MATCH ?"


def write(db, passage_id: int, grams: str, words: str, tags: str) -> None:
    """Index a passage's terms (a new passage, or one whose terms changed)."""
    write_many(db, [(passage_id, grams, words, tags)])


def write_many(db, rows: list[tuple[int, str, str, str]]) -> None:
    """Index many passages at once: (passage_id, grams, words, tags) each. On PostgreSQL one statement, so
    the count triggers run once and append one delta per distinct term of the lot, not per passage."""
    if not rows:
        return
    if dialect(db) == "postgresql":
        db.execute("INSERT INTO passages_fts (rowid, fts, tags) SELECT r, CAST(v AS tsvector), t "
                   "FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS x(r, v, t) "
                   "ON CONFLICT (rowid) DO UPDATE SET fts = EXCLUDED.fts, tags = EXCLUDED.tags",
                   [[r[0] for r in rows], [tsvector_literal(g, w, t) for _, g, w, t in rows], [r[3] for r in rows]])
    else:
        db.conn.executemany("INSERT INTO passages_fts(rowid, grams, words, tags) VALUES (?, ?, ?, ?)", rows)


def delete(db, passage_id: int, grams: str, words: str, tags: str) -> None:
    """Forget a passage's terms (SQLite's contentless table needs the terms it was given)."""
    if dialect(db) == "postgresql":
        db.execute("DELETE FROM passages_fts WHERE rowid = ?", [passage_id])
    else:
        db.execute("INSERT INTO passages_fts(passages_fts, rowid, grams, words, tags) VALUES ('delete', ?, ?, ?, ?)",
                   [passage_id, grams, words, tags])


def matched_tags(db, match: str) -> str | None:
    """The tags of every passage that `match` (a `query` parameter) finds, joined.

    On PostgreSQL the narrow full-text table carries the tags beside the vector, so facets come from the
    same index scan as the match (no lookup of each passage's wide row: 16 -> 7 ms for 2,500 matches)."""
    if dialect(db) == "postgresql":
        sql = "SELECT string_agg(tags, ' ') FROM passages_fts WHERE fts @@ CAST(? AS tsquery)"
    else:
        sql = f"SELECT group_concat(tags, ' ') FROM passages WHERE id IN (SELECT rowid {MATCH_FROM})"
    return db.execute(sql, [match]).fetchone()[0]


# ------------------------------------------------------------------------------------------- counts
# FTS5 counts a match from its doclists. PostgreSQL cannot count from a GIN index: an exact count visits
# the table row of every match (a term in 460k of 1M passages: 270-340 ms; a phrase in 180k: 270-420 ms).
# So on PostgreSQL the triggers of index/pg.py keep counts: of every lexeme (a two-character word, one
# filter tag, a dictionary word's df are one lexeme), and of every broad match searches have asked for
# (a phrase such as 营商环境) once a worker has counted it. Either is one or a few index rows to read.
_ONE_LEXEME = re.compile(r"[\s(]*'((?:[^']|'')+)'[\s)]*")
# a term's count: its folded row plus the deltas not yet folded (a few seconds' writes)
# (array_position, not unnest: 200 rows of deltas read in 3 ms instead of 13-20)
_COUNTED = ("COALESCE((SELECT n FROM fts_term_counts WHERE term = {term}), 0) + COALESCE((SELECT "
            "SUM(f.ns[array_position(f.terms, {term})]) FROM fts_term_deltas AS f), 0)")
FOLD_FROM = 100  # rows of deltas (one per document written) a busy worker lets gather before folding them
WATCH_FROM = 50_000  # a match this broad is asked to be kept counted
MAX_WATCHED = 200  # kept counted at most (each is a tsquery test on every passage written); the least asked go
_REASK_S = 3600.0  # a kept match's last use is written down at most this often
FEW_BOUND = 50_000  # `few` reads the matches of a PostgreSQL match only if its terms allow at most this many
_AND_ONLY = re.compile(r"(?:[\s()&]|<->|'(?:[^']|'')+')+")  # terms joined by AND or into phrases
_LEXEME = re.compile(r"'((?:[^']|'')+)'")


def count(db, match: str) -> int:
    """How many passages `match` (a `query` parameter) finds: exact, in both dialects."""
    known = known_count(db, match)
    if known is not None:
        return known
    n = db.execute(f"SELECT COUNT(*) {MATCH_FROM}", [match]).fetchone()[0]
    if n >= WATCH_FROM:  # PostgreSQL: a worker will keep this one counted from now on
        db.execute("INSERT INTO fts_watched (match, q, state, asked_at) VALUES (?, CAST(? AS tsquery), 'asked', ?) "
                   "ON CONFLICT DO NOTHING", [match, match, time.time()])
    return n


def known_count(db, match: str) -> int | None:
    """`count` where it costs no visit of the matches: always on SQLite (FTS5 counts from its doclists);
    on PostgreSQL for one lexeme and for a kept broad match, else None."""
    if dialect(db) != "postgresql":
        return db.execute(f"SELECT COUNT(*) {MATCH_FROM}", [match]).fetchone()[0]
    one = _ONE_LEXEME.fullmatch(match)
    if one:
        return term_count(db, _unquote(one[1]))
    counted = _COUNTED.format(term="' ' || match")
    kept = db.execute(f"SELECT asked_at, {counted} FROM fts_watched WHERE match = ? AND state = 'counted'",
                      [match]).fetchone()
    if kept is None:
        return None
    if time.time() - kept[0] > _REASK_S:
        db.execute("UPDATE fts_watched SET asked_at = ? WHERE match = ?", [time.time(), match])
    return int(kept[1])


def few(db, match: str, limit: int, *, rank: str | None = None,
        same_as: str | None = None) -> list[tuple[int, float, str | None]] | None:
    """Every passage `match` finds, if at most `limit`: (rowid, `rank` or 0.0, tags), in no order; None
    when there are more (`same_as`: the same matches written more plainly, without a ranking boost).

    On PostgreSQL one statement gives the count, the ranking and the facets of a selective search (three
    scans of the same matches before: 2,500 of 1M passages 36 -> 23 ms); a match whose rarest term is in
    more than FEW_BOUND passages is not tried (None at once: its count is the cheaper first step)."""
    r = rank or "0.0"
    if dialect(db) == "postgresql":
        bound = _upper_bound(db, same_as or match)
        if bound is not None and bound > FEW_BOUND:
            return None
        rows = db.execute(f"SELECT rowid, {r} AS r, tags {MATCH_FROM} LIMIT {int(limit) + 1}", [match]).fetchall()
        found = [(row[0], float(row[1]), row[2]) for row in rows]
    else:
        rows = db.execute(f"SELECT rowid, {r} AS r {MATCH_FROM} LIMIT {int(limit) + 1}", [match]).fetchall()
        found = [(row[0], float(row[1]), None) for row in rows]
        if len(found) <= limit:
            tags = _tags(db, [f[0] for f in found])
            found = [(i, v, tags.get(i)) for i, v, _ in found]
    return found if len(found) <= limit else None


def _upper_bound(db, match: str) -> int | None:
    """PostgreSQL: at most how many passages a match of terms joined by AND or into phrases can find (its
    rarest term's count), or None for any other match."""
    if not _AND_ONLY.fullmatch(match):
        return None
    terms = sorted({_unquote(t) for t in _LEXEME.findall(match)})
    if not terms:
        return None
    counted = _COUNTED.format(term="t.term")
    return int(db.execute(f"SELECT MIN({counted}) FROM unnest(CAST(? AS TEXT[])) AS t (term)", [terms]).fetchone()[0])


def _tags(db, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in range(0, len(ids), 900):
        part = ids[chunk:chunk + 900]
        out.update(db.execute(f"SELECT id, tags FROM passages WHERE id IN ({','.join('?' * len(part))})",
                              part).fetchall())
    return out


def term_count(db, term: str) -> int:
    """PostgreSQL: how many passages hold the lexeme `term` ('' : how many passages are indexed)."""
    return int(db.execute(f"SELECT {_COUNTED.format(term='?')}", [term, term]).fetchone()[0])


def size(db) -> int:
    """How many passages are indexed (PostgreSQL: from the term counts, not a scan of a million rows)."""
    if dialect(db) == "postgresql":
        return term_count(db, "")
    return db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]


def fold(db, least: int = 1) -> int:
    """Fold the count deltas into one row per term, if there are `least` rows of them (PostgreSQL; SQLite
    has nothing to fold). Returns how many rows of deltas (one per write statement) were folded; 0 as well
    when another process is folding them (counts are exact either way: folding keeps them quick to read,
    and folding fewer times folds each term fewer times). Safe beside writers: they only ever append."""
    if dialect(db) != "postgresql":
        return 0
    if least > 1 and db.execute("SELECT COUNT(*) FROM (SELECT 1 FROM fts_term_deltas LIMIT ?) AS f",
                                [least]).fetchone()[0] < least:
        return 0
    with db.transaction():
        if not db.execute("SELECT pg_try_advisory_xact_lock(20222)").fetchone()[0]:
            return 0
        return _fold(db)


def _fold(db) -> int:
    folded = db.execute(
        "WITH moved AS (DELETE FROM fts_term_deltas RETURNING terms, ns), "
        "summed AS (SELECT d.term, SUM(d.n) AS n FROM moved, unnest(moved.terms, moved.ns) AS d (term, n) "
        "GROUP BY d.term), "
        "kept AS (INSERT INTO fts_term_counts AS c (term, n) SELECT term, n FROM summed "
        "ON CONFLICT (term) DO UPDATE SET n = c.n + EXCLUDED.n RETURNING term, n) "
        "SELECT (SELECT COUNT(*) FROM moved), ARRAY(SELECT term FROM kept WHERE n = 0)").fetchone()
    if folded[1]:  # terms no passage holds any more (a deleted document's tag)
        db.execute("DELETE FROM fts_term_counts WHERE term = ANY(?) AND n = 0", [folded[1]])
    return int(folded[0])


def count_asked(db, limit: int = 4) -> int:
    """Start keeping the counts of broad matches searches asked for (PostgreSQL): each is counted once with
    writers held off (a SHARE ROW EXCLUSIVE lock, at most 2 s of waiting), and from the same moment the
    triggers count every passage written. Beyond MAX_WATCHED, the least recently asked are let go.
    Returns how many matches were taken on."""
    if dialect(db) != "postgresql":
        return 0
    import psycopg

    done = 0
    for (match,) in db.execute("SELECT match FROM fts_watched WHERE state = 'asked' ORDER BY asked_at DESC LIMIT ?",
                               [limit]).fetchall():
        try:
            with db.transaction():
                db.execute("SET LOCAL lock_timeout = '2s'")
                db.execute("LOCK TABLE passages_fts IN SHARE ROW EXCLUSIVE MODE")  # also one taker at a time
                if db.execute("UPDATE fts_watched SET state = 'counted' WHERE match = ? AND state = 'asked'",
                              [match]).rowcount:
                    n = db.execute(f"SELECT COUNT(*) {MATCH_FROM}", [match]).fetchone()[0]
                    db.execute("INSERT INTO fts_term_deltas (terms, ns) VALUES (ARRAY[?], ARRAY[?])", [" " + match, n])
                    done += 1
        except psycopg.errors.LockNotAvailable:
            break  # a long write in flight: the next upkeep tries again
    gone = [m for (m,) in db.execute("SELECT match FROM fts_watched WHERE state = 'counted' ORDER BY asked_at DESC "
                                     "OFFSET ?", [MAX_WATCHED]).fetchall()]
    if gone:
        with contextlib.suppress(psycopg.errors.LockNotAvailable), db.transaction():
            db.execute("SET LOCAL lock_timeout = '2s'")
            db.execute("LOCK TABLE passages_fts IN SHARE ROW EXCLUSIVE MODE")  # no delta of theirs in flight
            db.execute("DELETE FROM fts_watched WHERE match = ANY(?)", [gone])
            db.execute("SELECT pg_advisory_xact_lock(20222)")  # no fold in flight could bring their rows back
            _fold(db)  # their deltas into their rows, which then go
            db.execute("DELETE FROM fts_term_counts WHERE term = ANY(?)", [[" " + m for m in gone]])
    return done


def newest(db, match: str, limit: int, *, rank: str | None = None, total: int | None = None,
           with_tags: bool = False) -> list[tuple[int, float, str | None]]:
    """The `limit` newest passages `match` finds, newest first: (rowid, `rank` or 0.0, tags if `with_tags`).

    `rank` is a bm25(passages_fts, …) expression; `total`, when known, is how many the match finds. On
    PostgreSQL a broad match (total ≥ √(limit × passages)) walks the primary key backwards, checking each
    row, instead of reading every match and sorting: the planner guesses a phrase's share of rows 30-170x
    too low and would choose a bitmap or a whole-table scan (2,000 newest of 180k phrase matches in 1M
    passages: 650-900 -> 20 ms)."""
    r = rank or "0.0"
    if dialect(db) == "postgresql":
        sql = f"SELECT rowid, {r} AS r, tags {MATCH_FROM} ORDER BY rowid DESC LIMIT {int(limit)}"
        walk = total is not None and total * total >= limit * size(db)
        with db.settings(enable_bitmapscan="off", enable_seqscan="off") if walk else contextlib.nullcontext():
            rows = db.execute(sql, [match]).fetchall()
        return [(row[0], float(row[1]), row[2] if with_tags else None) for row in rows]
    rows = db.execute(f"SELECT rowid, {r} AS r {MATCH_FROM} ORDER BY rowid DESC LIMIT {int(limit)}",
                      [match]).fetchall()
    tags = _tags(db, [row[0] for row in rows]) if with_tags else {}
    return [(row[0], float(row[1]), tags.get(row[0])) for row in rows]


_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<op>AND|OR|NOT)\b|'
                    r'(?P<col>\w+):"(?P<phrase>(?:[^"]|"")*)"(?P<star>\*)?)')


def query(db, expr: str) -> str:
    """The MATCH parameter for `expr`: the expression itself on SQLite, its tsquery on PostgreSQL."""
    return to_tsquery(expr) if dialect(db) == "postgresql" else expr


def to_tsquery(expr: str) -> str:
    """An FTS5 expression of index/ as tsquery text.

    >>> to_tsquery('grams:"高标 标准" AND (tags:"m15" OR tags:"m16") NOT tags:"rx"')
    "('高标' <-> '标准') & ( ('T|m15') | ('T|m16') ) & ! ('T|rx')"
    """
    out: list[str] = []
    pos = 0
    pending_binary = False
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m or m.end() == pos:
            if expr[pos:].strip() == "":
                break
            raise ValueError(f"cannot read the search expression at {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m["open"]:
            if pending_binary:
                out.append("&")
            out.append("(")
            pending_binary = False
        elif m["close"]:
            out.append(")")
            pending_binary = True
        elif m["op"]:
            out.append({"AND": "&", "OR": "|", "NOT": "& !"}[m["op"]])
            pending_binary = False
        else:
            if pending_binary:
                out.append("&")
            pre = PREFIX[m["col"]]
            terms = [t for t in m["phrase"].replace('""', '"').split() if t]
            if not terms:
                out.append("''")
            elif m["star"]:
                out.append(f"{_lexeme(pre + terms[0])}:*")
            else:
                out.append("(" + " <-> ".join(_lexeme(pre + t) for t in terms) + ")")
            pending_binary = True
    return " ".join(out)
