"""`jili db copy SOURCE TARGET`: move a store between SQLite and PostgreSQL (index/transfer.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _open(where: str):
    """A store from a database URL (postgresql://…) or a data directory (its SQLite file)."""
    from index import Store

    if where.startswith(("postgresql://", "postgres://")):
        return Store(Path("data"), url=where)
    path = Path(where[len("sqlite://"):] if where.startswith("sqlite://") else where)
    if path.name.endswith(".db"):
        path = path.parent
    return Store(path, url="sqlite:")


@click.group(name="db")
def db_group() -> None:
    """The database behind jili."""


@db_group.command(name="copy")
@click.argument("source")
@click.argument("target")
def copy_cmd(source: str, target: str) -> None:
    """Copy a whole store from SOURCE to TARGET (each a data directory for SQLite, or a postgresql:// URL).

    Every table is copied in key order with its ids, the full-text index is rebuilt on the target, and
    each table's row count and checksum are compared and printed. The target must be empty. Originals
    are not moved: point JILI_STORE_URL (or copy DATA_DIR/files) where the target's workers can read them.
    """
    from tqdm import tqdm

    from index.transfer import copy_store

    src, dst = _open(source), _open(target)
    bars: dict[str, tqdm] = {}

    def progress(table: str, done: int, total: int) -> None:
        bar = bars.get(table)
        if bar is None:
            bar = bars[table] = tqdm(total=total, desc=f"{table:<22}", unit="rows", file=sys.stderr, leave=True)
        bar.update(done - bar.n)

    try:
        reports = copy_store(src, dst, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
        src.close()
        dst.close()
    click.echo(f"{'table':<22} {'source':>9} {'target':>9}  checksum")
    ok = True
    for r in reports:
        mark = "ok" if r.equal else "DIFFERENT"
        ok = ok and r.equal
        click.echo(f"{r.table:<22} {r.source_rows:>9} {r.target_rows:>9}  {r.source_sha256} {r.target_sha256} {mark}")
    if not ok:
        raise click.ClickException("the copy differs from its source (see the tables marked DIFFERENT)")
    click.echo(f"copied {source} -> {target}: every table equal", err=True)
