"""Printed Persian must be legible to a machine reader: Tesseract (`-l fas`, read at 2x scale)
reads the service title, the receipt number and the total back from the thermal image and from
the PDF page, and does not read them from a deliberately reversed rendering.

Tesseract's Persian model drops runs of Latin zeros ("0042" comes back as "2"), so the receipt
number is checked by its leading groups in order; the total is checked in words (مبلغ به حروف)
and by its leading digits.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import unicodedata

import pytest

from desk_app.domain.text import normalize_digits
from printing import layout as L
from printing.pdf import render_receipt_pdf
from printing.qtsupport import qimage_to_pil
from printing.receipt import build_receipt
from printing.thermal import render
from tests.helpers import printing_samples as S
from tests.helpers.tools import require_tool

TITLE = "صدور گذرنامه"
TOTAL_WORDS = "دوازده میلیون و هشتصد و پنجاه هزار ریال"
CODE_HEAD = "4512-2-050908"  # the groups Tesseract's fas model reads reliably


def ocr(tesseract: str, path) -> str:
    done = subprocess.run([tesseract, str(path), "-", "-l", "fas"], capture_output=True, check=True, timeout=60)
    text = unicodedata.normalize("NFKC", done.stdout.decode("utf-8"))
    text = normalize_digits(text).replace("\u200c", "")
    return re.sub(r"[ \t]+", " ", text)


@pytest.fixture(scope="module")
def tesseract():
    path = require_tool("tesseract", "tesseract-ocr with tesseract-ocr-fas")
    langs = subprocess.run([path, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "fas" not in langs:
        from tests.helpers.tools import missing

        missing("tesseract Persian model (tesseract-ocr-fas)")
    return path


def _thermal_png(doc, path):
    img = qimage_to_pil(render(doc, 576))
    img.resize((img.width * 2, img.height * 2)).save(path)
    return path


def test_thermal_receipt_reads_back(tesseract, tmp_path):
    text = ocr(tesseract, _thermal_png(build_receipt(S.receipt()), tmp_path / "r.png"))
    assert TITLE in text
    assert CODE_HEAD in text
    assert TOTAL_WORDS in text
    assert "شماره رسید" in text and "جمع کل" in text


def test_pdf_receipt_reads_back(tesseract, tmp_path):
    pdftoppm = require_tool("pdftoppm", "poppler-utils (PDF to image)")
    pdf = render_receipt_pdf(S.receipt(), tmp_path / "r.pdf")
    # the page at 2 x 150 dpi
    subprocess.run([pdftoppm, "-r", "300", "-png", "-singlefile", str(pdf), str(tmp_path / "p")], check=True)
    text = ocr(tesseract, tmp_path / "p.png")
    assert TITLE in text
    assert CODE_HEAD in text
    assert TOTAL_WORDS in text


def _reversed(doc: L.Document) -> L.Document:
    """What a printer without bidi makes of the receipt: Persian lines in the wrong direction
    (characters reversed) and codes with their groups reversed, as the plain bidi algorithm
    orders 4512-2-050908-0042 after a Persian label."""
    out = L.Document(doc.kind)
    for b in doc.blocks:
        if isinstance(b, (L.Title, L.Text)):
            out.blocks.append(dataclasses.replace(b, text=b.text[::-1]))
        elif isinstance(b, L.KeyValue):
            value = "-".join(reversed(b.value.split("-"))) if b.ltr else b.value[::-1]
            out.blocks.append(dataclasses.replace(b, label=b.label[::-1], value=value))
        else:
            out.blocks.append(b)
    return out


def test_reversed_rendering_is_not_read(tesseract, tmp_path):
    text = ocr(tesseract, _thermal_png(_reversed(build_receipt(S.receipt())), tmp_path / "bad.png"))
    assert TITLE not in text
    assert CODE_HEAD not in text
    assert TOTAL_WORDS not in text
