"""Fixtures of the scanned-document tests: sample page files (made once per session), the SANE
`test` backend configured through `SANE_CONFIG_DIR`, Tesseract with Persian, and a request."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tests.helpers import scanned as S
from tests.helpers.tools import missing, require_tool


@pytest.fixture(scope="session")
def samples(tmp_path_factory) -> dict[str, Path]:
    """Files a clerk might attach: the scanned A4 text page (PNG, 300 dpi), the ID-card photo
    (JPEG, 300 dpi), the same page as a 2-page PDF and as a 2-frame TIFF."""
    folder = tmp_path_factory.mktemp("samples")
    page = S.scanned(S.text_page())
    card = S.id_card_photo()
    out = {"text_png": folder / "form.png", "card_jpg": folder / "card.jpg"}
    page.save(out["text_png"], dpi=(300, 300))
    card.save(out["card_jpg"], quality=92, dpi=(300, 300))
    out["pdf"] = folder / "two-pages.pdf"
    page.convert("RGB").save(out["pdf"], "PDF", resolution=300, save_all=True, append_images=[card.convert("RGB")])
    out["tiff"] = folder / "two-frames.tif"
    frames = [page.convert("RGB"), card.convert("RGB")]
    frames[0].save(out["tiff"], "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300), compression="tiff_lzw")
    return out


@pytest.fixture
def request_no(desk) -> str:
    from tests.helpers.deskdata import register

    return register(desk, 1).receipt_no


@pytest.fixture
def sane_test(tmp_path, monkeypatch):
    """Configure SANE's `test` backend for this test: `sane_test(**options)` writes a config
    folder (dll.conf naming only `test`, test.conf with the options, e.g. test_picture="Grid",
    read_delay=True) and exports SANE_CONFIG_DIR, so in-process and subprocess scans both use it.
    Returns the environment to hand to a SaneScanner."""
    require_tool("scanimage", "sane-utils with the SANE test backend (libsane1)")

    def configure(**options):
        folder = tmp_path / "sane.d"
        folder.mkdir(exist_ok=True)
        (folder / "dll.conf").write_text("test\n")
        values = {"number_of_devices": 1, "test_picture": "Grid", "resolution": 50.0}
        values.update(options)
        lines = []
        for key, value in values.items():
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, str):
                value = f'"{value}"'
            lines.append(f"{key.replace('_', '-') if key != 'number_of_devices' else key} {value}")
        (folder / "test.conf").write_text("\n".join(lines) + "\n")
        monkeypatch.setenv("SANE_CONFIG_DIR", str(folder))
        return folder

    return configure


def ocr_fas(path: Path, scale: int = 1) -> str:
    """Tesseract `-l fas` on an image file; text NFKC-normalised, ZWNJ and spacing simplified."""
    tesseract = require_tool("tesseract", "tesseract-ocr with tesseract-ocr-fas")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "fas" not in langs:
        missing("tesseract Persian model (tesseract-ocr-fas)")
    done = subprocess.run([tesseract, str(path), "-", "-l", "fas"], capture_output=True, check=True, timeout=120)
    text = unicodedata.normalize("NFKC", done.stdout.decode("utf-8")).replace("\u200c", "")
    return re.sub(r"[ \t]+", " ", text)
