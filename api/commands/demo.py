"""`jili demo`: the main job on the embedded default (what `make run` runs).

Ingests the sample declaration corpus (corpora/samples) into the data directory, shows a search, then
serves the API and web UI on 127.0.0.1:8000 with workers and a freshly printed admin token.
"""

from __future__ import annotations

from pathlib import Path

import click

from corpora import CORPORA_DIR


@click.command(name="demo")
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("data"), show_default=True)
@click.option("--samples", type=click.Path(path_type=Path), default=CORPORA_DIR / "samples", show_default=True)
@click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the API and UI afterwards.")
@click.option("--port", type=int, default=8000, show_default=True)
@click.pass_context
def demo_cmd(ctx: click.Context, data_dir: Path, samples: Path, serve: bool, port: int) -> None:
    """Ingest the sample corpus, show a search, and serve the API and web UI."""
    from api.commands.serve import serve_cmd
    from api.intake import LocalFile, ingest_local
    from api.settings import Settings
    from index import SearchFilters, Store, search
    from index.queue import batch_files

    files = sorted(p for p in samples.iterdir() if p.is_file() and p.suffix.lower() in
                   {".pdf", ".docx", ".doc", ".wps", ".txt", ".zip", ".png", ".jpg", ".ofd"}) if samples.is_dir() else []
    if not files:
        raise click.ClickException(f"no sample files found in {samples}")
    settings = Settings(data_dir=data_dir)
    settings.confine()  # HOME, XDG and temp folders of this process in the data dir
    receipt = ingest_local(settings, [LocalFile(p, p.name) for p in files], uploader="demo", region=None)
    store = Store(data_dir)
    tally: dict[str, int] = {}
    for row in batch_files(store, receipt.batch_id):
        tally[row["status"]] = tally.get(row["status"], 0) + 1
        doc = store.document_row(row["document_id"]) if row["document_id"] else None
        measures = ",".join(map(str, store.document_measure_ids(row["document_id"]))) if doc else ""
        click.echo(f"  {row['status']:9s} {row['filename']}  {(doc or {}).get('region') or ''} "
                   f"{('措施 ' + measures) if measures else ''}{row['error_message'] or ''}")
    click.echo(f"{len(files)} sample files: " + ", ".join(f"{n} {k}" for k, n in sorted(tally.items())) +
               f"; store {store.path} ({store.counts()['passages']} passages)")
    res = search(store, "高标准农田", SearchFilters(), size=2)
    click.echo(f"\n$ jili search 高标准农田   →  {res.total} passages, e.g. [{res.hits[0].region}] "
               f"{res.hits[0].citation()}: {res.hits[0].snippet[:60]}…" if res.hits else "")
    store.close()
    if serve:
        click.echo(f"\nOpen http://127.0.0.1:{port}/ and paste the admin token printed below.")
        ctx.invoke(serve_cmd, data_dir=data_dir, host="127.0.0.1", port=port, workers=None, ocr_workers=None,
                   admin_token=True)
