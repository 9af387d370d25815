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
"""

from __future__ import annotations

import re

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
    if dialect(db) == "postgresql":
        db.execute("INSERT INTO passages_fts (rowid, fts, tags) VALUES (?, CAST(? AS tsvector), ?) "
                   "ON CONFLICT (rowid) DO UPDATE SET fts = EXCLUDED.fts, tags = EXCLUDED.tags",
                   [passage_id, tsvector_literal(grams, words, tags), tags])
    else:
        db.execute("INSERT INTO passages_fts(rowid, grams, words, tags) VALUES (?, ?, ?, ?)",
                   [passage_id, grams, words, tags])


def delete(db, passage_id: int, grams: str, words: str, tags: str) -> None:
    """Forget a passage's terms (SQLite's contentless table needs the terms it was given)."""
    if dialect(db) == "postgresql":
        db.execute("DELETE FROM passages_fts WHERE rowid = ?", [passage_id])
    else:
        db.execute("INSERT INTO passages_fts(passages_fts, rowid, grams, words, tags) VALUES ('delete', ?, ?, ?, ?)",
                   [passage_id, grams, words, tags])


def matched_tags(db, match: str, newest: int | None = None) -> str | None:
    """The tags of every passage that `match` (a `query` parameter) finds, or of its `newest` ones, joined.

    On PostgreSQL the narrow full-text table carries the tags beside the vector, so facets come from the
    same index scan as the match (no lookup of each passage's wide row: 16 -> 7 ms for 2,500 matches)."""
    limit = f" ORDER BY rowid DESC LIMIT {int(newest)}" if newest else ""
    if dialect(db) == "postgresql":
        sql = (f"SELECT string_agg(tags, ' ') FROM (SELECT tags FROM passages_fts WHERE fts @@ CAST(? AS tsquery)"
               f"{limit}) AS m")
    else:
        sql = f"SELECT group_concat(tags, ' ') FROM passages WHERE id IN (SELECT rowid {MATCH_FROM}{limit})"
    return db.execute(sql, [match]).fetchone()[0]


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
