"""Offline OCR with RapidOCR (ONNX models shipped inside the `rapidocr-onnxruntime` wheel).

Returns positioned text lines so that OCR'd pages go through the same reading-order logic as text-layer
pages. The engine is loaded lazily, once per process, because model load costs about a second.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ingest.layout import Line

OCR_ENGINE = "rapidocr-onnxruntime"


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def engine_version() -> str:
    from importlib.metadata import version

    return f"{OCR_ENGINE} {version(OCR_ENGINE)}"


def ocr_image(image, *, scale: float = 1.0, min_score: float = 0.5) -> list[Line]:
    """Recognise text lines in a PIL image or an RGB numpy array.

    Coordinates are divided by `scale`, so a page rendered at 2x comes back in PDF points.
    """
    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    result, _ = _engine()(arr)
    lines: list[Line] = []
    for box, text, score in result or []:
        if not text or not text.strip() or float(score) < min_score:
            continue
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        lines.append(Line(text=text.strip(), x0=min(xs) / scale, top=min(ys) / scale,
                          x1=max(xs) / scale, bottom=max(ys) / scale))
    return lines
