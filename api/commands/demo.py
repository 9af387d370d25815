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
    from api.pipeline import Pipeline
    from index import SearchFilters, Store, search
    from ingest import ParseOptions

    files = sorted(p for p in samples.iterdir() if p.is_file() and p.suffix.lower() in
                   {".pdf", ".docx", ".doc", ".wps", ".txt", ".zip", ".png", ".jpg"}) if samples.is_dir() else []
    if not files:
        raise click.ClickException(f"no sample files found in {samples}")
    store = Store(data_dir)
    pipeline = Pipeline(store, options=ParseOptions())
    tally: dict[str, int] = {}
    for path in files:
        for outcome in pipeline.process_file(path.read_bytes(), path.name, uploader="demo"):
            tally[outcome.status] = tally.get(outcome.status, 0) + 1
            region = outcome.region or ""
            measures = ",".join(map(str, outcome.measures))
            click.echo(f"  {outcome.status:9s} {outcome.name}  {region} {('措施 ' + measures) if measures else ''}"
                       f"{outcome.error_message or ''}")
    click.echo(f"{len(files)} sample files: " + ", ".join(f"{n} {k}" for k, n in sorted(tally.items())) +
               f"; store {store.path} ({store.counts()['passages']} passages)")
    res = search(store, "高标准农田", SearchFilters(), size=2)
    click.echo(f"\n$ jili search 高标准农田   →  {res.total} passages, e.g. [{res.hits[0].region}] "
               f"{res.hits[0].citation()}: {res.hits[0].snippet[:60]}…" if res.hits else "")
    store.close()
    if serve:
        click.echo(f"\nOpen http://127.0.0.1:{port}/ and paste the admin token printed below.")
        ctx.invoke(serve_cmd, data_dir=data_dir, host="127.0.0.1", port=port, workers=1, ocr_workers=1,
                   admin_token=True)
