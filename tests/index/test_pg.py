"""The PostgreSQL dialect: statements translated, FTS5 expressions as tsqueries, the same schema."""

from __future__ import annotations

import os
import uuid

import pytest

from index import Store
from index.fts import to_tsquery, tsvector_literal
from index.pg import PRIMARY_KEYS, split_url, translate

PG = os.environ.get("JILI_DATABASE_URL", "")


def test_placeholders_and_literal_percent_signs():
    assert translate("SELECT id FROM passages WHERE tags LIKE '%xcleared%' AND id = ?") == \
        "SELECT id FROM passages WHERE tags LIKE '%%xcleared%%' AND id = %s"
    assert translate("UPDATE files SET worker = :worker WHERE id = :id") == \
        "UPDATE files SET worker = %(worker)s WHERE id = %(id)s"
    assert "%(" not in translate("SELECT CAST(? AS tsvector)::text")


def test_sqlite_only_forms_become_their_postgresql_equivalents():
    assert translate("INSERT OR IGNORE INTO passage_sketches (key, passage_id) VALUES (?, ?)").endswith(
        "ON CONFLICT DO NOTHING")
    replaced = translate("INSERT OR REPLACE INTO passage_labels (passage_id, measure, score) VALUES (?, ?, ?)")
    assert 'ON CONFLICT (passage_id, measure) DO UPDATE SET "score" = EXCLUDED."score"' in replaced
    assert "string_agg(tags, ' ')" in translate("SELECT group_concat(tags, ' ') FROM passages")
    assert "worker IS NOT DISTINCT FROM %s" in translate("UPDATE files SET x = 1 WHERE worker IS ?")
    assert translate("BEGIN IMMEDIATE") == "BEGIN"


def test_the_full_text_table_reads_the_tsvector_column_with_the_same_column_weights():
    sql = translate("SELECT rowid, bm25(passages_fts, 1.0, 2.0, 0.0) AS r FROM passages_fts WHERE passages_fts MATCH ?")
    assert "fts @@ _q" in sql and "CAST(%s AS tsquery) AS _q" in sql
    assert "ts_rank_cd('{0, 0, 1, 0.5}', fts, _q, 1)" in sql  # tags 0, words 2, grams 1, scaled into 0..1


def test_phrases_prefixes_and_boolean_operators_become_a_tsquery():
    assert to_tsquery('grams:"高标 标准 准农"') == "('高标' <-> '标准' <-> '准农')"
    assert to_tsquery('grams:"农"*') == "'农':*"
    assert to_tsquery('(grams:"河长") OR words:"河长制" NOT tags:"m1"') == \
        "( ('河长') ) | ('W|河长制') & ! ('T|m1')"
    assert to_tsquery("tags:\"r重庆's\"") == "('T|r重庆''s')"


def test_a_passage_vector_keeps_positions_per_column_and_never_joins_columns_into_a_phrase():
    literal = tsvector_literal("高标 标准", "高标准", "m15")
    assert literal == "'高标':1A '标准':2A 'W|高标准':67B 'T|m15':132C"


def test_a_schema_per_data_directory_or_a_named_one():
    url, schema = split_url("postgresql://u@/jili?host=/tmp/pg&schema=auto", "/data/a")
    assert schema.startswith("jili_") and "schema" not in url and "host=" in url
    assert split_url("postgresql://u@/jili?host=/tmp/pg&schema=auto", "/data/b")[1] != schema
    assert split_url("postgresql://u@h/jili", "/x")[1] == "jili"
    with pytest.raises(ValueError):
        split_url("postgresql://u@h/jili?schema=a;drop", "/x")


@pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs JILI_DATABASE_URL=postgresql://…")
def test_postgresql_has_every_table_and_column_the_sqlite_migrations_make(tmp_path):
    base, _ = split_url(PG, tmp_path)
    pg = Store(tmp_path / "pg", url=f"{base}{'&' if '?' in base else '?'}schema=cmp_{uuid.uuid4().hex[:8]}")
    lite = Store(tmp_path / "lite", url="sqlite:")
    for table in PRIMARY_KEYS:
        lite_cols = [r[1] for r in lite.db.execute(f"PRAGMA table_info({table})").fetchall()]
        pg_cols = [r["column_name"] for r in pg.db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position", [pg.db.schema, table])]
        assert sorted(pg_cols) == sorted(lite_cols), table
    pg.close()
    lite.close()


def test_a_nul_in_a_value_is_stored_without_failing_and_as_a_filter_matches_nothing(tmp_path):
    store = Store(tmp_path)  # the run's backend: SQLite keeps NUL, PostgreSQL stores U+FFFD in its place
    with store.write() as db:
        db.execute("INSERT INTO batches (id, created_at, uploader) VALUES (?, ?, ?)", ["b1", "t", "甲\x00乙"])
    assert len(next(store.db.query("SELECT uploader FROM batches WHERE id = ?", ["b1"]))["uploader"]) == 3
    assert list(store.db.query("SELECT id FROM batches WHERE uploader = ?", ["\x00"])) == []
    store.close()
