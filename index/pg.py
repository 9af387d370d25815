"""PostgreSQL behind the same small database interface the store uses on SQLite.

`index/` writes its SQL once, in the SQLite dialect the project started with (``?`` placeholders,
``INSERT OR IGNORE``, ``group_concat``, ``x IS ?``, FTS5 ``MATCH``). Where PostgreSQL says the same thing
differently, `translate` rewrites the statement (cached per statement text):

* ``?`` and ``:name`` placeholders -> ``%s`` / ``%(name)s`` (and a literal ``%`` -> ``%%``);
* ``INSERT OR IGNORE`` -> ``ON CONFLICT DO NOTHING``; ``INSERT OR REPLACE`` -> ``ON CONFLICT (key) DO UPDATE``;
* ``group_concat(x, s)`` -> ``string_agg(x, s)``; ``a IS ?`` -> ``a IS NOT DISTINCT FROM %s``;
* the full-text table: ``FROM passages_fts WHERE passages_fts MATCH ?`` reads the ``fts`` tsvector of
  the narrow ``passages_fts`` table (rowid, fts, tags; GIN-indexed) against the query given as a tsquery (index/fts.py turns the FTS5
  expression into one), and ``bm25(passages_fts, a, b, c)`` becomes ``-ts_rank_cd(…, 1)`` (cover density, log length normalisation; ``ts_rank``'s term
  frequency was faster but ranked publicity's practices lower: tests/test_declarations_eval.py) with the same column
  weights. An INSERT that needs ``lastrowid`` gets ``RETURNING id``.

Everything that cannot be said in one dialect lives beside its SQLite twin, chosen by `db.dialect`
(the queue's claim, the full-text writes and counts). The schema is `SCHEMA` below, kept equal to the SQLite
migrations' result (tests/index/test_pg.py compares them), plus what PostgreSQL alone needs: the full-text
term counts and the triggers that keep them.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

# ------------------------------------------------------------------------------------------- schema
# a passage's counted terms: its lexemes, and '' (so that '' counts the passages)
_TERMS = "unnest(array_append(tsvector_to_array(fts), ''))"
# one row of deltas: the statement's changes (term, n) as two arrays; nothing when nothing changed
_DELTAS = """
        INSERT INTO fts_term_deltas (terms, ns)
        SELECT array_agg(t), array_agg(n) FROM ({changes}
        ) AS c (t, n) HAVING count(*) > 0;"""
# a statement-level trigger on passages_fts and its function; the function keeps the search_path it was
# created with (the store's schema), so it writes the term counts beside the table that fired it
_TERM_TRIGGER = """DO $ddl$ BEGIN
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $f$
    BEGIN{body}
        RETURN NULL;
    END $f$;
    DROP TRIGGER IF EXISTS {name} ON passages_fts;
    CREATE TRIGGER {name} AFTER {event} ON passages_fts {transition} FOR EACH STATEMENT
        EXECUTE FUNCTION {name}();
END $ddl$"""
# (table, DDL): the SQLite migrations m001..m004 as PostgreSQL creates them. Text keeps SQLite's text
# timestamps and JSON; numbers are BIGINT and DOUBLE PRECISION (never NUMERIC: rows come back as floats).
SCHEMA: list[str] = [
    """CREATE TABLE IF NOT EXISTS campaigns (id BIGINT PRIMARY KEY, year BIGINT, doc_number TEXT, title TEXT,
        issued TEXT, data TEXT)""",
    """CREATE TABLE IF NOT EXISTS measures (campaign_id BIGINT, id BIGINT, title TEXT, lead_units TEXT,
        co_units TEXT, applicant_types TEXT, incentives TEXT, PRIMARY KEY (campaign_id, id))""",
    """CREATE TABLE IF NOT EXISTS batches (id TEXT PRIMARY KEY, created_at TEXT, uploader TEXT, region TEXT,
        note TEXT, start_turn BIGINT)""",
    """CREATE TABLE IF NOT EXISTS files (id BIGSERIAL PRIMARY KEY, batch_id TEXT, sha256 TEXT, filename TEXT,
        archive_path TEXT, uploader TEXT, region TEXT, size BIGINT, status TEXT, error_code TEXT,
        error_message TEXT, document_id TEXT, attempts BIGINT, lease_until DOUBLE PRECISION, worker TEXT,
        kind TEXT, parent_id BIGINT, depth BIGINT, created_at TEXT, updated_at TEXT, turn BIGINT,
        root_id BIGINT)""",
    "CREATE INDEX IF NOT EXISTS idx_files_batch_id ON files (batch_id)",
    "CREATE INDEX IF NOT EXISTS idx_files_status ON files (status)",
    "CREATE INDEX IF NOT EXISTS idx_files_sha256 ON files (sha256)",
    "CREATE INDEX IF NOT EXISTS idx_files_kind_status_id ON files (kind, status, id)",
    "CREATE INDEX IF NOT EXISTS files_queue ON files (turn, id) WHERE status = 'queued'",
    "CREATE INDEX IF NOT EXISTS files_active ON files (id) WHERE status IN ('queued', 'processing')",
    "CREATE INDEX IF NOT EXISTS idx_files_root_id ON files (root_id)",
    """CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, filename TEXT, archive_path TEXT, format TEXT,
        pages BIGINT, chars BIGINT, title TEXT, doc_number TEXT, issuer TEXT, signer TEXT, doc_date TEXT,
        region TEXT, region_code TEXT, applicant_type TEXT, township TEXT, campaign_year BIGINT,
        owner_regions TEXT, ocr_pages TEXT, warnings TEXT, metadata TEXT, document_json TEXT, model_version TEXT,
        classifier_version TEXT, rules_version TEXT, created_at TEXT, sha256 TEXT, county TEXT,
        region_source TEXT, region_warning TEXT, late BIGINT, late_source TEXT, late_date TEXT)""",
    "CREATE INDEX IF NOT EXISTS idx_documents_region ON documents (region)",
    "CREATE INDEX IF NOT EXISTS idx_documents_sha256 ON documents (sha256)",
    "CREATE INDEX IF NOT EXISTS idx_documents_county ON documents (county)",
    """CREATE TABLE IF NOT EXISTS document_measures (document_id TEXT, measure BIGINT, score DOUBLE PRECISION,
        eligible BIGINT, lead_units TEXT, co_units TEXT, model_version TEXT, level TEXT,
        probability DOUBLE PRECISION, PRIMARY KEY (document_id, measure))""",
    "CREATE INDEX IF NOT EXISTS idx_document_measures_measure ON document_measures (measure)",
    "CREATE INDEX IF NOT EXISTS idx_document_measures_measure_level ON document_measures (measure, level)",
    """CREATE TABLE IF NOT EXISTS passages (id BIGSERIAL PRIMARY KEY, document_id TEXT, span_id TEXT, seq BIGINT,
        text TEXT, page BIGINT, end_page BIGINT, start BIGINT, "end" BIGINT, heading TEXT, source TEXT,
        top_measure BIGINT, top_score DOUBLE PRECISION, scores TEXT, explanations TEXT, model_version TEXT,
        words TEXT, tags TEXT)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_passages_document_id_seq ON passages (document_id, seq)",
    # FTS5's table as a narrow one of its own: a broad count rechecks every matching row's tsvector, so the
    # rows hold nothing else, and the vector stays in the row (STORAGE MAIN: no TOAST lookup per row).
    # Measured at 1M passages: counts 2.3x faster than the vector as a column of passages.
    # (its tags beside the vector: facets come from the same scan as the match)
    "CREATE TABLE IF NOT EXISTS passages_fts (rowid BIGINT PRIMARY KEY, fts TSVECTOR NOT NULL, tags TEXT)",
    "ALTER TABLE passages_fts ALTER COLUMN fts SET STORAGE MAIN",
    "CREATE INDEX IF NOT EXISTS passages_fts_gin ON passages_fts USING GIN (fts)",
    # How many passages hold each lexeme ('' : how many passages there are), and how many each broad match
    # that searches asked for finds (' ' + its tsquery: no lexeme holds a space), kept exact by the
    # triggers below: index/fts.py counts from here instead of visiting every matching row. A write only
    # appends one row of signed deltas (its terms and their changes, as two arrays: no row is shared
    # between writers, so no lock waits, and one row per statement, not one per term); workers fold the
    # deltas into fts_term_counts every few seconds (fts.fold). A count is its row there plus its deltas.
    # (fillfactor 70: room on each page, so a fold updates a count in place instead of indexing a new copy)
    "CREATE TABLE IF NOT EXISTS fts_term_counts (term TEXT PRIMARY KEY, n BIGINT NOT NULL) WITH (fillfactor = 70)",
    "CREATE TABLE IF NOT EXISTS fts_term_deltas (terms TEXT[] NOT NULL, ns BIGINT[] NOT NULL)",
    # the broad matches counted as they change: 'asked' by a search (fts.count), 'counted' once a worker
    # has counted it with writers held off (fts.count_asked); from then on the triggers keep its count
    """CREATE TABLE IF NOT EXISTS fts_watched (match TEXT PRIMARY KEY, q TSQUERY NOT NULL, state TEXT NOT NULL,
        asked_at DOUBLE PRECISION NOT NULL)""",
    _TERM_TRIGGER.format(name="fts_terms_inserted", event="INSERT", transition="REFERENCING NEW TABLE AS new_rows",
                         body=_DELTAS.format(changes="""
            SELECT t, count(*) FROM new_rows, """ + _TERMS + """ AS t GROUP BY t
            UNION ALL
            SELECT ' ' || w.match, count(*) FROM fts_watched AS w JOIN new_rows AS r ON r.fts @@ w.q
            WHERE w.state = 'counted' GROUP BY w.match""")),
    _TERM_TRIGGER.format(name="fts_terms_deleted", event="DELETE", transition="REFERENCING OLD TABLE AS old_rows",
                         body=_DELTAS.format(changes="""
            SELECT t, -count(*) FROM old_rows, """ + _TERMS + """ AS t GROUP BY t
            UNION ALL
            SELECT ' ' || w.match, -count(*) FROM fts_watched AS w JOIN old_rows AS r ON r.fts @@ w.q
            WHERE w.state = 'counted' GROUP BY w.match""")),
    _TERM_TRIGGER.format(name="fts_terms_updated", event="UPDATE",
                         transition="REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", body=_DELTAS.format(
                             changes="""
            SELECT t, sum(s) FROM (
                SELECT unnest(tsvector_to_array(fts)) AS t, 1 AS s FROM new_rows
                UNION ALL SELECT unnest(tsvector_to_array(fts)), -1 FROM old_rows) AS c
            GROUP BY t HAVING sum(s) <> 0
            UNION ALL
            SELECT ' ' || w.match, sum(r.s) FROM fts_watched AS w JOIN (
                SELECT fts, 1 AS s FROM new_rows UNION ALL SELECT fts, -1 FROM old_rows) AS r ON r.fts @@ w.q
            WHERE w.state = 'counted' GROUP BY w.match HAVING sum(r.s) <> 0""")),
    _TERM_TRIGGER.format(name="fts_terms_truncated", event="TRUNCATE", transition="", body="""
        DELETE FROM fts_term_deltas;
        DELETE FROM fts_term_counts;"""),
    """CREATE TABLE IF NOT EXISTS passage_labels (passage_id BIGINT, measure BIGINT, score DOUBLE PRECISION,
        eligible BIGINT, origin TEXT, PRIMARY KEY (passage_id, measure))""",
    "CREATE INDEX IF NOT EXISTS idx_passage_labels_measure_score ON passage_labels (measure, score)",
    """CREATE TABLE IF NOT EXISTS figures (id BIGSERIAL PRIMARY KEY, document_id TEXT, passage_id BIGINT,
        segment_id TEXT, kind TEXT, value TEXT, value_num DOUBLE PRECISION, unit TEXT, metric TEXT, direction TEXT,
        approx BIGINT, is_target BIGINT, period_text TEXT, period_start TEXT, period_end TEXT, basis TEXT,
        scope TEXT, raw TEXT, start BIGINT, "end" BIGINT, page BIGINT, source TEXT, rule_id TEXT,
        rules_version TEXT, suspect BIGINT, suspect_reason TEXT)""",
    "CREATE INDEX IF NOT EXISTS idx_figures_document_id ON figures (document_id)",
    "CREATE INDEX IF NOT EXISTS idx_figures_passage_id ON figures (passage_id)",
    """CREATE TABLE IF NOT EXISTS reviews (id BIGSERIAL PRIMARY KEY, passage_id BIGINT, reviewer TEXT, action TEXT,
        measures TEXT, note TEXT, created_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS idx_reviews_passage_id ON reviews (passage_id)",
    """CREATE TABLE IF NOT EXISTS tokens (id BIGSERIAL PRIMARY KEY, name TEXT, token_hash TEXT, role TEXT,
        region TEXT, lead_units TEXT, created_at TEXT, revoked BIGINT)""",
    "CREATE UNIQUE INDEX IF NOT EXISTS idx_tokens_token_hash ON tokens (token_hash)",
    """CREATE TABLE IF NOT EXISTS workers (id TEXT PRIMARY KEY, host TEXT, pid BIGINT, proc_start TEXT, kind TEXT,
        started_at TEXT, heartbeat_at DOUBLE PRECISION, stopped_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS recommendations (measure BIGINT, campaign_id BIGINT, position BIGINT, region TEXT,
        justification TEXT, passage_ids TEXT, override BIGINT, PRIMARY KEY (measure, position))""",
    """CREATE TABLE IF NOT EXISTS recommendation_lists (measure BIGINT PRIMARY KEY, updated_at TEXT,
        updated_by TEXT)""",
    """CREATE TABLE IF NOT EXISTS passage_sketches (key BIGINT NOT NULL, passage_id BIGINT NOT NULL,
        PRIMARY KEY (key, passage_id))""",
    "CREATE INDEX IF NOT EXISTS passage_sketches_passage ON passage_sketches (passage_id)",
    """CREATE TABLE IF NOT EXISTS passage_copies (a BIGINT NOT NULL, b BIGINT NOT NULL, similarity DOUBLE PRECISION
        NOT NULL, boilerplate BIGINT NOT NULL, version TEXT, PRIMARY KEY (a, b))""",
    "CREATE INDEX IF NOT EXISTS passage_copies_b ON passage_copies (b)",
]
SCHEMA_VERSION = "pg005"  # the SQLite migrations to m004, and the full-text term counts (pg004 stores gain them)

# the conflict keys INSERT OR REPLACE needs on PostgreSQL
PRIMARY_KEYS = {
    "campaigns": ("id",), "measures": ("campaign_id", "id"), "batches": ("id",), "files": ("id",),
    "documents": ("id",), "document_measures": ("document_id", "measure"), "passages": ("id",),
    "passage_labels": ("passage_id", "measure"), "figures": ("id",), "reviews": ("id",), "tokens": ("id",),
    "workers": ("id",), "recommendations": ("measure", "position"), "recommendation_lists": ("measure",),
    "passage_sketches": ("key", "passage_id"), "passage_copies": ("a", "b"),
}
SERIAL = {"files", "passages", "figures", "reviews", "tokens"}


# -------------------------------------------------------------------------------------------- SQL
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?|:[A-Za-z_][A-Za-z0-9_]*|%|[^'\"?:%]+|.", re.S)


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """A statement of index/ in the PostgreSQL dialect (see the module docstring)."""
    out = []
    for tok in _TOKENS.findall(sql):
        if tok == "?":
            out.append("%s")
        elif tok == "%":
            out.append("%%")
        elif tok.startswith("'"):
            out.append(tok.replace("%", "%%"))
        elif tok.startswith(":") and len(tok) > 1 and out[-1:] != [":"]:
            out.append(f"%({tok[1:]})s")
        else:
            out.append(tok)
    s = "".join(out)
    s = re.sub(r"\bBEGIN IMMEDIATE\b", "BEGIN", s)
    s = re.sub(r"\bgroup_concat\(", "string_agg(", s)
    s = re.sub(r"\bIS %s", "IS NOT DISTINCT FROM %s", s)
    s = re.sub(r"\bIS %\((\w+)\)s", r"IS NOT DISTINCT FROM %(\1)s", s)
    # full text: the FTS5 table is the passages' tsvector column; the query comes as a tsquery
    s = re.sub(r"\bFROM passages_fts WHERE passages_fts MATCH %s",
               "FROM passages_fts, CAST(%s AS tsquery) AS _q WHERE fts @@ _q", s)
    s = re.sub(r"\bbm25\(passages_fts,\s*([\d.]+),\s*([\d.]+),\s*([\d.]+)\)", _rank, s)
    m = re.match(r"\s*INSERT OR (IGNORE|REPLACE) INTO (\w+)\s*\(([^)]*)\)", s)
    if m:
        kind, table, cols = m.group(1), m.group(2), [c.strip().strip('"') for c in m.group(3).split(",")]
        s = s[:m.start()] + f"INSERT INTO {table} ({m.group(3)})" + s[m.end():]
        if kind == "IGNORE":
            tail = " ON CONFLICT DO NOTHING"
        else:
            keys = PRIMARY_KEYS[table]
            rest = [c for c in cols if c not in keys]
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in rest)
            tail = f" ON CONFLICT ({', '.join(keys)}) DO " + (f"UPDATE SET {sets}" if rest else "NOTHING")
        s = _before_returning(s, tail)
    return s


def _rank(m: re.Match) -> str:
    """bm25's column weights as ts_rank_cd's {D, C, B, A} (grams A, words B, tags C), scaled into 0..1."""
    grams, words, tags = (float(x) for x in m.groups())
    top = max(grams, words, tags) or 1.0
    return f"(-ts_rank_cd('{{0, {tags / top:g}, {words / top:g}, {grams / top:g}}}', fts, _q, 1))"


def _before_returning(s: str, tail: str) -> str:
    i = s.upper().rfind(" RETURNING ")
    return s[:i] + tail + s[i:] if i >= 0 else s.rstrip().rstrip(";") + tail


def _param(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, list):  # an array parameter (index.fts.write_many)
        return [_param(x) for x in v]
    if isinstance(v, str) and "\x00" in v:
        # PostgreSQL text cannot hold NUL (SQLite's can): U+FFFD instead, so a filter value with a NUL matches
        # nothing on either backend and a stored text keeps its length instead of failing the statement
        return v.replace("\x00", "\ufffd")
    return v


def _params(params: Any) -> Any:
    """SQLite takes a bool for an INTEGER column and NUL in text; PostgreSQL wants the integer and no NUL."""
    if params is None:
        return None
    if isinstance(params, dict):
        return {k: _param(v) for k, v in params.items()}
    return [_param(v) for v in params]


# ------------------------------------------------------------------------------------------ adapter
class PgCursor:
    def __init__(self, cur, lastrowid: int | None = None):
        self._cur = cur
        self.lastrowid = lastrowid
        self.rowcount = cur.rowcount
        self.description = cur.description

    def fetchone(self):
        return self._cur.fetchone() if self._cur.description else None

    def fetchall(self):
        return self._cur.fetchall() if self._cur.description else []

    def __iter__(self):
        return iter(self.fetchall())


class PgTable:
    def __init__(self, db: PgDatabase, name: str):
        self.db, self.name = db, name

    @property
    def count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM {self.name}").fetchone()[0]

    def count_where(self, where: str, params: Sequence = ()) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM {self.name} WHERE {where}", params).fetchone()[0]

    @property
    def columns_dict(self) -> dict[str, str]:
        """Column name -> type, in table order (sqlite-utils' `Table.columns_dict`)."""
        return {r["column_name"]: r["data_type"] for r in self.db.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position", [self.db.schema, self.name])}

    def insert(self, record: dict, *, pk=None, replace: bool = False, ignore: bool = False, **_) -> PgTable:
        cols = list(record)
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE" if ignore else "INSERT"
        sql = f"{verb} INTO {self.name} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.last_pk = self.db.execute(sql, [record[c] for c in cols]).lastrowid
        return self

    def insert_all(self, records: Iterable[dict], *, replace: bool = False, ignore: bool = False, **_) -> PgTable:
        records = list(records)
        if not records:
            return self
        cols = list(records[0])
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE" if ignore else "INSERT"
        sql = f"{verb} INTO {self.name} ({', '.join(_q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.db.executemany(sql, [[r.get(c) for c in cols] for r in records])
        return self

    def update(self, pk, updates: dict) -> PgTable:
        keys = PRIMARY_KEYS[self.name]
        pk = pk if isinstance(pk, (list, tuple)) else [pk]
        sets = ", ".join(f"{_q(c)} = ?" for c in updates)
        where = " AND ".join(f"{_q(k)} = ?" for k in keys)
        self.db.execute(f"UPDATE {self.name} SET {sets} WHERE {where}", [*updates.values(), *pk])
        return self

    def get(self, pk) -> dict:
        keys = PRIMARY_KEYS[self.name]
        pk = pk if isinstance(pk, (list, tuple)) else [pk]
        row = next(self.db.query(f"SELECT * FROM {self.name} WHERE " + " AND ".join(f"{_q(k)} = ?" for k in keys),
                                 pk), None)
        if row is None:
            from index.store import NotFoundError

            raise NotFoundError(f"no {self.name} {pk}")
        return row


def _q(name: str) -> str:
    return f'"{name}"'


class PgDatabase:
    """A psycopg 3 connection with the interface index/ uses on sqlite-utils' Database."""

    dialect = "postgresql"

    def __init__(self, url: str, schema: str):
        import psycopg

        self.url, self.schema = url, schema
        # autocommit: statements outside a transaction commit at once; Store.write() opens transactions
        # (prepare_threshold=None: server-side prepared plans made selective searches 100x slower)
        # (jit off: compiling a count's expressions cost 17-40 ms and saved nothing on these statements)
        # (work_mem 64MB: a broad match's bitmap stays exact, one bit per row, instead of going lossy and
        #  rechecking every row of its pages: a phrase count over 180k of 1M passages 530 -> 330 ms)
        self._conn = psycopg.connect(url, autocommit=True, prepare_threshold=None,
                                     options="-c jit=off -c work_mem=64MB")
        self._conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        self._conn.execute(f'SET search_path TO "{schema}"')

    # the sqlite3-like connection surface (store code calls db.conn.execute / executemany / rollback)
    @property
    def conn(self) -> PgDatabase:
        return self

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return self._conn.info.transaction_status != TransactionStatus.IDLE

    def execute(self, sql: str, params: Any = None) -> PgCursor:
        text = translate(sql)
        want_id = bool(re.match(r"\s*INSERT\s+INTO\s+(\w+)", text)) and " RETURNING " not in text.upper()
        table = re.match(r"\s*INSERT\s+INTO\s+(\w+)", text).group(1) if want_id else None
        if table in SERIAL:
            text = text.rstrip().rstrip(";") + " RETURNING id"
        cur = self._conn.execute(text, _params(params) if params is not None else [])
        if table in SERIAL:
            row = cur.fetchone()
            return PgCursor(cur, row[0] if row else None)
        return PgCursor(cur)

    def executemany(self, sql: str, seq: Iterable[Sequence]) -> None:
        rows = [_params(p) for p in seq]
        if not rows:
            return
        with self._conn.cursor() as cur:
            cur.executemany(translate(sql), rows)

    def query(self, sql: str, params: Any = None) -> Iterator[dict]:
        cur = self._conn.execute(translate(sql), _params(params) if params is not None else [])
        if cur.description is None:
            return iter(())
        names = [d.name for d in cur.description]
        return (dict(zip(names, row, strict=True)) for row in cur.fetchall())

    def __getitem__(self, table: str) -> PgTable:
        return PgTable(self, table)

    def rollback(self) -> None:
        if self.in_transaction:
            self._conn.execute("ROLLBACK")

    @contextlib.contextmanager
    def _block(self, begin: str, undo: str, done: str):
        self._conn.execute(begin)
        try:
            yield self
        except BaseException:
            self._conn.execute(undo)
            raise
        else:
            self._conn.execute(done)

    def atomic(self):
        """A savepoint inside the open transaction."""
        return self._block("SAVEPOINT jili_atomic", "ROLLBACK TO SAVEPOINT jili_atomic", "RELEASE SAVEPOINT jili_atomic")

    @contextlib.contextmanager
    def transaction(self):
        """A transaction of its own, or the part of the one already open."""
        if self.in_transaction:
            yield self
            return
        with self._block("BEGIN", "ROLLBACK", "COMMIT"):
            yield self

    @contextlib.contextmanager
    def settings(self, **values: str):
        """Planner settings for the statements inside, reset after (names and values are index/'s own)."""
        for name, value in values.items():
            if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[A-Za-z0-9_.]+", value):
                raise ValueError(f"not a setting: {name}={value}")
            self._conn.execute(f"SET {name} = {value}")
        try:
            yield self
        finally:
            for name in values:
                with contextlib.suppress(Exception):  # an aborted transaction resets it at its end anyway
                    self._conn.execute(f"RESET {name}")

    def close(self) -> None:
        self._conn.close()

    def migrate(self) -> None:
        """Create the schema (idempotent), under an advisory lock so that processes starting together agree."""
        with self._block("BEGIN", "ROLLBACK", "COMMIT"):
            self._conn.execute("SELECT pg_advisory_xact_lock(20221)")
            self._conn.execute("CREATE TABLE IF NOT EXISTS _jili_schema (version TEXT PRIMARY KEY, applied_at TEXT)")
            done = {r[0] for r in self._conn.execute("SELECT version FROM _jili_schema").fetchall()}
            if SCHEMA_VERSION not in done:
                upgrade = bool(done)
                if upgrade:  # no passage is written while the term counts are made from the passages already there
                    self._conn.execute("LOCK TABLE passages_fts IN SHARE ROW EXCLUSIVE MODE")
                for ddl in SCHEMA:
                    self._conn.execute(ddl)
                if upgrade:
                    self._conn.execute(
                        "INSERT INTO fts_term_counts (term, n) SELECT t, count(*) FROM passages_fts, "
                        f"{_TERMS} AS t GROUP BY t")
                self._conn.execute("INSERT INTO _jili_schema VALUES (%s, now()::text)", [SCHEMA_VERSION])


# -------------------------------------------------------------------------------------------- URLs
def split_url(url: str, data_dir) -> tuple[str, str]:
    """The connection URL and the schema: `?schema=NAME` (default "jili"), or `schema=auto`: one schema per
    data directory (its path hashed), so several stores share one database (the test suite uses this)."""
    import hashlib

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    schema = (query.pop("schema", ["jili"]) or ["jili"])[0]
    if schema == "auto":
        from pathlib import Path

        schema = "jili_" + hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", schema):
        raise ValueError(f"invalid PostgreSQL schema name {schema!r}")
    clean = urlunsplit(parts._replace(query=urlencode({k: v[0] for k, v in query.items()})))
    return clean, schema
