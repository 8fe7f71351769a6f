"""Thermal receipts: raster width per paper, ESC/POS bytes decoded back pixel-exactly, codes kept
in order, letters joined, QR readable, long names and huge amounts inside the paper."""

from __future__ import annotations

import pytest
from PIL import Image, ImageChops

from printing import layout as L
from printing.escpos_out import to_escpos_bytes
from printing.qtsupport import ensure_gui, qimage_to_pil
from printing.receipt import build_receipt, qr_payload
from printing.targets import print_receipt_to, receipt_bytes
from printing.thermal import paper_dots, render
from tests.helpers import printing_samples as S
from tests.helpers.escpos_decode import decode
from tests.helpers.tools import require_module


def pil(doc, dots=576) -> Image.Image:
    return qimage_to_pil(render(doc, dots))


def ink_bbox(img: Image.Image):
    return ImageChops.invert(img).getbbox()


@pytest.mark.parametrize("paper,dots,expected", [(80, None, 576), (58, None, 384), (80, 512, 512)])
def test_escpos_job_decodes_to_the_rendered_image_at_paper_width(paper, dots, expected):
    data = S.receipt()
    job = decode(receipt_bytes(data, paper=paper, dots=dots))
    assert job.width == expected
    rendered = qimage_to_pil(render(build_receipt(data), paper_dots(paper, dots)))
    printed = job.image()
    assert printed.size == rendered.size
    assert ImageChops.difference(printed, rendered).getbbox() is None, "printed raster differs from the render"
    # python-escpos splits a tall receipt into GS v 0 blocks of at most 960 rows; we stack them back
    assert len(job.blocks) == -(-rendered.height // 960) and all(rows <= 960 for _, rows in job.blocks)
    assert job.commands[0] == "init" and job.commands[-1] == "cut"
    assert "drawer" not in job.commands


def test_cash_drawer_kick_is_optional_and_after_the_cut():
    job = decode(to_escpos_bytes(render(build_receipt(S.receipt()), 576), drawer=True))
    assert job.commands[-2:] == ["cut", "drawer"]


def test_png_target_is_the_thermal_image(tmp_path):
    out = tmp_path / "r.png"
    print_receipt_to(f"png:{out}", S.receipt(), paper=58)
    img = Image.open(out).convert("L")
    assert img.width == 384
    assert ImageChops.difference(img, pil(build_receipt(S.receipt()), 384)).getbbox() is None


def test_receipt_number_after_persian_label_keeps_its_order():
    """The value cell of «شماره رسید» must show the same pixels as the code drawn alone
    (Latin only, so nothing can reorder it; no isolate controls, so none can show as a box);
    the plain bidi algorithm would print 0042-...-4512."""
    code = S.RECEIPT_NO
    with_label = pil(L.Document("t", [L.KeyValue("شماره رسید", code, ltr=True)]))
    alone = pil(L.Document("t", [L.Text(code, align="left")]))  # no bidi controls at all
    left = [_crop_ink(img.crop((0, 0, 576 // 2, img.height))) for img in (with_label, alone)]
    assert left[0].size == left[1].size and left[0].width > 150
    assert ImageChops.difference(*left).getbbox() is None
    # and the label really is there, on the right
    assert ink_bbox(with_label.crop((576 // 2, 0, 576, with_label.height))) is not None
    # a code inside Persian free text is isolated too: the left end of the line is the code
    code_alone = left[1]

    def left_end(img: Image.Image) -> Image.Image:
        line = _crop_ink(img)
        return _crop_ink(line.crop((0, 0, code_alone.width, line.height)))

    inline = left_end(pil(L.Document("t", [L.Text(f"شماره رسید {code}")])))
    # ...unlike Qt given the same text without isolation (the plain bidi algorithm)
    plain = left_end(qt_text(f"شماره رسید {code}"))
    assert inline.size == code_alone.size and ImageChops.difference(inline, code_alone).getbbox() is None
    assert plain.size != code_alone.size or ImageChops.difference(plain, code_alone).getbbox() is not None


def qt_text(text: str) -> Image.Image:
    """`text` drawn by Qt itself (QPainter.drawText, right-to-left, Vazirmatn 24 px), 1-bit."""
    ensure_gui()
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont, QImage, QPainter, QTextOption

    img = QImage(576, 80, QImage.Format.Format_Grayscale8)
    img.fill(255)
    p = QPainter(img)
    f = QFont("Vazirmatn")
    f.setPixelSize(24)
    f.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    p.setFont(f)
    opt = QTextOption(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute)
    opt.setTextDirection(Qt.LayoutDirection.RightToLeft)
    p.drawText(QRectF(0, 10, 560, 60), text, opt)
    p.end()
    mono = img.convertToFormat(QImage.Format.Format_Mono, Qt.ImageConversionFlag.ThresholdDither)
    return qimage_to_pil(mono)


def _crop_ink(img: Image.Image) -> Image.Image:
    return img.crop(ink_bbox(img))


def test_persian_letters_are_joined():
    """Our rendering of a word equals Qt's own shaped drawing of it, and differs from the same
    letters drawn isolated (ZWNJ between them), which is wider."""
    word = "مستندسازی"

    ours = _crop_ink(pil(L.Document("t", [L.Text(word)])))
    joined = _crop_ink(qt_text(word))
    isolated = _crop_ink(qt_text("\u200c".join(word)))
    assert ours.size == joined.size
    diff = ImageChops.difference(ours, joined).histogram()[255]  # pixels black in one only
    ink = ImageChops.invert(joined).histogram()[255]
    assert diff < 0.05 * ink, f"{diff} of {ink} ink pixels differ from Qt's shaped word"  # sub-pixel offsets only
    assert isolated.width > joined.width * 1.2


def test_qr_code_holds_receipt_no_and_request_id():
    pyzbar = require_module("pyzbar.pyzbar", "pyzbar with libzbar0 (QR decoding)")
    for dots in (576, 384):
        img = pil(build_receipt(S.receipt()), dots)
        found = [r.data.decode() for r in pyzbar.decode(img)]
        assert found == [qr_payload(S.receipt())]
        assert found[0] == f"{S.RECEIPT_NO}|{S.REQUEST_ID}"


@pytest.mark.parametrize("dots", [576, 384])
def test_long_names_and_huge_amounts_stay_inside_the_paper(dots):
    name = ("محمدحسین عبدالله‌زاده Mohammad-Hossein 1234 " * 6)[:200]
    title = ("خدمات صدور گواهی عدم سوءپیشینه کیفری برای متقاضیان خارج از کشور (ویژه) " * 3)[:200]
    big = S.receipt(
        citizen_name=name,
        service_title=title,
        fees=[("government", 10**12), ("office", 10**12)],
        total=2 * 10**12,
        copy_no=3,
        server_ref="PR-1405-0000000001",
        pending_sync=False,
    )
    small = pil(build_receipt(S.receipt()), dots)
    img = pil(build_receipt(big), dots)
    assert img.width == dots
    left, _, right, _ = ink_bbox(img)
    assert left > 0 and right < dots, "ink touches the paper edge: something overflowed"
    assert img.height > small.height + 4 * 20, "long name and title should wrap over several lines"


def test_receipts_render_from_several_threads_at_once():
    """The UI prints from a thread pool; a fresh process renders from 4 threads at once (PySide6
    builds enum types lazily, which raced before the renderer warmed them up under a lock)."""
    import subprocess
    import sys

    code = (
        "import threading, sys\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = QGuiApplication([])\n"
        "from tests.helpers import printing_samples as S\n"
        "from printing.targets import receipt_bytes\n"
        "out, errors = [], []\n"
        "def work():\n"
        "    try:\n"
        "        out.append(receipt_bytes(S.receipt()))\n"
        "    except Exception as exc:\n"
        "        errors.append(repr(exc))\n"
        "ts = [threading.Thread(target=work) for _ in range(4)]\n"
        "[t.start() for t in ts]; [t.join() for t in ts]\n"
        "print(len(out), len(set(out)), errors)\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4 1 []"


def test_printing_leaves_nothing_in_the_temporary_folder(tmp_path):
    """python-escpos made a folder in the system temporary folder at every import (its
    capabilities cache); each start of the app that printed left one behind. The cache lives in
    the app's per-user cache folder now, and is found again by the next start."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    system_tmp, cache = tmp_path / "tmp", tmp_path / "cache"
    system_tmp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ESCPOS_CAPABILITIES_PICKLE_DIR"}
    env.update(TMPDIR=str(system_tmp), XDG_CACHE_HOME=str(cache))
    code = (
        "from PIL import Image\n"
        "from printing.escpos_out import to_escpos_bytes\n"
        "print(len(to_escpos_bytes(Image.new('1', (64, 8), 1))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) > 64 // 8 * 8
        assert sorted(p.name for p in system_tmp.iterdir()) == []
    assert [p.name for p in (cache / "PishkhanDesk" / "escpos").iterdir()] == [
        f"{sys.version.split()[0]}.capabilities.pickle"
    ]
