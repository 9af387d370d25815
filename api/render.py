"""Page images for the API: rendered in a limited child process, cached under the data directory."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from api.engine import sandbox_limits
from api.sandbox import Sandbox
from api.settings import Settings
from ingest.render import render_page_png

SCALES = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)  # cached sizes: a requested scale is rounded to one


class PageImages:
    """PNG pages of stored PDFs. The first request of a page renders it in the renderer child (spawned,
    limited to 30 s and the parser's memory budget); later ones read the cached file."""

    def __init__(self, settings: Settings):
        self.cache = Path(settings.data_dir) / "cache" / "pages"
        limits = replace(sandbox_limits(settings), wall_s=30.0, cpu_s=30.0, jobs_per_child=200)
        self._sandbox = Sandbox(limits, start_method="spawn", env=settings.child_env())
        self._lock = threading.Lock()

    def png(self, sha256: str, original: Path, number: int, scale: float) -> bytes:
        scale = min(SCALES, key=lambda s: abs(s - scale))
        path = self.cache / sha256[:2] / sha256 / f"{number}@{scale:g}.png"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        with self._lock:  # one render at a time per API process; others wait (renders take ~0.1 s)
            if path.exists():
                return path.read_bytes()
            data = self._sandbox.run(render_page_png, str(original), number, scale)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        return data

    def close(self) -> None:
        self._sandbox.close()
