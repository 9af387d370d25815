"""The JSON file a small learned model is kept in (the document-measure model, the practice ranker).

The body names its format and feature list; its version is the format plus a digest of the body, so
every output that cites the version points at exactly these weights, metrics and training facts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def dumps(fmt: str, features: tuple[str, ...], body: dict[str, Any]) -> str:
    """The model file's text: `body` with its format, features and digest-derived version."""
    body = {"format": fmt, "features": list(features), **body}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    return json.dumps({"version": f"{fmt}+{digest}", **body}, ensure_ascii=False, indent=1) + "\n"


def load(path: str | Path, fmt: str, features: tuple[str, ...]) -> dict[str, Any]:
    """A model file's content, refused unless it has this format and exactly these features."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != fmt or tuple(data["features"]) != features:
        raise ValueError(f"{path}: not a {fmt} model with features {features}")
    return data


def rounded(values) -> list[float]:
    return [round(float(v), 6) for v in values]
