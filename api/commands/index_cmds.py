"""`jili ingest`, `jili search`, `jili evidence`, `jili experiences`: the index from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from api.settings import Settings

DATA_DIR_OPTION = click.option("--db", "data_dir", type=click.Path(path_type=Path), default=None,
                               help="Data directory holding jili.db and the original files [env JILI_DATA_DIR, default ./data].")


def open_store(data_dir: Path | None):
    from index import Store

    return Store(data_dir or Settings().data_dir)


def _write(path: Path, data: bytes) -> None:
    """An export written, or one line saying why it could not be (no traceback)."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write the export ({exc.strerror})") from exc


def _check_measure(store, measure: int | None) -> None:
    """A measure number the catalog knows, or a one-line usage error naming the valid range."""
    from index import UnknownMeasureError

    if measure is None:
        return
    try:
        store.require_measure(measure)
    except UnknownMeasureError as exc:
        raise click.BadParameter(exc.reason, param_hint="measure") from exc


def _files(paths: tuple[Path, ...], store_dir: Path | None = None) -> list[Path]:
    """The files under `paths`, skipping hidden and Office lock files, notes, and the store's own files."""
    store_dir = store_dir.resolve() if store_dir else None
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith((".", "~$"))
                              and q.suffix.lower() not in {".md"}
                              and not (store_dir and q.resolve().is_relative_to(store_dir))))
        else:
            out.append(p)
    return out


@click.command(name="ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@DATA_DIR_OPTION
@click.option("--uploader", default=None, help="Who uploaded these files (recorded with each file).")
@click.option("--region", default=None, help="The region these files are declared for (as an uploader token's).")
@click.option("--no-ocr", is_flag=True, help="Do not OCR garbled or image-only pages.")
@click.option("--timeout", type=float, default=None, help="Per-file time limit, seconds [default 300].")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes (as `jili serve` runs them).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per document outcome.")
def ingest_cmd(paths, data_dir, uploader, region, no_ocr, timeout, workers, as_json) -> None:
    """Ingest files, folders and zip archives: parse, classify, extract figures and index them.

    The files go through the service's own path: queued as one batch, each read in a limited child
    process. Re-ingesting a file changes nothing (documents are identified by the sha256 of their bytes).
    """
    from api.intake import LocalFile, ingest_local
    from index.queue import batch_files

    overrides = {"ocr": False} if no_ocr else {}
    if timeout:
        overrides |= {"parse_timeout_s": timeout, "parse_cpu_s": timeout}
    settings = Settings(**overrides, **({"data_dir": data_dir} if data_dir else {}))
    store = open_store(settings.data_dir)
    settings.confine()  # HOME, XDG and temp folders of this process in the data dir
    files = [LocalFile(p, p.name) for p in _files(paths, store.data_dir)]
    if region:
        region = _official_region(region)
    with click.progressbar(length=len(files), label="ingesting", file=sys.stderr) as bar:
        seen = [0]

        def progress(p: dict) -> None:
            bar.length = max(p["total"], len(files))
            bar.update(p["finished"] - seen[0])
            seen[0] = p["finished"]

        receipt = ingest_local(settings, files, uploader=uploader or "cli", region=region, workers=workers,
                               on_progress=progress)
    rows = [r for r in batch_files(store, receipt.batch_id) if r["kind"] != "archive"]
    tally: dict[str, int] = {}
    for row in rows:
        tally[row["status"]] = tally.get(row["status"], 0) + 1
        if as_json:
            click.echo(json.dumps(_outcome_json(store, row), ensure_ascii=False))
    summary = ", ".join(f"{n} {k}" for k, n in sorted(tally.items()))
    counted = f"{len(files)} files" + (f" ({len(rows)} documents with archive members)" if len(rows) != len(files) else "")
    click.echo(f"{counted}: {summary}; store {store.path}", err=True)
    from api.messages import error_text

    for row in rows:
        if row["status"] == "failed":
            name = f"{row['filename']}!{row['archive_path']}" if row["archive_path"] else row["filename"]
            click.echo(f"  失败 [{row['error_code']}] {error_text(row['error_code'], row['error_message'], name=name)}",
                       err=True)
    if files and not tally.get("done") and not tally.get("duplicate"):
        sys.exit(1)


def _official_region(name: str) -> str:
    from classify import load_gazetteer

    found = load_gazetteer().find(name.strip())
    if found is None:
        raise click.BadParameter(f"unknown region {name!r}: use a 区县 or platform name, e.g. 璧山区", param_hint="region")
    return found.name


def _outcome_json(store, row: dict) -> dict:
    """One document outcome of an ingest, as `--json` prints it."""
    name = f"{row['filename']}!{row['archive_path']}" if row["archive_path"] else row["filename"]
    out = {"name": name, "status": row["status"], "document_id": row["document_id"], "error_code": row["error_code"],
           "error_message": row["error_message"], "pages": 0, "region": None, "measures": []}
    if row["document_id"]:
        doc = store.document_row(row["document_id"])
        out |= {"pages": doc["pages"] or 0, "region": doc["region"],
                "measures": store.document_measure_ids(row["document_id"])}
    return out


@click.command(name="search")
@click.argument("query")
@click.option("--measure", type=int, default=None, help="Only passages labelled with this measure (1-30).")
@click.option("--region", default=None, help="Only documents declared by this region, e.g. 璧山区.")
@click.option("--applicant-type", default=None, help="区县, 乡镇(街道) or 国家级开发开放平台.")
@click.option("--lead-unit", default=None, help="Only measures led by this unit, e.g. 市科技局.")
@click.option("--page", type=int, default=1, show_default=True)
@click.option("--size", type=int, default=10, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--advanced", is_flag=True, help='Understand OR, AND, NOT or -exclude, and "quoted phrases".')
@click.option("--expand/--no-expand", default=True, show_default=True,
              help="Also search the thesaurus's related terms (同时检索); typed matches rank first.")
@click.option("--without", multiple=True, help="Switch a related term off (repeatable).")
@click.option("--json", "as_json", is_flag=True)
@DATA_DIR_OPTION
def search_cmd(query, measure, region, applicant_type, lead_unit, page, size, sort, advanced, expand, without, as_json,
               data_dir):
    """Full-text search of the evidence (any query of 2+ characters matches exactly)."""
    from index import SearchFilters, search

    store = open_store(data_dir)
    _check_measure(store, measure)
    res = search(store, query, SearchFilters(measure=measure, region=region, applicant_type=applicant_type,
                                             lead_unit=lead_unit), page=page, size=size, sort=sort, advanced=advanced,
                 expand=expand, without=without)
    if as_json:
        click.echo(json.dumps(res.to_dict(), ensure_ascii=False))
        return
    click.echo(f"{res.total} passages ({res.took_ms:.1f} ms)")
    for e in res.expansions:
        if e["related"]:
            click.echo(f"同时检索（{e['term']}）：{'、'.join(e['related'])}")
    for hit in res.hits:
        text = hit.snippet
        for s, e in reversed(hit.snippet_highlights):
            text = text[:s] + click.style(text[s:e], fg="red", bold=True) + text[e:]
        labels = ",".join(str(m["measure"]) for m in hit.measures)
        click.echo(f"\n[{hit.region or '未识别'}] {hit.citation()}  措施:{labels or '-'}  score {hit.score}")
        click.echo(f"  {text}")
    if res.facets.get("measure"):
        click.echo("\nby measure: " + "  ".join(f"{k}:{v}" for k, v in sorted(res.facets["measure"].items(),
                                                                           key=lambda kv: -kv[1])))
        click.echo("by region:  " + "  ".join(f"{k}:{v}" for k, v in sorted(res.facets["region"].items(),
                                                                           key=lambda kv: -kv[1])))


@click.command(name="evidence")
@click.argument("measure", type=int)
@click.option("--metric", default=None, help="Figures table: metric contains this text.")
@click.option("--kind", type=click.Choice(["amount", "quantity", "percent", "change", "rank"]), default=None)
@click.option("--csv", "csv_path", type=click.Path(path_type=Path), default=None, help="Write the figures table as CSV.")
@click.option("--xlsx", "xlsx_path", type=click.Path(path_type=Path), default=None, help="Write the figures table as XLSX.")
@click.option("--json", "as_json", is_flag=True)
@DATA_DIR_OPTION
def evidence_cmd(measure, metric, kind, csv_path, xlsx_path, as_json, data_dir):
    """Evidence for one measure: every declaring region side by side, with passages and figures."""
    from dataclasses import asdict

    from index import evidence_for_measure, figure_phrase, figure_table, to_csv, to_xlsx

    store = open_store(data_dir)
    _check_measure(store, measure)
    ev = evidence_for_measure(store, measure)
    table = figure_table(store, measure, metric=metric, kind=kind)
    if csv_path:
        _write(csv_path, to_csv(table).encode("utf-8"))
    if xlsx_path:
        _write(xlsx_path, to_xlsx(table))
    if as_json:
        click.echo(json.dumps({"evidence": ev.to_dict(), "figures": table}, ensure_ascii=False))
        return
    click.echo(f"措施 {measure} {ev.title or ''}  牵头：{'、'.join(ev.lead_units)}  {len(ev.regions)} regions")
    for r in ev.regions:
        flag = "  [not eligible]" if r.eligible is False else ""
        click.echo(f"\n■ {r.region} ({r.applicant_type or '?'}){flag}: {len(r.documents)} documents, score {r.score:.2f}")
        for p in r.passages:
            click.echo(f"  · p.{p.page} [{p.score:.2f}] {p.text[:90]}")
        figs = "; ".join(f"{f.metric or ''} {figure_phrase(asdict(f))}" for f in r.figures[:6])
        if figs:
            click.echo(f"  figures: {figs}")
    if metric or kind:
        click.echo("\nranking:")
        for row in table[:20]:
            click.echo(f"  {row['rank']:2d}. {row['region']} {row['metric']} {row['raw']} ({row['filename']} p.{row['page']})")


@click.command(name="experiences")
@click.option("--measure", type=int, default=None)
@click.option("--region", default=None)
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--theme", default=None, help="Theme words, e.g. 积分制 (also searches the thesaurus's related terms).")
@click.option("--docx", "docx_path", type=click.Path(path_type=Path), default=None, help="Write a DOCX briefing.")
@click.option("--json", "as_json", is_flag=True)
@DATA_DIR_OPTION
def experiences_cmd(measure, region, limit, theme, docx_path, as_json, data_dir):
    """Typical experiences (典型经验做法) worth promoting, diverse across regions, with reasons."""
    from index import briefing_docx, experiences_json, rank_experiences

    store = open_store(data_dir)
    _check_measure(store, measure)
    items = rank_experiences(store, measure=measure, region=region, limit=limit, theme=theme)
    if docx_path:
        _write(docx_path, briefing_docx(items))
    if as_json:
        click.echo(json.dumps(experiences_json(items), ensure_ascii=False))
        return
    for i, e in enumerate(items, 1):
        click.echo(f"{i}. [{e.region or '未识别'}] 措施{e.measure} {e.measure_title or ''}  {e.summary}")
        click.echo(f"   {e.text[:120]}")
        click.echo(f"   理由：{'；'.join(e.reasons)}  （{e.citation()}）")


@click.command(name="export-reviews")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@DATA_DIR_OPTION
def export_reviews_cmd(out: Path, data_dir) -> None:
    """Write reviewers' label corrections as JSON Lines, for `jili train --with-reviews OUT`."""
    from index.reviews import corrections

    lines = corrections(open_store(data_dir))
    out.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    click.echo(f"{len(lines)} corrected passages written to {out}", err=True)


@click.command(name="checks")
@click.option("--measure", type=int, default=None, help="Only the applicants that declared this measure.")
@click.option("--region", default=None, help="Only this applicant (or county), e.g. 綦江区.")
@click.option("--json", "as_json", is_flag=True, help="The findings as JSON (the same as GET /api/checks).")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--boilerplate", is_flag=True, help="Also list copies of the notice's own wording.")
@click.option("--rebuild", is_flag=True, help="Recompute every passage sketch and copied pair first.")
@DATA_DIR_OPTION
def checks_cmd(measure, region, as_json, csv_path, xlsx_path, boilerplate, rebuild, data_dir):
    """Copied passages across declarations and figures that contradict each other (核查)."""
    from index.auth import Principal, Role
    from index.checks import checks_for, rebuild_copies, to_csv, to_xlsx

    store = open_store(data_dir)
    _check_measure(store, measure)
    if rebuild:
        n = rebuild_copies(store)
        click.echo(f"rebuilt: {n} copied pairs", err=True)
    found = checks_for(store, Principal(id=0, name="cli", role=Role.ADMIN), measure=measure, region=region,
                       boilerplate=boilerplate)
    if csv_path:
        _write(csv_path, to_csv(found))
    if xlsx_path:
        _write(xlsx_path, to_xlsx(found))
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    click.echo(f"段落雷同 {len(found['copies'])} 处，数据矛盾 {len(found['figure_conflicts'])} 处")
    for c in found["copies"]:
        first, later = (c["a"], c["b"]) if c["first"] == "a" else (c["b"], c["a"])
        click.echo(f"\n[雷同 {round(c['similarity'] * 100)}%] {later['region']}《{later['filename']}》第{later['page']}页"
                   f" ← {first['region']}《{first['filename']}》第{first['page']}页（在先）")
        click.echo(f"  {later['text'][:100]}")
    for k in found["figure_conflicts"]:
        figs = "；".join(f"《{f['filename']}》第{f['page']}页 {f['raw']}" for f in k["figures"])
        click.echo(f"\n[{'矛盾' if k['kind'] == 'disagree' else '异常'}] {k['region']} {k['metric']}"
                   f"{'（' + k['period'] + '）' if k['period'] else ''}：{k['reason']}\n  {figs}")
