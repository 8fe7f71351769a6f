"""Compression for 2G: a scanned A4 page of Persian text becomes a bi-level page of at most 40 KB
that Tesseract's Persian model still reads; an ID-card photo becomes a grey JPEG; the kind is
chosen by content and can be forced; odd inputs (blank, black, 16-bit, transparent) stay faithful."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat

from desk_app.services import imaging
from tests.helpers import scanned as S
from tests.helpers.attachdata import ocr_fas

A4_200 = (1654, 2339)


@pytest.fixture(scope="module")
def text_page():
    return S.scanned(S.text_page())


@pytest.fixture(scope="module")
def card():
    return S.id_card_photo()


def _near(size, want, slack=2):
    return all(abs(a - b) <= slack for a, b in zip(size, want))


def test_a4_text_page_is_bilevel_under_40_kb_and_reads_back(text_page, tmp_path):
    page = imaging.compress(text_page, dpi=300)
    assert page.kind == imaging.TEXT
    assert page.content_type in ("image/tiff", "image/png")
    assert page.size <= 40 * 1024, f"{page.kb} KB"
    back = imaging.decode(page.data)
    assert back.mode == "1" and _near(back.size, A4_200) and page.dpi == 200
    if page.content_type == "image/tiff":
        assert back.info.get("compression") == "group4"
    path = tmp_path / ("page.tif" if page.content_type == "image/tiff" else "page.png")
    path.write_bytes(page.data)
    text = ocr_fas(path)
    found = [w for w in S.KEY_WORDS if w in text]
    assert found == list(S.KEY_WORDS), f"Tesseract missed {set(S.KEY_WORDS) - set(found)}"


def test_densest_page_stays_under_40_kb():
    """9 pt type with tight paragraphs (~55 lines): the most text an A4 form carries."""
    page = imaging.compress(S.scanned(S.text_page(point_size=9.0, gap_mm=0.5)), dpi=300)
    assert page.kind == imaging.TEXT and page.size <= 40 * 1024, f"{page.kb} KB"


def test_noise_and_grey_paper_do_not_reach_the_page(text_page):
    """The scan's grey paper, gradient and noise become white: a page of white margins and text
    has far more white than black, and the top margin (no text) is all white."""
    back = imaging.decode(imaging.compress(text_page, dpi=300).data).convert("L")
    hist = back.histogram()
    assert hist[0] / (back.width * back.height) < 0.12
    margin = back.crop((0, 0, back.width, 100))  # above the first line, no dust there by the seed
    assert margin.getextrema()[0] >= 0
    black_in_margin = margin.histogram()[0]
    assert black_in_margin < 60, black_in_margin  # at most a dust speck, never noise


def test_id_card_photo_is_grey_jpeg(card):
    page = imaging.compress(card, dpi=300)
    assert page.kind == imaging.PHOTO and page.content_type == "image/jpeg"
    back = imaging.decode(page.data)
    assert back.mode == "L" and _near(back.size, (674, 425))
    lo, hi = back.getextrema()
    assert hi - lo > 150  # the tones are kept, not thresholded
    mids = sum(back.histogram()[60:200]) / (back.width * back.height)
    assert mids > 0.15
    # faithful: on average within a few grey levels of the photo itself
    original = card.convert("L").resize(back.size, Image.Resampling.BOX)
    assert ImageStat.Stat(ImageChops.difference(original, back)).mean[0] < 4
    assert page.size < 60 * 1024


def test_the_kind_can_be_forced(text_page, card):
    assert imaging.compress(card, dpi=300, kind=imaging.TEXT).kind == imaging.TEXT
    forced = imaging.compress(text_page, dpi=300, kind=imaging.PHOTO)
    assert forced.kind == imaging.PHOTO and forced.content_type == "image/jpeg"
    with pytest.raises(ValueError):
        imaging.compress(card, kind="colour")


def test_choice_by_midtones(text_page, card):
    text_kind, text_share = imaging.classify(imaging._resize(text_page.convert("L"), 200 / 300))
    card_kind, card_share = imaging.classify(imaging._resize(card.convert("L"), 200 / 300))
    assert (text_kind, card_kind) == (imaging.TEXT, imaging.PHOTO)
    assert text_share < imaging.MIDTONE_PHOTO <= card_share


def test_blank_page_stays_white_and_black_page_stays_black():
    blank = Image.effect_noise((800, 1100), 12).point(lambda v: v + 90)  # grey paper, nothing on it
    back = imaging.decode(imaging.compress(blank, dpi=200).data).convert("L")
    assert back.getextrema() == (255, 255)
    black = Image.new("L", (800, 1100), 8)
    back = imaging.decode(imaging.compress(black, dpi=200, kind=imaging.TEXT).data).convert("L")
    assert back.getextrema() == (0, 0)


def test_large_dark_block_on_a_form_stays_dark():
    """A black header bar wider than the paper estimate's window is ink, not paper."""
    page = Image.new("L", (1654, 2339), 210)
    page.paste(20, (100, 100, 1554, 400))  # 1454 x 300 px bar
    back = imaging.decode(imaging.compress(page, dpi=200, kind=imaging.TEXT).data).convert("L")
    inside = back.crop((150, 150, 1500, 350))
    assert inside.histogram()[0] / (inside.width * inside.height) > 0.99


def test_unknown_resolution_is_taken_as_a4(text_page):
    no_dpi = text_page.copy()
    no_dpi.info.pop("dpi", None)
    page = imaging.compress(no_dpi)  # 2480 x 3508 px with no tag: an A4 page at 300 dpi
    assert page.dpi == 200 and _near((page.width, page.height), A4_200)
    assert imaging.plausible_dpi((72, 72)) is None and imaging.plausible_dpi(300) == 300.0


def test_phone_photo_without_resolution_is_capped():
    photo = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    page = imaging.compress(photo, kind=imaging.PHOTO)
    assert max(page.width, page.height) == imaging.PHOTO_MAX_SIDE


def _small_form() -> Image.Image:
    """Grey noisy paper, 1200 x 800 px at 300 dpi, with a block of Persian text in its middle and
    nothing within 200 px of its left edge."""
    form = S.scanned(S.text_page()).crop((1000, 600, 2200, 1400))
    paper = Image.effect_noise((300, 800), 14).point(lambda v: v + 80)  # grey noisy paper, no dust
    form.paste(paper, (0, 0))
    return form


@pytest.mark.parametrize("mode", ["RGBA", "LA", "I;16", "P", "1", "CMYK"])
def test_input_modes(mode):
    src = _small_form()
    if mode == "I;16":
        img = src.convert("I").point(lambda v: v * 256).convert("I;16")
    elif mode == "RGBA":
        img = src.convert("RGBA")
        img.paste((0, 0, 0, 0), (0, 0, 150, 150))  # transparent: paper, not ink
    elif mode == "LA":
        img = src.convert("LA")
        img.paste((0, 0), (0, 0, 150, 150))
    elif mode == "1":  # a scanner's own line-art mode: thresholded
        img = src.point(lambda v: 255 if v > 128 else 0, "1")
    else:
        img = src.convert(mode)
    page = imaging.compress(img, dpi=300, kind=imaging.TEXT)
    back = imaging.decode(page.data).convert("L")
    assert back.crop((0, 0, 120, back.height)).getextrema() == (255, 255)  # paper and transparency white
    assert back.histogram()[0] > 2000  # the text is there


def test_preview_is_a_small_png(text_page):
    page = imaging.compress(text_page, dpi=300)
    png = page.preview_png()
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and max(img.size) == imaging.PREVIEW_PX and img.mode == "L"
    assert len(png) < 40 * 1024
    assert page.to_json()["kb"] == page.kb and "data" not in page.to_json()
