"""The one typed document model that every stage shares.

A `Document` is what a file becomes: its id is the sha256 of the file's bytes, its `text` is the plain
body text in reading order (page headers, footers and page-number lines removed), and every structural
unit (`Segment`), sentence and passage (`Span`) points into that text with character offsets
``[start, end)`` and names the page it came from and whether the text came from the PDF text layer,
OCR, or a table.

Later stages cite segment ids and offsets; nothing passes loose dicts between stages. Dicts only appear
at the JSON/SQLite boundary (`Document.to_json` / `Document.from_json`).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

MODEL_VERSION = "jili.document.v1"


class InputFormat(str, Enum):
    """Formats recognised from the file's content (magic bytes), never from its name."""

    PDF = "pdf"
    DOCX = "docx"
    DOC = "doc"  # Word 97 binary in OLE2; WPS Office writes .wps files in this format too
    TXT = "txt"
    IMAGE = "image"
    OFD = "ofd"  # GB/T 33190 fixed-layout package (a zip holding OFD.xml)
    ZIP = "zip"


class SegmentKind(str, Enum):
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    CAPTION = "caption"
    TABLE = "table"
    TABLE_ROW = "table_row"
    TABLE_CELL = "table_cell"


class Source(str, Enum):
    """Where a piece of text came from: it decides how far its characters (and digits) can be trusted."""

    TEXT = "text"  # the file's own text layer
    OCR = "ocr"  # recognised from a rendered page or an embedded image
    TABLE = "table"  # a table cell (from the text layer)


class SpanKind(str, Enum):
    SENTENCE = "sentence"
    PASSAGE = "passage"


class BBox(BaseModel):
    """A box in PDF points, origin at the top-left of the page (y grows downwards)."""

    model_config = ConfigDict(frozen=True)

    x0: float
    top: float
    x1: float
    bottom: float


class Segment(BaseModel):
    """A structural unit: heading, paragraph, list item, caption, table, table row or table cell.

    Tables own their rows and rows own their cells (`parent`); a child's offsets lie inside its
    parent's. Only top-level segments (``parent is None``) are joined to form `Document.text`.
    """

    id: str
    kind: SegmentKind
    text: str
    page: int = Field(ge=1, description="1-based page number where the segment starts")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    source: Source = Source.TEXT
    level: int | None = Field(default=None, description="heading level, 1 = top")
    bbox: BBox | None = None
    parent: str | None = None
    row: int | None = None
    col: int | None = None
    end_page: int | None = None


class Span(BaseModel):
    """A sentence or a passage: a stretch of `Document.text` with the pages it covers."""

    id: str
    kind: SpanKind
    text: str
    start: int
    end: int
    page: int
    end_page: int
    segment_ids: list[str] = Field(default_factory=list)
    heading: str | None = Field(default=None, description="the section heading the span sits under")
    source: Source = Source.TEXT


class GongwenMeta(BaseModel):
    """公文 elements (GB/T 9704) found in the document, when it is one."""

    issuer: str | None = Field(default=None, description="发文机关 / 版头")
    doc_number: str | None = Field(default=None, description="发文字号, e.g. 渝府办发〔2022〕74号")
    title: str | None = None
    addressee: str | None = Field(default=None, description="主送机关")
    signer: str | None = Field(default=None, description="落款 (signing unit)")
    date: str | None = Field(default=None, description="成文日期 as ISO date when parseable")
    date_text: str | None = None


class Furniture(BaseModel):
    """Page furniture kept apart from the body: running headers, footers and page numbers."""

    page: int | None = None
    kind: str  # "header" | "footer" | "page_number"
    text: str


class Document(BaseModel):
    id: str = Field(description="sha256 of the file's bytes")
    filename: str
    archive_path: str | None = Field(default=None, description="path inside the zip it came from")
    format: InputFormat
    pages: int = Field(ge=0)
    text: str
    segments: list[Segment] = Field(default_factory=list)
    sentences: list[Span] = Field(default_factory=list)
    passages: list[Span] = Field(default_factory=list)
    furniture: list[Furniture] = Field(default_factory=list)
    ocr_pages: list[int] = Field(default_factory=list)
    ocr_needed: list[int] = Field(default_factory=list, description="pages that need OCR, which was off")
    gongwen: GongwenMeta = Field(default_factory=GongwenMeta)
    metadata: dict[str, str] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list)
    size: int = 0
    model_version: str = MODEL_VERSION

    def segment(self, segment_id: str) -> Segment:
        for seg in self.segments:
            if seg.id == segment_id:
                return seg
        raise KeyError(segment_id)

    def top_segments(self) -> list[Segment]:
        return [s for s in self.segments if s.parent is None]

    def page_of(self, offset: int) -> int:
        """The page on which the character at `offset` of `text` lies."""
        page = 1
        for seg in self.segments:
            if seg.parent is None and seg.start <= offset:
                page = seg.page
                if offset < seg.end:
                    break
        return page

    def to_json(self, **kwargs) -> str:
        return self.model_dump_json(**kwargs)

    @classmethod
    def from_json(cls, data: str | bytes) -> Document:
        return cls.model_validate_json(data)
