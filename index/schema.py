"""The SQLite schema, created and migrated idempotently with sqlite-utils migrations.

Add a migration at the end to change the schema; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("jili")


@migrations()
def m001_initial(db: Database) -> None:
    db["campaigns"].create(
        {"id": int, "year": int, "doc_number": str, "title": str, "issued": str, "data": str}, pk="id",
    )
    db["measures"].create(
        {"campaign_id": int, "id": int, "title": str, "lead_units": str, "co_units": str,
         "applicant_types": str, "incentives": str},
        pk=("campaign_id", "id"),
    )
    db["batches"].create(
        {"id": str, "created_at": str, "uploader": str, "region": str, "note": str}, pk="id",
    )
    db["files"].create(
        {"id": int, "batch_id": str, "sha256": str, "filename": str, "archive_path": str, "uploader": str,
         "region": str, "size": int, "status": str, "error_code": str, "error_message": str,
         "document_id": str, "attempts": int, "lease_until": float, "worker": str, "kind": str,
         "parent_id": int, "depth": int, "created_at": str, "updated_at": str},
        pk="id",
    )
    db["files"].create_index(["batch_id"])
    db["files"].create_index(["status"])
    db["files"].create_index(["sha256"])
    db["files"].create_index(["kind", "status", "id"])
    db["documents"].create(
        {"id": str, "filename": str, "archive_path": str, "format": str, "pages": int, "chars": int,
         "title": str, "doc_number": str, "issuer": str, "signer": str, "doc_date": str,
         "region": str, "region_code": str, "applicant_type": str, "township": str,
         "campaign_year": int, "owner_regions": str, "ocr_pages": str, "warnings": str, "metadata": str,
         "document_json": str, "model_version": str, "classifier_version": str, "rules_version": str,
         "created_at": str},
        pk="id",
    )
    db["documents"].create_index(["region"])
    db["document_measures"].create(
        {"document_id": str, "measure": int, "score": float, "eligible": int, "lead_units": str,
         "co_units": str, "model_version": str},
        pk=("document_id", "measure"),
    )
    db["document_measures"].create_index(["measure"])
    db["passages"].create(
        {"id": int, "document_id": str, "span_id": str, "seq": int, "text": str, "page": int,
         "end_page": int, "start": int, "end": int, "heading": str, "source": str,
         "top_measure": int, "top_score": float, "scores": str, "explanations": str, "model_version": str,
         "words": str, "tags": str},
        pk="id",
    )
    db["passages"].create_index(["document_id", "seq"], unique=True)
    db["passage_labels"].create(
        {"passage_id": int, "measure": int, "score": float, "eligible": int, "origin": str},
        pk=("passage_id", "measure"),
    )
    db["passage_labels"].create_index(["measure", "score"])
    db["figures"].create(
        {"id": int, "document_id": str, "passage_id": int, "segment_id": str, "kind": str, "value": str,
         "value_num": float, "unit": str, "metric": str, "direction": str, "approx": int, "is_target": int,
         "period_text": str, "period_start": str, "period_end": str, "basis": str, "scope": str,
         "raw": str, "start": int, "end": int, "page": int, "source": str, "rule_id": str,
         "rules_version": str, "suspect": int, "suspect_reason": str},
        pk="id",
    )
    db["figures"].create_index(["document_id"])
    db["figures"].create_index(["passage_id"])
    db["reviews"].create(
        {"id": int, "passage_id": int, "reviewer": str, "action": str, "measures": str, "note": str,
         "created_at": str},
        pk="id",
    )
    db["reviews"].create_index(["passage_id"])
    db["tokens"].create(
        {"id": int, "name": str, "token_hash": str, "role": str, "region": str, "lead_units": str,
         "created_at": str, "revoked": int},
        pk="id",
    )
    db["tokens"].create_index(["token_hash"], unique=True)
    # Contentless FTS5 over CJK bigrams (exact recall) and domain-dictionary words (a boost).
    # SQLite 3.40 has no contentless_delete: rows are removed with the 'delete' command and their terms
    # (grams are recomputed from the passage; the words are kept in passages.words, since a dictionary
    # update would otherwise change them).
    # Filter values (measure, region, applicant type, year, format, document, cleared) are indexed as
    # tag tokens too, so that filters intersect inside FTS5 instead of joining 10^5 rows in SQL.
    db.execute("CREATE VIRTUAL TABLE passages_fts USING fts5(grams, words, tags, content='', "
               "tokenize='unicode61')")


@migrations()
def m002_engine(db: Database) -> None:
    """The processing engine: fair turns, upload roots, live workers; recommendation lists in the store."""
    db["files"].add_column("turn", int)
    db["files"].add_column("root_id", int)
    db.execute("UPDATE files SET turn = id, root_id = COALESCE(parent_id, id)")
    # the claim reads only queued rows, in turn order: a partial index keeps finished rows out of it
    db.execute("CREATE INDEX IF NOT EXISTS files_queue ON files (turn, id) WHERE status = 'queued'")
    db.execute("CREATE INDEX IF NOT EXISTS files_active ON files (id) WHERE status IN ('queued', 'processing')")
    db["files"].create_index(["root_id"], if_not_exists=True)
    db["batches"].add_column("start_turn", int)
    db["workers"].create(
        {"id": str, "host": str, "pid": int, "proc_start": str, "kind": str, "started_at": str,
         "heartbeat_at": float, "stopped_at": str},
        pk="id",
    )
    db["recommendations"].create(
        {"measure": int, "campaign_id": int, "position": int, "region": str, "justification": str,
         "passage_ids": str},
        pk=("measure", "position"),
    )
    db["recommendation_lists"].create(
        {"measure": int, "updated_at": str, "updated_by": str}, pk="measure",
    )


@migrations()
def m003_declarations(db: Database) -> None:
    """Declarations: applicants in their own right (a township with its county), per-uploader documents of
    the same bytes, lateness with its source, and measures declared or only possible."""
    for column, kind in (("sha256", str), ("county", str), ("region_source", str), ("region_warning", str),
                         ("late", int), ("late_source", str), ("late_date", str)):
        db["documents"].add_column(column, kind)
    db.execute("UPDATE documents SET sha256 = id, county = region")
    db["documents"].create_index(["sha256"], if_not_exists=True)
    db["documents"].create_index(["county"], if_not_exists=True)
    db["document_measures"].add_column("level", str)
    db["document_measures"].add_column("probability", float)
    db.execute("UPDATE document_measures SET level = 'declared'")
    db["document_measures"].create_index(["measure", "level"], if_not_exists=True)
    db["recommendations"].add_column("override", int)


@migrations()
def m004_copies(db: Database) -> None:
    """Copied passages: MinHash band keys of every passage and the verified pairs (index/copies.py)."""
    db.execute("CREATE TABLE IF NOT EXISTS passage_sketches (key INTEGER NOT NULL, passage_id INTEGER NOT NULL, "
               "PRIMARY KEY (key, passage_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS passage_sketches_passage ON passage_sketches (passage_id)")
    db.execute("CREATE TABLE IF NOT EXISTS passage_copies (a INTEGER NOT NULL, b INTEGER NOT NULL, "
               "similarity REAL NOT NULL, boilerplate INTEGER NOT NULL, version TEXT, PRIMARY KEY (a, b))")
    db.execute("CREATE INDEX IF NOT EXISTS passage_copies_b ON passage_copies (b)")


def migrate(db: Database) -> None:
    migrations.apply(db)
