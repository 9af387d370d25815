"""`jili extract` and `jili eval extract`: key figures from text lines or documents, and their score.

`jili extract --jsonl FILE` is a contract used by external evaluation tools: input lines
``{"id", "text"}``, output exactly one line per input, in order, ``{"id", "figures": [...]}`` with each
figure's value as a JSON number. `jili extract FILE` parses a document and prints its figures as a
table (or JSON with --json). `jili eval extract --set FILE.jsonl` scores against gold lines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from extract import KeyFigure, evaluate, extract_document, extract_figures


def _read_lines(stream: Iterable[str], name: str) -> list[dict[str, Any]]:
    """JSON Lines from `stream`; a bad line is a usage error naming the file and line."""
    lines = []
    for n, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as e:
            raise click.ClickException(f"{name}:{n}: not valid JSON ({e.msg})") from e
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise click.ClickException(f'{name}:{n}: expected an object with "id" and "text"')
        lines.append(obj)
    return lines


def _open_lines(path: str) -> list[dict[str, Any]]:
    """Lines of a JSON Lines file, or of stdin for "-"."""
    try:
        with click.open_file(path, "r", encoding="utf-8") as f:
            return _read_lines(f, "<stdin>" if path == "-" else path)
    except OSError as e:
        raise click.ClickException(f"{path}: {e.strerror}") from e


def figures_line(line: dict[str, Any]) -> dict[str, Any]:
    """One output line of the --jsonl contract for one input line."""
    return {"id": line.get("id"), "figures": [f.to_json_dict() for f in extract_figures(line["text"])]}


def _table(figures: list[KeyFigure]) -> str:
    rows = [("page", "kind", "value", "unit", "metric", "raw", "flags")]
    for f in figures:
        flags = " ".join(
            x for x in (
                f.direction.value if f.direction else "",
                "≈" if f.approx else "",
                "target" if f.is_target else "",
                f.period.text if f.period else "",
                f"SUSPECT: {f.suspect_reason}" if f.suspect else "",
            ) if x
        )
        value = f.to_json_dict()["value"]
        rows.append((str(f.page or ""), f.kind.value, f"{value:,}" if isinstance(value, int) else str(value),
                     f.unit or "", f.metric or "", f.raw, flags))
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    )


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


@click.command(name="extract")
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--jsonl", "jsonl", metavar="FILE", help='Lines {"id","text"} ("-" for stdin); one output line each.')
@click.option("--json", "as_json", is_flag=True, help="For a document: one JSON object per document.")
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="For a document: write a review page.")
def extract_cmd(file: Path | None, jsonl: str | None, as_json: bool, html_out: Path | None) -> None:
    """Extract key figures (amounts, quantities, percentages, changes, ranks) with their citations.

    With --jsonl, read {"id","text"} lines and print {"id","figures":[...]} lines in the same order.
    With FILE, parse the document and print its figures as a table, or as JSON with --json.
    """
    if (file is None) == (jsonl is None):
        raise click.UsageError("give either FILE or --jsonl FILE")
    if jsonl is not None:
        out = sys.stdout
        for line in _open_lines(jsonl):
            out.write(json.dumps(figures_line(line), ensure_ascii=False) + "\n")
        return
    from api.commands.sandboxed import parse_files  # the parser is heavy and only this path needs it
    from ingest import ParseOptions

    ok = 0
    for result in parse_files([file], ParseOptions()):
        if result.document is None:
            click.echo(f"error: {result.error}", err=True)
            continue
        ok += 1
        figures = extract_document(result.document)
        if as_json:
            doc = result.document
            payload = {"name": result.name, "document_id": doc.id, "figures": [f.to_json_dict() for f in figures]}
            sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")
        else:
            click.echo(f"# {result.name}: {len(figures)} figures")
            click.echo(_table(figures))
        if html_out is not None:
            from extract.review import render_html

            html_out.write_text(render_html(result.document.text, figures, title=result.name), encoding="utf-8")
    if ok == 0:
        raise click.ClickException(f"{file}: no document could be parsed")


def _report(result: dict[str, Any]) -> str:
    lines = [
        f"passages {result['passages']}, gold figures {result['gold']}, predicted {result['predicted']}, "
        f"matched {result['matched']}",
        f"overall   P {result['precision']:.4f}  R {result['recall']:.4f}  F1 {result['f1']:.4f}",
    ]
    for kind, r in result["per_kind"].items():
        lines.append(f"{kind:9} P {r['precision']:.4f}  R {r['recall']:.4f}  F1 {r['f1']:.4f}  "
                     f"(gold {r['gold']}, predicted {r['predicted']}, matched {r['matched']})")
    lines.append(f"metric accuracy {result['metric_accuracy']:.4f} on matched figures")
    lines.append(f"approx agreement {result['approx_agreement']:.4f}, direction agreement "
                 f"{result['direction_agreement']:.4f} (informational)")
    return "\n".join(lines)


def _error_lines(errors: list[dict[str, Any]], limit: int) -> list[str]:
    out = []
    for e in errors[:limit]:
        for g in e["missed"]:
            out.append(f"{e['id']}  missed    {g.get('raw')} {g.get('kind')} {g.get('value')} {g.get('unit')}")
        for p in e["spurious"]:
            out.append(f"{e['id']}  spurious  {p.get('raw')} {p.get('kind')} {p.get('value')} {p.get('unit')}")
        for m in e["metric"]:
            out.append(f"{e['id']}  metric    {m['predicted'].get('raw')}: {m['predicted'].get('metric')!r} "
                       f"vs gold {m['gold'].get('metric')!r}")
    return out


@click.command(name="extract")
@click.option("--set", "set_path", required=True, metavar="FILE.jsonl",
              help='Gold lines {"id","text","figures":[...]}.')
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@click.option("--errors", "show_errors", type=int, default=0, metavar="N",
              help="Also list misses, spurious figures and metric disagreements of the first N passages.")
def eval_extract_cmd(set_path: str, as_json: bool, show_errors: int) -> None:
    """Score key-figure extraction against a gold set: P/R/F1 overall and per kind, metric accuracy."""
    gold = _open_lines(set_path)
    predicted = [figures_line(line) for line in gold]
    result = evaluate(predicted, gold, details=bool(show_errors))
    if as_json:
        if show_errors:
            result["errors"] = result["errors"][:show_errors]
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    errors = result.pop("errors", [])
    click.echo(_report(result))
    for line in _error_lines(errors, show_errors):
        click.echo(line)
