"""`jili parse FILE...`: parse files into documents, or say exactly why a file failed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from api.commands.sandboxed import parse_files
from ingest import ParseOptions, ParseResult


def result_json(result: ParseResult) -> dict:
    if result.document is not None:
        out = result.document.model_dump(mode="json")
        out["name"] = result.name
        return out
    err = result.error
    return {"name": result.name, "filename": result.filename, "archive_path": result.archive_path,
            "error": {"code": getattr(err, "code", "error"), "message": str(err)}}


def summary_line(result: ParseResult) -> str:
    doc = result.document
    if doc is None:
        return f"FAILED  {result.error}"
    extra = f", OCR pages {doc.ocr_pages}" if doc.ocr_pages else ""
    title = f"  「{doc.gongwen.title}」" if doc.gongwen.title else ""
    return (f"ok      {result.name}: {doc.format.value}, {doc.pages} pages, {len(doc.text)} chars, "
            f"{len(doc.segments)} segments, {len(doc.passages)} passages{extra}{title}")


@click.command(name="parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per document (JSON Lines).")
@click.option("--no-ocr", is_flag=True, help="Do not OCR garbled or image-only pages.")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Per-file time limit, seconds.")
@click.option("--max-pages", type=int, default=ParseOptions.max_pages, show_default=True)
@click.option("--max-bytes", type=int, default=ParseOptions.max_bytes, show_default=True)
def parse_cmd(files: tuple[Path, ...], as_json: bool, no_ocr: bool, timeout: float, max_pages: int,
              max_bytes: int) -> None:
    """Parse FILES (PDF, DOCX, DOC/WPS, OFD, TXT, images, ZIP) into documents.

    Each document is printed as a summary line (or, with --json, as a JSON object with id, format,
    pages, text, segments, ocr_pages and warnings); a file that fails gets one line naming it and the
    reason. The exit status is non-zero only when every file failed.
    """
    options = ParseOptions(ocr=not no_ocr, max_pages=max_pages, max_bytes=max_bytes)
    ok = failed = 0
    for result in parse_files(files, options, timeout_s=timeout):
        if result.ok:
            ok += 1
        else:
            failed += 1
            click.echo(f"error: {result.error}", err=True)
        if as_json:
            sys.stdout.write(json.dumps(result_json(result), ensure_ascii=False) + "\n")
        elif result.ok:
            click.echo(summary_line(result))
    if not as_json:
        click.echo(f"{ok} parsed, {failed} failed", err=True)
    if ok == 0:
        sys.exit(1)
