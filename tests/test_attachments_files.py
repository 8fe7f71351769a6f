"""`desk-app attach RECEIPT_NO FILE...`: images and PDFs become pages; bad input (empty, huge,
not an image, truncated, encrypted, 300 pages) is refused in Persian and stores nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from PIL import Image

from desk_app.services import attachments as A
from desk_app.services import capture

APP = [sys.executable, "-m", "desk_app"]


def attach(home, *args, json_out=True):
    cmd = [*APP, "--home", str(home), "attach", *map(str, args)] + (["--json"] if json_out else [])
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def stored(home) -> list:
    root = A.attachments_dir(home)
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def ready(desk, request_no, home):
    """A data folder with one request, closed so the command line can use it."""
    desk.close()
    return home, request_no


def test_attach_image_files(ready, samples):
    home, receipt = ready
    done = attach(home, receipt, samples["text_png"], samples["card_jpg"], "--document", "کارت ملی")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    kinds = [(p["kind"], p["content_type"], p["page_no"], p["document"]) for p in out["pages"]]
    assert kinds == [("text", "image/tiff", 1, "کارت ملی"), ("photo", "image/jpeg", 2, "کارت ملی")]
    assert out["pages"][0]["bytes"] <= 40 * 1024 and out["complete"] is True and out["stored"] == 2
    assert out["bytes_pending"] == sum(p["bytes"] for p in out["pages"])
    assert stored(home) == sorted(p["sha256"] for p in out["pages"])
    again = json.loads(attach(home, receipt, samples["text_png"]).stdout)
    assert again["stored"] == 0 and again["pages"][0]["new"] is False  # the same page is not stored twice
    listed = subprocess.run([*APP, "--home", str(home), "request", "list", "--json"], capture_output=True, text=True)
    (obj,) = json.loads(listed.stdout)
    assert [a["sha256"] for a in obj["attachments"]] == [p["sha256"] for p in out["pages"]]


def test_pdf_gives_one_page_per_pdf_page(ready, samples):
    home, receipt = ready
    out = json.loads(attach(home, receipt, samples["pdf"], "--document", "شناسنامه").stdout)
    assert [(p["kind"], p["page_no"]) for p in out["pages"]] == [("text", 1), ("photo", 2)]
    assert out["pages"][0]["width"] == pytest.approx(1654, abs=2)  # drawn at 200 dpi


def test_multi_frame_tiff(ready, samples):
    home, receipt = ready
    out = json.loads(attach(home, receipt, samples["tiff"]).stdout)
    assert [p["kind"] for p in out["pages"]] == ["text", "photo"]


def _refused(home, receipt, *files):
    done = attach(home, receipt, *files)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert done.stdout == ""  # --json: nothing on stdout when refused
    assert any("\u0600" <= ch <= "\u06ff" for ch in done.stderr), done.stderr  # Persian message
    assert stored(home) == []
    return done.stderr


def test_empty_file(ready, tmp_path):
    home, receipt = ready
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    assert "خالی" in _refused(home, receipt, empty)


def test_huge_file_is_refused_without_being_opened(ready, tmp_path, desk_settings_defaults):
    home, receipt = ready
    big = tmp_path / "big.jpg"
    with open(big, "wb") as fh:  # 500 MB, sparse: a JPEG header and then a hole
        fh.write(b"\xff\xd8\xff\xe0" + b"\0" * 100)
        fh.truncate(500 * 2**20)
    started = time.monotonic()
    message = _refused(home, receipt, big)
    assert "۵۰۰" in message and "مگابایت" in message
    assert time.monotonic() - started < 30
    opened = []
    sys.addaudithook(lambda event, args: opened.append(args[0]) if event == "open" and _is(args, big) else None)
    with pytest.raises(capture.InvalidInput):
        capture.check_file(big, max_bytes=desk_settings_defaults["attachment_max_file_mb"] * 2**20)
    assert opened == []  # refused from its size alone


def _is(args, path) -> bool:
    return bool(args) and str(args[0]) == str(path)


@pytest.fixture
def desk_settings_defaults():
    from desk_app.services.settings import OPTIONS

    return {k: o.default for k, o in OPTIONS.items()}


def test_not_an_image_whatever_its_name(ready, tmp_path):
    home, receipt = ready
    fake = tmp_path / "photo.jpg"
    fake.write_text("<html><body>not a photo</body></html>")
    assert "تصویر" in _refused(home, receipt, fake)
    fake_pdf = tmp_path / "scan.pdf"
    fake_pdf.write_bytes(b"PK\x03\x04" + b"\0" * 200)  # a ZIP named .pdf
    _refused(home, receipt, fake_pdf)


def test_renamed_files_are_read_by_content(ready, samples, tmp_path):
    home, receipt = ready
    renamed = tmp_path / "page.pdf"
    renamed.write_bytes(samples["card_jpg"].read_bytes())  # a JPEG named .pdf is a JPEG
    out = json.loads(attach(home, receipt, renamed).stdout)
    assert out["pages"][0]["kind"] == "photo"


def test_truncated_jpeg_refuses_the_whole_command(ready, samples, tmp_path):
    home, receipt = ready
    cut = tmp_path / "cut.jpg"
    data = samples["card_jpg"].read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    message = _refused(home, receipt, samples["text_png"], cut)  # the good first file is not stored either
    assert "ناقص" in message and "cut.jpg" in message


def test_pdf_of_300_pages_is_refused_at_once(ready, tmp_path):
    from reportlab.pdfgen import canvas

    home, receipt = ready
    path = tmp_path / "book.pdf"
    c = canvas.Canvas(str(path))
    for i in range(300):
        c.drawString(100, 700, f"page {i}")
        c.showPage()
    c.save()
    started = time.monotonic()
    message = _refused(home, receipt, path)
    assert "۴۰" in message and "۳۰۰" in message
    assert time.monotonic() - started < 60  # counted, not drawn


def test_encrypted_pdf(ready, tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    home, receipt = ready
    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt=pdfencrypt.StandardEncryption("secret", canPrint=0))
    c.drawString(100, 700, "locked")
    c.showPage()
    c.save()
    assert "رمزدار" in _refused(home, receipt, path)


def test_image_too_large_to_decode(ready, tmp_path):
    home, receipt = ready
    path = tmp_path / "huge.png"
    Image.new("1", (12000, 9000), 1).save(path)  # 108 megapixels, a small file
    assert "بزرگ" in _refused(home, receipt, path)


def test_cancelled_or_unknown_request(ready, samples):
    home, receipt = ready
    subprocess.run(
        [*APP, "--home", str(home), "request", "cancel", receipt, "--reason", "انصراف", "--clerk", "ali"], check=True
    )
    assert "لغو" in _refused(home, receipt, samples["text_png"])
    assert "پیدا نشد" in _refused(home, "4512-2-050101-0099", samples["text_png"])


def test_page_file_too_large_after_compression(ready, samples):
    home, receipt = ready
    subprocess.run(
        [sys.executable, "-c", _SET.format(home=str(home), key="attachment_max_page_kb", value=5)], check=True
    )
    assert "کیلوبایت" in _refused(home, receipt, samples["text_png"])


_SET = (
    "from desk_app.services.context import Desk\n"
    "with Desk.open({home!r}) as d:\n"
    "    d.settings.set({key!r}, {value!r})\n"
)
