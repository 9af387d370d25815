"""Parsing limits and switches. Every limit is configurable; defaults suit county declaration files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ParseOptions:
    max_bytes: int = 200 * 1024 * 1024  # one file
    max_pages: int = 2000
    ocr: bool = True  # OCR garbled and image-only pages
    ocr_dpi: int = 144
    max_ocr_pages: int = 200
    pdf_tables: str = "pdfium"  # ruled tables from PDFium's drawing; "pdfplumber" (the reference) or "off"
    passage_chars: int = 400  # passages are split at sentence boundaries to at most about this size
    # zip archives
    zip_max_members: int = 2000
    zip_max_total_bytes: int = 1024 * 1024 * 1024
    zip_max_ratio: float = 200.0  # uncompressed / compressed, per member
    zip_max_depth: int = 3
    # parts of a container file (DOCX, OFD): a decompression bomb in one part fails the file
    part_max_bytes: int = 128 * 1024 * 1024
    part_max_ratio: float = 200.0  # uncompressed / compressed, for parts larger than 10 MB
    libreoffice_timeout_s: float = 120.0
