"""Images (PNG, JPEG, TIFF, GIF, BMP): OCR'd as one page."""

from __future__ import annotations

import io

from ingest.builder import ParsedContent, RawBlock
from ingest.errors import CorruptFileError, LimitExceededError
from ingest.layout import block_paragraphs, group_blocks, xy_cut
from ingest.model import SegmentKind, Source

MAX_PIXELS = 60_000_000


def parse_image(data: bytes, filename: str, options) -> ParsedContent:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise LimitExceededError(f"the image is {image.width}x{image.height} pixels, over the limit",
                                     filename=filename)
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise CorruptFileError(f"the image is damaged or truncated ({exc})", filename=filename) from exc
    if not options.ocr:
        return ParsedContent(blocks=[], pages=1, warnings=["image not OCR'd: OCR is off"], ocr_needed=[1])
    from ingest.ocr import ocr_image

    longest = max(image.width, image.height)
    scale = 1.0
    if longest > 2400:
        scale = 2400 / longest
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    lines = ocr_image(image, scale=scale)
    blocks = []
    for block in xy_cut(group_blocks(lines)):
        for para in block_paragraphs(block):
            blocks.append(RawBlock(kind=SegmentKind.PARAGRAPH, text=para.text, page=1, bbox=para.bbox,
                                   source=Source.OCR))
    return ParsedContent(blocks=blocks, pages=1, ocr_pages=[1], metadata={"image_size": f"{image.width}x{image.height}"})
