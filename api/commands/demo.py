"""`jili demo`: the main job on the embedded default (what `make run` runs)."""

from __future__ import annotations

from pathlib import Path

import click

from api.commands.parse import summary_line
from corpora import CORPORA_DIR
from ingest import ParseOptions, parse_path


@click.command(name="demo")
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("data"), show_default=True)
@click.option("--samples", type=click.Path(path_type=Path), default=CORPORA_DIR / "samples", show_default=True)
def demo_cmd(data_dir: Path, samples: Path) -> None:
    """Parse the sample declaration corpus and print what each file became."""
    files = sorted(p for p in samples.iterdir() if p.is_file() and p.suffix.lower() in
                   {".pdf", ".docx", ".doc", ".wps", ".txt", ".zip", ".png", ".jpg"}) if samples.is_dir() else []
    if not files:
        raise click.ClickException(f"no sample files found in {samples}")
    options = ParseOptions()
    ok = failed = pages = 0
    for path in files:
        for result in parse_path(path, options):
            click.echo(summary_line(result))
            if result.ok:
                ok += 1
                pages += result.document.pages
            else:
                failed += 1
    click.echo(f"\n{ok} documents parsed ({pages} pages), {failed} failed, from {samples}")
