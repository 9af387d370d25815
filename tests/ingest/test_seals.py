"""Red seals (公章) are masked before OCR, so the 落款 and date stamped over stay readable; red text
(a red 版头, 特急) is not a seal and stays."""

from __future__ import annotations

import math
from io import BytesIO

import numpy as np
import pytest

from ingest import ParseOptions, parse_document
from ingest.ocr import ocr_image, suppress_red_seals
from tests.conftest import cjk_font, png_bytes

SEAL_RED = (220, 30, 40)
DATE = "2023年1月12日"
SIGNER = "重庆市某某县人民政府办公室"


def seal_image(size: int, name: str = "重庆市某某县人民政府", color=SEAL_RED):
    """A round 公章 on a transparent ground: a ring, a star, and the unit's name along the upper arc."""
    from PIL import Image, ImageDraw

    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(im)
    ring = max(3, size // 40)
    draw.ellipse((ring, ring, size - ring, size - ring), outline=color + (255,), width=ring)
    c, r = size / 2, size * 0.13
    star = [(c + (r if k % 2 == 0 else r * 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
             c + (r if k % 2 == 0 else r * 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5)) for k in range(10)]
    draw.polygon(star, fill=color + (255,))
    font = cjk_font(int(size * 0.13))
    span = math.radians(240)
    for k, ch in enumerate(name):
        a = -math.pi / 2 - span / 2 + span * (k + 0.5) / len(name)
        glyph = Image.new("RGBA", (int(size * 0.16),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch, font=font, fill=color + (255,),
                                   anchor="mm")
        glyph = glyph.rotate(-math.degrees(a + math.pi / 2), resample=Image.BICUBIC, expand=True)
        rad = size / 2 - 2 * ring - size * 0.09
        im.alpha_composite(glyph, (int(c + rad * math.cos(a) - glyph.width / 2),
                                   int(c + rad * math.sin(a) - glyph.height / 2)))
    return im


def stamped_page(*, seal: bool = True, red_head: bool = False):
    """An A4 公文 page at 150 dpi: black text, the 落款 and date at the right, a red seal pressed over
    both (ink on ink: black stays black where the seal covers it). `red_head` adds a red 版头 and 特急."""
    from PIL import Image, ImageChops, ImageDraw

    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    if red_head:
        draw.text((620, 120), "重庆市某某县人民政府文件", font=cjk_font(64), fill=SEAL_RED, anchor="mm")
        draw.text((150, 60), "特急", font=cjk_font(32), fill=SEAL_RED)
    draw.text((620, 220), "关于开展督查激励申报工作的通知", font=cjk_font(44), fill="black", anchor="mm")
    body = ["各区县人民政府，市政府有关部门：", "现将《关于开展督查激励申报工作的通知》印发给你们，",
            "请认真贯彻执行。各单位要高度重视，于2023年2月1日前", "完成申报材料的报送工作。"]
    for i, line in enumerate(body):
        draw.text((150, 330 + 60 * i), line, font=cjk_font(32), fill="black")
    draw.text((1080, 730), SIGNER, font=cjk_font(32), fill="black", anchor="rm")
    draw.text((1040, 790), DATE, font=cjk_font(32), fill="black", anchor="rm")
    if seal:
        stamp = seal_image(300)
        layer = Image.new("RGB", page.size, "white")
        layer.paste(stamp, (750, 640), stamp)
        page = ImageChops.multiply(page, layer)
    return page


def test_the_seal_is_found_and_painted_over_and_black_text_under_it_stays():
    page = np.asarray(stamped_page(red_head=True))
    out, seals = suppress_red_seals(page)
    assert len(seals) == 1
    x0, top, x1, bottom = seals[0].box
    assert abs(x0 - 750) <= 12 and abs(top - 640) <= 12 and abs(x1 - 1050) <= 12 and abs(bottom - 940) <= 12
    red = (page[..., 0].astype(int) - page[..., 1] > 60) & (page[..., 0] > 120)
    inside = np.zeros(red.shape, dtype=bool)
    inside[top:bottom, x0:x1] = True
    assert not ((out[..., 0].astype(int) - out[..., 1] > 60) & (out[..., 0] > 120) & inside).any()
    dark = page.max(axis=2) < 90  # black text, under the seal too
    assert (out[dark] == page[dark]).all() and (dark & inside).sum() > 500
    # the red 版头 and 特急 are red text, not seals
    assert (out[~inside] == page[~inside]).all() and (red & ~inside).sum() > 2000


def test_a_page_without_red_is_returned_as_it_is():
    page = np.asarray(stamped_page(seal=False))
    out, seals = suppress_red_seals(page)
    assert seals == [] and out is page


@pytest.mark.parametrize("ch", ["田", "国", "回", "口", "密", "急"])
def test_a_big_red_character_is_not_a_seal(ch):
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 240), "white")
    ImageDraw.Draw(image).text((120, 120), ch, font=cjk_font(150), fill=SEAL_RED, anchor="mm")
    assert suppress_red_seals(np.asarray(image))[1] == []


def _lines(lines) -> list[str]:
    return [ln.text.replace(" ", "") for ln in lines]


@pytest.mark.ocr
def test_the_date_under_the_seal_is_read_once_the_seal_is_masked():
    page = stamped_page()
    masked = _lines(ocr_image(page))
    assert DATE in masked and SIGNER in masked
    # the seal does hide them from OCR when left in place
    unmasked = _lines(ocr_image(page, suppress_seals=False))
    assert DATE not in unmasked


@pytest.mark.ocr
def test_a_stamped_photo_and_a_stamped_scan_in_a_pdf_are_read_through_the_seal():
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = png_bytes(stamped_page(red_head=True))
    doc = parse_document(image, "stamped.png", ParseOptions())
    assert DATE in doc.text.replace(" ", "") and "人民政府文件" in doc.text
    buf = BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.drawImage(ImageReader(BytesIO(image)), 0, 0, A4[0], A4[1])
    c.showPage()
    c.save()
    doc = parse_document(buf.getvalue(), "stamped.pdf", ParseOptions())
    assert doc.ocr_pages == [1] and DATE in doc.text.replace(" ", "")
