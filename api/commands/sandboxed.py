"""Local files parsed the way the service parses uploads: in a limited child process.

`jili parse`, `jili classify FILE` and `jili extract FILE` read files through `parse_files`, so a file
that hangs, explodes or crashes a parser fails alone with a typed error, as it would on upload.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from api.engine import sandbox_limits
from api.sandbox import Sandbox
from api.settings import Settings
from ingest import Document, ParseOptions, ParseResult, parse_path
from ingest.errors import IngestError


def _parse_task(path: str, options: ParseOptions) -> list[tuple]:
    """In the child: every document of a file as (filename, sha, archive path, document JSON | error)."""
    out = []
    for r in parse_path(path, options):
        if r.document is not None:
            out.append((r.filename, r.sha256, r.archive_path, r.document.to_json(), None))
        else:
            err = r.error
            out.append((r.filename, r.sha256, r.archive_path, None,
                        (err.code, err.reason, err.filename, err.page, type(err).__name__)))
    return out


def parse_files(paths, options: ParseOptions, *, timeout_s: float | None = None) -> Iterator[ParseResult]:
    """Parse each file in a limited child (one warm child for all of them); results as `parse_path`'s."""
    from api.sandbox import _rebuild

    settings = Settings()
    limits = sandbox_limits(settings)
    if timeout_s:
        from dataclasses import replace

        limits = replace(limits, wall_s=timeout_s, cpu_s=timeout_s)
    sandbox = Sandbox(limits)
    try:
        for path in paths:
            path = Path(path)
            try:
                rows = sandbox.run(_parse_task, str(path), options, label=path.name)
            except IngestError as exc:
                yield ParseResult(path.name, "", None, None, error=exc.with_filename(path.name))
                continue
            for filename, sha, inner, doc_json, err in rows:
                if doc_json is not None:
                    doc = Document.from_json(doc_json)
                    yield ParseResult(filename, sha, inner, doc.format, document=doc)
                else:
                    yield ParseResult(filename, sha, inner, None, error=_rebuild(*err))
    finally:
        sandbox.close()
