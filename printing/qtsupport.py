"""Qt set-up for printing: an offscreen QGuiApplication when none exists, the bundled fonts,
and QImage <-> PIL conversion. QtGui only (never the widgets module)."""

from __future__ import annotations

import logging
import os
import sys
import threading

from PIL import Image

from desk_app.paths import resources_dir

log = logging.getLogger("printing")

FAMILY = "Vazirmatn"
FONT_FILES = ("Vazirmatn-Regular.ttf", "Vazirmatn-Medium.ttf", "Vazirmatn-Bold.ttf")

_lock = threading.Lock()
_app = None
_fonts_loaded = False


def ensure_gui() -> None:
    """Make sure a QGuiApplication exists (offscreen if no platform was chosen) and the
    Vazirmatn fonts are registered. Safe to call often."""
    global _app, _fonts_loaded
    with _lock:
        from PySide6.QtGui import QFontDatabase, QGuiApplication

        if QGuiApplication.instance() is None:
            if not os.environ.get("QT_QPA_PLATFORM"):
                os.environ["QT_QPA_PLATFORM"] = "offscreen"
            _app = QGuiApplication([sys.argv[0] if sys.argv and sys.argv[0] else "desk-app"])
        if not _fonts_loaded:
            _touch_enums()
            for name in FONT_FILES:
                path = resources_dir() / "fonts" / name
                if QFontDatabase.addApplicationFont(str(path)) < 0:
                    log.warning("font not loaded: %s", path)
            _fonts_loaded = True


def _touch_enums() -> None:
    """PySide6 builds its enum types lazily, and two threads doing it at once can make one of
    them see `Qt.AlignmentFlag` missing (AttributeError); the UI prints from a thread pool."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont, QImage, QPainter, QTextOption

    for owner, names in (
        (Qt, ("AlignmentFlag", "LayoutDirection", "GlobalColor", "ImageConversionFlag")),
        (QFont, ("Weight", "HintingPreference")),
        (QImage, ("Format",)),
        (QPainter, ("RenderHint",)),
        (QTextOption, ("WrapMode",)),
    ):
        for name in names:
            getattr(owner, name)


def qimage_to_pil(image) -> Image.Image:
    """A QImage (any format) -> PIL 'L' image with the same pixels (0 black, 255 white)."""
    from PySide6.QtGui import QImage

    if image.format() == QImage.Format.Format_Mono and image.colorTable() == [0xFFFFFFFF, 0xFF000000]:
        # our thermal renders: 1 bit per dot, MSB first, 1 = black -> PIL's inverted 1-bit raw mode
        w, h, bpl = image.width(), image.height(), image.bytesPerLine()
        data = bytes(image.constBits())[: bpl * h]
        return Image.frombuffer("1", (w, h), data, "raw", "1;I", bpl, 1).convert("L")
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    w, h, bpl = gray.width(), gray.height(), gray.bytesPerLine()
    data = bytes(gray.constBits())[: bpl * h]
    return Image.frombuffer("L", (w, h), data, "raw", "L", bpl, 1).copy()


def pil_to_qimage(img: Image.Image):
    from PySide6.QtGui import QImage

    gray = img.convert("L")
    data = gray.tobytes()
    q = QImage(data, gray.width, gray.height, gray.width, QImage.Format.Format_Grayscale8)
    return q.copy()  # own the pixels: `data` dies with this frame
