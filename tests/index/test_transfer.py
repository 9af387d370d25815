"""`jili db copy`: a store moved to another database and back answers every search exactly as before."""

from __future__ import annotations

import os
import uuid

import pytest
from click.testing import CliRunner

from api.commands.db import copy_cmd
from index import Store, fts, search
from index.transfer import TargetNotEmpty, copy_store

QUERIES = ["高标准农田", "河长制", "积分制", "营商环境", "招商引资", "粮食", "养老服务", "老旧小区", "专精特新",
           "一网通办", "林长", "就业", "数字化", "渝快办", "脱贫", "消费", "科技", "安全生产", "3.2万亩", "合川区"]
PG = os.environ.get("JILI_DATABASE_URL", "")


def _answers(store: Store) -> dict:
    out = {}
    for q in QUERIES:
        res = search(store, q, size=50)
        out[q] = (res.total, [h.passage_id for h in res.hits], res.facets["measure"], res.facets["region"])
    return out


def _sets(answers: dict) -> dict:
    """What must agree across dialects, whose ranking differs: totals, hit sets and facets."""
    return {q: (total, sorted(ids), measures, regions) for q, (total, ids, measures, regions) in answers.items()}


def test_a_copy_to_another_sqlite_store_and_back_answers_the_same(sample_store, tmp_path):
    before = _answers(sample_store)
    middle = Store(tmp_path / "middle", url="sqlite:")
    reports = copy_store(sample_store, middle)
    assert all(r.equal for r in reports), [r for r in reports if not r.equal]
    assert {r.table for r in reports} >= {"documents", "passages", "figures", "reviews", "tokens", "recommendations"}
    back = Store(tmp_path / "back", url="sqlite:")
    assert all(r.equal for r in copy_store(middle, back))
    if sample_store.dialect == "sqlite":
        assert _answers(back) == before
    else:  # the suite's store is on PostgreSQL, its copies on SQLite: the same answers, ranked by bm25
        assert _sets(_answers(back)) == _sets(before)
    with pytest.raises(TargetNotEmpty):
        copy_store(sample_store, back)
    for s in (middle, back):
        s.close()


@pytest.mark.skipif(not PG.startswith("postgresql"), reason="needs JILI_DATABASE_URL=postgresql://…")
def test_a_copy_to_postgresql_and_back_gives_identical_search_results(sample_store, tmp_path):
    from index.pg import split_url

    source = sample_store
    if source.dialect == "postgresql":  # the suite runs on PostgreSQL: start from a SQLite copy of it
        source = Store(tmp_path / "sqlite", url="sqlite:")
        copy_store(sample_store, source)
    base, _ = split_url(PG, tmp_path)
    url = f"{base}{'&' if '?' in base else '?'}schema=copy_{uuid.uuid4().hex[:10]}"
    result = CliRunner().invoke(copy_cmd, [str(source.data_dir), url])
    assert result.exit_code == 0, result.output
    assert "DIFFERENT" not in result.stdout and "passages" in result.stdout
    pg = Store(tmp_path / "pg", url=url)
    assert _sets(_answers(pg)) == _sets(_answers(source))  # same totals, hits and facets; ranking may differ
    for table in ("files", "passages", "figures", "tokens"):  # new rows get ids after the copied ones
        top = pg.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0]
        assert pg.db.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))").fetchone()[0] > top, table
    assert fts.size(pg.db) == pg.db["passages"].count > 0  # the copy's full-text counts, from its own rows
    for expr in ('grams:"企业"', 'tags:"m1"'):
        match = fts.query(pg.db, expr)
        assert fts.count(pg.db, match) == pg.db.execute(f"SELECT COUNT(*) {fts.MATCH_FROM}", [match]).fetchone()[0]
    back_dir = tmp_path / "back"
    result = CliRunner().invoke(copy_cmd, [url, str(back_dir)])
    assert result.exit_code == 0, result.output
    back = Store(back_dir, url="sqlite:")
    assert _answers(back) == _answers(source)  # identical, ranking included
    for s in {pg, back, source} - {sample_store}:
        s.close()
