"""Parsing limits and switches. Every limit is configurable; defaults suit county declaration files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseOptions:
    max_bytes: int = 200 * 1024 * 1024  # one file
    max_pages: int = 2000
    timeout_s: float | None = 300.0  # per file, enforced in a child process; None = in-process
    ocr: bool = True  # OCR garbled and image-only pages
    ocr_dpi: int = 144
    max_ocr_pages: int = 200
    pdf_tables: bool = True
    passage_chars: int = 400  # passages are split at sentence boundaries to at most about this size
    # zip archives
    zip_max_members: int = 2000
    zip_max_total_bytes: int = 1024 * 1024 * 1024
    zip_max_ratio: float = 200.0  # uncompressed / compressed, per member
    zip_max_depth: int = 3
    libreoffice_timeout_s: float = 120.0
