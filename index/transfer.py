"""Moving a store between databases: SQLite to PostgreSQL and back, losslessly.

`copy_store` copies every table row by row in primary-key order (ids kept, so citations, reviews and
recommendation lists still point at the same passages), rebuilds the full-text index on the target from
each passage's stored terms, moves the target's id sequences past the copied ids, and compares every
table afterwards: row counts and a checksum over the rows in key order (`table_checksum`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from index import fts
from index.grams import index_text
from index.pg import PRIMARY_KEYS, SERIAL
from index.store import Store, StoreError

# in dependency order; the passages' tsvector (PostgreSQL) and FTS5 rows (SQLite) are rebuilt, not copied
TABLES = ("campaigns", "measures", "batches", "files", "documents", "document_measures", "passages",
          "passage_labels", "figures", "reviews", "tokens", "workers", "recommendations", "recommendation_lists",
          "passage_sketches", "passage_copies")
BATCH = 2000


class TargetNotEmpty(StoreError):
    code = "target_not_empty"


@dataclass
class TableReport:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def equal(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


def _order(table: str) -> str:
    return ", ".join(f'"{k}"' for k in PRIMARY_KEYS[table])


def _canonical(value):
    if isinstance(value, float) and value.is_integer():
        return int(value) if abs(value) < 2**53 else value
    return value


def table_checksum(store: Store, table: str, columns: list[str]) -> tuple[int, str]:
    """Rows and a sha256 over them in key order, values made comparable across dialects."""
    h = hashlib.sha256()
    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    for row in store.db.query(f"SELECT {cols} FROM {table} ORDER BY {_order(table)}"):
        h.update(json.dumps([_canonical(row[c]) for c in columns], ensure_ascii=False, default=str).encode())
        n += 1
    return n, h.hexdigest()[:16]


def copy_store(source: Store, target: Store, *, progress: Callable[[str, int, int], None] | None = None,
               ) -> list[TableReport]:
    """Copy every row of `source` into the empty `target`; returns the per-table comparison."""
    if any(target.db[t].count for t in ("documents", "files", "tokens")):
        raise TargetNotEmpty("the target store already holds documents, files or tokens; copy into an empty one")
    reports = []
    for table in TABLES:
        on_target = target.db[table].columns_dict
        columns = [c for c in source.db[table].columns_dict if c in on_target]
        total = source.db[table].count
        cols = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(columns))})"
        done = 0
        with target.write():
            target.db.execute(f"DELETE FROM {table}")  # campaigns and measures the target wrote when it opened
            batch = []
            for row in source.db.query(f"SELECT {cols} FROM {table} ORDER BY {_order(table)}"):
                batch.append([row[c] for c in columns])
                if len(batch) >= BATCH:
                    target.db.conn.executemany(sql, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(table, done, total)
            if batch:
                target.db.conn.executemany(sql, batch)
                done += len(batch)
            if table == "passages":
                _reindex(target)
            if target.dialect == "postgresql" and table in SERIAL:
                target.db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
        if progress:
            progress(table, done, total)
        n_s, h_s = table_checksum(source, table, columns)
        n_t, h_t = table_checksum(target, table, columns)
        reports.append(TableReport(table, n_s, n_t, h_s, h_t))
    return reports


def _reindex(store: Store) -> None:
    """The full-text index of every passage, from its stored text, words and tags."""
    if store.dialect == "postgresql":
        store.db.execute("DELETE FROM passages_fts")
    else:
        store.db.execute("INSERT INTO passages_fts(passages_fts) VALUES ('delete-all')")
    last = 0
    while True:
        rows = list(store.db.query("SELECT id, heading, text, words, tags FROM passages WHERE id > ? ORDER BY id "
                                   "LIMIT ?", [last, BATCH]))
        if not rows:
            return
        fts.write_many(store.db, [
            (row["id"], index_text(f"{row['heading']}\n{row['text']}" if row["heading"] else row["text"]),
             row["words"] or "", row["tags"] or "") for row in rows])
        fts.fold(store.db)  # the batch's term counts, folded as it goes
        last = rows[-1]["id"]
