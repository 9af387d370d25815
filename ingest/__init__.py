"""ingest: files -> one typed `Document` (sniff, parse per format, clean, segment).

Public API:
    parse_path(path, options) -> list[ParseResult]      # never raises for a bad file
    parse_bytes(data, filename, options) -> list[ParseResult]
    parse_document(data, filename, options) -> Document  # one non-archive file; raises IngestError
"""

from ingest.errors import IngestError, JiliError
from ingest.model import Document, InputFormat, Segment, SegmentKind, Source, Span, SpanKind
from ingest.options import ParseOptions
from ingest.parse import ParseResult, parse_bytes, parse_document, parse_path

__all__ = [
    "Document", "IngestError", "InputFormat", "JiliError", "ParseOptions", "ParseResult", "Segment",
    "SegmentKind", "Source", "Span", "SpanKind", "parse_bytes", "parse_document", "parse_path",
]
