"""`jili serve`, `jili worker`, `jili token create`: the service from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from api.settings import Settings


def _settings(data_dir: Path | None, **overrides) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    return Settings(**values)


@click.command(name="serve")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None, help="[env JILI_DATA_DIR, default ./data]")
@click.option("--host", default=None, help="[env JILI_HOST, default 127.0.0.1]")
@click.option("--port", type=int, default=None, help="[env JILI_PORT, default 8000]")
@click.option("--workers", type=int, default=None, help="Text worker processes [env JILI_TEXT_WORKERS, default: CPU cores].")
@click.option("--ocr-workers", type=int, default=None, help="OCR worker processes [env JILI_OCR_WORKERS, default 1].")
@click.option("--admin-token/--no-admin-token", default=True, show_default=True,
              help="Create and print an admin token at start-up.")
def serve_cmd(data_dir, host, port, workers, ocr_workers, admin_token) -> None:
    """Serve the API and web UI, with background workers processing uploads (Ctrl-C or SIGTERM stops all)."""
    import logging

    from api.supervisor import Supervisor
    from api.worker import reclaim
    from classify import load_campaign
    from index import Store
    from index.auth import Role, create_token

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _settings(data_dir, host=host, port=port, text_workers=workers, ocr_workers=ocr_workers)
    settings.confine()
    store = Store(settings.data_dir)
    store.ensure_campaign(load_campaign())
    back = reclaim(store, settings)
    if back:
        click.echo(f"  {back} file(s) that were being processed when jili last stopped are queued again", err=True)
    if admin_token:
        token, _ = create_token(store, Role.ADMIN, name="demo-admin")
        click.echo(f"\n  jili admin token: {token}\n  export JILI_TOKEN={token}\n", err=True)
    store.close()
    ocr = settings.ocr_workers if settings.ocr else 0
    click.echo(f"  serving on http://{settings.host}:{settings.port}/  (data: {settings.data_dir}, "
               f"{settings.text_workers} text + {ocr} OCR workers)", err=True)
    sys.exit(Supervisor(settings, text_workers=settings.text_workers, ocr_workers=ocr).run())


@click.command(name="worker")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
@click.option("--kind", type=click.Choice(["text", "ocr", "all"]), default="all", show_default=True)
@click.option("--until-idle", is_flag=True, help="Exit when the queue is empty.")
def worker_cmd(data_dir, kind, until_idle) -> None:
    """Run a worker against the same store (several may run, on several machines later)."""
    import logging
    import signal

    from api.sandbox import StopFlag
    from api.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _settings(data_dir)
    settings.confine()
    stop = StopFlag().on_signals(signal.SIGTERM, signal.SIGINT)
    n = run_worker(settings, kind, stop=stop, until_idle=until_idle, warm=True)
    click.echo(f"{n} jobs processed", err=True)


@click.group(name="token")
def token_group() -> None:
    """API tokens."""


@token_group.command(name="create")
@click.option("--role", type=click.Choice(["admin", "uploader", "reviewer", "publicity"]), required=True)
@click.option("--region", default=None, help="Uploader: the region it uploads for, e.g. 璧山区.")
@click.option("--lead-unit", "lead_units", multiple=True, help="Reviewer: a lead unit, e.g. 市科技局 (repeatable).")
@click.option("--name", default="", help="Who holds the token.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None)
def token_create_cmd(role, region, lead_units, name, data_dir) -> None:
    """Create a token (printed once; only its hash is stored)."""
    from index import Store, StoreError
    from index.auth import create_token

    store = Store(_settings(data_dir).data_dir)
    try:
        token, who = create_token(store, role, name=name, region=region, lead_units=list(lead_units))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)
    click.echo(f"created {who.role.value} token #{who.id} {who.name}", err=True)
    sys.stdout.flush()
