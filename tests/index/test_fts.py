"""Full-text counts and newest windows: exact in both dialects, whichever way they are read.

On PostgreSQL a one-lexeme match is counted from the term counts the triggers keep (index/pg.py), and a
broad match's newest window may walk the primary key; these tests hold both to the plain statement.
On SQLite the same assertions hold for FTS5's own counts.
"""

from __future__ import annotations

import os

import pytest

from index import Store, fts
from index.fts import MATCH_FROM, query

PG = os.environ.get("JILI_DATABASE_URL", "")
RANK = "bm25(passages_fts, 1.0, 2.0, 0.0)"

TEXTS = ["全年新增高新技术企业12家，同比增长8.5%", "建成高标准农田3万亩", "营商环境评价居全市第2位",
         "新增市场主体1.2万户，同比增长3.1%", "培育专精特新企业5家", "接待游客120万人次，增长12%"]
MATCHES = ['grams:"增长"', 'grams:"企业"', 'grams:"农田"', 'words:"a\'b"', 'words:"c\\d"', 'tags:"m3"',
           'tags:"r璧山区"', 'grams:"老旧"', 'tags:"m7"', 'grams:"无此"']


def _store(tmp_path, passages: int = 0, *, words: str = "", measures: int = 3) -> Store:
    """A store of one document with `passages` passages of TEXTS, tagged m0..m(measures-1) in turn."""
    store = Store(tmp_path)
    with store.write() as db:
        db.execute("INSERT INTO documents (id, filename, format, region) VALUES ('d1', 'a.pdf', 'pdf', '璧山区')")
        for i in range(1, passages + 1):
            _write(store, i, TEXTS[i % len(TEXTS)], words, f"m{i % measures}")
    return store


def _write(store: Store, pid: int, text: str, words: str, tags: str) -> None:
    from index.grams import index_text

    store.db.execute("INSERT OR REPLACE INTO passages (id, document_id, seq, text, words, tags) VALUES (?,?,?,?,?,?)",
                     [pid, "d1", pid, text, words, tags])
    fts.write(store.db, pid, index_text(text), words, tags)


def _counted(db, expr: str) -> int:
    return db.execute(f"SELECT COUNT(*) {MATCH_FROM}", [query(db, expr)]).fetchone()[0]


def _assert_counts_exact(store: Store) -> None:
    db = store.db
    for expr in MATCHES:
        assert fts.count(db, query(db, expr)) == _counted(db, expr), expr
    assert fts.size(db) == db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
    if store.dialect == "postgresql":  # every lexeme's count, not only the ones asked above
        kept = dict(db.execute("SELECT term, SUM(n) FROM (SELECT term, n FROM fts_term_counts UNION ALL "
                               "SELECT d.term, d.n FROM fts_term_deltas AS f, unnest(f.terms, f.ns) AS d (term, n)) "
                               "AS c WHERE term NOT LIKE ' %' GROUP BY term HAVING SUM(n) <> 0").fetchall())
        recounted = dict(db.execute("SELECT t, COUNT(*) FROM passages_fts, "
                                    "unnest(array_append(tsvector_to_array(fts), '')) AS t GROUP BY t").fetchall())
        assert kept == recounted


def test_a_one_term_count_is_exact_after_writes_rewrites_and_deletes_folded_or_not(tmp_path):
    from index.grams import index_text

    store = _store(tmp_path)
    with store.write():
        for i in range(1, 31):
            words = "a'b c\\d" if i % 4 == 0 else "企业"
            _write(store, i, TEXTS[i % len(TEXTS)], words, f"m{i % 5} r璧山区 dd1")
    assert fts.count(store.db, query(store.db, 'grams:"增长"')) == 15
    _assert_counts_exact(store)
    with store.write():  # a review changes a passage's tags; a reclassification rewrites one in place
        for i in range(1, 10):
            row = next(store.db.query("SELECT text, words, tags FROM passages WHERE id = ?", [i]))
            fts.delete(store.db, i, index_text(row["text"]), row["words"], row["tags"])
            fts.write(store.db, i, index_text(row["text"]), row["words"], row["tags"] + " m3 cleared")
        _write(store, 12, "改造老旧小区15个", "老旧小区", "m7")
    _assert_counts_exact(store)
    assert store.upkeep_index() >= 0
    _assert_counts_exact(store)
    with store.write():  # a document re-ingested: its passages go
        for i in range(20, 31):
            row = next(store.db.query("SELECT text, words, tags FROM passages WHERE id = ?", [i]))
            fts.delete(store.db, i, index_text(row["text"]), row["words"], row["tags"])
            store.db.execute("DELETE FROM passages WHERE id = ?", [i])
    _assert_counts_exact(store)
    store.upkeep_index()
    _assert_counts_exact(store)
    assert store.upkeep_index() == 0  # nothing left to fold
    if store.dialect == "postgresql":  # every count above came from one folded row per term
        assert store.db.execute("SELECT COUNT(*) FROM fts_term_deltas").fetchone()[0] == 0
        assert fts.term_count(store.db, "增长") == _counted(store.db, 'grams:"增长"') > 0
        assert fts.term_count(store.db, "T|m3") == _counted(store.db, 'tags:"m3"') > 0
    store.close()


def test_the_newest_window_of_a_broad_match_is_the_same_whichever_plan_reads_it(tmp_path):
    store = _store(tmp_path, 40)
    db = store.db
    for expr in ('grams:"增长"', 'grams:"同比 比增 增长"', 'tags:"m1"'):
        match = query(db, expr)
        total = fts.count(db, match)
        planned = fts.newest(db, match, 5, rank=RANK, with_tags=True)
        walked = fts.newest(db, match, 5, rank=RANK, total=total, with_tags=True)  # total² ≥ 5 × 40: a walk
        assert walked == planned
        assert [r[0] for r in walked] == sorted((r[0] for r in walked), reverse=True)
        assert len(walked) == min(5, total) and all(t and t.startswith("m") for _, _, t in walked)
        every = [r["rowid"] for r in db.query(f"SELECT rowid {MATCH_FROM} ORDER BY rowid DESC", [match])]
        assert [r[0] for r in walked] == every[:5]
    store.close()


def test_a_broad_phrase_asked_for_is_counted_as_passages_come_and_go(tmp_path, monkeypatch):
    from index.grams import index_text

    monkeypatch.setattr(fts, "WATCH_FROM", 3)
    monkeypatch.setattr(fts, "MAX_WATCHED", 2)
    store = _store(tmp_path, 24, measures=4)
    db = store.db
    phrases = ['grams:"同比 比增 增长"', 'grams:"高新 新技 技术"', '(grams:"企业") AND (tags:"m1")',
               'grams:"增长" OR grams:"农田"']

    def exact(expr: str) -> None:
        assert fts.count(db, query(db, expr)) == _counted(db, expr), expr

    for expr in phrases[:2]:
        exact(expr)  # counted by visiting the matches, and asked to be kept
    store.upkeep_index()  # what a worker does between files
    if store.dialect == "postgresql":
        assert dict(db.execute("SELECT match, state FROM fts_watched").fetchall()) == {
            query(db, e): "counted" for e in phrases[:2]}
    with store.write():
        _write(store, 30, "同比增长9%，新增高新技术企业3家", "", "m1")
        _write(store, 31, "高新技术产业产值同比增长11%", "", "m3")
        _write(store, 9, "建成高标准农田2万亩", "", "m2")  # held 同比增长; rewritten in place, holds it no more
        row = next(db.query("SELECT text, words, tags FROM passages WHERE id = 6"))  # held both phrases
        fts.delete(db, 6, index_text(row["text"]), row["words"], row["tags"])
        db.execute("DELETE FROM passages WHERE id = 6")
    for expr in phrases:
        exact(expr)
    store.upkeep_index()
    for expr in phrases:
        exact(expr)
    if store.dialect == "postgresql":  # two kept at most: the one asked longest ago is let go, and its counts
        watched = dict(db.execute("SELECT match, state FROM fts_watched").fetchall())
        assert list(watched.values()).count("counted") == 2 and len(watched) == 3
        assert db.execute("SELECT COUNT(*) FROM fts_term_counts WHERE term LIKE ' %'").fetchone()[0] <= 2
    store.close()


@pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs JILI_DATABASE_URL=postgresql://…")
def test_a_store_made_before_the_term_counts_gains_them_on_opening_and_a_truncate_empties_them(tmp_path):
    store = _store(tmp_path, 20, words="企业", measures=4)
    with store.write() as db:  # the store as pg004 left it: no term counts, no triggers
        for event in ("inserted", "deleted", "updated", "truncated"):
            db.execute(f"DROP TRIGGER fts_terms_{event} ON passages_fts")
        db.execute("DROP TABLE fts_term_counts")
        db.execute("DROP TABLE fts_term_deltas")
        db.execute("UPDATE _jili_schema SET version = 'pg004'")
        _write(store, 21, TEXTS[0], "", "m9")
    store.close()
    store = Store(tmp_path)
    _assert_counts_exact(store)
    assert fts.size(store.db) == 21
    store.db.execute("TRUNCATE passages_fts")
    assert fts.size(store.db) == 0 and fts.count(store.db, query(store.db, 'grams:"增长"')) == 0
    store.close()


def test_the_matches_of_a_selective_search_come_whole_or_not_at_all(tmp_path, monkeypatch):
    store = _store(tmp_path, 30)
    db = store.db
    for expr in ('grams:"农田"', 'grams:"同比 比增 增长"', '(grams:"企业") AND (tags:"m1")', 'grams:"无此"'):
        match = query(db, expr)
        found = fts.few(db, match, 20, rank=RANK)
        every = sorted(r["rowid"] for r in db.query(f"SELECT rowid {MATCH_FROM}", [match]))
        assert found is not None and sorted(f[0] for f in found) == every, expr
        assert all(t and t.startswith("m") for _, _, t in found)
        assert fts.few(db, match, len(every) - 1, rank=RANK) is None or not every
    monkeypatch.setattr(fts, "FEW_BOUND", 3)  # PostgreSQL: terms in more passages than this are not read
    broad = query(db, 'grams:"同比 比增 增长"')
    assert (fts.few(db, broad, 20) is None) == (store.dialect == "postgresql")
    store.close()
