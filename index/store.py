"""The store: one SQLite file (WAL) plus content-addressed originals, under one data directory.

Everything about one document — its row, measures, passages with labels, figures and FTS terms — is
written in one transaction, so a reader never sees half a document and a crash leaves none behind.
Original files are written once under ``files/ab/cd/<sha256>`` and never modified.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import itertools
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from extract import KeyFigure
from index import copies, fts
from index.grams import index_text
from index.schema import migrate
from index.tags import passage_tags
from ingest.errors import JiliError
from ingest.model import Document

DB_NAME = "jili.db"


class StoreError(JiliError):
    code = "store_error"


class NotFoundError(StoreError):
    code = "not_found"


class UnknownMeasureError(NotFoundError):
    """A measure number that no recorded campaign has; unlike other lookups, saying so leaks nothing."""

    code = "unknown_measure"


def database_url(url: str | None = None) -> str:
    """The database: `url`, else JILI_DATABASE_URL, else "" (the SQLite file in the data directory)."""
    return (url or os.environ.get("JILI_DATABASE_URL") or "").strip()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Store:
    """The jili database. Open one per thread (SQLite connections are not shared across threads)."""

    def __init__(self, data_dir: str | os.PathLike, *, words=None, shared: bool = False, url: str | None = None):
        """Open (and migrate) the store. `shared=True` lets a pool hand the connection to other threads,
        one at a time (the API's request pool); otherwise it belongs to the opening thread.

        The database is `url` or `JILI_DATABASE_URL` when set (``postgresql://…``), else the SQLite file
        in the data directory; the data directory then holds the originals (with the default object
        store, see index/objects.py) and local caches only.
        """
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        from index.objects import open_objects

        self.objects = open_objects(self.data_dir)
        self.url = database_url(url)
        if self.url.startswith(("postgresql://", "postgres://")):
            from index.pg import PgDatabase, split_url

            conninfo, schema = split_url(self.url, self.data_dir)
            self.path = f"{conninfo.split('@')[-1]} (schema {schema})"
            self.db = PgDatabase(conninfo, schema)
            self.db.migrate()
        else:
            self.path = self.data_dir / DB_NAME
            self.db = Database(sqlite3.connect(self.path, check_same_thread=not shared))
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.db.execute("PRAGMA foreign_keys=ON")
            with _MIGRATE_LOCK:
                migrate(self.db)
        self._words = words

    @property
    def dialect(self) -> str:
        return getattr(self.db, "dialect", "sqlite")

    def close(self) -> None:
        self.db.close()

    def ping(self) -> None:
        """Raises when the database cannot be read."""
        self.db.execute("SELECT 1").fetchone()

    def rollback_open(self) -> None:
        """Roll back a transaction left open by a failed caller (a pooled connection is then clean)."""
        if self.db.conn.in_transaction:
            self.db.conn.rollback()

    @contextlib.contextmanager
    def write(self):
        """A write transaction taken with BEGIN IMMEDIATE (nested calls become savepoints).

        Deferred transactions that read and then write can fail under concurrent writers in WAL mode
        (SQLITE_BUSY_SNAPSHOT, which busy_timeout does not retry); IMMEDIATE takes the write lock first.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # -- words for the boost column -------------------------------------------------------------------
    def warm(self) -> None:
        """Load the tokenizer that the first write or search would load."""
        self._word_text("预热")

    def _word_text(self, text: str) -> str:
        if self._words is None:
            from ingest.tokenize import default_tokenizer

            self._words = default_tokenizer()
        # words with a letter, digit or ideograph; most are nothing else, and isalnum answers those at once
        return " ".join(w for w in self._words.cut(text) if w.isalnum() or any(c.isalnum() for c in w))

    # -- originals (index/objects.py: a folder, or S3-compatible storage) ---------------------------------
    def original_path(self, sha256: str) -> Path:
        """A local file with the original's bytes (fetched into the local cache when the store is remote);
        it does not exist when the original is missing."""
        return self.objects.path(sha256)

    def put_original_stream(self, fh, limit: int, chunk: int = 1024 * 1024) -> tuple[str, int, bytes]:
        """Copy a stream into the store in chunks, hashing as it goes: (sha256, size, first bytes).

        Past `limit` bytes it stops and returns ("", size so far, first bytes); nothing is kept.
        """
        return self.objects.put_stream(fh, limit, chunk)

    def put_original_file(self, source: Path, sha256: str) -> None:
        """Move a staged file (already hashed) into the store; an existing original is kept as it is."""
        self.objects.put_file(source, sha256)

    # -- campaign ------------------------------------------------------------------------------------
    def ensure_campaign(self, campaign) -> int:
        """Record the campaign and its measures (idempotent). Returns the campaign's year as its id."""
        cid = campaign.year
        if self.db["campaigns"].count_where("id = ?", [cid]):
            return cid
        with self.write():
            self.db["campaigns"].insert({
                "id": cid, "year": campaign.year, "doc_number": campaign.doc_number, "title": campaign.title,
                "issued": str(campaign.issued), "data": campaign.model_dump_json(),
            }, replace=True)
            self.db["measures"].insert_all(({
                "campaign_id": cid, "id": m.id, "title": m.title, "lead_units": _dumps(m.lead_units),
                "co_units": _dumps(m.co_units), "applicant_types": _dumps([a.value for a in m.applicant_types]),
                "incentives": _dumps(m.incentives),
            } for m in campaign.measures), replace=True)
        return cid

    def _catalog(self) -> list[tuple[int, list[str]]]:
        """(measure, lead units) of the campaigns recorded here; the packaged catalog before any ingest."""
        rows = [(int(r["id"]), json.loads(r["lead_units"])) for r in self.db.query("SELECT id, lead_units FROM measures")]
        if not rows:
            from classify import load_campaign

            rows = [(m.id, list(m.lead_units)) for m in load_campaign().measures]
        return rows

    def measure_ids(self) -> set[int]:
        """The measure numbers of the campaigns recorded here."""
        return {m for m, _ in self._catalog()}

    def lead_units(self) -> set[str]:
        """Every lead unit of the campaigns recorded here."""
        return {u for _, units in self._catalog() for u in units}

    def require_measure(self, measure: int) -> None:
        """Raises UnknownMeasureError for a measure number no campaign here has (31 in a 30-measure notice)."""
        known = self.measure_ids()
        if measure not in known:
            span = f"{min(known)}–{max(known)}" if known else "none are loaded"
            raise UnknownMeasureError(f"measure {measure} is not in the campaign catalog ({span})")

    def measure_row(self, measure: int) -> dict:
        """The measure's row (latest campaign), lists decoded; UnknownMeasureError when there is none."""
        self.require_measure(measure)
        row = next(self.db.query("SELECT * FROM measures WHERE id = ? ORDER BY campaign_id DESC LIMIT 1", [measure]),
                   None)
        if row is None:  # the packaged catalog, before anything was ingested
            from classify import load_campaign

            m = next(m for m in load_campaign().measures if m.id == measure)
            return {"campaign_id": load_campaign().year, "id": m.id, "title": m.title, "lead_units": list(m.lead_units),
                    "co_units": list(m.co_units), "applicant_types": [a.value for a in m.applicant_types],
                    "incentives": list(m.incentives)}
        return row | {k: json.loads(row[k]) for k in ("lead_units", "co_units", "applicant_types", "incentives")}

    # -- documents -----------------------------------------------------------------------------------
    @staticmethod
    def declaration_key(sha256: str, owner_region: str | None) -> str:
        """The key of a declaration: the file's sha256, or, uploaded for a region, a hash of both — each
        region's upload of the same bytes is its own declaration (and nobody learns another has it)."""
        return sha256 if not owner_region else hashlib.sha256(f"{sha256}\0{owner_region}".encode()).hexdigest()

    def has_document(self, document_id: str) -> bool:
        return bool(self.db["documents"].count_where("id = ?", [document_id]))

    def save_document(self, doc: Document, labels, figures: Iterable[KeyFigure], *, campaign_year: int | None,
                      on_commit=None, owner_region: str | None = None, late=None, sha256: str | None = None) -> bool:
        """Write a processed document in one transaction. Returns False when it was already stored.

        `doc.id` is its declaration key (`declaration_key`); `labels` a `classify.DocumentLabels`; `late`
        a `classify.Lateness`; `on_commit(conn)` runs inside the same transaction (the work queue uses it
        to mark the file done together with its results).
        """
        figures = list(figures)
        with self.write():
            if self.has_document(doc.id):
                if on_commit:
                    on_commit(self.db)
                return False
            region = labels.region
            self.db["documents"].insert({
                "id": doc.id, "filename": doc.filename, "archive_path": doc.archive_path, "format": doc.format.value,
                "pages": doc.pages, "chars": len(doc.text), "title": doc.gongwen.title,
                "doc_number": doc.gongwen.doc_number, "issuer": doc.gongwen.issuer, "signer": doc.gongwen.signer,
                "doc_date": doc.gongwen.date,
                "region": region, "region_code": None, "county": labels.county, "sha256": sha256 or doc.id,
                "region_source": labels.region_source, "region_warning": labels.region_warning,
                "late": None if late is None or late.late is None else int(late.late),
                "late_source": late.source if late else None, "late_date": late.date if late else None,
                "applicant_type": labels.applicant_type.value if labels.applicant_type else None,
                "township": labels.township,
                "campaign_year": campaign_year, "owner_regions": _dumps([owner_region] if owner_region else []),
                "ocr_pages": _dumps(doc.ocr_pages), "warnings": _dumps(doc.warnings),
                "metadata": _dumps(doc.metadata), "document_json": doc.to_json(),
                "model_version": doc.model_version, "classifier_version": labels.model_version,
                "rules_version": figures[0].rules_version if figures else None, "created_at": now(),
            })
            self.db["document_measures"].insert_all({
                "document_id": doc.id, "measure": m.measure_id, "score": m.score, "level": m.level,
                "probability": m.probability, "eligible": None if m.eligible is None else int(m.eligible),
                "lead_units": _dumps(m.lead_units), "co_units": _dumps(m.co_units),
                "model_version": labels.aggregation_version or labels.model_version,
            } for m in labels.measures)
            eligible = {m.measure_id: m.eligible for m in labels.measures}
            passage_ids: list[tuple[int, int, int]] = []
            sketched: list[tuple[int, str, str]] = []
            fts_rows: list[tuple[int, str, str, str]] = []
            conn = self.db.conn
            applicant = labels.applicant_type.value if labels.applicant_type else None
            for seq, span in enumerate(doc.passages):
                pl = labels.passages.get(span.id)
                search_text = _search_text(span)
                words = self._word_text(search_text)
                tags = passage_tags(measures=pl.measures if pl else [], region=region, county=labels.county,
                                    applicant_type=applicant, year=campaign_year, fmt=doc.format.value,
                                    document_id=doc.id, owners=[owner_region] if owner_region else [])
                scores = pl.scores if pl else {}
                top = max(scores.items(), key=lambda kv: kv[1]) if scores else (None, None)
                # plain INSERTs: sqlite-utils' insert() introspects the table on every call (per-passage cost)
                pid = conn.execute(_PASSAGE_INSERT, [
                    doc.id, span.id, seq, span.text, span.page, span.end_page, span.start, span.end, span.heading,
                    span.source.value, top[0] if pl and pl.measures else None, top[1],
                    _dumps({str(k): round(v, 4) for k, v in scores.items()}), _dumps(pl.explanations if pl else {}),
                    pl.model_version if pl else labels.model_version, words, tags,
                ]).lastrowid
                passage_ids.append((span.start, span.end, pid))
                sketched.append((pid, span.text, span.source.value))
                if pl:
                    conn.executemany(
                        "INSERT INTO passage_labels (passage_id, measure, score, eligible, origin) VALUES (?,?,?,?,?)",
                        [(pid, m, scores.get(m, 0.0), int(eligible.get(m) is not False), "model") for m in pl.measures])
                fts_rows.append((pid, index_text(search_text), words, tags))
            fts.write_many(self.db, fts_rows)
            copies.find_and_record(conn, sketched, doc.id)
            if figures:
                owner = _PassageOf(passage_ids)
                conn.executemany(_FIGURE_INSERT, [_figure_row(doc.id, f, owner(f.start)) for f in figures])
            if on_commit:
                on_commit(self.db)
        return True

    def delete_document(self, document_id: str) -> None:
        """Remove a document's derived rows (the original file stays: originals are never deleted here)."""
        with self.write():
            rows = list(self.db.query("SELECT id, heading, text, words, tags FROM passages WHERE document_id = ?",
                                      [document_id]))
            for r in rows:
                self._fts_delete(r)
            ids = [r["id"] for r in rows]
            if ids:
                marks = ",".join("?" * len(ids))
                self.db.execute(f"DELETE FROM passage_labels WHERE passage_id IN ({marks})", ids)
                self.db.execute(f"DELETE FROM passage_sketches WHERE passage_id IN ({marks})", ids)
                self.db.execute(f"DELETE FROM passage_copies WHERE a IN ({marks}) OR b IN ({marks})", ids + ids)
                self.db.execute(f"DELETE FROM reviews WHERE passage_id IN ({marks})", ids)
            for table in ("figures", "passages", "document_measures"):
                self.db.execute(f"DELETE FROM {table} WHERE document_id = ?", [document_id])
            self.db.execute("DELETE FROM documents WHERE id = ?", [document_id])

    def _fts_delete(self, row: dict) -> None:
        text = f"{row['heading']}\n{row['text']}" if row["heading"] else row["text"]
        fts.delete(self.db, row["id"], index_text(text), row["words"], row["tags"])

    def reindex_passage(self, passage_id: int) -> None:
        """Rewrite a passage's FTS row after its labels, region or clearance changed (call in a transaction)."""
        row = next(self.db.query(
            "SELECT p.id, p.heading, p.text, p.words, p.tags, d.id AS doc_id, d.region, d.county, d.applicant_type, "
            "d.campaign_year, d.format, d.owner_regions FROM passages p JOIN documents d ON d.id = p.document_id "
            "WHERE p.id = ?",
            [passage_id]), None)
        if row is None:
            raise NotFoundError(f"no passage {passage_id}")
        measures = [r["measure"] for r in self.db.query(
            "SELECT measure FROM passage_labels WHERE passage_id = ?", [passage_id])]
        cleared = self.passage_cleared(passage_id)
        tags = passage_tags(measures=measures, region=row["region"], county=row["county"],
                            applicant_type=row["applicant_type"],
                            year=row["campaign_year"], fmt=row["format"], document_id=row["doc_id"], cleared=cleared,
                            owners=json.loads(row["owner_regions"] or "[]"))
        if tags == row["tags"]:
            return
        self._fts_delete(row)
        text = f"{row['heading']}\n{row['text']}" if row["heading"] else row["text"]
        fts.write(self.db, passage_id, index_text(text), row["words"], tags)
        self.db.execute("UPDATE passages SET tags = ? WHERE id = ?", [tags, passage_id])

    def upkeep_index(self, *, busy: bool = False) -> int:
        """Full-text upkeep on PostgreSQL (index.fts): fold the count deltas written since the last time
        (`busy`: only once fts.FOLD_FROM documents' worth have gathered), and start keeping the counts of
        broad matches searches asked for. Workers call it between files and when the queue is empty.
        Returns how many rows of deltas were folded."""
        folded = fts.fold(self.db, fts.FOLD_FROM if busy else 1)
        fts.count_asked(self.db)
        return folded

    def passage_cleared(self, passage_id: int) -> bool:
        """Cleared for publicity, by the latest clearance mark (index.reviews)."""
        from index.reviews import is_cleared, latest_clearance

        return is_cleared(latest_clearance(self, passage_id))

    def document_row(self, document_id: str) -> dict:
        try:
            return self.db["documents"].get(document_id)
        except Exception as exc:  # sqlite_utils.db.NotFoundError
            raise NotFoundError(f"no document {document_id}") from exc

    def document_measure_rows(self, document_id: str) -> list[dict]:
        """The document's measures with score and eligibility, strongest first."""
        return list(self.db.query("SELECT measure, score, level, probability, eligible FROM document_measures "
                                  "WHERE document_id = ? ORDER BY level, probability DESC", [document_id]))

    def document_measure_ids(self, document_id: str) -> list[int]:
        """The document's measures, strongest first."""
        return [r[0] for r in self.db.execute(
            "SELECT measure FROM document_measures WHERE document_id = ? ORDER BY score DESC", [document_id])]

    def document(self, document_id: str) -> Document:
        return Document.from_json(self.document_row(document_id)["document_json"])

    def counts(self) -> dict[str, int]:
        return {t: self.db[t].count for t in ("documents", "passages", "figures", "files", "batches", "reviews")}


_MIGRATE_LOCK = threading.Lock()
_PASSAGE_INSERT = (
    "INSERT INTO passages (document_id, span_id, seq, text, page, end_page, start, \"end\", heading, source, "
    "top_measure, top_score, scores, explanations, model_version, words, tags) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _search_text(span) -> str:
    # the heading is searchable with its passage: "主要做法" finds the practices under it
    return f"{span.heading}\n{span.text}" if span.heading else span.text


_FIGURE_COLUMNS = (
    "document_id", "passage_id", "segment_id", "kind", "value", "value_num", "unit", "metric", "direction", "approx",
    "is_target", "period_text", "period_start", "period_end", "basis", "scope", "raw", "start", "end", "page",
    "source", "rule_id", "rules_version", "suspect", "suspect_reason",
)
_FIGURE_QUOTED = ", ".join(f'"{c}"' for c in _FIGURE_COLUMNS)  # "end" is a reserved word in PostgreSQL
_FIGURE_INSERT = f"INSERT INTO figures ({_FIGURE_QUOTED}) VALUES ({', '.join('?' * len(_FIGURE_COLUMNS))})"


class _PassageOf:
    """The passage (row id) whose span holds a document offset: the first in document order, or None."""

    def __init__(self, passages: list[tuple[int, int, int]]):
        self.passages = passages
        self.starts = [s for s, _, _ in passages]
        self.ordered = all(a[1] <= b[0] for a, b in itertools.pairwise(passages))  # sorted, not overlapping

    def __call__(self, pos: int) -> int | None:
        if not self.ordered:
            return next((p for s, e, p in self.passages if s <= pos < e), None)
        i = bisect.bisect_right(self.starts, pos) - 1
        if i >= 0 and pos < self.passages[i][1]:
            return self.passages[i][2]
        return None


def _figure_row(document_id: str, f: KeyFigure, passage_id: int | None) -> tuple:
    """The figures row of `f`, in `_FIGURE_COLUMNS` order."""
    period = f.period
    return (
        document_id, passage_id, f.segment_id, f.kind.value, str(f.value), float(f.value), f.unit, f.metric,
        f.direction.value if f.direction else None, int(f.approx), int(f.is_target),
        period.text if period else None, period.start if period else None, period.end if period else None,
        f.basis, f.scope, f.raw, f.start, f.end, f.page, f.source.value, f.rule_id, f.rules_version,
        int(f.suspect), f.suspect_reason,
    )
