"""Offline OCR with RapidOCR (ONNX models shipped inside the `rapidocr-onnxruntime` wheel).

Returns positioned text lines so that OCR'd pages go through the same reading-order logic as text-layer
pages. The engine is loaded lazily, once per process, because model load costs about a second.

Red seals (公章) are masked before recognition: the engine reads a grey image, in which seal red is as
dark as text, so a seal stamped over the 落款 and the date hides the black characters under it.
`suppress_red_seals` finds seal-shaped red blobs and paints their red ink over with the page's
background, leaving black (and black-under-red) pixels alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ingest.layout import Line

OCR_ENGINE = "rapidocr-onnxruntime"

# saturated seal red: red well above green and blue (ink, not a warm grey or a skin tone in a photo)
_RED_MIN, _RED_OVER_GREEN, _RED_OVER_BLUE = 120, 60, 50
# inside a seal, the ink's pale and anti-aliased edges are painted over too
_EDGE_OVER_GREEN, _EDGE_OVER_BLUE = 30, 25
_CELL = 6  # pixels per cell of the grid on which red blobs are joined
_MIN_SEAL_PX = 48  # a smaller red blob is a character or a mark, not a seal
_SEAL_ASPECT = (0.6, 1.65)  # round and oval seals; a red 版头 or rule is far wider than high
_SEAL_FILL = (0.03, 0.3)  # share of a seal's box that is red (a ring, a star, thin text); a character fills more
_RING = 0.9  # share of a circle that red ink runs along: a seal is ringed


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def engine_version() -> str:
    from importlib.metadata import version

    return f"{OCR_ENGINE} {version(OCR_ENGINE)}"


def ocr_image(image, *, scale: float = 1.0, min_score: float = 0.5, suppress_seals: bool = True) -> list[Line]:
    """Recognise text lines in a PIL image or an RGB numpy array.

    Coordinates are divided by `scale`, so a page rendered at 2x comes back in PDF points. Red seals are
    masked first (`suppress_red_seals`) unless `suppress_seals` is off.
    """
    arr = np.asarray(image.convert("RGB")) if hasattr(image, "convert") else np.asarray(image)
    if suppress_seals:
        arr, _seals = suppress_red_seals(arr)
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


@dataclass(frozen=True, slots=True)
class Seal:
    """A seal-shaped red blob, in pixels: (x0, top, x1, bottom) and how many pixels were painted over."""

    box: tuple[int, int, int, int]
    painted: int


def suppress_red_seals(arr: np.ndarray) -> tuple[np.ndarray, list[Seal]]:
    """Paint the red ink of seals over with the background; black text under a seal stays.

    A seal is a blob of saturated red (joined on a coarse grid, so a ring, its star and its text are
    one blob) that is roughly as high as wide, at least `_MIN_SEAL_PX` across, ringed (`_ring`) and
    only thinly filled. A red 版头 and red rules are far wider than high; 特急 in red is too small or
    too wide; a big red character, even a boxy one (田, 回), fills its box far more than a seal does.
    Only a red 〇 on its own passes for a seal. Returns the input unchanged (the same array) when no
    seal is found.
    """
    if arr.ndim != 3 or arr.shape[2] < 3 or min(arr.shape[:2]) < _MIN_SEAL_PX:
        return arr, []
    rgb = arr[:, :, :3]
    r = rgb[:, :, 0].astype(np.int16)
    g = rgb[:, :, 1].astype(np.int16)
    b = rgb[:, :, 2].astype(np.int16)
    red = (r >= _RED_MIN) & (r - g >= _RED_OVER_GREEN) & (r - b >= _RED_OVER_BLUE)
    if int(red.sum()) < _MIN_SEAL_PX * 4:
        return arr, []
    seals = _seal_boxes(red)
    if not seals:
        return arr, []
    out = rgb.copy()
    background = np.median(rgb[:: max(1, rgb.shape[0] // 200), :: max(1, rgb.shape[1] // 200)].reshape(-1, 3),
                           axis=0).astype(rgb.dtype)
    found = []
    for x0, top, x1, bottom in seals:
        rr, gg, bb = r[top:bottom, x0:x1], g[top:bottom, x0:x1], b[top:bottom, x0:x1]
        ink = (rr >= _RED_MIN) & (rr - gg >= _EDGE_OVER_GREEN) & (rr - bb >= _EDGE_OVER_BLUE)
        out[top:bottom, x0:x1][ink] = background
        found.append(Seal((x0, top, x1, bottom), int(ink.sum())))
    return out, found


_ANGLES = np.linspace(0, 2 * np.pi, 72, endpoint=False)
_BAND = np.array([0.97, 1.0, 1.03])  # the width of a ring, as a share of its radius
_CENTRES = np.linspace(0.4, 0.6, 5)  # where in its blob's box a ring's centre may sit (text can stick out)
_RADII = np.linspace(0.38, 0.5, 7)  # a ring's radius, as a share of the longer side of its blob's box


def _ring(red: np.ndarray, x0: int, top: int, x1: int, bottom: int) -> float:
    """How much of a circle red ink runs along, for the best circle inside a blob's box: about 1 for a
    seal's ring, even with its text sticking out of the ring; 0.4 to 0.9 for most red characters (boxy
    ones such as 田 reach 1 and are told apart by their fill)."""
    w, h = x1 - x0, bottom - top
    cx = x0 + _CENTRES * w  # (C,)
    cy = top + _CENTRES * h
    radii = _RADII * max(w, h)  # (R,)
    # (Cy, Cx, R, angle, band) sample grid, flattened per circle
    dx = np.multiply.outer(np.multiply.outer(radii, np.cos(_ANGLES)), _BAND)  # (R, A, B)
    dy = np.multiply.outer(np.multiply.outer(radii, np.sin(_ANGLES)), _BAND)
    xs = np.rint(cx[None, :, None, None, None] + dx[None, None]).astype(np.int64)
    ys = np.rint(cy[:, None, None, None, None] + dy[None, None]).astype(np.int64)
    xs, ys = np.broadcast_arrays(xs, ys)
    inside = (xs >= 0) & (xs < red.shape[1]) & (ys >= 0) & (ys < red.shape[0])
    hits = np.zeros(xs.shape, dtype=bool)
    hits[inside] = red[ys[inside], xs[inside]]
    return float(hits.any(axis=-1).mean(axis=-1).max())


def _seal_boxes(red: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (pixels) of the seal-shaped blobs of a red mask."""
    h, w = red.shape
    gh, gw = -(-h // _CELL), -(-w // _CELL)
    padded = np.zeros((gh * _CELL, gw * _CELL), dtype=bool)
    padded[:h, :w] = red
    grid = padded.reshape(gh, _CELL, gw, _CELL).any(axis=(1, 3))
    # join strokes a cell apart (the gap between a seal's ring and its text)
    joined = grid.copy()
    joined[1:, :] |= grid[:-1, :]
    joined[:-1, :] |= grid[1:, :]
    joined[:, 1:] |= grid[:, :-1]
    joined[:, :-1] |= grid[:, 1:]
    seen = np.zeros_like(joined)
    boxes = []
    for y, x in zip(*np.nonzero(joined), strict=True):
        if seen[y, x]:
            continue
        seen[y, x] = True
        stack = [(int(y), int(x))]
        y0 = y1 = int(y)
        x0 = x1 = int(x)
        while stack:
            cy, cx = stack.pop()
            y0, y1, x0, x1 = min(y0, cy), max(y1, cy), min(x0, cx), max(x1, cx)
            for ny, nx in ((cy - 1, cx), (cy + 1, cx), (cy, cx - 1), (cy, cx + 1)):
                if 0 <= ny < gh and 0 <= nx < gw and joined[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
        px0, ptop = x0 * _CELL, y0 * _CELL
        px1, pbottom = min((x1 + 1) * _CELL, w), min((y1 + 1) * _CELL, h)
        bw, bh = px1 - px0, pbottom - ptop
        if min(bw, bh) < _MIN_SEAL_PX or not _SEAL_ASPECT[0] <= bw / bh <= _SEAL_ASPECT[1]:
            continue
        fill = red[ptop:pbottom, px0:px1].mean()
        if _SEAL_FILL[0] <= fill <= _SEAL_FILL[1] and _ring(red, px0, ptop, px1, pbottom) >= _RING:
            boxes.append((px0, ptop, px1, pbottom))
    # a seal's star can be a blob of its own inside the ring: one seal, one box
    return [a for a in boxes if not any(o != a and o[0] <= a[0] and o[1] <= a[1] and o[2] >= a[2] and o[3] >= a[3]
                                        for o in boxes)]
